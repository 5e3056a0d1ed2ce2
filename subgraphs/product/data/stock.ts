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
  /**
   * The lease: a RESERVED reservation still held after this is given back by the hold sweep (holds.ts). Until the
   * order confirms it, landing + HOLD_CONFIRM_WINDOW_SECONDS; once confirmed, the order's payment deadline + grace.
   * Null for reservations made before leases existed (only the order's answer to the sweep moves them).
   */
  lease_until: Date | null;
  /** When the placed order confirmed the hold (null: not confirmed; such a hold only lives out its short lease). */
  confirmed_at: Date | null;
  /** When the sweep last heard from order that the order is live (null: never asked). */
  checked_at: Date | null;
  /** When it left RESERVED (released or committed); null while held, and for release markers. */
  settled_at: Date | null;
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

/**
 * Inserts the reservation, leased for `leaseSeconds` (until the order confirms it), unless the order already has one
 * (a reservation or a release marker); undefined when it did (nothing written).
 */
export async function insertReservation(
  db: Knex,
  orderId: string,
  lines: readonly StockLine[],
  leaseSeconds: number,
): Promise<StockReservationRow | undefined> {
  const result = await db.raw(
    `INSERT INTO stock_reservations (order_id, status, lines, lease_until)
     VALUES (?, 'RESERVED', ?::jsonb, now() + ? * interval '1 second')
     ON CONFLICT (order_id) DO NOTHING RETURNING *`,
    [orderId, JSON.stringify(lines), leaseSeconds],
  );
  return result.rows[0];
}

/**
 * The fence: a release for an order that never reserved leaves a RELEASED reservation with no lines, so a reserve
 * of that order arriving later (a call order gave up on) finds it and is refused. Undefined when the order already
 * has a reservation (a concurrent reserve waits on the unique index, so after this statement either the marker or
 * the committed reservation exists).
 */
export async function insertReleaseMarker(db: Knex, orderId: string): Promise<StockReservationRow | undefined> {
  const result = await db.raw(
    `INSERT INTO stock_reservations (order_id, status, lines) VALUES (?, 'RELEASED', '[]'::jsonb)
     ON CONFLICT (order_id) DO NOTHING RETURNING *`,
    [orderId],
  );
  return result.rows[0];
}

/**
 * Retention of the fence: deletes release markers (RELEASED, no lines: written by a release for an order that never
 * reserved) written more than `olderThanMs` ago, in batches; returns how many went. Once no reserve of that order can
 * still arrive (docs/orders.md, "Holds"), a marker guards nothing. Released real holds (with lines) are kept.
 */
export async function pruneReleaseMarkers(db: Knex, olderThanMs: number, batch = 1000): Promise<number> {
  let total = 0;
  for (;;) {
    const result = await db.raw(
      `/* background */ DELETE FROM stock_reservations WHERE id IN (
         SELECT id FROM stock_reservations
         WHERE status = 'RELEASED' AND lines = '[]'::jsonb AND created_at < now() - ? * interval '1 millisecond' LIMIT ?)`,
      [olderThanMs, batch],
    );
    const count = Number(result.rowCount ?? 0);
    total += count;
    if (count < batch) return total;
  }
}

/**
 * The placed order confirms its hold: the lease becomes `holdUntil` (its payment deadline + grace). Only while the
 * hold is RESERVED and its short lease has not run out (or it was confirmed before: a repeat just moves the lease);
 * undefined otherwise, and nothing changes.
 */
export async function confirmReservation(db: Knex, orderId: string, holdUntil: Date): Promise<StockReservationRow | undefined> {
  const [row] = await db<StockReservationRow>('stock_reservations')
    .where({ order_id: orderId, status: 'RESERVED' })
    .where((q) => q.whereNotNull('confirmed_at').orWhereNull('lease_until').orWhere('lease_until', '>', db.fn.now()))
    .update({ confirmed_at: db.raw('COALESCE(confirmed_at, now())'), lease_until: holdUntil, updated_at: db.fn.now() } as never)
    .returning('*');
  return row;
}

/** RESERVED reservations the sweep asks order about: never asked or not confirmed yet, due for a re-check, or lapsed. */
export async function findHoldsToCheck(db: Knex, recheckSeconds: number, limit: number): Promise<StockReservationRow[]> {
  const result = await db.raw(
    `/* background */ SELECT * FROM stock_reservations
     WHERE status = 'RESERVED'
       AND (confirmed_at IS NULL OR checked_at IS NULL OR checked_at < now() - ? * interval '1 second' OR lease_until < now())
     ORDER BY (lease_until < now()) DESC NULLS LAST, checked_at NULLS FIRST, id LIMIT ?`,
    [recheckSeconds, limit],
  );
  return result.rows;
}

/** Order answered that these orders are live: their holds are not asked about again until the re-check. */
export async function markHoldsChecked(db: Knex, orderIds: readonly string[]): Promise<void> {
  if (!orderIds.length) return;
  await db.raw(`/* background */ UPDATE stock_reservations SET checked_at = now() WHERE order_id = ANY(?) AND status = 'RESERVED'`, [[...orderIds]]);
}

/** Order ids of RESERVED reservations whose lease has run out (at most `limit`). */
export async function findLapsedHolds(db: Knex, limit: number): Promise<string[]> {
  const result = await db.raw(
    `/* background */ SELECT order_id FROM stock_reservations WHERE status = 'RESERVED' AND lease_until < now() ORDER BY lease_until LIMIT ?`,
    [limit],
  );
  return result.rows.map((row: { order_id: string }) => row.order_id);
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

/**
 * The conditional status change that decides a release or commit: only a RESERVED reservation moves; with
 * `onlyLapsed`, only one whose lease has run out (so a confirm that got there first keeps it).
 */
export async function transitionReservation(
  db: Knex,
  orderId: string,
  to: 'RELEASED' | 'COMMITTED',
  options: { onlyLapsed?: boolean } = {},
): Promise<StockReservationRow | undefined> {
  const query = db<StockReservationRow>('stock_reservations').where({ order_id: orderId, status: 'RESERVED' });
  if (options.onlyLapsed) query.where('lease_until', '<', db.fn.now());
  const [row] = await query.update({ status: to, updated_at: db.fn.now(), settled_at: db.fn.now() } as never).returning('*');
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

/** What the order subgraph says about an order's holds (order's `findHoldVerdicts`, or its `orderHoldStates`). */
export type HoldVerdict = 'KEEP' | 'COMMIT' | 'RELEASE';

export interface HeldForDeadOrder {
  order_id: string;
  lines: StockLine[];
  /** LEASE_LAPSED: still RESERVED past its lease by more than the tolerance; DEAD_ORDER: order says release. */
  problem: 'LEASE_LAPSED' | 'DEAD_ORDER';
  lease_until: Date | null;
  created_at: Date;
}

/**
 * Invariant for audits and `npm run check:invariants`: units held (RESERVED) for orders that are not live. Pure knex
 * on product's database; `verdicts` answers for order ids (e.g. `(ids) => findHoldVerdicts(orderDb, ids)` from
 * `subgraphs/order/data/hold-states.ts`), or is omitted to check leases only. Holds younger than `toleranceSeconds`
 * (default 60: the sweep's bound) are not reported, nor lapsed ones within it, since the sweep may not have run yet.
 * Empty = fine.
 */
export async function findStockHeldForDeadOrders(
  db: Knex,
  verdicts?: (orderIds: string[]) => Promise<Map<string, { verdict: HoldVerdict; endedAt: Date | null }>>,
  options: { toleranceSeconds?: number } = {},
): Promise<HeldForDeadOrder[]> {
  const tolerance = options.toleranceSeconds ?? 60;
  const { rows } = await db.raw(
    `SELECT order_id, lines, lease_until, created_at, (lease_until < now() - ? * interval '1 second') AS lapsed,
            now() AS db_now
     FROM stock_reservations WHERE status = 'RESERVED' ORDER BY id`,
    [tolerance],
  );
  const held = rows as (StockReservationRow & { lapsed: boolean | null; db_now: Date })[];
  const states = verdicts && held.length ? await verdicts(held.map((row) => row.order_id)) : new Map();
  const problems: HeldForDeadOrder[] = [];
  for (const row of held) {
    const base = { order_id: row.order_id, lines: row.lines, lease_until: row.lease_until, created_at: row.created_at };
    const state = states.get(row.order_id);
    const since = Math.max(row.created_at.getTime(), state?.endedAt?.getTime() ?? 0);
    if (verdicts && (!state || state.verdict === 'RELEASE') && row.db_now.getTime() - since > tolerance * 1000) {
      problems.push({ ...base, problem: 'DEAD_ORDER' });
    } else if (row.lapsed) {
      problems.push({ ...base, problem: 'LEASE_LAPSED' });
    }
  }
  return problems;
}
