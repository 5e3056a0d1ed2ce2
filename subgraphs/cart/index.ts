/** The cart subgraph: builds its schema and per-request context; starting a server is the launcher's job. */
import { skuFactsCoalescing } from '../../platform/price-summary-services';
import { buildFederatedSchema } from '../../platform/schema-loader';
import { internalCallers } from './internal-callers';
import type { SubgraphDefinition, SubgraphDeps } from '../../platform/subgraph-server';
import type { CartContext } from './context';
import { createCartLoaders } from './loaders';
import { cartMemberPriceResolvers } from './member-prices';
import { resolvers } from './resolvers';

export { migrations } from './migrations';

export const buildCartSchema = () => buildFederatedSchema(
    __dirname,
    { ...resolvers, CartItem: { ...resolvers.CartItem, ...cartMemberPriceResolvers.CartItem } },
    internalCallers,
  );

export function createCartSubgraph(deps: SubgraphDeps): SubgraphDefinition<CartContext> {
  return {
    name: 'cart',
    schema: buildCartSchema(),
    createContext: (base) => ({
      ...base,
      db: deps.db,
      loaders: createCartLoaders(deps.db, deps.services, deps.config),
    }),
    stats: () => ({ skuFacts: skuFactsCoalescing(deps.services) }),
  };
}
