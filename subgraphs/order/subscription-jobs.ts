/**
 * The subscription scheduler (docs/subscriptions-purchase.md), as jobs of the order subgraph's one job runner:
 *
 * - `order.subscriptionPackages` (key = order id, scheduled in the transaction that marks a subscription order PAID,
 *   then run right away): creates the order's packages, one per period, each with its due date and share of the total.
 *   Each insert is its own statement and skips a period that exists (unique (order_id, period_no)), so a runner killed
 *   mid-run leaves some packages and the rerun (the job's lease runs out, another runner claims it) adds exactly the
 *   missing ones: never a package twice, never one skipped (test: subgraphs/order/test/subscription-crash.test.ts).
 * - `order.subscriptionPrepare` (periodic, SUBSCRIPTION_SCHEDULER_INTERVAL_SECONDS): packages due within
 *   SUBSCRIPTION_PACKAGE_LEAD_DAYS (China time) take their stock at product (reserve + commit under a key of their own,
 *   like an exchange's replacement: never oversold) and become TO_SHIP; when product has not enough, the package is
 *   FLAGGED with the reason for staff and retried on the next run.
 */
import type { Knex } from 'knex';
import type { Config } from '../../platform/config';
import { scheduleJob, type Job, type JobContext, type JobHandler, type PeriodicJob } from '../../platform/events';
import type { ServiceClient } from '../../platform/service-client';
import type { OrderRow } from './data/orders';
import { findDuePackageIds, findPackage, findSubscriptionsByOrderIds, insertPackageOnce, updatePackage } from './data/subscriptions';
import { takeReplacementStock } from './product-client';
import { JOB_RETURN_STOCK } from './refunds';
import { logger } from '../../platform/log';

const log = logger({ component: 'order' });

export const JOB_SUBSCRIPTION_PACKAGES = 'order.subscriptionPackages';
export const JOB_SUBSCRIPTION_PREPARE = 'order.subscriptionPrepare';
/** The exit code of the test-only crash hook (as the checkout saga's). */
export const CRASH_EXIT_CODE = 86;
/** Packages prepared per scheduler run (the next run takes the rest). */
const PREPARE_BATCH = 100;

/** In the transaction that made `order` PAID: its packages are to be created (nothing for goods orders). */
export async function schedulePackages(trx: Knex, order: Pick<OrderRow, 'id' | 'kind'>): Promise<boolean> {
  if (order.kind !== 'SUBSCRIPTION') return false;
  return scheduleJob(trx, { kind: JOB_SUBSCRIPTION_PACKAGES, key: order.id, runAt: new Date(), payload: { orderId: String(order.id) } });
}

/** Creates the missing packages of a paid subscription order; returns how many this call created. */
export async function createPackages(db: Knex, order: Pick<OrderRow, 'id' | 'total'>, onCreated?: (count: number) => void): Promise<number> {
  const [subscription] = await findSubscriptionsByOrderIds(db, [String(order.id)]);
  if (!subscription) return 0;
  let created = 0;
  for (let period = 1; period <= subscription.periods; period += 1) {
    if (await insertPackageOnce(db, subscription, order.total, period)) {
      created += 1;
      onCreated?.(created);
    }
  }
  return created;
}

/** Today plus `days` in China time (UTC+8, no daylight saving), as YYYY-MM-DD. */
export function chinaDay(now: Date, days = 0): string {
  return new Date(now.getTime() + 8 * 3_600_000 + days * 86_400_000).toISOString().slice(0, 10);
}

const isOutOfStock = (error: unknown) => {
  const extensions = (error as { extensions?: { code?: string; reason?: string } }).extensions;
  return extensions?.code === 'CONFLICT' || extensions?.code === 'BAD_USER_INPUT';
};

/** One due package: stock taken at product, then TO_SHIP; FLAGGED when product refuses (out of stock, SKU gone). */
export async function preparePackage(db: Knex, services: ServiceClient, packageId: string): Promise<void> {
  const row = await findPackage(db, packageId);
  if (!row || (row.status !== 'SCHEDULED' && row.status !== 'FLAGGED')) return;
  let key: string;
  try {
    // Idempotent per key: a rerun after a crash between the call and the update takes nothing twice.
    // A staff edit gives the package a key of its own (pieces taken under the old one were given back).
    key = await takeReplacementStock(services, row.edits ? `SP${row.id}e${row.edits}` : `SP${row.id}`, [{ skuId: String(row.sku_id), quantity: row.quantity }]);
  } catch (error) {
    if (!isOutOfStock(error)) throw error; // product unreachable: the next run retries
    await updatePackage(db, row.id, ['SCHEDULED', 'FLAGGED'], { status: 'FLAGGED', flag_reason: `stock: ${(error as Error).message}`.slice(0, 200) });
    return;
  }
  // The hold key that took the stock is what a cancellation gives back (returnStock).
  // Only if no staff edit came in meanwhile (the pieces taken may no longer be what the package holds).
  const prepared = await updatePackage(db, row.id, { statuses: ['SCHEDULED', 'FLAGGED'], edits: row.edits }, { status: 'TO_SHIP', flag_reason: null, stock_key: key });
  if (!prepared) {
    // Cancelled or edited while its stock was being taken: the pieces go back, durably (order.returnStock, idempotent
    // per key); an edited package is taken again, as edited, by the next run.
    const lines = [{ skuId: String(row.sku_id), quantity: row.quantity }];
    await scheduleJob(db, { kind: JOB_RETURN_STOCK, key, runAt: new Date(), payload: { orderId: key, key, lines } });
  }
}

export function subscriptionJobs(deps: { services: ServiceClient; config: Config }): { handlers: Record<string, JobHandler>; periodic: PeriodicJob } {
  const crashAfter = deps.config.order.subscriptionCrashAfterPackages;
  const packages = async (job: Job<{ orderId: string }>, ctx: JobContext) => {
    const order = await ctx.db<OrderRow>('orders').where({ id: job.payload.orderId }).first();
    if (!order) return;
    await createPackages(ctx.db, order, (count) => {
      if (crashAfter !== null && count >= crashAfter) {
        log.error(`ORDER_SUBSCRIPTION_CRASH_AFTER_PACKAGES=${crashAfter}: exiting mid-run`);
        process.exit(CRASH_EXIT_CODE);
      }
    });
  };
  const prepare: JobHandler = async (_job, ctx) => {
    const due = await findDuePackageIds(ctx.db, chinaDay(new Date(), deps.config.order.subscriptionLeadDays), PREPARE_BATCH);
    for (const id of due) {
      try {
        await preparePackage(ctx.db, deps.services, id);
      } catch (error) {
        log.error({ err: error, packageId: id }, `preparing package ${id}: ${(error as Error).message}`);
      }
    }
  };
  return {
    handlers: { [JOB_SUBSCRIPTION_PACKAGES]: packages },
    periodic: { kind: JOB_SUBSCRIPTION_PREPARE, intervalMs: deps.config.order.subscriptionSchedulerIntervalMs, handler: prepare },
  };
}
