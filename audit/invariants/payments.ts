/**
 * Every paid order (PAID, SHIPPED, COMPLETED, and REFUNDING/REFUNDED, which were paid) has exactly one captured
 * payment of its total — the one it records — and money taken is never kept for an order it did not pay:
 * - the order's `payment_id` is a SUCCEEDED (or REFUNDED) payment of this order whose amount is the order's total;
 * - any other captured payment of the order (WeChat and Alipay both paid) is being given back in full
 *   (refunds not FAILED = its amount) once the grace period has passed;
 * - a captured payment whose order is not paid (cancelled, expired, unknown, or never told) is being given back in
 *   full after the grace period (the settle job marks the order PAID or refunds the payment automatically).
 * - a payment FLAGGED for an amount mismatch (the provider took another amount than we asked: money our books do
 *   not account for) is reported until staff resolve it (`resolveFlaggedPayment`). Not graced: it is not in flight,
 *   it waits for a person.
 * Orders written without checkout (saga_step null: test fixtures) are left out.
 */
import { pageCapturedPayments, paymentsOfOrders, unresolvedFlaggedPayments, type PaymentState } from '../../subgraphs/payment/data/audit';
import { isPaid, ordersById, ordersIn, PAID_STATUSES, settled } from './orders';
import type { InvariantCheck, Violation } from './types';

const CAPTURED = ['SUCCEEDED', 'REFUNDED'];
const givenBack = (payment: PaymentState) => payment.refundsInFlight >= payment.amount;

export const paymentsCheck: InvariantCheck = {
  name: 'payments',
  title: 'every paid order has exactly one captured payment of its total; no money kept for an order it did not pay; no flagged payment unresolved',
  async run(context) {
    const violations: Violation[] = [];
    for await (const page of ordersIn(context, PAID_STATUSES)) {
      const orders = page.filter((order) => order.sagaStep !== null);
      const payments = await paymentsOfOrders(context.dbs.payment, orders.map((o) => o.id));
      for (const order of orders) {
        const captured = payments.filter((p) => p.orderId === order.id && CAPTURED.includes(p.status));
        const own = captured.find((p) => p.id === order.paymentId);
        const subject = { orderId: order.id, userId: order.userId };
        if (!own) {
          violations.push({
            kind: 'PAID_ORDER_WITHOUT_PAYMENT',
            message: `order ${order.id} is ${order.status} by payment ${order.paymentId ?? '(none)'}, which is not a captured payment of it`,
            subject: { ...subject, paymentId: order.paymentId ?? undefined },
            details: { payments: payments.filter((p) => p.orderId === order.id) },
          });
        } else if (own.amount !== order.total) {
          violations.push({
            kind: 'PAYMENT_AMOUNT_NOT_TOTAL',
            message: `order ${order.id} totals ${order.total} fen but its payment ${own.id} took ${own.amount}`,
            subject: { ...subject, paymentId: own.id },
          });
        }
        for (const extra of captured) {
          if (extra === own || givenBack(extra) || !settled(context, extra.updatedAt, order.updatedAt)) continue;
          violations.push({
            kind: 'ORDER_PAID_TWICE',
            message: `order ${order.id} was paid by ${order.paymentId} and also by payment ${extra.id} (${extra.amount} fen), which is not given back`,
            subject: { ...subject, paymentId: extra.id },
            details: { refunded: extra.refundsInFlight },
          });
        }
      }
    }
    for (let afterId: string | undefined; ; ) {
      const page = await pageCapturedPayments(context.dbs.payment, { afterId, limit: context.pageSize });
      const kept = page.filter((payment) => !givenBack(payment));
      const orders = await ordersById(context, kept.map((p) => p.orderId));
      for (const payment of kept) {
        const order = orders.get(payment.orderId);
        if (isPaid(order) || (order && order.sagaStep === null) || !settled(context, payment.updatedAt, order?.updatedAt)) continue;
        violations.push({
          kind: 'PAYMENT_KEPT_FOR_UNPAID_ORDER',
          message: `payment ${payment.id} took ${payment.amount} fen for order ${payment.orderId}, which ${order ? `is ${order.status}` : 'is unknown'}, and it is not given back`,
          subject: { paymentId: payment.id, orderId: payment.orderId, userId: payment.userId },
          details: { refunded: payment.refundsInFlight },
        });
      }
      if (page.length < context.pageSize) break;
      afterId = page[page.length - 1].id;
    }
    for (const flagged of await unresolvedFlaggedPayments(context.dbs.payment)) {
      violations.push({
        kind: 'PAYMENT_FLAGGED_UNRESOLVED',
        message: `payment ${flagged.paymentId} of order ${flagged.orderId} is FLAGGED (${flagged.flagReason ?? 'no reason'}): asked ${flagged.amount} fen, the provider took ${flagged.providerAmount ?? '?'} — not resolved by staff`,
        subject: { paymentId: flagged.paymentId, orderId: flagged.orderId, userId: flagged.userId },
        details: { ...flagged },
      });
    }
    return violations;
  },
};
