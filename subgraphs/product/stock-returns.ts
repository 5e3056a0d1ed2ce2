/**
 * Refunded pieces back to stock (internal: order calls it when a refund whose lines staff marked "returned to stock"
 * succeeded). One short transaction: the order's reservation row is locked (so returns of one order take turns), the
 * lines are checked against what the order bought and has not returned yet, the return is recorded, and the units
 * move sold → available. Idempotent per (order, key): the same key again answers the recorded return.
 */
import type { Knex } from 'knex';
import { badInput, conflict, shopError } from '../../platform/errors';
import { lockSkusInOrder, type StockLine, type StockReservationRow } from './data/stock';
import { findStockReturn, insertStockReturn, returnedUnits, unsellUnits, type StockReturnRow } from './data/stock-returns';
import { normalizeLines } from './stock';

const KEY = /^[A-Za-z0-9_\-|*@:.]{1,64}$/;

const sameLines = (a: readonly StockLine[], b: readonly StockLine[]) =>
  a.length === b.length && a.every((line, i) => line.skuId === String(b[i].skuId) && line.quantity === Number(b[i].quantity));

export async function returnStock(db: Knex, orderId: string, key: string, input: readonly StockLine[]): Promise<StockReturnRow> {
  if (!orderId || orderId.length > 64) throw badInput('orderId must be 1-64 characters', 'orderId');
  if (!KEY.test(key)) throw badInput('key: 1 to 64 letters, digits or _-|*@:.', 'key');
  const lines = normalizeLines(input);
  return db.transaction(async (trx) => {
    const reservation = await trx<StockReservationRow>('stock_reservations').where({ order_id: orderId }).forUpdate().first();
    const existing = await findStockReturn(trx, orderId, key);
    if (existing) {
      if (!sameLines(lines, existing.lines)) throw conflict('This key already returned different lines');
      return existing;
    }
    if (!reservation || reservation.status !== 'COMMITTED') throw conflict('This order has no sold units to return');
    const sold = new Map(reservation.lines.map((line) => [String(line.skuId), Number(line.quantity)]));
    const returned = await returnedUnits(trx, orderId);
    const over = lines.filter((line) => line.quantity > (sold.get(line.skuId) ?? 0) - (returned.get(line.skuId) ?? 0));
    if (over.length) {
      throw shopError('CONFLICT', `More units of SKU ${over.map((l) => l.skuId).join(', ')} than the order bought and kept`, {
        skuIds: over.map((l) => l.skuId),
      });
    }
    const row = await insertStockReturn(trx, orderId, key, lines);
    await lockSkusInOrder(trx, lines.map((l) => l.skuId));
    await unsellUnits(trx, lines);
    return row;
  });
}
