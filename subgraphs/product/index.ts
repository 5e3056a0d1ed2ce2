/** The product subgraph: builds its schema and per-request context; starting a server is the launcher's job. */
import { buildFederatedSchema } from '../../platform/schema-loader';
import type { SubgraphDefinition, SubgraphDeps } from '../../platform/subgraph-server';
import type { ProductContext } from './context';
import { createProductLoaders } from './loaders';
import { resolvers } from './resolvers';

export { migrations } from './migrations';
export { seedDemoCatalog as seedDemo } from './data/demo-catalog';

export const buildProductSchema = () => buildFederatedSchema(__dirname, resolvers);

export function createProductSubgraph(deps: SubgraphDeps): SubgraphDefinition<ProductContext> {
  return {
    name: 'product',
    schema: buildProductSchema(),
    createContext: (base) => ({ ...base, db: deps.db, loaders: createProductLoaders(deps.db) }),
  };
}
