/**
 * Stock reservations for orders (internal: the order subgraph's checkout calls them over signed service calls).
 * Each is one short READ COMMITTED transaction of a fixed number of statements; conditional UPDATEs decide (never
 * below zero), row locks are taken in SKU id order (no deadlocks), so there is no SERIALIZABLE retry storm.
 * Idempotent per order id. See docs/stock-and-pricing.md.
 */
import type { Knex } from 'knex';
import { badInput, conflict, notFound, shopError } from '../../platform/errors';
import { isBigintId } from '../../platform/loaders';
import {
  confirmReservation,
  findReservation,
  insertReleaseMarker,
  insertReservation,
  lockSkusInOrder,
  reserveUnits,
  settleUnits,
  transitionReservation,
  type StockLine,
  type StockReservationRow,
} from './data/stock';

export const MAX_LINE_QUANTITY = 999;
/** More than a checkout can hold (a cart holds 99 lines). */
export const MAX_RESERVATION_LINES = 200;
const MAX_ORDER_ID_LENGTH = 64;

function checkOrderId(orderId: string): void {
  if (!orderId || orderId.length > MAX_ORDER_ID_LENGTH) throw badInput(`orderId must be 1-${MAX_ORDER_ID_LENGTH} characters`, 'orderId');
}

const bySkuId = (a: StockLine, b: StockLine) => {
  const x = BigInt(a.skuId);
  const y = BigInt(b.skuId);
  return x < y ? -1 : x > y ? 1 : 0;
};

/** Validates the lines and merges repeated SKUs: one line per SKU, in SKU id order. */
export function normalizeLines(lines: readonly StockLine[]): StockLine[] {
  if (lines.length < 1) throw badInput('A reservation needs at least one line', 'lines');
  if (lines.length > MAX_RESERVATION_LINES) throw badInput(`At most ${MAX_RESERVATION_LINES} lines`, 'lines');
  const merged = new Map<string, number>();
  lines.forEach((line, index) => {
    if (!isBigintId(line.skuId)) throw badInput('Unknown SKU', `lines.${index}.skuId`);
    if (!Number.isInteger(line.quantity) || line.quantity < 1) throw badInput('Quantity must be at least 1', `lines.${index}.quantity`);
    // Canonical id text ("007" and "7" are one SKU).
    const skuId = BigInt(line.skuId).toString();
    merged.set(skuId, (merged.get(skuId) ?? 0) + line.quantity);
  });
  const result = [...merged].map(([skuId, quantity]) => ({ skuId, quantity }));
  for (const line of result) {
    if (line.quantity > MAX_LINE_QUANTITY) throw badInput(`At most ${MAX_LINE_QUANTITY} of one SKU`, 'lines');
  }
  return result.sort(bySkuId);
}

const sameLines = (a: readonly StockLine[], b: readonly StockLine[]) =>
  a.length === b.length && a.every((line, i) => line.skuId === String(b[i].skuId) && line.quantity === Number(b[i].quantity));

/** Undoes the transaction and tells the caller which SKUs were short. */
function shortOf(skuIds: string[]) {
  return shopError('CONFLICT', `Not enough stock for SKU ${skuIds.join(', ')}`, { reason: 'OUT_OF_STOCK', skuIds });
}

/** A reserve or confirm for an order whose hold was given back (released, or a release came first): never held again. */
export const holdReleased = () =>
  shopError('CONFLICT', 'This order’s hold was already given back; it cannot be held again', { reason: 'HOLD_RELEASED' });

/**
 * All lines or none. The same order id again returns its reservation as it is now (CONFLICT when the lines differ;
 * CONFLICT with reason HOLD_RELEASED once released, or when a release for the order came first: the fence against
 * a reserve order gave up on that lands late). The reservation is leased for `leaseSeconds` until the order
 * confirms it (confirmStockHold). Statements: BEGIN, INSERT header, SELECT … FOR UPDATE (id order), one UPDATE for
 * all lines, COMMIT.
 */
export async function reserveStock(db: Knex, orderId: string, input: readonly StockLine[], leaseSeconds: number): Promise<StockReservationRow> {
  checkOrderId(orderId);
  const lines = normalizeLines(input);
  const existingOf = (row: StockReservationRow) => {
    if (row.status === 'RELEASED') throw holdReleased();
    if (!sameLines(lines, row.lines)) throw conflict('This order already reserved different lines');
    return row;
  };
  const outcome = await db.transaction(async (trx) => {
    // A concurrent reserve (or release) of the same order waits here on the unique index until the first one ends.
    const inserted = await insertReservation(trx, orderId, lines, leaseSeconds);
    if (!inserted) return { existing: true as const };
    const locked = await lockSkusInOrder(
      trx,
      lines.map((l) => l.skuId),
    );
    const known = new Set(locked.map((sku) => String(sku.id)));
    const unknown = lines.filter((l) => !known.has(l.skuId)).map((l) => l.skuId);
    if (unknown.length) throw shopError('BAD_USER_INPUT', `Unknown SKU ${unknown.join(', ')}`, { field: 'lines', skuIds: unknown });
    const changed = new Set((await reserveUnits(trx, lines)).map(String));
    if (changed.size !== lines.length) throw shortOf(lines.filter((l) => !changed.has(l.skuId)).map((l) => l.skuId));
    return { existing: false as const, row: inserted };
  });
  if (!outcome.existing) return outcome.row;
  // The other transaction committed its reservation (had it failed, our INSERT would have gone through).
  const row = await findReservation(db, orderId);
  if (!row) throw conflict('This order is being reserved, please try again');
  return existingOf(row);
}

/**
 * Moves a RESERVED reservation to `to` and its units out of `reserved` in one transaction: the conditional status
 * UPDATE decides who wins a race (so release and commit are mutually exclusive), then SKUs are locked in id order
 * and updated in one statement. Undefined when the reservation was not RESERVED.
 */
export async function settle(
  db: Knex,
  orderId: string,
  to: 'RELEASED' | 'COMMITTED',
  options: { onlyLapsed?: boolean } = {},
): Promise<StockReservationRow | undefined> {
  return db.transaction(async (trx) => {
    const row = await transitionReservation(trx, orderId, to, options);
    if (!row) return undefined;
    await lockSkusInOrder(
      trx,
      row.lines.map((l) => l.skuId),
    );
    await settleUnits(trx, row.lines, to);
    return row;
  });
}

/**
 * reserved → available. Null when the order never reserved — and then a release marker stays, so a reserve of the
 * order arriving later is refused (HOLD_RELEASED). A no-op once released; CONFLICT once committed.
 */
export async function releaseStock(db: Knex, orderId: string): Promise<StockReservationRow | null> {
  checkOrderId(orderId);
  // A reserve may commit between the release attempt and the marker insert: then the next round releases it.
  for (let round = 0; round < 3; round++) {
    const released = await settle(db, orderId, 'RELEASED');
    if (released) return released;
    if (await insertReleaseMarker(db, orderId)) return null;
    const current = await findReservation(db, orderId);
    if (current?.status === 'COMMITTED') throw conflict('This order’s stock was already sold (committed)');
    if (current?.status === 'RELEASED') return current.lines.length ? current : null;
  }
  throw conflict('This order’s stock is busy, please try again');
}

/** How far ahead a confirmed hold may run: a payment deadline is minutes to hours away, never weeks. */
const MAX_HOLD_DAYS = 7;

/**
 * The placed order confirms its reservation: it is now held until `holdUntil` (payment deadline + grace) instead of
 * its short unconfirmed lease. Idempotent (a repeat moves the lease); the unchanged reservation once committed.
 * CONFLICT HOLD_RELEASED once released, HOLD_EXPIRED when the short lease ran out first (the sweep gives it back);
 * NOT_FOUND when the order never reserved.
 */
export async function confirmStockHold(db: Knex, orderId: string, holdUntil: Date): Promise<StockReservationRow> {
  checkOrderId(orderId);
  if (Number.isNaN(holdUntil.getTime()) || holdUntil.getTime() <= Date.now() || holdUntil.getTime() > Date.now() + MAX_HOLD_DAYS * 86_400_000) {
    throw badInput(`holdUntil must be a time in the next ${MAX_HOLD_DAYS} days`, 'holdUntil');
  }
  const confirmed = await confirmReservation(db, orderId, holdUntil);
  if (confirmed) return confirmed;
  const current = await findReservation(db, orderId);
  if (!current) throw notFound('This order has no stock reservation');
  if (current.status === 'COMMITTED') return current;
  if (current.status === 'RELEASED') throw holdReleased();
  throw shopError('CONFLICT', 'This order’s hold was not confirmed in time and is being given back', { reason: 'HOLD_EXPIRED' });
}

/** reserved → sold. A no-op once committed; CONFLICT once released; NOT_FOUND when the order never reserved. */
export async function commitStock(db: Knex, orderId: string): Promise<StockReservationRow> {
  checkOrderId(orderId);
  const committed = await settle(db, orderId, 'COMMITTED');
  if (committed) return committed;
  const current = await findReservation(db, orderId);
  if (!current) throw notFound('This order has no stock reservation');
  if (current.status === 'RELEASED') throw conflict('This order’s stock was already released');
  return current;
}
