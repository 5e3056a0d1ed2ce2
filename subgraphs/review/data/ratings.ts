/**
 * Data access for `product_ratings`: per product, the count of visible reviews per star, kept in the transaction of
 * every insert, hide and unhide (so a rating read is a primary-key lookup, never an aggregate over reviews).
 */
import type { Knex } from 'knex';

export interface ProductRatingRow {
  product_id: string;
  review_count: number;
  star_sum: number;
  stars_1: number;
  stars_2: number;
  stars_3: number;
  stars_4: number;
  stars_5: number;
}

/** Counts one visible review of `stars` in (delta 1) or out (delta -1) of its product's rating. */
export async function adjustRating(trx: Knex.Transaction, productId: string, stars: number, delta: 1 | -1): Promise<void> {
  if (!Number.isInteger(stars) || stars < 1 || stars > 5) throw new Error(`stars out of range: ${stars}`);
  const column = `stars_${stars}`;
  if (delta === -1) {
    // A review counted out was counted in before: its product's row exists (and the CHECK keeps counts >= 0).
    await trx.raw(
      `UPDATE product_ratings SET review_count = review_count - 1, star_sum = star_sum - ?, ?? = ?? - 1, updated_at = now()
        WHERE product_id = ?`,
      [stars, column, column, productId],
    );
    return;
  }
  // The row lock of the upsert serialises concurrent changes of one product's rating. (Not for -1: PostgreSQL checks
  // the CHECK constraint on the proposed insert row before it finds the conflict.)
  await trx.raw(
    `INSERT INTO product_ratings (product_id, review_count, star_sum, ??) VALUES (?, 1, ?, 1)
     ON CONFLICT (product_id) DO UPDATE SET
       review_count = product_ratings.review_count + 1,
       star_sum = product_ratings.star_sum + excluded.star_sum,
       ?? = product_ratings.?? + 1,
       updated_at = now()`,
    [column, productId, stars, column, column],
  );
}

/** The ratings of the given products (absent: no review yet): the one statement a list of products costs. */
export async function findRatings(db: Knex, productIds: readonly string[]): Promise<ProductRatingRow[]> {
  return db<ProductRatingRow>('product_ratings')
    .select('product_id', 'review_count', 'star_sum', 'stars_1', 'stars_2', 'stars_3', 'stars_4', 'stars_5')
    .whereRaw('product_id = ANY(?::bigint[])', [[...productIds]]);
}
