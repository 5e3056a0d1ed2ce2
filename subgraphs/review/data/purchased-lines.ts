/** Data access for `purchased_lines`: the order lines a shopper received, from order's OrderCompleted. Knows knex, not GraphQL. */
import type { Knex } from 'knex';

export interface PurchasedLineRow {
  order_item_id: string;
  order_id: string;
  user_id: string;
  product_id: string;
  sku_id: string;
  quantity: number;
  completed_at: Date;
}

export interface NewPurchasedLine {
  orderItemId: string;
  orderId: string;
  userId: string;
  productId: string;
  skuId: string;
  quantity: number;
  completedAt: Date;
}

/** Records lines; a line already known is left as it is (a redelivered event, or a demo seed run twice). */
export async function insertPurchasedLines(db: Knex, lines: readonly NewPurchasedLine[]): Promise<number> {
  if (!lines.length) return 0;
  const inserted = await db('purchased_lines')
    .insert(
      lines.map((line) => ({
        order_item_id: line.orderItemId,
        order_id: line.orderId,
        user_id: line.userId,
        product_id: line.productId,
        sku_id: line.skuId,
        quantity: line.quantity,
        completed_at: line.completedAt,
      })),
    )
    .onConflict('order_item_id')
    .ignore()
    .returning('order_item_id');
  return inserted.length;
}

export async function findPurchasedLine(db: Knex, orderItemId: string): Promise<PurchasedLineRow | undefined> {
  return db<PurchasedLineRow>('purchased_lines').where({ order_item_id: orderItemId }).first();
}

/** Every line of the given orders (one statement for a whole list of orders), in order-line order. */
export async function findLinesByOrderIds(db: Knex, orderIds: readonly string[]): Promise<PurchasedLineRow[]> {
  return db<PurchasedLineRow>('purchased_lines').whereRaw('order_id = ANY(?::bigint[])', [[...orderIds]]).orderBy('order_item_id');
}

/** One page of a user's lines, newest first (keyset on the order line id); `pending` filters on having a review. */
export async function findLinesOfUser(
  db: Knex,
  userId: string,
  page: { limit: number; afterId?: string },
  pending?: boolean | null,
): Promise<PurchasedLineRow[]> {
  const query = db<PurchasedLineRow>('purchased_lines as l').select('l.*').where('l.user_id', userId);
  if (page.afterId) query.where('l.order_item_id', '<', page.afterId);
  if (pending === true) query.whereNotExists(db('reviews as r').select(db.raw('1')).whereRaw('r.order_item_id = l.order_item_id'));
  if (pending === false) query.whereExists(db('reviews as r').select(db.raw('1')).whereRaw('r.order_item_id = l.order_item_id'));
  return query.orderBy('l.order_item_id', 'desc').limit(page.limit);
}
