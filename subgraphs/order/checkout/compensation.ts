/**
 * Giving up a checkout: the CREATING order becomes CANCELLED with the reason, hidden from the shopper's lists
 * (`deleted_at`: it was never placed, the shopper got an error instead), and the release of whatever it may hold
 * (stock, coupon) is scheduled in the same transaction. Used by the saga when a step fails and by the recovery job
 * when a saga never finished (process killed).
 */
import type { Knex } from 'knex';
import { cancelJob } from '../../../platform/events';
import type { OrderRow } from '../data/orders';
import { lockOrder } from '../data/checkout';
import { RELEASE_HOLDS, scheduleHolds } from '../holds';
import { actors, transition } from '../lifecycle';

export const RECOVER_SAGA = 'order.recoverSaga';
export const FAILED_STEP = 'FAILED';

/**
 * CREATING → CANCELLED (saga_step FAILED) + the release job, in `trx`. Returns the failed order, or undefined when the
 * order is no longer CREATING (placed meanwhile, or already failed by the other side of a race).
 */
export async function failCheckout(trx: Knex.Transaction, orderId: string, reason: string): Promise<OrderRow | undefined> {
  const current = await lockOrder(trx, orderId);
  if (!current || current.status !== 'CREATING') return undefined;
  const now = new Date();
  const order = await transition(trx, {
    orderId,
    from: ['CREATING'],
    to: 'CANCELLED',
    actor: actors.system,
    reason: reason.slice(0, 200),
    changes: { cancelled_at: now, cancel_reason: reason.slice(0, 200), saga_step: FAILED_STEP, deleted_at: now, expires_at: null },
  });
  await scheduleHolds(trx, RELEASE_HOLDS, order);
  await cancelJob(trx, RECOVER_SAGA, orderId);
  return order;
}
