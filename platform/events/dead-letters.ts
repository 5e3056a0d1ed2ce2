/**
 * Dead letters for operators (`npm run jobs`, scripts/jobs.ts): a job that failed JOB_MAX_ATTEMPTS times is kept with
 * `dead_at` and its last error, never claimed again, until someone looks at it and requeues it (after fixing what
 * made it fail) or lets retention prune it (JOB_DEAD_RETENTION_HOURS).
 */
import type { Knex } from 'knex';
import { eventTable, type EventTablesOptions } from './tables';

export interface DeadJob {
  id: string;
  kind: string;
  key: string;
  attempts: number;
  deadAt: Date;
  lastError: string | null;
  payload: unknown;
}

/** Dead jobs, oldest first. */
export async function listDeadJobs(db: Knex, options: EventTablesOptions & { limit?: number } = {}): Promise<DeadJob[]> {
  const rows = await db(eventTable(options, 'jobs'))
    .whereNotNull('dead_at')
    .orderBy('dead_at')
    .limit(options.limit ?? 100)
    .select('id', 'kind', 'key', 'attempts', 'dead_at', 'last_error', 'payload');
  return rows.map((row) => ({
    id: String(row.id),
    kind: row.kind,
    key: row.key,
    attempts: row.attempts,
    deadAt: new Date(row.dead_at),
    lastError: row.last_error,
    payload: row.payload,
  }));
}

/**
 * Puts a dead job back: due now, with a fresh count of attempts (its last error stays until the next run). True when
 * the job was dead; false when there is no such dead job (already requeued, or pruned).
 */
export async function requeueDeadJob(db: Knex, id: string, options: EventTablesOptions = {}): Promise<boolean> {
  if (!/^\d{1,18}$/.test(id)) return false;
  const count = await db(eventTable(options, 'jobs'))
    .where({ id })
    .whereNotNull('dead_at')
    .update({ dead_at: null, attempts: 0, run_at: db.fn.now(), locked_until: null, lock_token: null });
  return Number(count) > 0;
}
