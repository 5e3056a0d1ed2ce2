/**
 * Refunds never exceed what was paid: per payment, the refunds not FAILED ≤ its amount, `refunded_amount` = its
 * SUCCEEDED refunds, REFUNDED ⇔ refunded in full, no refund of a payment that took no money; per order, the
 * refunds over all its payments ≤ the money taken for it.
 *
 * The order's side (refunds per line and quantity, order's own `orderRefundBookDiscrepancies`): pieces in refunds
 * not FAILED ≤ pieces ordered per SKU; `refunded_amount` = its SUCCEEDED order_refunds; REFUNDED ⇔ the SUCCEEDED
 * refunds reach the total. Across the two (joined here): the order's `refunded_amount` = the SUCCEEDED refunds of
 * its payment at payment, and every SUCCEEDED refund of an order's payment is one the order knows as SUCCEEDED —
 * both after the grace period (payment's `payment.refundSettled` job tells the order a moment later). AUTO refunds
 * of a payment the order does not record (a second payment, money for an unpaid order) are payments.ts's business.
 */
import { orderRefundBookDiscrepancies, orderRefundsByNo } from '../../subgraphs/order/data/audit';
import { orderRefundDiscrepancies, pageSucceededRefunds, paymentsOfOrders, refundDiscrepancies } from '../../subgraphs/payment/data/audit';
import { ordersById, ordersIn, PAID_STATUSES, settled } from './orders';
import type { CheckContext, InvariantCheck, Violation } from './types';

const ORDER_PROBLEMS: Record<string, string> = {
  REFUNDED_QUANTITY_EXCEEDS_ORDERED: 'more pieces in refunds (not FAILED) than ordered',
  ORDER_REFUNDED_AMOUNT_MISMATCH: "refunded_amount differs from the order's SUCCEEDED refunds",
  ORDER_REFUNDED_STATUS_MISMATCH: 'status REFUNDED does not match the SUCCEEDED refunds reaching the total',
};

/** The order's books against payment's: refunded_amount = its payment's SUCCEEDED refunds; no refund unknown. */
async function crossChecks(context: CheckContext): Promise<Violation[]> {
  const violations: Violation[] = [];
  for await (const page of ordersIn(context, [...PAID_STATUSES, 'CANCELLED'])) {
    const orders = page.filter((order) => order.sagaStep !== null && order.paymentId !== null);
    const payments = new Map((await paymentsOfOrders(context.dbs.payment, orders.map((o) => o.id))).map((p) => [p.id, p]));
    for (const order of orders) {
      const payment = payments.get(order.paymentId!);
      const atPayment = payment?.refundsSucceeded ?? 0;
      if (atPayment === order.refundedAmount || !settled(context, order.updatedAt, payment?.updatedAt)) continue;
      violations.push({
        kind: 'ORDER_REFUNDED_AMOUNT_NOT_PAYMENTS',
        message: `order ${order.id} says ${order.refundedAmount} fen refunded, but payment ${order.paymentId} has ${atPayment} fen of SUCCEEDED refunds`,
        subject: { orderId: order.id, paymentId: order.paymentId!, userId: order.userId },
        details: { orderRefundedAmount: order.refundedAmount, paymentSucceeded: atPayment },
      });
    }
  }
  for (let afterId: string | undefined; ; ) {
    const page = await pageSucceededRefunds(context.dbs.payment, { afterId, limit: context.pageSize });
    const orders = await ordersById(context, page.map((r) => r.orderId));
    const known = new Map((await orderRefundsByNo(context.dbs.order, page.map((r) => r.refundNo))).map((r) => [r.refundNo, r]));
    for (const refund of page) {
      const order = orders.get(refund.orderId);
      // Only refunds of the payment the order records: others are AUTO give-backs the order never hears of.
      if (!order || order.sagaStep === null || order.paymentId !== refund.paymentId) continue;
      if (!settled(context, refund.completedAt)) continue;
      const mine = known.get(refund.refundNo);
      if (mine && mine.orderId === order.id && mine.status === 'SUCCEEDED' && mine.amount === refund.amount) continue;
      violations.push({
        kind: mine && mine.orderId === order.id ? 'REFUND_NOT_SETTLED_AT_ORDER' : 'REFUND_UNKNOWN_TO_ORDER',
        message: mine && mine.orderId === order.id
          ? `refund ${refund.refundNo} (${refund.amount} fen) SUCCEEDED at payment, but order ${order.id} has it ${mine.status} for ${mine.amount} fen`
          : `refund ${refund.refundNo} (${refund.amount} fen, ${refund.source}) SUCCEEDED at payment ${refund.paymentId}, but order ${order.id} does not know it`,
        subject: { orderId: order.id, paymentId: refund.paymentId, userId: order.userId },
        details: { refund, atOrder: mine ?? null },
      });
    }
    if (page.length < context.pageSize) break;
    afterId = page[page.length - 1].id;
  }
  return violations;
}

const PROBLEMS: Record<string, string> = {
  REFUNDS_EXCEED_PAYMENT: 'refunds not FAILED exceed the amount paid',
  REFUND_OF_UNCAPTURED_PAYMENT: 'refunds of a payment that took no money',
  REFUNDED_AMOUNT_MISMATCH: 'refunded_amount differs from the SUCCEEDED refunds',
  STATUS_MISMATCH: 'status REFUNDED does not match being refunded in full',
};

export const refundsCheck: InvariantCheck = {
  name: 'refunds',
  title: 'refunds ≤ paid (per payment, order, line); refunded amounts and statuses match the refunds, at order and payment alike',
  async run(context) {
    const { dbs } = context;
    const perPayment = (await refundDiscrepancies(dbs.payment)).map(
      (row): Violation => ({
        kind: row.problem,
        message: `payment ${row.paymentId} (order ${row.orderId}, ${row.status}, ${row.amount} fen): ${PROBLEMS[row.problem]} — refunded_amount ${row.refundedAmount}, succeeded ${row.succeeded}, not failed ${row.notFailed}`,
        subject: { paymentId: row.paymentId, orderId: row.orderId },
        details: { ...row },
      }),
    );
    const perOrder = (await orderRefundDiscrepancies(dbs.payment)).map(
      (row): Violation => ({
        kind: 'ORDER_REFUNDS_EXCEED_PAID',
        message: `order ${row.orderId}: ${row.refunded} fen refunded (not FAILED) but ${row.captured} fen taken`,
        subject: { orderId: row.orderId },
        details: { ...row },
      }),
    );
    const orderSide = (await orderRefundBookDiscrepancies(dbs.order)).map(
      (row): Violation => ({
        kind: row.problem,
        message:
          row.problem === 'REFUNDED_QUANTITY_EXCEEDS_ORDERED'
            ? `order ${row.orderId}: ${row.refunded} piece(s) of SKU ${row.skuId} in refunds not FAILED, but ${row.ordered} ordered`
            : `order ${row.orderId} (${row.status}, total ${row.total} fen): ${ORDER_PROBLEMS[row.problem]} — refunded_amount ${row.refundedAmount}, succeeded ${row.succeeded}`,
        subject: { orderId: row.orderId, skuId: row.skuId ?? undefined },
        details: { ...row },
      }),
    );
    return [...perPayment, ...perOrder, ...orderSide, ...(await crossChecks(context))];
  },
};
