/**
 * Stock is conserved per SKU: sum(ledger) = available + reserved + sold, reserved = the units of RESERVED
 * reservations and sold = the units of COMMITTED ones (product's own `stockDiscrepancies`). With "nothing held for
 * dead orders" (holds.ts) this is: on hand + held for live orders + sold = ledger.
 *
 * Returned pieces (refunds with restocked lines: product's `stock_returns`, sold → available). The per-SKU books
 * already count them (sold = COMMITTED units − returned units), but only in total over all orders, so they also
 * need, per order: pieces returned ≤ pieces the order bought (product's own `overReturnedStock`), and every return
 * is the restock of a SUCCEEDED refund of that order, at most its restocked pieces (joined here with the order's
 * refunds by refund number = the return's key), or the return of an exchange's pieces that staff received and
 * restocked (key `EXR<after-sales id>`, at most the exchange's pieces). A SUCCEEDED refund or a restocked exchange
 * whose return never reached product (the `order.returnStock` job stuck) is reported after the grace period.
 */
import {
  exchangeReturnsByKey,
  orderRefundsByNo,
  pageRestockedExchanges,
  pageRestockingRefunds,
  type ExchangeReturnRow,
  type OrderRefundRow,
} from '../../subgraphs/order/data/audit';
import { existingStockReturns, overReturnedStock, pageStockReturns, stockDiscrepancies } from '../../subgraphs/product/data/audit';
import { settled } from './orders';
import type { CheckContext, InvariantCheck, Violation } from './types';

const restocked = (refund: OrderRefundRow) => {
  const pieces = new Map<string, number>();
  for (const line of refund.lines ?? []) if (line.restock) pieces.set(String(line.skuId), (pieces.get(String(line.skuId)) ?? 0) + line.quantity);
  return pieces;
};

const exchanged = (exchange: ExchangeReturnRow) => {
  const pieces = new Map<string, number>();
  for (const item of exchange.items) pieces.set(item.skuId, (pieces.get(item.skuId) ?? 0) + item.quantity);
  return pieces;
};

/** What a return's key stands for, in words, when it returned more than that allows. */
function whyNot(stockReturn: { orderId: string }, refund: OrderRefundRow | undefined, exchange: ExchangeReturnRow | undefined): string {
  if (exchange && exchange.orderId === stockReturn.orderId) return exchange.restock ? 'restocks fewer pieces' : 'is an exchange staff kept out of stock';
  if (!refund || refund.orderId !== stockReturn.orderId) return 'is neither a refund nor a received exchange of that order';
  return refund.status !== 'SUCCEEDED' ? `is a ${refund.status} refund` : 'restocks fewer pieces';
}

async function returnsAgainstRefunds(context: CheckContext): Promise<Violation[]> {
  const violations: Violation[] = [];
  for (let afterId: string | undefined; ; ) {
    const page = await pageStockReturns(context.dbs.product, { afterId, limit: context.pageSize });
    const keys = page.map((r) => r.key);
    const refunds = new Map((await orderRefundsByNo(context.dbs.order, keys)).map((r) => [r.refundNo, r]));
    const exchanges = new Map((await exchangeReturnsByKey(context.dbs.order, keys)).map((r) => [r.key, r]));
    for (const stockReturn of page) {
      const refund = refunds.get(stockReturn.key);
      const exchange = exchanges.get(stockReturn.key);
      const allowed =
        refund && refund.orderId === stockReturn.orderId && refund.status === 'SUCCEEDED'
          ? restocked(refund)
          : exchange && exchange.orderId === stockReturn.orderId && exchange.restock
            ? exchanged(exchange)
            : new Map<string, number>();
      const beyond = stockReturn.lines.filter((line) => line.quantity > (allowed.get(String(line.skuId)) ?? 0));
      if (!beyond.length) continue;
      violations.push({
        kind: 'STOCK_RETURN_WITHOUT_REFUND',
        message: `${beyond.map((l) => `${l.quantity} × SKU ${l.skuId}`).join(', ')} returned to stock for order ${stockReturn.orderId} under ${stockReturn.key}, which ${whyNot(stockReturn, refund, exchange)}`,
        subject: { orderId: stockReturn.orderId, skuId: String(beyond[0].skuId) },
        details: { stockReturn, refund: refund ?? null, exchange: exchange ?? null },
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
  // And a received exchange staff restocked has its return at product.
  for (let afterId: string | undefined; ; ) {
    const page = await pageRestockedExchanges(context.dbs.order, { afterId, limit: context.pageSize });
    const due = page.filter((exchange) => settled(context, exchange.receivedAt));
    const returned = await existingStockReturns(context.dbs.product, due.map((r) => ({ orderId: r.orderId, key: r.key })));
    for (const exchange of due) {
      if (returned.has(`${exchange.orderId}:${exchange.key}`)) continue;
      const pieces = exchange.items.map((item) => `${item.quantity} × SKU ${item.skuId}`).join(', ');
      violations.push({
        kind: 'STOCK_NOT_RETURNED',
        message: `exchange ${exchange.key} of order ${exchange.orderId} was received with ${pieces} to restock, but product has no return for it (order.returnStock stuck?)`,
        subject: { orderId: exchange.orderId, skuId: exchange.items[0]?.skuId },
        details: { exchange },
      });
    }
    if (page.length < context.pageSize) break;
    afterId = page[page.length - 1].id;
  }
  return violations;
}

export const stockCheck: InvariantCheck = {
  name: 'stock',
  title: 'stock conserved per SKU: available + reserved + sold = ledger, reserved and sold = the reservations; returns ≤ bought, and refunded or exchanged',
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
