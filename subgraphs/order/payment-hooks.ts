/**
 * Order's internal operations for payment's refunds (signed calls from payment only):
 * - `registerOrderRefund`: before a staff refund moves money, payment registers it here (lines, amount, status
 *   checks under the order's lock; see refunds.ts). Answers the order, whose `paymentId` is the payment to refund.
 *   Idempotent per refund number. A watch job settles it FAILED if payment never records it.
 * - `settleOrderRefund`: payment's verdict on a refund (SUCCEEDED / FAILED), from its durable job. Idempotent.
 */
import { requireService } from '../../platform/context';
import { badInput } from '../../platform/errors';
import { scheduleJob } from '../../platform/events';
import type { OrderContext } from './context';
import type { OrderRow } from './data/orders';
import { actors } from './lifecycle';
import { JOB_REFUND_WATCH, registerRefund, settleRefund, type RefundLineInput } from './refunds';

export async function registerOrderRefund(
  context: OrderContext,
  input: { orderId: string; refundNo: string; amount: number; reason: string; requestedBy?: string | null; lines?: readonly RefundLineInput[] | null },
): Promise<OrderRow> {
  const service = requireService(context, 'payment');
  const requestedBy = input.requestedBy && /^staff:\d{1,20}$/.test(input.requestedBy) ? input.requestedBy : actors.service(service);
  const { order } = await context.db.transaction(async (trx) => {
    const registered = await registerRefund(trx, context.config.order, {
      orderId: input.orderId,
      refundNo: input.refundNo,
      amount: input.amount,
      reason: input.reason,
      source: 'STAFF',
      requestedBy,
      lines: input.lines,
    });
    if (registered.created) {
      await scheduleJob(trx, {
        kind: JOB_REFUND_WATCH,
        key: input.refundNo,
        runAt: new Date(Date.now() + context.config.order.refundWatchSeconds * 1000),
        payload: { orderId: String(registered.order.id), refundNo: input.refundNo },
      });
    }
    return registered;
  });
  context.loaders.forgetOrder(order.id, order);
  return order;
}

export async function settleOrderRefund(
  context: OrderContext,
  input: { orderId: string; refundNo: string; status: string; amount: number; failureReason?: string | null },
): Promise<OrderRow> {
  const service = requireService(context, 'payment');
  if (input.status !== 'SUCCEEDED' && input.status !== 'FAILED') throw badInput('status must be SUCCEEDED or FAILED', 'status');
  const { order } = await context.db.transaction((trx) =>
    settleRefund(trx, context.config.order, {
      orderId: input.orderId,
      refundNo: input.refundNo,
      status: input.status as 'SUCCEEDED' | 'FAILED',
      amount: input.amount,
      failureReason: input.failureReason,
      actor: actors.service(service),
    }),
  );
  context.loaders.forgetOrder(order.id, order);
  return order;
}
