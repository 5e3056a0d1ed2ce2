/**
 * The order's durable obligations around refunds and receipt, as handlers of the one job runner (platform/events/jobs.ts):
 * service calls in the handler body, never inside `fenced`; idempotent, since a job runs at least once.
 *
 * - `order.requestRefund` (key AS<after-sales id>, scheduled with the approval): asks payment to pay the approved
 *   request back from the order's own payment. Payment unreachable → throw (retried with backoff until it is back);
 *   payment refuses → the refund is settled FAILED here, the order goes back to where it was.
 * - `order.refundWatch` (key = refund number, ORDER_REFUND_WATCH_SECONDS after a staff refund was registered): a
 *   staff refund that payment never recorded (its request died between the two steps) is settled FAILED, after
 *   payment fenced the number off; one payment did record is left to payment's own report.
 * - `order.returnStock` (key = refund number, scheduled when a refund with restocked lines succeeded): product's
 *   `returnStock`, sold → available, idempotent per (order, key).
 * - `order.autoConfirm` (key = order id, scheduled at shipping for shipped_at + ORDER_AUTO_CONFIRM_DAYS): SHIPPED →
 *   COMPLETED by the system; nothing when the order moved on (confirmed, or REFUNDING: re-armed if it comes back).
 */
import type { Config } from '../../platform/config';
import type { Job } from '../../platform/events';
import type { JobContext, JobHandler as ContractJobHandler } from '../../platform/events';
import type { ServiceClient } from '../../platform/service-client';
import { findOrderRefund, type RefundLine } from './data/refunds';
import { findOrder } from './data/orders';
import { actors } from './lifecycle';
import { isRefusal, refundAfterSale, refundOutcome } from './payment-client';
import { returnStock } from './product-client';
import { autoConfirmReceipt, JOB_AUTO_CONFIRM, JOB_REFUND_WATCH, JOB_REQUEST_REFUND, JOB_RETURN_STOCK, settleRefund } from './refunds';
import { logger } from '../../platform/log';

const log = logger({ component: 'order' });

export interface RequestRefundPayload {
  orderId: string;
  afterSaleId: string;
  refundNo: string;
  amount: number;
  reason: string;
  lines: RefundLine[] | null;
}

export function refundJobHandlers(deps: { services: ServiceClient; config: Config }): Record<string, ContractJobHandler> {
  const { services, config } = deps;
  const payment = actors.service('payment');

  const requestRefund = async (job: Job<RequestRefundPayload>, ctx: JobContext) => {
    const { orderId, refundNo } = job.payload;
    const refund = await findOrderRefund(ctx.db, refundNo);
    if (!refund || refund.status !== 'PENDING') return;
    const order = await findOrder(ctx.db, orderId);
    try {
      await refundAfterSale(services, { ...job.payload, paymentId: order?.payment_id ?? null });
    } catch (error) {
      if (!isRefusal(error)) throw error; // payment down or failing: retried until it answers
      const message = `payment refused the refund: ${(error as Error).message}`;
      await ctx.fenced(
        (trx) => settleRefund(trx, config.order, { orderId, refundNo, status: 'FAILED', amount: refund.amount, failureReason: message, actor: payment }),
        { complete: true },
      );
    }
  };

  const refundWatch = async (job: Job<{ orderId: string; refundNo: string }>, ctx: JobContext) => {
    const { orderId, refundNo } = job.payload;
    const refund = await findOrderRefund(ctx.db, refundNo);
    if (!refund || refund.status !== 'PENDING') return;
    const order = await findOrder(ctx.db, orderId);
    if (!order?.payment_id) return;
    const outcome = await refundOutcome(services, { orderId, refundNo, paymentId: order.payment_id, amount: refund.amount });
    const status = outcome.status;
    if (status === 'PENDING') return; // payment has it and reports the verdict itself
    await ctx.fenced(
      (trx) =>
        settleRefund(trx, config.order, { orderId, refundNo, status, amount: refund.amount, failureReason: outcome.failureReason, actor: payment }),
      { complete: true },
    );
  };

  const returnStockJob = async (job: Job<{ orderId: string; key: string; lines: { skuId: string; quantity: number }[] }>) => {
    try {
      await returnStock(services, job.payload);
    } catch (error) {
      if (!isRefusal(error)) throw error;
      // Product's books say these pieces cannot come back (e.g. never sold): staff look at the log, no retry helps.
      log.error({ err: error, orderId: job.payload.orderId }, `product refused to restock ${job.payload.key} of order ${job.payload.orderId}: ${(error as Error).message}`);
    }
  };

  const autoConfirm = async (job: Job<{ orderId: string }>, ctx: JobContext) => {
    await ctx.fenced((trx) => autoConfirmReceipt(trx, config.order, job.payload.orderId), { complete: true });
  };

  return {
    [JOB_REQUEST_REFUND]: requestRefund,
    [JOB_REFUND_WATCH]: refundWatch,
    [JOB_RETURN_STOCK]: returnStockJob,
    [JOB_AUTO_CONFIRM]: autoConfirm,
  };
}
