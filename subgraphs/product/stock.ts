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
  findReservation,
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

/**
 * All lines or none. The same order id again returns its reservation as it is now (CONFLICT when the lines differ).
 * Statements: BEGIN, INSERT header, SELECT … FOR UPDATE (id order), one UPDATE for all lines, COMMIT.
 */
export async function reserveStock(db: Knex, orderId: string, input: readonly StockLine[]): Promise<StockReservationRow> {
  checkOrderId(orderId);
  const lines = normalizeLines(input);
  const existingOf = (row: StockReservationRow) => {
    if (!sameLines(lines, row.lines)) throw conflict('This order already reserved different lines');
    return row;
  };
  const outcome = await db.transaction(async (trx) => {
    // A concurrent reserve of the same order waits here on the unique index until the first one ends.
    const inserted = await insertReservation(trx, orderId, lines);
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
async function settle(db: Knex, orderId: string, to: 'RELEASED' | 'COMMITTED'): Promise<StockReservationRow | undefined> {
  return db.transaction(async (trx) => {
    const row = await transitionReservation(trx, orderId, to);
    if (!row) return undefined;
    await lockSkusInOrder(
      trx,
      row.lines.map((l) => l.skuId),
    );
    await settleUnits(trx, row.lines, to);
    return row;
  });
}

/** reserved → available. Null when the order never reserved; a no-op once released; CONFLICT once committed. */
export async function releaseStock(db: Knex, orderId: string): Promise<StockReservationRow | null> {
  checkOrderId(orderId);
  const released = await settle(db, orderId, 'RELEASED');
  if (released) return released;
  const current = await findReservation(db, orderId);
  if (!current) return null;
  if (current.status === 'COMMITTED') throw conflict('This order’s stock was already sold (committed)');
  return current;
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
