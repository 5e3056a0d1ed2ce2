/**
 * The periodic coupon-hold sweep (every HOLD_SWEEP_INTERVAL_MS, once per period across instances), the same rules
 * as product's (docs/orders.md, "Holds"):
 * 1. asks order, in one signed batched call, about LOCKED holds not confirmed yet, due for a re-check or lapsed:
 *    RELEASE (order cancelled) → the coupon is AVAILABLE again; COMMIT (order paid) → USED; KEEP → left;
 * 2. gives back every hold whose lease ran out, whatever order said or if it could not be asked.
 */
import type { Knex } from 'knex';
import type { Config } from '../../platform/config';
import { periodicTask, type PeriodicTask } from '../../platform/events/periodic';
import type { ServiceClient } from '../../platform/service-client';
import { findCouponHoldsToCheck, findLapsedCouponHolds, markCouponHoldsChecked, settleCouponHold } from './data/coupon-holds';
import { HOLD_STATES_BATCH, orderHoldStates } from './order-client';
import { logger } from '../../platform/log';

const log = logger({ component: 'promote' });

export const SWEEP_COUPON_HOLDS = 'promote.sweepHolds';

export interface SweepResult {
  released: number;
  used: number;
  orderAnswered: boolean;
}

export interface SweepDeps {
  services: ServiceClient;
  config: Pick<Config, 'holds'>;
}

let orderUnreachableSince: number | null = null;

export async function sweepCouponHolds(db: Knex, deps: SweepDeps): Promise<SweepResult> {
  const result: SweepResult = { released: 0, used: 0, orderAnswered: true };
  const apply = async (orderId: string, to: 'RELEASED' | 'USED', onlyLapsed = false) => {
    if (!(await settleCouponHold(db, orderId, to, { onlyLapsed }))) return;
    if (to === 'RELEASED') result.released++;
    else result.used++;
  };
  const held = await findCouponHoldsToCheck(db, deps.config.holds.recheckSeconds, HOLD_STATES_BATCH);
  // Lapsed holds come first in that batch; one order was asked about (and might be paid) is never released unasked.
  const asked = new Set(held.map((row) => String(row.order_id)));
  if (held.length) {
    try {
      const states = await orderHoldStates(deps.services, held.map((row) => String(row.order_id)));
      if (orderUnreachableSince !== null) log.warn('hold sweep: order answers again');
      orderUnreachableSince = null;
      const live: string[] = [];
      for (const row of held) {
        const orderId = String(row.order_id);
        const verdict = states.get(orderId)?.verdict;
        if (verdict === 'RELEASE') await apply(orderId, 'RELEASED');
        else if (verdict === 'COMMIT') await apply(orderId, 'USED');
        else if (verdict === 'KEEP' && row.confirmed_at) live.push(orderId);
      }
      await markCouponHoldsChecked(db, live);
    } catch (error) {
      result.orderAnswered = false;
      if (orderUnreachableSince === null) {
        orderUnreachableSince = Date.now();
        log.error({ err: error }, `hold sweep: cannot ask order, only lapsed leases are given back: ${(error as Error).message}`);
      }
    }
  }
  for (const orderId of await findLapsedCouponHolds(db, HOLD_STATES_BATCH)) {
    if (result.orderAnswered && held.length && !asked.has(orderId)) continue;
    await apply(orderId, 'RELEASED', true);
  }
  return result;
}

export function couponHoldSweep(db: Knex, deps: SweepDeps): PeriodicTask {
  return periodicTask({
    db,
    kind: SWEEP_COUPON_HOLDS,
    intervalMs: deps.config.holds.sweepIntervalMs,
    body: async (database) => {
      const result = await sweepCouponHolds(database, deps);
      if (result.released || result.used) log.info({ released: result.released, used: result.used }, `hold sweep: ${result.released} released, ${result.used} used`);
    },
  });
}
