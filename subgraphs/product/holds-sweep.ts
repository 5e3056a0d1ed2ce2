/**
 * The periodic hold sweep (every HOLD_SWEEP_INTERVAL_MS, once per period across instances): gives back stock held
 * for orders that are not live, and any hold whose lease ran out. See docs/orders.md, "Holds".
 *
 * 1. Asks order, in one signed batched call, about held reservations not confirmed yet, due for a re-check
 *    (HOLD_RECHECK_SECONDS) or lapsed: RELEASE (order cancelled) → released; COMMIT (order paid, the commit call
 *    not here yet) → committed; KEEP → left (and not asked again until the re-check once confirmed).
 * 2. Releases every hold whose lease ran out, unless order said COMMIT (then step 1 committed it), including when
 *    order could not be asked: an unconfirmed hold lives at most HOLD_CONFIRM_WINDOW_SECONDS, a confirmed one until
 *    its order's payment deadline + grace. So a paid order's hold is released by its lease only if order cannot be
 *    asked at that moment (the commit call then finds it released: see docs/orders.md, "Holds").
 * So a hold that lands after its order died is given back at the next sweep, and within
 * HOLD_CONFIRM_WINDOW_SECONDS + one interval (< 60 s by default) even when order cannot be reached.
 */
import type { Knex } from 'knex';
import type { Config } from '../../platform/config';
import { periodicTask, type PeriodicTask } from '../../platform/events/periodic';
import type { ServiceClient } from '../../platform/service-client';
import { stockChanged, type CatalogCache } from './catalog-cache';
import { findHoldsToCheck, findLapsedHolds, markHoldsChecked } from './data/stock';
import { HOLD_STATES_BATCH, orderHoldStates } from './order-client';
import { settle } from './stock';
import { logger } from '../../platform/log';

const log = logger({ component: 'product' });

export const SWEEP_HOLDS = 'product.sweepHolds';

export interface SweepResult {
  released: number;
  committed: number;
  /** Whether order answered (false: only lapsed leases were acted on). */
  orderAnswered: boolean;
}

export interface SweepDeps {
  services: ServiceClient;
  config: Pick<Config, 'holds'>;
  catalogCache?: CatalogCache;
}

let orderUnreachableSince: number | null = null;

export async function sweepStockHolds(db: Knex, deps: SweepDeps): Promise<SweepResult> {
  const result: SweepResult = { released: 0, committed: 0, orderAnswered: true };
  const changedSkus = new Set<string>();
  const apply = async (orderId: string, to: 'RELEASED' | 'COMMITTED', onlyLapsed = false) => {
    const row = await settle(db, orderId, to, { onlyLapsed });
    if (!row) return;
    if (to === 'RELEASED') {
      result.released++;
      row.lines.forEach((line) => changedSkus.add(String(line.skuId)));
    } else result.committed++;
  };

  const held = await findHoldsToCheck(db, deps.config.holds.recheckSeconds, HOLD_STATES_BATCH);
  // Lapsed holds come first in that batch; one order was asked about (and might be paid) is never released unasked.
  const asked = new Set(held.map((row) => row.order_id));
  if (held.length) {
    try {
      const states = await orderHoldStates(deps.services, held.map((row) => row.order_id));
      if (orderUnreachableSince !== null) log.warn('hold sweep: order answers again');
      orderUnreachableSince = null;
      const live: string[] = [];
      for (const row of held) {
        const verdict = states.get(row.order_id)?.verdict;
        if (verdict === 'RELEASE') await apply(row.order_id, 'RELEASED');
        else if (verdict === 'COMMIT') await apply(row.order_id, 'COMMITTED');
        else if (verdict === 'KEEP' && row.confirmed_at) live.push(row.order_id);
      }
      await markHoldsChecked(db, live);
    } catch (error) {
      result.orderAnswered = false;
      // Logged once per outage: the leases keep working meanwhile.
      if (orderUnreachableSince === null) {
        orderUnreachableSince = Date.now();
        log.error({ err: error }, `hold sweep: cannot ask order, only lapsed leases are given back: ${(error as Error).message}`);
      }
    }
  }
  for (const orderId of await findLapsedHolds(db, HOLD_STATES_BATCH)) {
    // Order answered, but not about this one (more than a batch due): it is asked next time before anything else.
    if (result.orderAnswered && held.length && !asked.has(orderId)) continue;
    await apply(orderId, 'RELEASED', true);
  }
  if (changedSkus.size) await stockChanged(deps.catalogCache, [...changedSkus]);
  return result;
}

export function stockHoldSweep(db: Knex, deps: SweepDeps): PeriodicTask {
  return periodicTask({
    db,
    kind: SWEEP_HOLDS,
    intervalMs: deps.config.holds.sweepIntervalMs,
    body: async (database) => {
      const result = await sweepStockHolds(database, deps);
      if (result.released || result.committed) log.info({ released: result.released, committed: result.committed }, `hold sweep: ${result.released} released, ${result.committed} committed`);
    },
  });
}
