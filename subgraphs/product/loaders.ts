import DataLoader from 'dataloader';
import type { Knex } from 'knex';
import { byIds, groupedBy, isBigintId } from '../../platform/loaders';
import { findBrandsByIds, type BrandRow } from './data/brands';
import { findCategoriesByIds, findCategoriesByParentIds, type CategoryRow } from './data/categories';
import { findProductsByIds, type ProductRow } from './data/products';
import { findLiveSkusByProductIds, findSkusByIds, type SkuRow } from './data/skus';

/** Keys that cannot be ids never reach SQL: they simply have no rows. */
const validOnly = (keys: readonly string[]) => keys.filter(isBigintId);

export function createProductLoaders(db: Knex) {
  return {
    productById: new DataLoader<string, ProductRow | null>(byIds((ids) => findProductsByIds(db, ids))),
    /** Deleted SKUs included: entity references and staff look-ups need them. */
    skuById: new DataLoader<string, SkuRow | null>(byIds((ids) => findSkusByIds(db, ids))),
    liveSkusByProductId: new DataLoader<string, SkuRow[]>(
      groupedBy(
        (sku: SkuRow) => sku.product_id,
        async (ids) => (validOnly(ids).length ? findLiveSkusByProductIds(db, validOnly(ids)) : []),
      ),
    ),
    categoryById: new DataLoader<string, CategoryRow | null>(byIds((ids) => findCategoriesByIds(db, ids))),
    categoriesByParentId: new DataLoader<string, CategoryRow[]>(
      groupedBy(
        (category: CategoryRow) => category.parent_id!,
        async (ids) => (validOnly(ids).length ? findCategoriesByParentIds(db, validOnly(ids)) : []),
      ),
    ),
    brandById: new DataLoader<string, BrandRow | null>(byIds((ids) => findBrandsByIds(db, ids))),
  };
}
export type ProductLoaders = ReturnType<typeof createProductLoaders>;
