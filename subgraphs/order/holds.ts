/**
 * (Also the removal of the cart lines an order bought, `order.removeCartLines`: the same kind of retried, idempotent
 * signed call, scheduled when the order is placed.)
 *
 * What a checkout order holds elsewhere — reserved stock (product) and a locked coupon (promote) — and the durable
 * obligations to give them back (cancel, payment timeout, failed checkout) or to make them final (paid).
 *
 * Each obligation is a job (`order.releaseHolds` / `order.commitHolds`, key = order id) scheduled in the transaction
 * that changed the order's status, so a crash after that commit cannot lose it. The caller then runs it right away
 * (`runNow`); if that fails (a service down, the process killed), the subgraph's job runner (platform/events/jobs.ts)
 * retries it with backoff until both calls succeed. Both calls are idempotent per order, so running one twice is
 * harmless; the runner makes them outside any transaction and marks the job done, fenced by its claim.
 */
import type { Knex } from 'knex';
import { scheduleJob, type Job, type JobHandler } from '../../platform/events';
import type { ServiceClient } from '../../platform/service-client';
import type { OrderRow } from './data/orders';

export const RELEASE_HOLDS = 'order.releaseHolds';
export const COMMIT_HOLDS = 'order.commitHolds';
/** Not a hold, but the same kind of obligation: the cart lines an order bought leave the cart (signed call to cart). */
export const REMOVE_CART_LINES = 'order.removeCartLines';
export type HoldsKind = typeof RELEASE_HOLDS | typeof COMMIT_HOLDS | typeof REMOVE_CART_LINES;

export interface HoldsPayload {
  orderId: string;
  userId: string;
  couponId: string | null;
}

/** Orders placed through checkout hold things (saga_step set); orders written otherwise (test fixtures) hold nothing. */
export const holdsSomething = (order: Pick<OrderRow, 'saga_step'>) => order.saga_step !== null;

const RELEASE_STOCK = 'mutation OrderReleaseStock($o: ID!) { releaseStock(orderId: $o) { status } }';
const COMMIT_STOCK = 'mutation OrderCommitStock($o: ID!) { commitStock(orderId: $o) { status } }';
const RELEASE_COUPON = 'mutation OrderReleaseCoupon($c: ID!, $o: ID!) { releaseCoupon(couponId: $c, orderId: $o) { status } }';
const USE_COUPON = 'mutation OrderUseCoupon($c: ID!, $o: ID!) { useCoupon(couponId: $c, orderId: $o) { status } }';

/** Gives back the order's reserved stock and locked coupon. Idempotent; throws when a call failed (retry later). */
export async function releaseHolds(services: ServiceClient, order: HoldsPayload): Promise<void> {
  // Both calls are idempotent per order, so the service client may resend them after a network failure.
  await Promise.all([
    services.request('product', RELEASE_STOCK, { o: order.orderId }, { idempotent: true }),
    order.couponId
      ? services.request('promote', RELEASE_COUPON, { c: order.couponId, o: order.orderId }, { userId: order.userId, idempotent: true })
      : undefined,
  ]);
}

/** Makes the reservation sold and the coupon used (the order was paid). Idempotent. */
export async function commitHolds(services: ServiceClient, order: HoldsPayload): Promise<void> {
  await Promise.all([
    services.request('product', COMMIT_STOCK, { o: order.orderId }, { idempotent: true }),
    order.couponId
      ? services.request('promote', USE_COUPON, { c: order.couponId, o: order.orderId }, { userId: order.userId, idempotent: true })
      : undefined,
  ]);
}

export interface CartLinesPayload {
  orderId: string;
  userId: string;
  cartItemIds: string[];
}

const REMOVE_CART_ITEMS = 'mutation OrderRemoveCartItems($u: ID!, $o: ID!, $ids: [ID!]!) { removeOrderedCartItems(userId: $u, orderId: $o, ids: $ids) }';

/** Removes the cart lines an order bought. Idempotent (lines already gone are skipped; ids are never reused). */
export async function removeCartLines(services: ServiceClient, payload: CartLinesPayload): Promise<void> {
  await services.request('cart', REMOVE_CART_ITEMS, { u: payload.userId, o: payload.orderId, ids: payload.cartItemIds }, { idempotent: true });
}

/**
 * Schedules the release (or commit) of `order`'s holds inside the transaction that cancelled (or paid) it. The job key
 * is the order id, plus `keySuffix` for a second release of the same order (see the saga's compensation).
 */
export async function scheduleHolds(
  trx: Knex,
  kind: HoldsKind,
  order: Pick<OrderRow, 'id' | 'user_id' | 'coupon_id' | 'saga_step'>,
  keySuffix = '',
): Promise<boolean> {
  if (!holdsSomething(order)) return false;
  const payload: HoldsPayload = { orderId: String(order.id), userId: String(order.user_id), couponId: order.coupon_id ? String(order.coupon_id) : null };
  return scheduleJob(trx, { kind, key: `${order.id}${keySuffix}`, runAt: new Date(), payload });
}

/** The holds jobs for the subgraph's one job runner: service calls only (idempotent per order), no transaction. */
export function holdsJobs(services: ServiceClient): Record<HoldsKind, JobHandler> {
  return {
    [RELEASE_HOLDS]: (job: Job<HoldsPayload>) => releaseHolds(services, job.payload),
    [COMMIT_HOLDS]: (job: Job<HoldsPayload>) => commitHolds(services, job.payload),
    [REMOVE_CART_LINES]: (job: Job<CartLinesPayload>) => removeCartLines(services, job.payload),
  };
}
