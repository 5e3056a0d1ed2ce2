/**
 * Data access for stock: the ledger of total-stock changes (stock_adjustments), order reservations
 * (stock_reservations) and the batched conditional updates that move units between skus.stock (available),
 * skus.reserved and skus.sold. Knows knex, not GraphQL. Every function costs a fixed number of statements,
 * whatever the number of lines.
 */
import type { Knex } from 'knex';

export type StockReservationStatus = 'RESERVED' | 'RELEASED' | 'COMMITTED';

export interface StockLine {
  skuId: string;
  quantity: number;
}

export interface StockReservationRow {
  id: string;
  order_id: string;
  status: StockReservationStatus;
  /** Merged per SKU, ordered by SKU id. */
  lines: StockLine[];
  created_at: Date;
  updated_at: Date;
}

/** Why the total stock of a SKU changed. */
export type AdjustmentReason = 'INITIAL' | 'STAFF_SET';

export interface StockAdjustment {
  skuId: string;
  delta: number;
  reason: AdjustmentReason;
}

/** Appends to the ledger in one statement. */
export async function recordAdjustments(db: Knex, adjustments: readonly StockAdjustment[]): Promise<void> {
  const rows = adjustments.filter((a) => a.delta !== 0).map((a) => ({ sku_id: a.skuId, delta: a.delta, reason: a.reason }));
  if (rows.length) await db('stock_adjustments').insert(rows);
}

/** Starts the ledger of every SKU that has none yet with what it holds now (seeding inserts SKUs in bulk). */
export async function recordMissingInitialStock(db: Knex): Promise<void> {
  await db.raw(`INSERT INTO stock_adjustments (sku_id, delta, reason)
    SELECT s.id, s.stock + s.reserved + s.sold, 'INITIAL' FROM skus s
    WHERE NOT EXISTS (SELECT 1 FROM stock_adjustments a WHERE a.sku_id = s.id)`);
}

/** Inserts the reservation unless the order already has one; undefined when it did (nothing written). */
export async function insertReservation(db: Knex, orderId: string, lines: readonly StockLine[]): Promise<StockReservationRow | undefined> {
  const result = await db.raw(
    `INSERT INTO stock_reservations (order_id, status, lines) VALUES (?, 'RESERVED', ?::jsonb)
     ON CONFLICT (order_id) DO NOTHING RETURNING *`,
    [orderId, JSON.stringify(lines)],
  );
  return result.rows[0];
}

export async function findReservation(db: Knex, orderId: string): Promise<StockReservationRow | undefined> {
  return db<StockReservationRow>('stock_reservations').where('order_id', orderId).first();
}

export interface LockedSku {
  id: string;
  stock: number;
  buyable: boolean;
}

/**
 * Locks the SKUs in id order (every writer of several SKUs does, so two orders cannot deadlock) and reports
 * whether each can be sold (not deleted, product on the shelf). Unknown ids are simply missing.
 */
export async function lockSkusInOrder(db: Knex, skuIds: readonly string[]): Promise<LockedSku[]> {
  const result = await db.raw(
    `SELECT s.id, s.stock, (s.deleted_at IS NULL AND p.on_shelf) AS buyable
     FROM skus s JOIN products p ON p.id = s.product_id
     WHERE s.id = ANY(?::bigint[]) ORDER BY s.id FOR UPDATE OF s`,
    [[...skuIds]],
  );
  return result.rows;
}

const unnestArgs = (lines: readonly StockLine[]) => [lines.map((l) => l.skuId), lines.map((l) => l.quantity)];

/**
 * available → reserved for every line at once, only where enough is available and the SKU is buyable.
 * Returns the ids of the SKUs it changed: fewer than the lines means some line was short (the caller rolls back).
 */
export async function reserveUnits(db: Knex, lines: readonly StockLine[]): Promise<string[]> {
  const result = await db.raw(
    `UPDATE skus SET stock = skus.stock - x.q, reserved = skus.reserved + x.q, updated_at = now()
     FROM unnest(?::bigint[], ?::int[]) AS x(id, q), products p
     WHERE skus.id = x.id AND skus.stock >= x.q AND skus.deleted_at IS NULL
       AND p.id = skus.product_id AND p.on_shelf
     RETURNING skus.id`,
    unnestArgs(lines),
  );
  return result.rows.map((row: { id: string }) => row.id);
}

/** reserved → available (release) or reserved → sold (commit) for every line at once. */
export async function settleUnits(db: Knex, lines: readonly StockLine[], to: 'RELEASED' | 'COMMITTED'): Promise<number> {
  const target = to === 'RELEASED' ? 'stock = skus.stock + x.q' : 'sold = skus.sold + x.q';
  const result = await db.raw(
    `UPDATE skus SET ${target}, reserved = skus.reserved - x.q, updated_at = now()
     FROM unnest(?::bigint[], ?::int[]) AS x(id, q) WHERE skus.id = x.id`,
    unnestArgs(lines),
  );
  return result.rowCount;
}

/** The conditional status change that decides a release or commit: only a RESERVED reservation moves. */
export async function transitionReservation(
  db: Knex,
  orderId: string,
  to: 'RELEASED' | 'COMMITTED',
): Promise<StockReservationRow | undefined> {
  const [row] = await db<StockReservationRow>('stock_reservations')
    .where({ order_id: orderId, status: 'RESERVED' })
    .update({ status: to, updated_at: db.fn.now() } as never)
    .returning('*');
  return row;
}

export interface StockViolation {
  sku_id: string;
  stock: number;
  reserved: number;
  sold: number;
  /** sum(stock_adjustments.delta) */
  ledger: number;
  /** Units in RESERVED reservations. */
  held: number;
  /** Units in COMMITTED reservations, less those returned to stock after a refund. */
  committed: number;
}

/**
 * SKUs (all, or those of `skuIds`) where the books do not add up: the ledger differs from stock + reserved + sold,
 * or reserved / sold differ from what the reservations (and the returns after refunds) say. Empty when everything holds. For tests and audits.
 */
export async function findStockViolations(db: Knex, skuIds?: readonly string[]): Promise<StockViolation[]> {
  const result = await db.raw(
    `WITH ledger AS (SELECT sku_id, sum(delta)::int AS total FROM stock_adjustments GROUP BY sku_id),
     held AS (
       SELECT (l->>'skuId')::bigint AS sku_id,
              sum(CASE WHEN r.status = 'RESERVED' THEN (l->>'quantity')::int ELSE 0 END)::int AS reserved,
              sum(CASE WHEN r.status = 'COMMITTED' THEN (l->>'quantity')::int ELSE 0 END)::int AS sold
       FROM stock_reservations r CROSS JOIN LATERAL jsonb_array_elements(r.lines) l GROUP BY 1),
     -- Refunded pieces returned to stock (stock-returns.ts): no longer sold.
     returned AS (
       SELECT (l->>'skuId')::bigint AS sku_id, sum((l->>'quantity')::int)::int AS units
       FROM stock_returns r CROSS JOIN LATERAL jsonb_array_elements(r.lines) l GROUP BY 1)
     SELECT s.id AS sku_id, s.stock, s.reserved, s.sold, COALESCE(ledger.total, 0) AS ledger,
            COALESCE(held.reserved, 0) AS held, COALESCE(held.sold, 0) - COALESCE(returned.units, 0) AS committed
     FROM skus s LEFT JOIN ledger ON ledger.sku_id = s.id LEFT JOIN held ON held.sku_id = s.id
       LEFT JOIN returned ON returned.sku_id = s.id
     WHERE (?::bigint[] IS NULL OR s.id = ANY(?::bigint[]))
       AND (COALESCE(ledger.total, 0) <> s.stock + s.reserved + s.sold
            OR COALESCE(held.reserved, 0) <> s.reserved OR COALESCE(held.sold, 0) - COALESCE(returned.units, 0) <> s.sold)
     ORDER BY s.id`,
    [skuIds ? [...skuIds] : null, skuIds ? [...skuIds] : null],
  );
  return result.rows;
}
