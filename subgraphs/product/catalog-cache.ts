/**
 * What the product subgraph caches (platform/read-cache.ts, docs/catalog-cache.md): the public catalog — products,
 * SKUs, categories, brands and product list pages — never anything that depends on who asks. Who may see an
 * off-shelf product is decided by the resolvers after the read, from the caller's identity.
 *
 * - Catalog writes (staff) bump the generation after they commit: the next read anywhere sees them.
 * - SKU rows carry the stock, which every checkout changes: they are cached at most CATALOG_STOCK_MAX_AGE_MS and
 *   dropped after each reservation or release. Lists and pages hold ids only, so they never carry stock.
 * - Other subgraphs (the cart's validity and price check, the order's checkout) never read through the cache: a
 *   service caller gets no cache view and reads PostgreSQL.
 */
import type { CatalogCacheConfig, Config } from '../../platform/config';
import { PUBLIC_CATALOG_CACHE, ReadCache, type CacheKind, type ReadCacheView } from '../../platform/read-cache';
import type { BrandRow } from './data/brands';
import type { CategoryRow } from './data/categories';
import type { ProductPageQuery, ProductRow } from './data/products';
import type { SkuRow } from './data/skus';

const date = (value: Date | string) => new Date(value);
const maybeDate = (value: Date | string | null) => (value === null ? null : new Date(value));

export interface CatalogKinds {
  product: CacheKind<ProductRow>;
  sku: CacheKind<SkuRow>;
  /** Live SKU ids of a product, in display order. */
  productSkuIds: CacheKind<string[]>;
  category: CacheKind<CategoryRow>;
  /** Children of a category in display order; key `top` for the top level. */
  categoryChildren: CacheKind<CategoryRow[]>;
  brand: CacheKind<BrandRow>;
  /** Every brand in display order; key `all`. */
  brands: CacheKind<BrandRow[]>;
  /** Product ids of one list page (keyword searches are not cached: their keys are unbounded). */
  productPage: CacheKind<string[]>;
}

export function catalogKinds(config: CatalogCacheConfig): CatalogKinds {
  return {
    product: { name: 'product', revive: (row) => ({ ...row, created_at: date(row.created_at), updated_at: date(row.updated_at) }) },
    sku: {
      name: 'sku',
      maxAgeMs: config.stockMaxAgeMs,
      revive: (row) => ({ ...row, deleted_at: maybeDate(row.deleted_at), created_at: date(row.created_at), updated_at: date(row.updated_at) }),
    },
    productSkuIds: { name: 'product-skus' },
    category: { name: 'category' },
    categoryChildren: { name: 'category-children' },
    brand: { name: 'brand' },
    brands: { name: 'brands' },
    productPage: { name: 'product-page' },
  };
}

/** The catalog cache of one process, or undefined when CATALOG_CACHE is off. */
export interface CatalogCache {
  cache: ReadCache;
  kinds: CatalogKinds;
}

export function createCatalogCache(config: Config): CatalogCache | undefined {
  if (!config.catalogCache.enabled) return undefined;
  return {
    cache: new ReadCache({
      name: PUBLIC_CATALOG_CACHE,
      redisUrl: config.redisUrl,
      namespace: config.events.namespace,
      maxEntries: config.catalogCache.maxEntries,
      ttlMs: config.catalogCache.ttlMs,
    }),
    kinds: catalogKinds(config.catalogCache),
  };
}

/** One request's way to the catalog cache; undefined means "read PostgreSQL". */
export interface CatalogReads {
  view: ReadCacheView;
  kinds: CatalogKinds;
}

export function catalogReadsFor(catalog: CatalogCache | undefined, caller: { service?: string }): CatalogReads | undefined {
  // Other subgraphs decide with what they read (cart validity, checkout): they always get the truth.
  if (!catalog || caller.service) return undefined;
  return { view: catalog.cache.request(), kinds: catalog.kinds };
}

/** The key of a cacheable list page (keyword searches never come here: search.ts, not cached). */
export function productPageKey(query: ProductPageQuery): string | undefined {
  return [query.categoryId ?? '', query.brandId ?? '', query.onShelf ?? '', query.beforeId ?? '', query.limit].join('|');
}

/** After a committed catalog write (staff): the next read on any instance sees it. */
export async function catalogChanged(catalog: CatalogCache | undefined): Promise<void> {
  await catalog?.cache.bump();
}

/** After a committed stock change: these SKUs are read again (other instances within the stock max age). */
export async function stockChanged(catalog: CatalogCache | undefined, skuIds: readonly string[]): Promise<void> {
  await catalog?.cache.forget(catalog.kinds.sku, skuIds);
}
