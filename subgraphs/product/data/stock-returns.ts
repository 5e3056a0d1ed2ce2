/**
 * Data access for stock_returns: refunded pieces that came back sellable (sold → available), one row per
 * (order, key) — the key is the order's refund number, so a retried return is the same return. The rows are the
 * audit of every such move: per SKU, units sold = units in COMMITTED reservations − units returned
 * (see findStockViolations). Total stock does not change, so the stock ledger (stock_adjustments) does not either.
 */
import type { Knex } from 'knex';
import type { StockLine } from './stock';

export interface StockReturnRow {
  id: string;
  order_id: string;
  key: string;
  /** Merged per SKU, ordered by SKU id. */
  lines: StockLine[];
  created_at: Date;
}

export async function findStockReturn(db: Knex, orderId: string, key: string): Promise<StockReturnRow | undefined> {
  return db<StockReturnRow>('stock_returns').where({ order_id: orderId, key }).first();
}

/** Units of each SKU already returned for the order. */
export async function returnedUnits(db: Knex, orderId: string): Promise<Map<string, number>> {
  const result = await db.raw(
    `SELECT l->>'skuId' AS sku_id, sum((l->>'quantity')::int)::int AS quantity
       FROM stock_returns r CROSS JOIN LATERAL jsonb_array_elements(r.lines) l WHERE r.order_id = ? GROUP BY 1`,
    [orderId],
  );
  return new Map(result.rows.map((row: { sku_id: string; quantity: number }) => [String(row.sku_id), Number(row.quantity)]));
}

export async function insertStockReturn(db: Knex, orderId: string, key: string, lines: readonly StockLine[]): Promise<StockReturnRow> {
  const [row] = await db<StockReturnRow>('stock_returns').insert({ order_id: orderId, key, lines: JSON.stringify(lines) as never }).returning('*');
  return row;
}

/** sold → available for every line at once (the caller has locked the SKUs in id order). */
export async function unsellUnits(db: Knex, lines: readonly StockLine[]): Promise<void> {
  await db.raw(
    `UPDATE skus SET stock = skus.stock + x.q, sold = skus.sold - x.q, updated_at = now()
     FROM unnest(?::bigint[], ?::int[]) AS x(id, q) WHERE skus.id = x.id`,
    [lines.map((l) => l.skuId), lines.map((l) => l.quantity)],
  );
}
