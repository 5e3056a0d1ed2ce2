/**
 * Read-only audit query of the review schema for the invariant checker (audit/invariants): one statement, only what
 * is wrong. Knows knex, not GraphQL; writes nothing.
 */
import type { Knex } from 'knex';

export interface RatingDiscrepancy {
  productId: string;
  /** What product_ratings says: [count, star sum, 1★ … 5★] (null: no row). */
  kept: number[] | null;
  /** What the visible reviews add up to, in the same order (null: none). */
  counted: number[] | null;
}

/** Products whose kept rating differs from the count of their visible reviews. */
export async function ratingDiscrepancies(db: Knex): Promise<RatingDiscrepancy[]> {
  const result = await db.raw<{ rows: { product_id: string; kept: number[] | null; counted: number[] | null }[] }>(
    `WITH counted AS (
       SELECT product_id, ARRAY[count(*), sum(stars), ${[1, 2, 3, 4, 5].map((n) => `count(*) FILTER (WHERE stars = ${n})`).join(', ')}]::int[] AS counted
         FROM reviews WHERE hidden_at IS NULL GROUP BY product_id
     ), kept AS (
       SELECT product_id, ARRAY[review_count, star_sum, stars_1, stars_2, stars_3, stars_4, stars_5]::int[] AS kept
         FROM product_ratings WHERE review_count > 0
     )
     SELECT COALESCE(k.product_id, c.product_id)::text AS product_id, k.kept, c.counted
       FROM kept k FULL JOIN counted c ON c.product_id = k.product_id
      WHERE k.kept IS DISTINCT FROM c.counted
      ORDER BY 1`,
  );
  return result.rows.map((row) => ({ productId: row.product_id, kept: row.kept, counted: row.counted }));
}
