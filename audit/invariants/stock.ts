/**
 * Stock is conserved per SKU: sum(ledger) = available + reserved + sold, reserved = the units of RESERVED
 * reservations and sold = the units of COMMITTED ones (product's own `stockDiscrepancies`). With "nothing held for
 * dead orders" (holds.ts) this is: on hand + held for live orders + sold = ledger.
 *
 * Returned pieces (refunds with restocked lines: product's `stock_returns`, sold → available). The per-SKU books
 * already count them (sold = COMMITTED units − returned units), but only in total over all orders, so they also
 * need, per order: pieces returned ≤ pieces the order bought (product's own `overReturnedStock`), and every return
 * is the restock of a SUCCEEDED refund of that order, at most its restocked pieces (joined here with the order's
 * refunds by refund number = the return's key). A SUCCEEDED refund whose restock never reached product (the
 * `order.returnStock` job stuck) is reported after the grace period.
 */
import { orderRefundsByNo, pageRestockingRefunds, type OrderRefundRow } from '../../subgraphs/order/data/audit';
import { existingStockReturns, overReturnedStock, pageStockReturns, stockDiscrepancies } from '../../subgraphs/product/data/audit';
import { settled } from './orders';
import type { CheckContext, InvariantCheck, Violation } from './types';

const restocked = (refund: OrderRefundRow) => {
  const pieces = new Map<string, number>();
  for (const line of refund.lines ?? []) if (line.restock) pieces.set(String(line.skuId), (pieces.get(String(line.skuId)) ?? 0) + line.quantity);
  return pieces;
};

async function returnsAgainstRefunds(context: CheckContext): Promise<Violation[]> {
  const violations: Violation[] = [];
  for (let afterId: string | undefined; ; ) {
    const page = await pageStockReturns(context.dbs.product, { afterId, limit: context.pageSize });
    const refunds = new Map((await orderRefundsByNo(context.dbs.order, page.map((r) => r.key))).map((r) => [r.refundNo, r]));
    for (const stockReturn of page) {
      const refund = refunds.get(stockReturn.key);
      const allowed = refund && refund.orderId === stockReturn.orderId && refund.status === 'SUCCEEDED' ? restocked(refund) : new Map<string, number>();
      const beyond = stockReturn.lines.filter((line) => line.quantity > (allowed.get(String(line.skuId)) ?? 0));
      if (!beyond.length) continue;
      violations.push({
        kind: 'STOCK_RETURN_WITHOUT_REFUND',
        message: `${beyond.map((l) => `${l.quantity} × SKU ${l.skuId}`).join(', ')} returned to stock for order ${stockReturn.orderId} under ${stockReturn.key}, which ${
          !refund || refund.orderId !== stockReturn.orderId ? 'is not a refund of that order' : refund.status !== 'SUCCEEDED' ? `is a ${refund.status} refund` : 'restocks fewer pieces'
        }`,
        subject: { orderId: stockReturn.orderId, skuId: String(beyond[0].skuId) },
        details: { stockReturn, refund: refund ?? null },
      });
    }
    if (page.length < context.pageSize) break;
    afterId = page[page.length - 1].id;
  }
  // The other direction: a SUCCEEDED refund with restocked lines has its return at product.
  for (let afterId: string | undefined; ; ) {
    const page = await pageRestockingRefunds(context.dbs.order, { afterId, limit: context.pageSize });
    const due = page.filter((refund) => settled(context, refund.settledAt ?? refund.createdAt));
    const returned = await existingStockReturns(context.dbs.product, due.map((r) => ({ orderId: r.orderId, key: r.refundNo })));
    for (const refund of due) {
      if (returned.has(`${refund.orderId}:${refund.refundNo}`)) continue;
      const pieces = [...restocked(refund)].map(([skuId, quantity]) => `${quantity} × SKU ${skuId}`).join(', ');
      violations.push({
        kind: 'STOCK_NOT_RETURNED',
        message: `refund ${refund.refundNo} of order ${refund.orderId} SUCCEEDED with ${pieces} to restock, but product has no return for it (order.returnStock stuck?)`,
        subject: { orderId: refund.orderId, skuId: [...restocked(refund).keys()][0] },
        details: { refund },
      });
    }
    if (page.length < context.pageSize) break;
    afterId = page[page.length - 1].id;
  }
  return violations;
}

export const stockCheck: InvariantCheck = {
  name: 'stock',
  title: 'stock conserved per SKU: available + reserved + sold = ledger, reserved and sold = the reservations; returns ≤ bought and refunded',
  async run(context) {
    const { dbs } = context;
    const books = (await stockDiscrepancies(dbs.product)).map((row): Violation => {
      const subject = { skuId: String(row.sku_id) };
      const details = { ...row, sku_id: String(row.sku_id) };
      if (row.ledger !== row.stock + row.reserved + row.sold) {
        return {
          kind: 'STOCK_LEDGER_MISMATCH',
          message: `SKU ${row.sku_id}: available ${row.stock} + reserved ${row.reserved} + sold ${row.sold} = ${row.stock + row.reserved + row.sold}, but the ledger says ${row.ledger}`,
          subject,
          details,
        };
      }
      if (row.reserved !== row.held) {
        return { kind: 'STOCK_RESERVED_MISMATCH', message: `SKU ${row.sku_id}: reserved ${row.reserved}, but RESERVED reservations hold ${row.held}`, subject, details };
      }
      return { kind: 'STOCK_SOLD_MISMATCH', message: `SKU ${row.sku_id}: sold ${row.sold}, but COMMITTED reservations hold ${row.committed}`, subject, details };
    });
    const overReturned = (await overReturnedStock(dbs.product)).map(
      (row): Violation => ({
        kind: 'STOCK_RETURNED_BEYOND_SOLD',
        message: `order ${row.orderId}: ${row.returned} piece(s) of SKU ${row.skuId} returned to stock, but it bought ${row.sold}`,
        subject: { orderId: row.orderId, skuId: row.skuId },
        details: { ...row },
      }),
    );
    return [...books, ...overReturned, ...(await returnsAgainstRefunds(context))];
  },
};
