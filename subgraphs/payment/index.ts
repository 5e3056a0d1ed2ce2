/** The payment subgraph: builds its schema and per-request context; starting a server is the launcher's job. */
import { buildFederatedSchema } from '../../platform/schema-loader';
import type { SubgraphDefinition, SubgraphDeps } from '../../platform/subgraph-server';
import type { PaymentContext } from './context';
import { createPaymentLoaders } from './loaders';
import { resolvers } from './resolvers';

export { migrations } from './migrations';

export const buildPaymentSchema = () => buildFederatedSchema(__dirname, resolvers);

export function createPaymentSubgraph(deps: SubgraphDeps): SubgraphDefinition<PaymentContext> {
  return {
    name: 'payment',
    schema: buildPaymentSchema(),
    createContext: (base) => ({ ...base, db: deps.db, loaders: createPaymentLoaders(deps.db) }),
  };
}
