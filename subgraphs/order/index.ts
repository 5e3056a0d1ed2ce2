/** The order subgraph: builds its schema and per-request context; starting a server is the launcher's job. */
import { buildFederatedSchema } from '../../platform/schema-loader';
import type { SubgraphDefinition, SubgraphDeps } from '../../platform/subgraph-server';
import type { OrderContext } from './context';
import { createOrderLoaders } from './loaders';
import { resolvers } from './resolvers';
import { clientFanOut } from './events';
import { startExpirySweep } from './expiry';

export { migrations } from './migrations';

export const buildOrderSchema = () => buildFederatedSchema(__dirname, resolvers);

export function createOrderSubgraph(deps: SubgraphDeps): SubgraphDefinition<OrderContext> {
  const sweep = startExpirySweep(deps.db, deps.config.orderExpirySweepSeconds);
  return {
    name: 'order',
    stop: sweep.stop,
    events: { relayOutbox: true, consumers: [clientFanOut(deps.events)] },
    schema: buildOrderSchema(),
    createContext: (base) => ({ ...base, db: deps.db, services: deps.services, loaders: createOrderLoaders(deps.db) }),
  };
}
