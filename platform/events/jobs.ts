/**
 * Durable delayed jobs (auto-cancel of unpaid orders, releasing coupon locks left behind, …) in the owner's `jobs`
 * table: they survive restarts, and with several instances each due job runs once.
 *
 * A runner claims due jobs with a lease (`UPDATE … WHERE id IN (SELECT … FOR UPDATE SKIP LOCKED)`), then runs the
 * handler inside a transaction that first re-locks the job row and checks it still holds the claim, and marks the
 * job done in that same transaction. So the handler's database effect and "done" commit together: a crash rolls
 * both back, the lease expires, and another instance runs the job again. Handlers must therefore be idempotent for
 * anything outside `trx` (service calls); inside `trx`, effects happen once. Failures back off exponentially
 * (recorded in attempts/last_error) and are retried without limit: such jobs are obligations, not best effort.
 * Keep handlers short: the job row stays locked (and, on embedded PGlite, the database) while they run.
 */
import crypto from 'node:crypto';
import type { Knex } from 'knex';
import { eventTable, type EventTablesOptions } from './tables';

export interface Job<TPayload = any> {
  id: string;
  kind: string;
  key: string;
  runAt: Date;
  payload: TPayload;
  /** 1 on the first run; counts runs that crashed too. */
  attempts: number;
}

export type JobHandler<TPayload = any> = (job: Job<TPayload>, trx: Knex.Transaction) => Promise<void>;

export interface ScheduleJobInput<TPayload = unknown> {
  kind: string;
  /** Unique per kind (e.g. the order id): scheduling the same (kind, key) again is idempotent. */
  key: string | number;
  runAt: Date;
  payload?: TPayload;
  /**
   * When (kind, key) exists: 'keep' (default) leaves it as it is — a redelivered event or retried request schedules
   * nothing new; 'replace' moves run_at and payload of a job not yet done or cancelled.
   */
  onConflict?: 'keep' | 'replace';
}

/** Schedules a job inside the caller's transaction; true when a job was created or replaced. */
export async function scheduleJob(
  trx: Knex | Knex.Transaction,
  input: ScheduleJobInput,
  options?: EventTablesOptions,
): Promise<boolean> {
  const table = eventTable(options, 'jobs');
  const conflict =
    input.onConflict === 'replace'
      ? `DO UPDATE SET run_at = excluded.run_at, payload = excluded.payload, attempts = 0, last_error = NULL
         WHERE j.done_at IS NULL AND j.cancelled_at IS NULL`
      : 'DO NOTHING';
  const result = await trx.raw(
    `INSERT INTO ?? AS j (kind, key, run_at, payload) VALUES (?, ?, ?, ?::jsonb)
     ON CONFLICT (kind, key) ${conflict} RETURNING id`,
    [table, input.kind, String(input.key), input.runAt, JSON.stringify(input.payload ?? {})],
  );
  return result.rows.length > 0;
}

/** Cancels a pending job (e.g. the order got paid); true when one was pending. The row stays, so (kind, key) remains taken. */
export async function cancelJob(
  trx: Knex | Knex.Transaction,
  kind: string,
  key: string | number,
  options?: EventTablesOptions,
): Promise<boolean> {
  const count = await trx(eventTable(options, 'jobs'))
    .where({ kind, key: String(key) })
    .whereNull('done_at')
    .whereNull('cancelled_at')
    .update({ cancelled_at: trx.fn.now() });
  return Number(count) > 0;
}

interface JobRow {
  id: string;
  kind: string;
  key: string;
  run_at: Date;
  payload: unknown;
  attempts: number;
  lock_token: string;
}

/**
 * Claims up to `limit` due jobs of the given kinds for `leaseMs` (what a runner does before running them; exported
 * for tests that need a runner to "die" right after claiming).
 */
export async function claimDueJobs(
  db: Knex,
  kinds: string[],
  leaseMs: number,
  limit: number,
  options?: EventTablesOptions,
): Promise<JobRow[]> {
  const table = eventTable(options, 'jobs');
  const token = crypto.randomUUID();
  const result = await db.raw(
    `UPDATE ?? SET locked_until = now() + ? * interval '1 millisecond', lock_token = ?, attempts = attempts + 1
     WHERE id IN (
       SELECT id FROM ?? WHERE kind = ANY(?) AND done_at IS NULL AND cancelled_at IS NULL AND run_at <= now()
         AND (locked_until IS NULL OR locked_until < now())
       ORDER BY run_at LIMIT ? FOR UPDATE SKIP LOCKED)
     RETURNING id, kind, key, run_at, payload, attempts, lock_token`,
    [table, leaseMs, token, table, kinds, limit],
  );
  return result.rows;
}

/**
 * After a failed attempt: give the claim back and run the job again after an exponential backoff (from `retryBaseMs`,
 * at most 5 min), keeping the error. Only while the claim (`lock_token`) is still this runner's; never throws.
 */
export async function rescheduleFailedJob(
  db: Knex,
  table: string,
  job: { id: string | number; attempts: number; lock_token: string | null },
  error: unknown,
  retryBaseMs: number,
): Promise<number> {
  const delay = Math.min(300_000, retryBaseMs * 2 ** Math.min(job.attempts - 1, 20));
  await db(table)
    .where({ id: job.id, lock_token: job.lock_token })
    .update({
      locked_until: null,
      lock_token: null,
      run_at: db.raw("now() + ? * interval '1 millisecond'", [delay]),
      last_error: String((error as Error)?.message ?? error).slice(0, 2000),
    })
    .catch(() => undefined);
  return delay;
}

export interface JobRunnerOptions extends EventTablesOptions {
  db: Knex;
  handlers: Record<string, JobHandler>;
  /** How often to look for due jobs (default 1000 ms). */
  pollIntervalMs?: number;
  /** How long a claim lasts before another instance may take the job over (default 60 s). */
  leaseMs?: number;
  /** Jobs claimed per poll (default 20). */
  batchSize?: number;
  /** First retry delay after a failure, doubling up to 5 minutes (default 1000 ms). */
  retryBaseMs?: number;
}

export interface JobRunner {
  /** Look for due jobs now. */
  kick(): void;
  /** Stops polling and waits for the jobs in flight. */
  stop(): Promise<void>;
  /** Resolves after the next poll that found nothing due (tests). */
  idle(): Promise<void>;
}

export function startJobRunner(options: JobRunnerOptions): JobRunner {
  const { db } = options;
  const table = eventTable(options, 'jobs');
  const kinds = Object.keys(options.handlers);
  const pollIntervalMs = options.pollIntervalMs ?? 1000;
  const leaseMs = options.leaseMs ?? 60_000;
  const batchSize = options.batchSize ?? 20;
  const retryBaseMs = options.retryBaseMs ?? 1000;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | null = null;
  let idleWaiters: (() => void)[] = [];

  const runOne = async (row: JobRow) => {
    const job: Job = {
      id: String(row.id),
      kind: row.kind,
      key: row.key,
      runAt: new Date(row.run_at),
      payload: row.payload,
      attempts: row.attempts,
    };
    try {
      await db.transaction(async (trx) => {
        // Still ours? (Our lease may have run out and another instance taken the job.) The row lock also keeps
        // every other runner's claim query away from it until we commit.
        const mine = await trx(table)
          .where({ id: row.id, lock_token: row.lock_token })
          .whereNull('done_at')
          .whereNull('cancelled_at')
          .forUpdate()
          .first('id');
        if (!mine) return;
        await options.handlers[row.kind](job, trx);
        await trx(table).where({ id: row.id }).update({ done_at: trx.fn.now(), locked_until: null });
      });
    } catch (error) {
      console.error(`[events] job ${row.kind}/${row.key} failed (attempt ${row.attempts}):`, (error as Error).message);
      await rescheduleFailedJob(db, table, row, error, retryBaseMs);
    }
  };

  const run = async () => {
    try {
      for (;;) {
        if (stopped) return;
        const rows = await claimDueJobs(db, kinds, leaseMs, batchSize, options);
        for (const row of rows) await runOne(row);
        if (rows.length < batchSize) break;
      }
      const waiters = idleWaiters;
      idleWaiters = [];
      waiters.forEach((resolve) => resolve());
    } catch (error) {
      if (!stopped) console.error('[events] job runner:', (error as Error).message);
    }
  };

  const tick = () => {
    if (stopped || running || !kinds.length) return;
    clearTimeout(timer);
    running = run().finally(() => {
      running = null;
      if (!stopped) timer = setTimeout(tick, pollIntervalMs);
    });
  };
  tick();

  return {
    kick: tick,
    idle() {
      return new Promise<void>((resolve) => {
        idleWaiters.push(resolve);
        tick();
      });
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
      idleWaiters.forEach((resolve) => resolve());
      idleWaiters = [];
    },
  };
}
