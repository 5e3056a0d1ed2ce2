/**
 * The lifecycle actions on orders (everything but checkout and shipping, shipments.ts): cancel, confirm receipt, delete, and the
 * internal calls payment makes. Each is one transaction around `transition` (lifecycle.ts); a refused change
 * rolls back and leaves the order and its history untouched.
 */
import type { Knex } from 'knex';
import { requireService } from '../../platform/context';
import { badInput, shopError } from '../../platform/errors';
import { isBigintId } from '../../platform/loaders';
import { actorOf, noSuchOrder, ownOrder, visibleOrder } from './access';
import type { OrderContext } from './context';
import { findExpiredOrderIds, findOrder, softDeleteOrder, type OrderRow } from './data/orders';
import { actors, FINISHED_STATUSES, transition, type TransitionRequest } from './lifecycle';
import { cancelJob } from '../../platform/events';
import { AUTO_CANCEL, cancelUnpaid } from './auto-cancel';
import { COMMIT_HOLDS, RELEASE_HOLDS, scheduleHolds } from './holds';
import { JOB_AUTO_CONFIRM } from './refunds';
import { JOB_SUBSCRIPTION_PACKAGES, schedulePackages } from './subscription-jobs';

const MAX_REASON = 200;

/** Optional free-text reason: trimmed, at most 200 characters, empty → null. */
export function reasonText(reason: string | null | undefined, field = 'reason'): string | null {
  const text = reason?.trim() ?? '';
  if (text.length > MAX_REASON) throw badInput(`The reason may have at most ${MAX_REASON} characters`, field);
  return text || null;
}

/**
 * One transition in its own transaction (with `also`, work that must commit with it, e.g. scheduling the holds job);
 * afterwards the request's loaders read the new state.
 */
async function change(
  context: OrderContext,
  request: TransitionRequest,
  also?: (trx: Knex.Transaction, order: OrderRow) => Promise<unknown>,
): Promise<OrderRow> {
  const order = await context.db.transaction(async (trx) => {
    const row = await transition(trx, request);
    if (also) await also(trx, row);
    return row;
  });
  context.loaders.forgetOrder(order.id, order);
  return order;
}

/** Owner (or order staff): PENDING_PAYMENT → CANCELLED, then release stock and coupon. */
export async function cancelOrder(context: OrderContext, id: string, reason?: string | null): Promise<OrderRow> {
  const text = reasonText(reason);
  const current = await visibleOrder(context, id);
  // The release of stock and coupon is scheduled with the cancel (durable), then run right away (holds.ts).
  const order = await change(context, {
    orderId: current.id,
    from: ['PENDING_PAYMENT'],
    to: 'CANCELLED',
    actor: actorOf(context, current),
    reason: text ?? 'cancelled by the shopper',
    changes: { cancelled_at: new Date(), cancel_reason: text, expires_at: null },
  }, (trx, row) => scheduleHolds(trx, RELEASE_HOLDS, row));
  await context.holds?.runNow(RELEASE_HOLDS, order.id);
  return order;
}

/** Owner: SHIPPED → COMPLETED (the receipt timer is no longer due; after-sales stays open AFTER_SALES_WINDOW_DAYS). */
export async function confirmReceipt(context: OrderContext, id: string): Promise<OrderRow> {
  const { order, userId } = await ownOrder(context, id);
  return change(
    context,
    {
      orderId: order.id,
      from: ['SHIPPED'],
      to: 'COMPLETED',
      actor: actors.user(userId),
      reason: 'receipt confirmed',
      changes: { completed_at: new Date() },
    },
    (trx, row) => cancelJob(trx, JOB_AUTO_CONFIRM, row.id),
  );
}

// shipOrder (PAID → SHIPPED with a shipment) lives in shipments.ts.

/** Owner: hides a finished order (COMPLETED, CANCELLED, REFUNDED) from their lists; the row stays. */
export async function deleteOrder(context: OrderContext, id: string): Promise<boolean> {
  const { order } = await ownOrder(context, id);
  const deleted = await softDeleteOrder(context.db, order.id, FINISHED_STATUSES);
  if (!deleted) {
    const now = await findOrder(context.db, order.id);
    if (!now || now.deleted_at) throw noSuchOrder();
    throw deletionRefused(now);
  }
  context.loaders.forgetOrder(order.id, deleted);
  return true;
}

function deletionRefused(order: OrderRow) {
  return shopError('CONFLICT', `Order ${order.id} is ${order.status}: only completed, cancelled or refunded orders can be deleted`, {
    currentStatus: order.status,
  });
}

/**
 * Payment (service only): PENDING_PAYMENT → PAID for `paymentId`. Idempotent: the same payment again is a
 * no-op answering the order; another payment for a paid order, or an amount other than the total, is refused.
 */
export async function markOrderPaid(context: OrderContext, orderId: string, paymentId: string, amount: number): Promise<OrderRow> {
  const service = requireService(context, 'payment');
  const current = isBigintId(orderId) ? await findOrder(context.db, orderId) : undefined;
  if (!current) throw noSuchOrder();
  if (current.payment_id === paymentId) return current;
  if (amount !== current.total) throw badInput(`The payment of ${amount} does not match the order total ${current.total}`, 'amount');
  try {
    // Paid: the reservation becomes sold and the coupon used (durable job with the transition, run right away);
    // the payment timeout is no longer due.
    const paid = await change(
      context,
      {
        orderId,
        from: ['PENDING_PAYMENT'],
        to: 'PAID',
        actor: actors.service(service),
        reason: `payment ${paymentId}`,
        changes: { paid_at: new Date(), payment_id: paymentId, expires_at: null },
      },
      async (trx, row) => {
        await cancelJob(trx, AUTO_CANCEL, row.id);
        await scheduleHolds(trx, COMMIT_HOLDS, row);
        // A subscription's packages, one per period (subscription-jobs.ts); nothing for goods orders.
        await schedulePackages(trx, row);
      },
    );
    await context.holds?.runNow(COMMIT_HOLDS, paid.id);
    if (paid.kind === 'SUBSCRIPTION') await context.holds?.runNow(JOB_SUBSCRIPTION_PACKAGES, paid.id);
    return paid;
  } catch (error) {
    // A duplicate notification racing the first: the winner recorded this payment, so this is the same success.
    const now = await findOrder(context.db, orderId);
    if (now?.payment_id === paymentId) return now;
    throw error;
  }
}

/**
 * Payment (service only), legacy: REFUNDING → REFUNDED for `payment.orderRefunded` jobs queued before refunds were
 * settled one by one (`settleOrderRefund`, payment-hooks.ts). A repeat is a no-op.
 */
export async function markOrderRefunded(context: OrderContext, orderId: string): Promise<OrderRow> {
  const service = requireService(context, 'payment');
  const current = isBigintId(orderId) ? await findOrder(context.db, orderId) : undefined;
  if (!current) throw noSuchOrder();
  if (current.status === 'REFUNDED') return current;
  return change(context, { orderId, from: ['REFUNDING'], to: 'REFUNDED', actor: actors.service(service), reason: 'refund completed' });
}

/**
 * Cancels unpaid orders whose `expires_at` has passed (actor `system`) and schedules the release of their holds.
 * The payment timeout normally runs as the durable `order.autoCancel` job of each order (auto-cancel.ts); this sweep
 * is for operators and tests (orders written without the job). Safe to run anywhere at once. Returns the ids cancelled.
 */
export async function cancelExpiredOrders(db: Knex, now = new Date(), batch = 100): Promise<string[]> {
  const cancelled: string[] = [];
  for (const id of await findExpiredOrderIds(db, now, batch)) {
    if (await db.transaction((trx) => cancelUnpaid(trx, id, now))) cancelled.push(id);
  }
  return cancelled;
}
