/**
 * The call logs' day partitions (Asia/Shanghai): every hour, once across every instance, the partitions of today and
 * the next two days are made ready, and those older than OPEN_CALL_LOG_RETENTION_DAYS are dropped whole (a DROP of
 * a partition, never a DELETE scanning rows). A record of a day with no partition creates it on the spot
 * (data/call-logs.ts), so a late or stopped job never loses one.
 */
import type { Knex } from 'knex';
import type { Config } from '../../../platform/config';
import { periodicTask } from '../../../platform/events/periodic';
import { addDays, shanghaiDate } from '../../../platform/shanghai-time';
import { dropPartitionsBefore, ensurePartition } from '../data/call-logs';

export const CALL_LOG_PARTITIONS_JOB = 'open.callLogPartitions';

export async function maintainCallLogPartitions(db: Knex, retentionDays: number, now = Date.now()): Promise<{ dropped: string[] }> {
  const today = shanghaiDate(now);
  for (let ahead = 0; ahead <= 2; ahead += 1) await ensurePartition(db, addDays(today, ahead));
  // Today counts as one of the days kept.
  return { dropped: await dropPartitionsBefore(db, addDays(today, -(retentionDays - 1))) };
}

export function callLogPartitionsTask(db: Knex, config: Pick<Config, 'openLogs'>) {
  return periodicTask({
    db,
    kind: CALL_LOG_PARTITIONS_JOB,
    intervalMs: 3_600_000,
    body: async (handle) => {
      await maintainCallLogPartitions(handle, config.openLogs.retentionDays);
    },
  });
}
