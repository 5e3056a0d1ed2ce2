/**
 * Refunds never exceed what was paid: per payment, the refunds not FAILED ≤ its amount, `refunded_amount` = its
 * SUCCEEDED refunds, REFUNDED ⇔ refunded in full, no refund of a payment that took no money; per order, the
 * refunds over all its payments ≤ the money taken for it.
 *
 * Today's model: refunds per payment by amount. When refunds per line and quantity land (branch i15-refunds), add
 * "refunded quantity ≤ ordered quantity per line" and "order.refundedAmount = its SUCCEEDED refunds; REFUNDED ⇔
 * everything paid refunded" here.
 */
import { orderRefundDiscrepancies, refundDiscrepancies } from '../../subgraphs/payment/data/audit';
import type { InvariantCheck, Violation } from './types';

const PROBLEMS: Record<string, string> = {
  REFUNDS_EXCEED_PAYMENT: 'refunds not FAILED exceed the amount paid',
  REFUND_OF_UNCAPTURED_PAYMENT: 'refunds of a payment that took no money',
  REFUNDED_AMOUNT_MISMATCH: 'refunded_amount differs from the SUCCEEDED refunds',
  STATUS_MISMATCH: 'status REFUNDED does not match being refunded in full',
};

export const refundsCheck: InvariantCheck = {
  name: 'refunds',
  title: 'refunds ≤ paid, per payment and per order; refunded amounts and statuses match the refunds',
  async run({ dbs }) {
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
    return [...perPayment, ...perOrder];
  },
};
