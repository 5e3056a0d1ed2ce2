/**
 * Data access for product suggestions: the related products of a product and the pool "guess you like" draws from.
 * Knows knex, not GraphQL.
 */
import type { Knex } from 'knex';

/**
 * For each source product, up to `limit` other on-shelf products ranked by what they share with it, in one statement:
 * 3 points per shared tag, 2 for the same category, 1 for the same brand; ties newest first. Products sharing
 * nothing are not related.
 */
export async function findRelatedProductIds(db: Knex, productIds: readonly string[], limit: number): Promise<Map<string, string[]>> {
  const { rows } = await db.raw(
    `SELECT src.id AS source_id, r.id
     FROM products src
     CROSS JOIN LATERAL (
       SELECT p.id,
              3 * (SELECT count(*) FROM product_tag_links a JOIN product_tag_links b ON b.tag_id = a.tag_id
                   WHERE a.product_id = src.id AND b.product_id = p.id)
              + CASE WHEN p.category_id = src.category_id THEN 2 ELSE 0 END
              + CASE WHEN p.brand_id = src.brand_id THEN 1 ELSE 0 END AS score
       FROM products p
       WHERE p.on_shelf AND p.id <> src.id
         AND (p.category_id = src.category_id OR p.brand_id = src.brand_id
              OR p.id IN (SELECT b.product_id FROM product_tag_links a JOIN product_tag_links b ON b.tag_id = a.tag_id WHERE a.product_id = src.id))
       ORDER BY score DESC, p.id DESC
       LIMIT ?
     ) r
     WHERE src.id = ANY(?::bigint[])
     ORDER BY src.id, r.score DESC, r.id DESC`,
    [limit, [...productIds]],
  );
  const related = new Map<string, string[]>(productIds.map((id) => [id, []]));
  for (const row of rows as { source_id: string; id: string }[]) related.get(String(row.source_id))?.push(String(row.id));
  return related;
}

/** The most sold on-shelf products (units committed by paid orders), then the newest: what "guess you like" draws from. */
export async function findPopularProductIds(db: Knex, limit: number): Promise<string[]> {
  const rows: { id: string }[] = await db('products as p')
    .select('p.id')
    .leftJoin('skus as s', 's.product_id', 'p.id')
    .where('p.on_shelf', true)
    .groupBy('p.id')
    .orderByRaw('coalesce(sum(s.sold), 0) DESC, p.id DESC')
    .limit(limit);
  return rows.map((row) => String(row.id));
}
