/**
 * Data access for favorites (a shopper's favorite products) and the per-product favorite counts. Knows knex, not
 * GraphQL; the rules (cap, validation, idempotency) live in ../favorites.ts.
 *
 * `product_favorite_counts` is changed in the same transaction as `favorites`, and only by the rows a statement really
 * inserted or deleted (RETURNING), so a repeated or concurrent add/remove never counts twice. Transactions that
 * remove several favorites lock the count rows in product id order first: two shoppers clearing overlapping lists
 * cannot deadlock on them.
 */
import type { Knex } from 'knex';

export interface FavoriteRow {
  id: string;
  user_id: string;
  product_id: string;
  created_at: Date;
}

/** One page of a user's favorites, newest first (keyset on id): `limit` rows below `beforeId`. */
export async function pageFavorites(db: Knex, userId: string, limit: number, beforeId: string | null): Promise<FavoriteRow[]> {
  const query = db<FavoriteRow>('favorites').select('id', 'user_id', 'product_id', 'created_at').where({ user_id: userId }).orderBy('id', 'desc').limit(limit);
  if (beforeId) query.whereRaw('id < ?::bigint', [beforeId]);
  return query;
}

/** Which of these products the user has favorited: one statement for a whole page of products. */
export async function findFavoritedProductIds(db: Knex, userId: string, productIds: readonly string[]): Promise<string[]> {
  const rows = await db('favorites')
    .select('product_id')
    .where({ user_id: userId })
    .whereRaw('product_id = ANY(?::bigint[])', [[...productIds]]);
  return rows.map((row: { product_id: string }) => String(row.product_id));
}

/** How many shoppers favorited each of these products (absent: none), in one statement. */
export async function findFavoriteCounts(db: Knex, productIds: readonly string[]): Promise<Map<string, number>> {
  const rows = await db('product_favorite_counts')
    .select('product_id', 'count')
    .whereRaw('product_id = ANY(?::bigint[])', [[...productIds]]);
  return new Map(rows.map((row: { product_id: string; count: number }) => [String(row.product_id), Number(row.count)]));
}

export async function countFavorites(db: Knex, userId: string): Promise<number> {
  const row = await db('favorites').where({ user_id: userId }).count<{ count: string }[]>('* as count').first();
  return Number(row?.count ?? 0);
}

export async function isFavorited(db: Knex, userId: string, productId: string): Promise<boolean> {
  return Boolean(await db('favorites').where({ user_id: userId, product_id: productId }).first('id'));
}

/** Adds one favorite; true when it was new (and then the product's count went up by one, in this transaction). */
export async function insertFavorite(trx: Knex.Transaction, userId: string, productId: string): Promise<boolean> {
  const inserted = await trx('favorites')
    .insert({ user_id: userId, product_id: productId })
    .onConflict(['user_id', 'product_id'])
    .ignore()
    .returning('product_id');
  if (inserted.length === 0) return false;
  await trx.raw(
    `INSERT INTO product_favorite_counts (product_id, count) VALUES (?, 1)
     ON CONFLICT (product_id) DO UPDATE SET count = product_favorite_counts.count + 1`,
    [productId],
  );
  return true;
}

/**
 * Removes the user's favorites of these products (all of them when `productIds` is null); returns the product ids
 * really removed, whose counts went down by one in this transaction.
 */
export async function deleteFavorites(trx: Knex.Transaction, userId: string, productIds: readonly string[] | null): Promise<string[]> {
  const held = trx('favorites').select('product_id').where({ user_id: userId });
  if (productIds) held.whereRaw('product_id = ANY(?::bigint[])', [[...productIds]]);
  const present = (await held).map((row: { product_id: string }) => String(row.product_id));
  if (present.length === 0) return [];
  // Count rows in one order for every transaction (see the module comment).
  await trx.raw('SELECT product_id FROM product_favorite_counts WHERE product_id = ANY(?::bigint[]) ORDER BY product_id FOR UPDATE', [present]);
  const deleted = await trx('favorites')
    .where({ user_id: userId })
    .whereRaw('product_id = ANY(?::bigint[])', [present])
    .delete()
    .returning('product_id');
  const removed = deleted.map((row: { product_id: string }) => String(row.product_id));
  if (removed.length) {
    await trx.raw('UPDATE product_favorite_counts SET count = count - 1 WHERE product_id = ANY(?::bigint[])', [removed]);
  }
  return removed;
}
