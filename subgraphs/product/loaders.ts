import DataLoader from 'dataloader';
import type { Knex } from 'knex';
import { byIds, isBigintId, PeekableLoader } from '../../platform/loaders';
import type { CacheKind } from '../../platform/read-cache';
import type { CatalogReads } from './catalog-cache';
import { findBrandsByIds, type BrandRow } from './data/brands';
import { findCategoriesByIds, findCategoriesByParentIds, type CategoryRow } from './data/categories';
import { findProductsByIds, type ProductRow } from './data/products';
import { findLiveSkusByProductIds, findSkusByIds, type SkuRow } from './data/skus';

/** Keys that cannot be ids never reach SQL: they simply have no rows. */
const validOnly = (keys: readonly string[]) => keys.filter(isBigintId);

const mapById = <Row extends { id: string }>(rows: readonly Row[]) => new Map(rows.map((row) => [String(row.id), row]));

/** Groups rows by a key, every asked key present (an empty list when it has no rows). */
function groupAll<Row, Value>(keys: readonly string[], rows: readonly Row[], keyOf: (row: Row) => string, valueOf: (row: Row) => Value) {
  const groups = new Map<string, Value[]>(keys.map((key) => [key, []]));
  for (const row of rows) groups.get(keyOf(row))?.push(valueOf(row));
  return groups;
}

/**
 * The per-request loaders. With `catalog` (a public read, cache on) each batch looks in the catalog cache first and
 * sends only the misses to PostgreSQL, still one statement per batch; without it (service callers, cache off) every
 * batch reads PostgreSQL.
 */
export function createProductLoaders(db: Knex, catalog?: CatalogReads) {
  /** "Fetch rows by ids" through the cache when there is one. */
  const cachedRows = <Row extends { id: string }>(kind: (reads: CatalogReads) => CacheKind<Row>, fetch: (ids: readonly string[]) => Promise<Row[]>) =>
    catalog ? async (ids: readonly string[]) => [...(await catalog.view.getMany(kind(catalog), ids, async (missing) => mapById(await fetch(missing)))).values()] : fetch;

  const skuById = new PeekableLoader<string, SkuRow | null>(byIds(cachedRows((c) => c.kinds.sku, (ids) => findSkusByIds(db, ids))));

  async function liveSkusOf(productIds: readonly string[]): Promise<SkuRow[][]> {
    const valid = validOnly(productIds);
    if (!catalog) {
      const grouped = groupAll(valid, valid.length ? await findLiveSkusByProductIds(db, valid) : [], (sku) => String(sku.product_id), (sku) => sku);
      return productIds.map((id) => grouped.get(id) ?? []);
    }
    const { view, kinds } = catalog;
    const skuIds = await view.getMany(kinds.productSkuIds, valid, async (missing) => {
      const readAt = view.now();
      const rows = await findLiveSkusByProductIds(db, missing);
      // The rows came along: keep them for later requests, and for this one.
      void view.put(kinds.sku, mapById(rows), readAt);
      for (const row of rows) skuById.prime(row.id, row);
      return groupAll(missing, rows, (sku) => String(sku.product_id), (sku) => String(sku.id));
    });
    const rows = await skuById.loadMany([...new Set([...skuIds.values()].flat())]);
    const byId = new Map(rows.filter((row): row is SkuRow => row !== null && !(row instanceof Error)).map((row) => [row.id, row]));
    // A SKU deleted since the list was cached is a catalog write, which bumped the generation: the filter is a guard.
    return productIds.map((id) => (skuIds.get(id) ?? []).map((skuId) => byId.get(skuId)).filter((row): row is SkuRow => Boolean(row && !row.deleted_at)));
  }

  async function childrenOf(parentIds: readonly string[]): Promise<CategoryRow[][]> {
    const valid = validOnly(parentIds);
    const load = async (ids: readonly string[]) =>
      groupAll(ids, ids.length ? await findCategoriesByParentIds(db, ids) : [], (category) => String(category.parent_id), (category) => category);
    const grouped = catalog ? await catalog.view.getMany(catalog.kinds.categoryChildren, valid, load) : await load(valid);
    return parentIds.map((id) => grouped.get(id) ?? []);
  }

  return {
    productById: new PeekableLoader<string, ProductRow | null>(byIds(cachedRows((c) => c.kinds.product, (ids) => findProductsByIds(db, ids)))),
    /** Deleted SKUs included: entity references and staff look-ups need them. */
    skuById,
    liveSkusByProductId: new DataLoader<string, SkuRow[]>(liveSkusOf),
    categoryById: new PeekableLoader<string, CategoryRow | null>(byIds(cachedRows((c) => c.kinds.category, (ids) => findCategoriesByIds(db, ids)))),
    categoriesByParentId: new DataLoader<string, CategoryRow[]>(childrenOf),
    brandById: new DataLoader<string, BrandRow | null>(byIds(cachedRows((c) => c.kinds.brand, (ids) => findBrandsByIds(db, ids)))),
  };
}
export type ProductLoaders = ReturnType<typeof createProductLoaders>;
