/** The order subgraph: builds its schema and per-request context; starting a server is the launcher's job. */
import { buildFederatedSchema } from '../../platform/schema-loader';
import type { SubgraphDefinition, SubgraphDeps } from '../../platform/subgraph-server';
import type { OrderContext } from './context';
import { createOrderLoaders } from './loaders';
import { resolvers } from './resolvers';

export { migrations } from './migrations';

export const buildOrderSchema = () => buildFederatedSchema(__dirname, resolvers);

export function createOrderSubgraph(deps: SubgraphDeps): SubgraphDefinition<OrderContext> {
  return {
    name: 'order',
    schema: buildOrderSchema(),
    createContext: (base) => ({ ...base, db: deps.db, services: deps.services, loaders: createOrderLoaders(deps.db) }),
  };
}
