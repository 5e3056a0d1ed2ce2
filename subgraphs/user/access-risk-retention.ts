/**
 * Retention of activation attempts (`access_risks`, docs/families.md): a periodic job of user's job runner (hourly,
 * once across instances) deletes the rows older than MEMBER_ACCESS_RISK_RETENTION_DAYS, so the table stays bounded.
 */
import type { Knex } from 'knex';
import type { Config } from '../../platform/config';
import { periodicTask, type PeriodicTask } from '../../platform/events/periodic';
import { pruneAccessRisks } from './data/families';
import { logger } from '../../platform/log';

const log = logger({ component: 'user' });

export const PRUNE_ACCESS_RISKS = 'user.pruneAccessRisks';
const HOURLY = 3600 * 1000;

export function accessRiskRetention(db: Knex, config: Pick<Config, 'family'>): PeriodicTask {
  return periodicTask({
    db,
    kind: PRUNE_ACCESS_RISKS,
    intervalMs: HOURLY,
    body: async (database) => {
      const pruned = await pruneAccessRisks(database, config.family.accessRiskRetentionDays);
      if (pruned) log.info({ pruned }, `pruned ${pruned} activation attempts`);
    },
  });
}
