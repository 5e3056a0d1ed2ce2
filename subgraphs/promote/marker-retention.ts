/**
 * Retention of promote's release markers (`coupon_holds`; docs/orders.md, "Holds", marker retention): a periodic job
 * of the subgraph's job runner (once per HOLD_MARKER_PRUNE_INTERVAL_SECONDS across instances) deletes the markers older than
 * HOLD_MARKER_RETENTION_HOURS.
 */
import type { Knex } from 'knex';
import type { Config } from '../../platform/config';
import { periodicTask, type PeriodicTask } from '../../platform/events/periodic';
import { pruneCouponReleaseMarkers } from './data/coupon-holds';
import { logger } from '../../platform/log';

const log = logger({ component: 'promote' });

export const PRUNE_RELEASE_MARKERS = 'promote.pruneReleaseMarkers';

export function releaseMarkerRetention(db: Knex, config: Pick<Config, 'holds'>): PeriodicTask {
  return periodicTask({
    db,
    kind: PRUNE_RELEASE_MARKERS,
    intervalMs: config.holds.markerPruneIntervalMs,
    body: async (database) => {
      const pruned = await pruneCouponReleaseMarkers(database, config.holds.markerRetentionMs);
      if (pruned) log.info({ pruned }, `pruned ${pruned} release markers`);
    },
  });
}
