/**
 * Recovery of sagas that never finished. Every CREATING order is inserted with an `order.recoverSaga` job due
 * ORDER_SAGA_TIMEOUT_SECONDS later; the saga's last step cancels it. If the job ever runs, the process running the
 * saga died (or the saga is stuck far beyond any call timeout): the order is failed and its holds released
 * (failCheckout). A saga still running when its job fires loses the race cleanly: its final CREATING →
 * PENDING_PAYMENT transition finds CANCELLED and the saga compensates (releases are idempotent).
 */
import type { Job, JobContext } from '../../../platform/events';
import { failCheckout } from './compensation';

export async function recoverSaga(job: Job<{ orderId: string }>, ctx: JobContext): Promise<void> {
  await ctx.fenced((trx) => failCheckout(trx, job.payload.orderId, 'checkout interrupted'), { complete: true });
}
