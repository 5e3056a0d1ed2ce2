/** Data access for `reviews`. Knows knex, not GraphQL. Lists are keyset pages by id, newest first. */
import type { Knex } from 'knex';
import type { PurchasedLineRow } from './purchased-lines';

export interface ReviewRow {
  id: string;
  order_item_id: string;
  order_id: string;
  user_id: string;
  product_id: string;
  sku_id: string;
  stars: number;
  content: string;
  images: string[];
  created_at: Date;
  hidden_at: Date | null;
  hidden_by: string | null;
  hidden_reason: string | null;
  updated_at: Date | null;
}

export interface KeysetPage {
  limit: number;
  afterId?: string;
}

/** Inserts the review of a line, or returns undefined when the line already has one (the unique order_item_id). */
export async function insertReview(
  trx: Knex.Transaction,
  line: PurchasedLineRow,
  review: { stars: number; content: string; images: string[] },
): Promise<ReviewRow | undefined> {
  const [row] = await trx('reviews')
    .insert({
      order_item_id: line.order_item_id,
      order_id: line.order_id,
      user_id: line.user_id,
      product_id: line.product_id,
      sku_id: line.sku_id,
      stars: review.stars,
      content: review.content,
      images: JSON.stringify(review.images),
    })
    .onConflict('order_item_id')
    .ignore()
    .returning('*');
  return row as ReviewRow | undefined;
}

/**
 * Sets (hide) or clears (unhide) `hidden_at` when it is not already so; returns the changed row, or undefined when
 * nothing changed (unknown id, or already in that state). The row lock orders it against a concurrent hide/unhide.
 */
export async function setHidden(
  trx: Knex.Transaction,
  id: string,
  hidden: { by: string; reason: string } | null,
): Promise<ReviewRow | undefined> {
  const query = trx<ReviewRow>('reviews').where({ id });
  const [row] = hidden
    ? await query.whereNull('hidden_at').update({ hidden_at: trx.fn.now(), hidden_by: hidden.by, hidden_reason: hidden.reason }, '*')
    : await query.whereNotNull('hidden_at').update({ hidden_at: null, hidden_by: null, hidden_reason: null }, '*');
  return row as ReviewRow | undefined;
}

/** The review, its row locked until the transaction ends (an edit against a concurrent edit, hide or unhide). */
export async function lockReview(trx: Knex.Transaction, id: string): Promise<ReviewRow | undefined> {
  return trx<ReviewRow>('reviews').where({ id }).forUpdate().first();
}

export async function updateReviewContent(
  trx: Knex.Transaction,
  id: string,
  changes: { stars?: number; content?: string; images?: string[] },
): Promise<ReviewRow> {
  const { images, ...rest } = changes;
  const [row] = await trx<ReviewRow>('reviews')
    .where({ id })
    .update({ ...rest, ...(images ? { images: JSON.stringify(images) as never } : {}), updated_at: trx.fn.now() as never }, '*');
  return row as ReviewRow;
}

export async function findReviewsByIds(db: Knex, ids: readonly string[]): Promise<ReviewRow[]> {
  return db<ReviewRow>('reviews').whereRaw('id = ANY(?::bigint[])', [[...ids]]);
}

export async function findReviewsByOrderItemIds(db: Knex, orderItemIds: readonly string[]): Promise<ReviewRow[]> {
  return db<ReviewRow>('reviews').whereRaw('order_item_id = ANY(?::bigint[])', [[...orderItemIds]]);
}

/**
 * One page of visible reviews for EACH of the given products, in one statement (a LATERAL subquery per product uses
 * the partial index on (product_id[, stars], id DESC)): what a list of products with their reviews costs.
 */
export async function findVisiblePagesByProduct(
  db: Knex,
  productIds: readonly string[],
  page: KeysetPage,
  stars?: number | null,
): Promise<ReviewRow[]> {
  const conditions = ['r.product_id = p.id', 'r.hidden_at IS NULL'];
  const bindings: unknown[] = [[...productIds]];
  if (stars) {
    conditions.push('r.stars = ?');
    bindings.push(stars);
  }
  if (page.afterId) {
    conditions.push('r.id < ?');
    bindings.push(page.afterId);
  }
  bindings.push(page.limit);
  const result = await db.raw<{ rows: ReviewRow[] }>(
    `SELECT page.* FROM unnest(?::bigint[]) AS p(id)
     CROSS JOIN LATERAL (SELECT r.* FROM reviews r WHERE ${conditions.join(' AND ')} ORDER BY r.id DESC LIMIT ?) AS page
     ORDER BY page.product_id, page.id DESC`,
    bindings as never,
  );
  return result.rows;
}

/** One page of a user's reviews, hidden ones included, newest first. */
export async function findReviewsOfUser(db: Knex, userId: string, page: KeysetPage): Promise<ReviewRow[]> {
  const query = db<ReviewRow>('reviews').where({ user_id: userId });
  if (page.afterId) query.where('id', '<', page.afterId);
  return query.orderBy('id', 'desc').limit(page.limit);
}

/** Staff's list: every review, optionally only hidden / visible ones or one product's, newest first. */
export async function findReviewsForModeration(
  db: Knex,
  filter: { hidden?: boolean | null; productId?: string | null },
  page: KeysetPage,
): Promise<ReviewRow[]> {
  const query = db<ReviewRow>('reviews');
  if (filter.hidden === true) query.whereNotNull('hidden_at');
  if (filter.hidden === false) query.whereNull('hidden_at');
  if (filter.productId) query.where({ product_id: filter.productId });
  if (page.afterId) query.where('id', '<', page.afterId);
  return query.orderBy('id', 'desc').limit(page.limit);
}
