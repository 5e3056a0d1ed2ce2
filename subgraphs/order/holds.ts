/**
 * (Also the removal of the cart lines an order bought, `order.removeCartLines`: the same kind of retried, idempotent
 * signed call, scheduled when the order is placed.)
 *
 * What a checkout order holds elsewhere — reserved stock (product) and a locked coupon (promote) — and the durable
 * obligations to give them back (cancel, payment timeout, failed checkout) or to make them final (paid).
 *
 * Each obligation is a job (`order.releaseHolds` / `order.commitHolds`, key = order id) scheduled in the transaction
 * that changed the order's status, so a crash after that commit cannot lose it. The caller then runs it right away
 * (`runNow`); if that fails (a service down, the process killed), this module's worker retries it from the jobs
 * table until both calls succeed. Both calls are idempotent per order, so running one twice is harmless.
 *
 * Unlike the platform's job runner, the worker does not hold a transaction open around the service calls: the
 * callee writes its own database (on embedded PGlite, the same single session), and a row lock held across HTTP
 * calls would serialize every instance behind the slowest call. It claims with the platform's lease
 * (`claimDueJobs`), makes the calls, then marks the job done if it still holds the claim: at least once, which is
 * what idempotent calls need.
 */
import crypto from 'node:crypto';
import type { Knex } from 'knex';
import type { Config } from '../../platform/config';
import { claimDueJobs, eventTable, rescheduleFailedJob, scheduleJob } from '../../platform/events';
import type { ServiceClient } from '../../platform/service-client';
import type { OrderRow } from './data/orders';

export const RELEASE_HOLDS = 'order.releaseHolds';
export const COMMIT_HOLDS = 'order.commitHolds';
/** Not a hold, but the same kind of obligation: the cart lines an order bought leave the cart (signed call to cart). */
export const REMOVE_CART_LINES = 'order.removeCartLines';
type HoldsKind = typeof RELEASE_HOLDS | typeof COMMIT_HOLDS | typeof REMOVE_CART_LINES;

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

interface ClaimedJob {
  id: string;
  kind: string;
  key: string;
  payload: any;
  attempts: number;
  lock_token: string;
}

export interface HoldsWorker {
  /** Runs the pending `kind` job with this key (order id) now if no one else holds it; failures stay for the worker to retry. */
  runNow(kind: HoldsKind, key: string): Promise<void>;
  /** Look for due jobs now. */
  kick(): void;
  stop(): Promise<void>;
}

export function startHoldsWorker(db: Knex, services: ServiceClient, config: Pick<Config, 'events'>): HoldsWorker {
  const table = eventTable(undefined, 'jobs');
  const leaseMs = config.events.jobLeaseMs;
  const handlers: Record<HoldsKind, (payload: any) => Promise<void>> = {
    [RELEASE_HOLDS]: (payload: HoldsPayload) => releaseHolds(services, payload),
    [COMMIT_HOLDS]: (payload: HoldsPayload) => commitHolds(services, payload),
    [REMOVE_CART_LINES]: (payload: CartLinesPayload) => removeCartLines(services, payload),
  };
  let stopped = false;
  let running: Promise<void> | null = null;
  let timer: NodeJS.Timeout | undefined;

  const execute = async (job: ClaimedJob) => {
    try {
      await handlers[job.kind as HoldsKind](job.payload);
      await db(table).where({ id: job.id, lock_token: job.lock_token }).whereNull('done_at').update({ done_at: db.fn.now(), locked_until: null });
    } catch (error) {
      const delay = await rescheduleFailedJob(db, table, job, error, 1000);
      console.error(`[order] ${job.kind}/${job.key} failed (attempt ${job.attempts}), retrying in ${delay} ms:`, (error as Error).message);
    }
  };

  const poll = async () => {
    try {
      for (;;) {
        if (stopped) return;
        const jobs = (await claimDueJobs(db, Object.keys(handlers), leaseMs, 20)) as unknown as ClaimedJob[];
        await Promise.all(jobs.map((job) => execute({ ...job, id: String(job.id) })));
        if (jobs.length < 20) return;
      }
    } catch (error) {
      if (!stopped) console.error('[order] holds worker:', (error as Error).message);
    }
  };

  const tick = () => {
    if (stopped || running) return;
    clearTimeout(timer);
    running = poll().finally(() => {
      running = null;
      if (!stopped) timer = setTimeout(tick, config.events.jobPollIntervalMs);
    });
  };
  tick();

  return {
    async runNow(kind, key) {
      const token = crypto.randomUUID();
      const [job] = (await db(table)
        .where({ kind, key: String(key) })
        .whereNull('done_at')
        .whereNull('cancelled_at')
        .where((q) => q.whereNull('locked_until').orWhere('locked_until', '<', db.fn.now()))
        .update({ locked_until: db.raw("now() + ? * interval '1 millisecond'", [leaseMs]), lock_token: token, attempts: db.raw('attempts + 1') })
        .returning(['id', 'kind', 'key', 'payload', 'attempts', 'lock_token'])) as ClaimedJob[];
      if (job) await execute({ ...job, id: String(job.id) });
    },
    kick: tick,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
