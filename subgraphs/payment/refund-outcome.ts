/**
 * THE one way a refund ends at payment: `settleRefund(trx, refundNo, outcome)` — whoever learns the verdict (the
 * `payment.refund` job from the provider's answer, a WeChat REFUND.SUCCESS / REFUND.ABNORMAL notification, a
 * reconciliation query) calls it inside its transaction. Idempotent: a refund no longer PENDING is answered as it is
 * (a second verdict never moves money twice nor tells order twice).
 *
 * In that transaction: the refund row (status, provider refund id, failure reason), the payment's refunded_amount
 * (SUCCEEDED only; REFUNDED when whole), the `PaymentRefunded` event, and — unless the refund was automatic (a
 * payment the order never took) — the durable job `payment.refundSettled` that tells order (`settleOrderRefund`),
 * retried until order answers.
 */
import type { Knex } from 'knex';
import { appendEvent, scheduleJob, type Job } from '../../platform/events';
import type { JobHandler as ContractJobHandler } from '../../platform/events';
import type { ServiceClient } from '../../platform/service-client';
import { completeRefund, type RefundRow } from './data/payments';
import { isRefusal, settleOrderRefund } from './order-client';
import { PAYMENT_STREAM } from './settlement';
import { logger } from '../../platform/log';

const log = logger({ component: 'payment' });

export const JOB_REFUND_SETTLED = 'payment.refundSettled';

export interface RefundOutcome {
  status: 'SUCCEEDED' | 'FAILED';
  providerRefundId?: string | null;
  /** FAILED: why, for staff and the order's history (provider code and message, or payment's own refusal). */
  failureReason?: string | null;
}

export interface RefundSettledPayload {
  orderId: string;
  refundNo: string;
  status: 'SUCCEEDED' | 'FAILED';
  amount: number;
  failureReason: string | null;
}

/** Records the verdict on `refundNo` (see the module comment). Undefined when no such refund exists. */
export async function settleRefund(trx: Knex.Transaction, refundNo: string, outcome: RefundOutcome): Promise<RefundRow | undefined> {
  const refund = await trx<RefundRow>('refunds').where({ refund_no: refundNo }).forUpdate().first();
  if (!refund || refund.status !== 'PENDING') return refund;
  const failureReason = outcome.status === 'FAILED' ? (outcome.failureReason ?? 'refused by the payment channel').slice(0, 200) : null;
  const row = await completeRefund(trx, refund, outcome.status, outcome.providerRefundId ?? null, failureReason);
  if (outcome.status === 'SUCCEEDED') {
    await appendEvent(trx, {
      stream: PAYMENT_STREAM,
      type: 'PaymentRefunded',
      aggregateId: refund.payment_id,
      payload: { paymentId: refund.payment_id, orderId: refund.order_id, refundNo: refund.refund_no, amount: refund.amount, source: refund.source },
    });
  } else {
    log.warn({ refundNo: refund.refund_no, orderId: refund.order_id }, `refund ${refund.refund_no} of order ${refund.order_id} FAILED: ${failureReason}`);
  }
  if (refund.source !== 'AUTO') await scheduleOrderVerdict(trx, row);
  return row;
}

/** The job that tells order where a refund ended (key: refund number; once per refund). */
export async function scheduleOrderVerdict(trx: Knex, refund: RefundRow): Promise<void> {
  const payload: RefundSettledPayload = {
    orderId: String(refund.order_id),
    refundNo: refund.refund_no,
    status: refund.status as 'SUCCEEDED' | 'FAILED',
    amount: refund.amount,
    failureReason: refund.failure_reason,
  };
  await scheduleJob(trx, { kind: JOB_REFUND_SETTLED, key: refund.refund_no, runAt: new Date(), payload });
}

/** Job payment.refundSettled: order records the verdict (idempotent there); order unreachable → retried. */
export function refundSettledJob(services: ServiceClient): ContractJobHandler<RefundSettledPayload> {
  return async (job: Job<RefundSettledPayload>) => {
    try {
      await settleOrderRefund(services, job.payload);
    } catch (error) {
      if (!isRefusal(error)) throw error;
      log.error({ orderId: job.payload.orderId, refundNo: job.payload.refundNo }, `order ${job.payload.orderId} refused the verdict on refund ${job.payload.refundNo}: ${(error as Error).message}`);
    }
  };
}
