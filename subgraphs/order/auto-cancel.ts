/**
 * The payment timeout as a durable job: placing an order schedules `order.autoCancel` (key = order id) at its
 * `expiresAt`, in the transaction that placed it. The job survives restarts and, with several order instances, runs
 * once (platform/events/jobs.ts). It cancels the order only if it is still unpaid (a conditional transition: a payment
 * that won the race keeps it PAID) and, in the same transaction, schedules the release of its stock and coupon.
 */
import type { Knex } from 'knex';
import type { Job, JobContext } from '../../platform/events';
import { RELEASE_HOLDS, scheduleHolds } from './holds';
import { actors, transition } from './lifecycle';

export const AUTO_CANCEL = 'order.autoCancel';

export const PAYMENT_TIMEOUT_REASON = 'payment timeout';

/** Cancels `orderId` if it is still PENDING_PAYMENT (`trx` is the caller's); false when it was paid or closed meanwhile. */
export async function cancelUnpaid(trx: Knex.Transaction, orderId: string, now = new Date()): Promise<boolean> {
  try {
    const order = await transition(trx, {
      orderId,
      from: ['PENDING_PAYMENT'],
      to: 'CANCELLED',
      actor: actors.system,
      reason: PAYMENT_TIMEOUT_REASON,
      changes: { cancelled_at: now, cancel_reason: PAYMENT_TIMEOUT_REASON, expires_at: null },
    });
    await scheduleHolds(trx, RELEASE_HOLDS, order);
    return true;
  } catch (error) {
    // Paid or cancelled meanwhile (the refused transition changed nothing): nothing to do.
    if ((error as { extensions?: { code?: string } }).extensions?.code === 'CONFLICT') return false;
    throw error;
  }
}

/** Job order.autoCancel: the cancel (and the release it schedules) and "done" commit together. */
export async function autoCancel(job: Job<{ orderId: string }>, ctx: JobContext): Promise<void> {
  await ctx.fenced((trx) => cancelUnpaid(trx, job.payload.orderId), { complete: true });
}
