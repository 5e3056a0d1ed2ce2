/** The product subgraph: builds its schema and per-request context; starting a server is the launcher's job. */
import { buildFederatedSchema } from '../../platform/schema-loader';
import { internalCallers } from './internal-callers';
import type { SubgraphDefinition, SubgraphDeps } from '../../platform/subgraph-server';
import { catalogReadsFor, createCatalogCache } from './catalog-cache';
import type { ProductContext } from './context';
import { stockHoldSweep } from './holds-sweep';
import { releaseMarkerRetention } from './marker-retention';
import { createProductLoaders } from './loaders';
import { publicAnswersPlugin } from './public-answers';
import { resolvers } from './resolvers';
import { withHomePage } from './home-page/resolvers';
import { withMemberPrices } from './member-prices';
import { withSubscriptionWares } from './subscription-wares/resolvers';
import { seedDemoCatalog } from './data/demo-catalog';
import { seedDemoHomePage } from './data/demo-home-page';
import { watchReadCache } from '../../platform/metrics-sources';
import type { Knex } from 'knex';
import type { Config } from '../../platform/config';

export { migrations } from './migrations';
/** Demo data (never in production: the launcher checks): the catalog, then the home page's content over it. */
export async function seedDemo(db: Knex, config: Config): Promise<void> {
  await seedDemoCatalog(db, config);
  await seedDemoHomePage(db);
}

export const buildProductSchema = () =>
  buildFederatedSchema(__dirname, withMemberPrices(withSubscriptionWares(withHomePage(resolvers))), internalCallers);

export function createProductSubgraph(deps: SubgraphDeps): SubgraphDefinition<ProductContext> {
  const catalogCache = createCatalogCache(deps.config);
  // Gives back holds of orders that are not live and holds whose lease ran out (holds-sweep.ts).
  const sweep = stockHoldSweep(deps.db, { services: deps.services, config: deps.config, catalogCache });
  // Deletes release markers once no late reserve can still arrive (marker-retention.ts).
  const markers = releaseMarkerRetention(deps.db, deps.config);
  return {
    name: 'product',
    events: { periodic: [sweep.job, markers.job] },
    schema: buildProductSchema(),
    createContext: (base) => {
      const catalog = catalogReadsFor(catalogCache, base.identity);
      return { ...base, db: deps.db, loaders: createProductLoaders(deps.db, catalog), catalog, catalogCache };
    },
    plugins: [publicAnswersPlugin(deps.config.catalogCache.responseMaxAgeSeconds)],
    // Hit rates per kind (docs/catalog-cache.md), at GET /stats for signed callers.
    metrics: (metrics) => catalogCache && watchReadCache(metrics, 'catalog', catalogCache.cache),
    stats: () => ({ catalogCache: catalogCache ? { enabled: true, ...catalogCache.cache.stats() } : { enabled: false } }),
    stop: async () => {
      await sweep.stop();
      await markers.stop();
      await catalogCache?.cache.close();
    },
  };
}
