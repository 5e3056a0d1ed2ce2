/**
 * Read-only audit query of the user schema for the invariant checker (audit/invariants): one statement, only what is
 * wrong. Knows knex, not GraphQL; writes nothing.
 */
import type { Knex } from 'knex';

export interface FavoriteCountDiscrepancy {
  productId: string;
  /** What product_favorite_counts says (0: no row). */
  kept: number;
  /** The favorites rows of the product. */
  counted: number;
}

/** Products whose kept favorite count differs from their favorites rows. */
export async function favoriteCountDiscrepancies(db: Knex): Promise<FavoriteCountDiscrepancy[]> {
  const { rows } = await db.raw<{ rows: { product_id: string; kept: number; counted: number }[] }>(
    `WITH counted AS (SELECT product_id, count(*)::int AS counted FROM favorites GROUP BY product_id)
     SELECT COALESCE(k.product_id, c.product_id)::text AS product_id, COALESCE(k.count, 0) AS kept, COALESCE(c.counted, 0) AS counted
       FROM product_favorite_counts k FULL JOIN counted c ON c.product_id = k.product_id
      WHERE COALESCE(k.count, 0) <> COALESCE(c.counted, 0)
      ORDER BY 1`,
  );
  return rows.map((row) => ({ productId: row.product_id, kept: Number(row.kept), counted: Number(row.counted) }));
}
