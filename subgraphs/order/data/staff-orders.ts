/** Data access for the staff's order search and today's figures (console). Knows knex, not GraphQL. */
import type { Knex } from 'knex';
import type { OrderRow, StoredOrderStatus } from './orders';

export interface StaffOrderSearch {
  orderNo?: string;
  userId?: string;
  status?: StoredOrderStatus;
  createdFrom?: Date;
  createdTo?: Date;
}

/** One page of every shopper's orders, newest first (keyset on id); CREATING rows (sagas running) left out. */
export async function searchOrders(db: Knex, filter: StaffOrderSearch, page: { limit: number; afterId?: string }): Promise<OrderRow[]> {
  const query = db<OrderRow>('orders').whereNot('status', 'CREATING').orderBy('id', 'desc').limit(page.limit);
  if (filter.orderNo !== undefined) query.where('order_no', filter.orderNo);
  if (filter.userId !== undefined) query.where('user_id', filter.userId);
  if (filter.status !== undefined) query.where('status', filter.status);
  if (filter.createdFrom) query.where('created_at', '>=', filter.createdFrom);
  if (filter.createdTo) query.where('created_at', '<', filter.createdTo);
  if (page.afterId) query.where('id', '<', page.afterId);
  return query;
}

export interface HourFiguresRow {
  hour: number;
  orders: number;
  paid_orders: number;
  sales: number;
}

/**
 * Per hour of [from, from + 24 h): orders placed, orders paid and their totals. Hours are counted from `from` (the
 * caller passes the start of a China day), so hour 0 is 00:00–01:00 China time.
 */
export async function hourFigures(db: Knex, from: Date): Promise<HourFiguresRow[]> {
  const to = new Date(from.getTime() + 86_400_000);
  const { rows } = await db.raw<{ rows: HourFiguresRow[] }>(
    `SELECT hour, sum(placed)::int AS orders, sum(paid)::int AS paid_orders, sum(sales)::bigint AS sales FROM (
       SELECT floor(extract(epoch FROM created_at - ?::timestamptz) / 3600)::int AS hour, 1 AS placed, 0 AS paid, 0 AS sales
         FROM orders WHERE created_at >= ? AND created_at < ? AND status <> 'CREATING'
       UNION ALL
       SELECT floor(extract(epoch FROM paid_at - ?::timestamptz) / 3600)::int, 0, 1, total
         FROM orders WHERE paid_at >= ? AND paid_at < ?
     ) figures GROUP BY hour ORDER BY hour`,
    [from, from, to, from, from, to],
  );
  return rows.map((row) => ({ ...row, sales: Number(row.sales) }));
}

/** Sum of the refunds that succeeded in [from, to), in fen. */
export async function refundedBetween(db: Knex, from: Date, to: Date): Promise<number> {
  const row = await db('order_refunds')
    .where('status', 'SUCCEEDED')
    .where('settled_at', '>=', from)
    .where('settled_at', '<', to)
    .first(db.raw('coalesce(sum(amount), 0)::bigint AS amount'));
  return Number((row as { amount: string | number }).amount);
}
