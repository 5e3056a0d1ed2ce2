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
