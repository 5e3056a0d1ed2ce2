/**
 * Per-request loaders. A list of 20 products with `rating` costs one statement (product_ratings by primary key);
 * with `reviews(first: n)` one more per distinct page request (a LATERAL query over all the products); lines' reviews
 * and orders' lines one each.
 */
import DataLoader from 'dataloader';
import type { Knex } from 'knex';
import { groupedBy, isBigintId } from '../../platform/loaders';
import { findLinesByOrderIds, type PurchasedLineRow } from './data/purchased-lines';
import { findRatings, type ProductRatingRow } from './data/ratings';
import { findReviewsByOrderItemIds, findVisiblePagesByProduct, type KeysetPage, type ReviewRow } from './data/reviews';

/** One product's page request: the products asking the same page share one statement. */
export interface ProductPageKey {
  productId: string;
  page: KeysetPage;
  stars: number | null;
}

const pageShape = (key: ProductPageKey) => `${key.page.limit}|${key.page.afterId ?? ''}|${key.stars ?? ''}`;

export function createReviewLoaders(db: Knex) {
  const ratingByProduct = new DataLoader<string, ProductRatingRow | null>(async (productIds) => {
    // Ids are bigints everywhere: another string cannot have a rating (and must not reach SQL as a bad cast).
    const valid = productIds.filter(isBigintId);
    const rows = valid.length ? await findRatings(db, valid) : [];
    const byId = new Map(rows.map((row) => [String(row.product_id), row]));
    return productIds.map((id) => byId.get(id) ?? null);
  });

  const visiblePage = new DataLoader<ProductPageKey, ReviewRow[], string>(
    async (keys) => {
      const shapes = new Map<string, ProductPageKey[]>();
      for (const key of keys) shapes.set(pageShape(key), [...(shapes.get(pageShape(key)) ?? []), key]);
      const rows = new Map<string, ReviewRow[]>();
      await Promise.all(
        [...shapes.entries()].map(async ([shape, group]) => {
          const productIds = [...new Set(group.map((key) => key.productId).filter(isBigintId))];
          if (!productIds.length) return;
          const found = await findVisiblePagesByProduct(db, productIds, group[0].page, group[0].stars);
          for (const row of found) {
            const slot = `${row.product_id}|${shape}`;
            rows.set(slot, [...(rows.get(slot) ?? []), row]);
          }
        }),
      );
      return keys.map((key) => rows.get(`${key.productId}|${pageShape(key)}`) ?? []);
    },
    { cacheKeyFn: (key) => `${key.productId}|${pageShape(key)}` },
  );

  const reviewByOrderItem = new DataLoader<string, ReviewRow | null>(async (ids) => {
    const valid = ids.filter(isBigintId);
    const rows = valid.length ? await findReviewsByOrderItemIds(db, valid) : [];
    const byId = new Map(rows.map((row) => [String(row.order_item_id), row]));
    return ids.map((id) => byId.get(id) ?? null);
  });

  const linesByOrder = new DataLoader<string, PurchasedLineRow[]>(groupedBy((row) => String(row.order_id), async (ids) => {
      const valid = ids.filter(isBigintId);
      return valid.length ? findLinesByOrderIds(db, valid) : [];
    }));

  return { ratingByProduct, visiblePage, reviewByOrderItem, linesByOrder };
}
export type ReviewLoaders = ReturnType<typeof createReviewLoaders>;
