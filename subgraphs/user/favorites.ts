/**
 * Favorites (seed 000 `/subscribe/collect/*`): a shopper's favorite products, newest first, at most
 * FAVORITES_MAX_PER_USER (500). Adding and removing are idempotent. Every change runs in one transaction holding the
 * shopper's row lock, so concurrent changes of one shopper serialize (the cap cannot be raced) and the per-product
 * counts change with the rows (data/favorites.ts).
 *
 * Validation: a product must exist and be on the shelf to be added (asked of product, batched, in product-client.ts);
 * an off-shelf or unknown product is the same NOT_FOUND (a shopper cannot see off-shelf products, so their existence is
 * not revealed). A product that goes off the shelf later stays in the list (the client shows `onShelf`). Removing
 * never asks product: ids that are not favorites are simply not there.
 */
import type { Knex } from 'knex';
import { badInput, notFound, shopError } from '../../platform/errors';
import { isBigintId } from '../../platform/loaders';
import type { UserContext } from './context';
import { countFavorites, deleteFavorites, insertFavorite, isFavorited } from './data/favorites';
import { lockUser } from './data/users';

/** More ids than a list can hold is a malformed request. */
const MAX_IDS_PER_CALL = 500;

/** A product as the user subgraph knows it: its id (product resolves the rest through federation). */
export interface ProductRef {
  id: string;
}
const productRef = (id: string): ProductRef => ({ id });

async function lockShopper(trx: Knex.Transaction, userId: string) {
  if (!(await lockUser(trx, userId))) throw notFound('User not found');
}

const favoritesFull = (max: number) =>
  shopError('CONFLICT', `Your favorites hold at most ${max} products; remove some to add new ones`, { reason: 'FAVORITES_FULL', max });

export async function addFavorite(context: UserContext, userId: string, productId: string): Promise<ProductRef> {
  if (!isBigintId(productId)) throw notFound('No such product');
  const product = await context.favorites.productFacts.load(productId);
  if (!product || !product.onShelf) {
    // Shelved after the shopper added it: adding again is still the no-op it always is.
    if (await isFavorited(context.db, userId, productId)) return productRef(productId);
    throw notFound('No such product');
  }
  const max = context.config.favoritesMaxPerUser;
  await context.db.transaction(async (trx) => {
    await lockShopper(trx, userId);
    // Already a favorite: nothing to do, even at the cap (idempotent).
    if (await isFavorited(trx, userId, productId)) return;
    if ((await countFavorites(trx, userId)) >= max) throw favoritesFull(max);
    await insertFavorite(trx, userId, productId);
  });
  context.favorites.forget(productId);
  return productRef(productId);
}

/** Removes some favorites; ids that are not favorites (or not ids at all) are skipped. Returns how many went. */
export async function removeFavorites(context: UserContext, userId: string, productIds: readonly string[]): Promise<string[]> {
  if (productIds.length > MAX_IDS_PER_CALL) throw badInput(`At most ${MAX_IDS_PER_CALL} products at a time`, 'productIds');
  const wanted = [...new Set(productIds.filter(isBigintId))];
  if (wanted.length === 0) return [];
  const removed = await context.db.transaction(async (trx) => {
    await lockShopper(trx, userId);
    return deleteFavorites(trx, userId, wanted);
  });
  for (const id of wanted) context.favorites.forget(id);
  return removed;
}

export async function removeFavorite(context: UserContext, userId: string, productId: string): Promise<ProductRef | null> {
  // Not an id: nothing to remove, and no product to show.
  if (!isBigintId(productId)) return null;
  await removeFavorites(context, userId, [productId]);
  return productRef(productId);
}

export async function clearFavorites(context: UserContext, userId: string): Promise<number> {
  const removed = await context.db.transaction(async (trx) => {
    await lockShopper(trx, userId);
    return deleteFavorites(trx, userId, null);
  });
  context.favorites.forgetAll();
  return removed.length;
}
