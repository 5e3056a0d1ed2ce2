/**
 * Per request: whether the caller favorited each product and each product's favorite count, each in one statement for
 * every product of the request (a 20-product list costs 2 statements), and the product facts asked before an add.
 */
import DataLoader from 'dataloader';
import type { Knex } from 'knex';
import { isBigintId } from '../../platform/loaders';
import type { ServiceClient } from '../../platform/service-client';
import { findFavoriteCounts, findFavoritedProductIds } from './data/favorites';
import { createProductFactsLoader } from './product-client';

export function createFavoriteLoaders(db: Knex, services: ServiceClient, userId: string | undefined) {
  /** Signed out (or a service calling without a user): nothing is favorited, and no statement is sent. */
  const favorited = new DataLoader<string, boolean>(async (ids) => {
    const valid = ids.filter(isBigintId);
    if (!userId || valid.length === 0) return ids.map(() => false);
    const mine = new Set(await findFavoritedProductIds(db, userId, valid));
    return ids.map((id) => mine.has(id));
  });
  const count = new DataLoader<string, number>(async (ids) => {
    const valid = ids.filter(isBigintId);
    const counts = valid.length ? await findFavoriteCounts(db, valid) : new Map<string, number>();
    return ids.map((id) => counts.get(id) ?? 0);
  });
  return {
    favorited,
    count,
    productFacts: createProductFactsLoader(services),
    /** After a write: the next read of this product's fields goes to the database again. */
    forget(productId: string) {
      favorited.clear(productId);
      count.clear(productId);
    },
    forgetAll() {
      favorited.clearAll();
      count.clearAll();
    },
  };
}
export type FavoriteLoaders = ReturnType<typeof createFavoriteLoaders>;
