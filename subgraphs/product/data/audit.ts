/**
 * Read-only audit queries of the product subgraph's stock books, for the invariant checker (audit/invariants).
 * Knows knex, not GraphQL; writes nothing.
 */
import type { Knex } from 'knex';
import { findStockViolations, type StockLine, type StockViolation } from './stock';

/** SKUs whose books do not add up (ledger ≠ stock + reserved + sold, or reserved/sold ≠ the reservations). */
export async function stockDiscrepancies(db: Knex, skuIds?: readonly string[]): Promise<StockViolation[]> {
  return findStockViolations(db, skuIds);
}

export interface HeldReservation {
  orderId: string;
  lines: StockLine[];
  /** When the units were reserved (the reservation row's last change). */
  heldSince: Date;
}

/** Every reservation still holding units (RESERVED). Bounded by the orders not yet paid or cancelled. */
export async function heldReservations(db: Knex): Promise<HeldReservation[]> {
  const rows = await db('stock_reservations').where({ status: 'RESERVED' }).select('order_id', 'lines', 'updated_at').orderBy('id');
  return rows.map((row: { order_id: string; lines: StockLine[]; updated_at: Date }) => ({ orderId: row.order_id, lines: row.lines, heldSince: row.updated_at }));
}

export interface OverReturn {
  orderId: string;
  skuId: string;
  /** Units of the SKU in the order's COMMITTED reservation. */
  sold: number;
  /** Units of the SKU returned to stock for the order (stock_returns). */
  returned: number;
}

/**
 * (order, SKU) pairs with more pieces returned to stock than the order bought (its COMMITTED reservation): the
 * per-SKU books (stockDiscrepancies) count returns globally, so pieces returned twice for one order — or for an
 * order that bought none — would hide behind other orders' sales. One statement; empty = consistent.
 */
export async function overReturnedStock(db: Knex): Promise<OverReturn[]> {
  const { rows } = await db.raw(
    `WITH returned AS (
       SELECT r.order_id, (l->>'skuId')::bigint AS sku_id, sum((l->>'quantity')::int)::int AS returned
       FROM stock_returns r CROSS JOIN LATERAL jsonb_array_elements(r.lines) l GROUP BY 1, 2),
     sold AS (
       SELECT r.order_id, (l->>'skuId')::bigint AS sku_id, sum((l->>'quantity')::int)::int AS sold
       FROM stock_reservations r CROSS JOIN LATERAL jsonb_array_elements(r.lines) l WHERE r.status = 'COMMITTED' GROUP BY 1, 2)
     SELECT returned.order_id AS "orderId", returned.sku_id::text AS "skuId", COALESCE(sold.sold, 0) AS sold, returned.returned
       FROM returned LEFT JOIN sold ON sold.order_id = returned.order_id AND sold.sku_id = returned.sku_id
      WHERE returned.returned > COALESCE(sold.sold, 0)
      ORDER BY 1, 2`,
  );
  return rows;
}

export interface StockReturn {
  id: string;
  orderId: string;
  /** The order's refund number the pieces came back for. */
  key: string;
  lines: StockLine[];
  createdAt: Date;
}

/** One page (keyset by id) of the stock returns. */
export async function pageStockReturns(db: Knex, page: { afterId?: string; limit: number }): Promise<StockReturn[]> {
  const query = db('stock_returns').select('id', 'order_id', 'key', 'lines', 'created_at').orderBy('id').limit(page.limit);
  if (page.afterId) query.where('id', '>', page.afterId);
  return (await query).map((row: { id: string; order_id: string; key: string; lines: StockLine[]; created_at: Date }) => ({
    id: String(row.id),
    orderId: row.order_id,
    key: row.key,
    lines: row.lines,
    createdAt: row.created_at,
  }));
}

/** The stock returns of these (order, key) pairs that exist, as `order:key`. */
export async function existingStockReturns(db: Knex, keys: readonly { orderId: string; key: string }[]): Promise<Set<string>> {
  if (!keys.length) return new Set();
  const { rows } = await db.raw(
    `SELECT r.order_id, r.key FROM stock_returns r JOIN unnest(?::text[], ?::text[]) AS k(order_id, key)
       ON k.order_id = r.order_id AND k.key = r.key`,
    [keys.map((k) => k.orderId), keys.map((k) => k.key)],
  );
  return new Set(rows.map((row: { order_id: string; key: string }) => `${row.order_id}:${row.key}`));
}
