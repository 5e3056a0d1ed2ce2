/**
 * THE one way a refund ends at payment: `settleRefund(trx, refundNo, outcome)` — whoever learns the verdict (the
 * `payment.refund` job from the provider's answer, a WeChat REFUND.SUCCESS / ABNORMAL / CLOSED notification, a refund
 * query) calls it inside its transaction. Idempotent: a refund no longer PENDING is answered as it is (a second
 * verdict never moves money twice nor tells order twice).
 *
 * In that transaction: the refund row (status, provider refund id) and, for SUCCEEDED, the payment's refunded_amount
 * (REFUNDED when whole), the `PaymentRefunded` event and — unless the refund was automatic — the job telling order.
 */
import type { Knex } from 'knex';
import { appendEvent, scheduleJob } from '../../platform/events';
import { completeRefund, type RefundRow } from './data/payments';
import { JOB_ORDER_REFUNDED, PAYMENT_STREAM } from './settlement';

export interface RefundOutcome {
  status: 'SUCCEEDED' | 'FAILED';
  providerRefundId?: string | null;
  /** FAILED: why (logged for staff). */
  failureReason?: string | null;
}

/** Records the verdict on `refundNo` (see the module comment). Undefined when no such refund exists. */
export async function settleRefund(trx: Knex.Transaction, refundNo: string, outcome: RefundOutcome): Promise<RefundRow | undefined> {
  const refund = await trx<RefundRow>('refunds').where({ refund_no: refundNo }).forUpdate().first();
  if (!refund || refund.status !== 'PENDING') return refund;
  const row = await completeRefund(trx, refund, outcome.status, outcome.providerRefundId ?? null);
  if (outcome.status === 'FAILED') {
    console.error(`[payment] refund ${refund.refund_no} of order ${refund.order_id} FAILED: ${outcome.failureReason ?? 'refused by the payment channel'}`);
    return row;
  }
  await appendEvent(trx, {
    stream: PAYMENT_STREAM,
    type: 'PaymentRefunded',
    aggregateId: refund.payment_id,
    payload: { paymentId: refund.payment_id, orderId: refund.order_id, refundNo: refund.refund_no, amount: refund.amount, source: refund.source },
  });
  if (refund.source !== 'AUTO') {
    await scheduleJob(trx, { kind: JOB_ORDER_REFUNDED, key: refund.refund_no, runAt: new Date(), payload: { orderId: refund.order_id } });
  }
  return row;
}
