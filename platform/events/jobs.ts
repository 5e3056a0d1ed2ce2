/**
 * Durable jobs in the owner's `jobs` table: every cross-service obligation (tell order a payment succeeded, pay a
 * refund back, release an order's stock and coupon, …), delayed work (auto-cancel of unpaid orders) and periodic
 * sweeps. They survive restarts, and with several instances each due job runs once at a time.
 *
 * ONE runner per subgraph process (started by runtime.ts from the subgraph's `events.jobs` / `events.periodic`):
 *  - claim: due jobs get a lease (`locked_until`) and a fencing token (`lock_token`) in one
 *    `UPDATE … WHERE id IN (SELECT … FOR UPDATE SKIP LOCKED)`; `attempts` counts claims;
 *  - run: the handler runs OUTSIDE any transaction with `ctx = { db, fenced }`, so a service or provider call never
 *    holds a connection, a transaction or a row lock. Its database effects go in short `ctx.fenced(fn)` transactions
 *    that first re-lock the job row and check the token: a runner whose lease ran out and whose job was taken over
 *    gets `JobClaimLost` and commits nothing. `fenced(fn, { complete: true })` also marks the job done in that same
 *    transaction (a once-only effect and "done" commit together);
 *  - finish: when the handler returns the job is marked done (fenced by the token); when it throws, it is retried
 *    with exponential backoff (base × 2^(attempt-1), capped at 5 min, ±10 % jitter); after `maxAttempts` claims it is
 *    dead-lettered (`dead_at`): never claimed again, logged once (by the one runner whose conditional update won) and
 *    counted. `requeueDeadJob` (scripts/jobs.ts) puts it back.
 * Up to `concurrency` jobs run at once per runner, so one slow callee never stalls the other jobs of the instance.
 * While a handler runs, its lease is renewed (only while it has not expired: an expired lease is never revived).
 * Delivery is at least once: handlers must be idempotent for anything outside `fenced` (service calls carry their own
 * idempotency keys); inside `fenced`, with the token check, effects happen once.
 */
import crypto from 'node:crypto';
import type { Knex } from 'knex';
import { eventTable, type EventTablesOptions } from './tables';
import { logger } from '../log';

const jobsLog = logger({ component: 'jobs' });

export interface Job<TPayload = any> {
  id: string;
  kind: string;
  key: string;
  runAt: Date;
  payload: TPayload;
  /** 1 on the first run; counts claims, so runs that crashed count too. */
  attempts: number;
}

export interface JobContext {
  db: Knex;
  /**
   * A transaction that first re-locks the job row and checks this run still holds its claim (fencing token); throws
   * JobClaimLost otherwise. With { complete: true } the job is marked done in that same transaction, so a once-only
   * database effect and "done" commit together. Never call a service inside `fn`.
   */
  fenced<T>(fn: (trx: Knex.Transaction) => Promise<T>, options?: { complete?: boolean }): Promise<T>;
}

export type JobHandler<TPayload = any> = (job: Job<TPayload>, ctx: JobContext) => Promise<void>;

/** A job that runs once per `intervalMs` across every instance: one row with the fixed key `periodic`. */
export interface PeriodicJob {
  kind: string;
  intervalMs: number;
  handler: JobHandler;
}

export const PERIODIC_KEY = 'periodic';

/** This run no longer holds the job: its lease expired and another runner claimed it, or it was cancelled/completed. */
export class JobClaimLost extends Error {
  constructor(readonly job: Pick<Job, 'id' | 'kind' | 'key'>) {
    super(`job ${job.kind}/${job.key} (${job.id}): claim lost`);
    this.name = 'JobClaimLost';
  }
}

export interface ScheduleJobInput<TPayload = unknown> {
  kind: string;
  /** Unique per kind (e.g. the order id): scheduling the same (kind, key) again is idempotent. */
  key: string | number;
  runAt: Date;
  payload?: TPayload;
  /**
   * When (kind, key) exists: 'keep' (default) leaves it as it is — a redelivered event or retried request schedules
   * nothing new; 'replace' moves run_at and payload of a job not yet done, cancelled or dead.
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
         WHERE j.done_at IS NULL AND j.cancelled_at IS NULL AND j.dead_at IS NULL`
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
    .whereNull('dead_at')
    .update({ cancelled_at: trx.fn.now() });
  return Number(count) > 0;
}

export interface ClaimedJobRow {
  id: string;
  kind: string;
  key: string;
  run_at: Date;
  payload: unknown;
  attempts: number;
  lock_token: string;
}

const RETURNING = 'RETURNING id, kind, key, run_at, payload, attempts, lock_token';
const PENDING = 'done_at IS NULL AND cancelled_at IS NULL AND dead_at IS NULL';

/**
 * Claims up to `limit` due jobs of the given kinds for `leaseMs`, each with a fresh fencing token (what a runner does
 * before running them; exported for tests that need a runner to "die" right after claiming).
 */
export async function claimDueJobs(
  db: Knex,
  kinds: string[],
  leaseMs: number,
  limit: number,
  options?: EventTablesOptions & { running?: string[] },
): Promise<ClaimedJobRow[]> {
  if (!kinds.length || limit < 1) return [];
  const table = eventTable(options, 'jobs');
  // A runner never claims a job it is itself still running (its lease may have lapsed while it was busy).
  const result = await db.raw(
    `UPDATE ?? SET locked_until = now() + ? * interval '1 millisecond', lock_token = gen_random_uuid(), attempts = attempts + 1
     WHERE id IN (
       SELECT id FROM ?? WHERE kind = ANY(?) AND ${PENDING} AND run_at <= now()
         AND (locked_until IS NULL OR locked_until < now()) AND NOT (id = ANY(?::bigint[]))
       ORDER BY run_at LIMIT ? FOR UPDATE SKIP LOCKED)
     ${RETURNING}`,
    [table, leaseMs, table, kinds, options?.running ?? [], limit],
  );
  return result.rows.map((row: ClaimedJobRow) => ({ ...row, id: String(row.id) }));
}

/** Claims one pending job by (kind, key) whatever its run_at, unless another run holds it (runNow). */
export async function claimJob(
  db: Knex,
  kind: string,
  key: string,
  leaseMs: number,
  options?: EventTablesOptions,
): Promise<ClaimedJobRow | undefined> {
  const table = eventTable(options, 'jobs');
  const result = await db.raw(
    `UPDATE ?? SET locked_until = now() + ? * interval '1 millisecond', lock_token = ?, attempts = attempts + 1
     WHERE kind = ? AND key = ? AND ${PENDING} AND (locked_until IS NULL OR locked_until < now())
     ${RETURNING}`,
    [table, leaseMs, crypto.randomUUID(), kind, key],
  );
  const row = result.rows[0] as ClaimedJobRow | undefined;
  return row && { ...row, id: String(row.id) };
}

/** The retry delay after `attempts` failed runs: base × 2^(attempts-1), at most `capMs`, ±10 % jitter. */
export function backoffMs(attempts: number, baseMs: number, capMs = RETRY_CAP_MS, random = Math.random): number {
  const delay = Math.min(capMs, baseMs * 2 ** Math.min(Math.max(attempts - 1, 0), 30));
  return Math.round(delay * (0.9 + 0.2 * random()));
}

/** The longest retry delay (as before the one runner: 5 minutes). */
export const RETRY_CAP_MS = 300_000;

export interface JobRunnerStats {
  /** Jobs running now (claimed and not finished). */
  running: number;
  claimed: number;
  done: number;
  /** Failed attempts that will be retried. */
  retried: number;
  /** Jobs this runner dead-lettered (each logged once). */
  deadLettered: number;
  /** Runs that found their claim lost (lease expired and taken over, or cancelled meanwhile). */
  claimsLost: number;
}

export interface JobRunnerOptions extends EventTablesOptions {
  db: Knex;
  handlers: Record<string, JobHandler>;
  /** Jobs that run once per interval across every instance. */
  periodic?: PeriodicJob[];
  /** For logs (e.g. the subgraph name). */
  name?: string;
  /** How often to look for due jobs (default 1000 ms). */
  pollIntervalMs?: number;
  /** How long a claim lasts without renewal before another instance may take the job over (default 60 s). */
  leaseMs?: number;
  /** Jobs running at once (default 4). */
  concurrency?: number;
  /** First retry delay after a failure, doubling up to 5 minutes (default 1000 ms). */
  retryBaseMs?: number;
  /** Failed (or crashed) runs after which a job is dead-lettered (default 300: about a day of 5-minute retries). */
  maxAttempts?: number;
}

export interface JobRunner {
  /** Runs the pending job (kind, key) now, whatever its run_at, unless another run holds it; resolves when it finished
   *  (a failure is recorded and retried later, never thrown). Lets a request have its obligation done before answering. */
  runNow(kind: string, key: string | number): Promise<void>;
  /** Look for due jobs now. */
  kick(): void;
  /** Stops claiming and waits for the jobs in flight. */
  stop(): Promise<void>;
  /** Resolves after the next poll that found nothing due and nothing running (tests). */
  idle(): Promise<void>;
  stats(): JobRunnerStats;
}

/** What a request needs of its subgraph's runner: run an obligation it just scheduled right away. */
export type JobTrigger = Pick<JobRunner, 'runNow'>;

export function startJobRunner(options: JobRunnerOptions): JobRunner {
  const { db } = options;
  const table = eventTable(options, 'jobs');
  const name = options.name ? `${options.name} ` : '';
  const periodic = new Map((options.periodic ?? []).map((p) => [p.kind, p]));
  const handlers: Record<string, JobHandler> = { ...options.handlers };
  for (const p of periodic.values()) handlers[p.kind] = p.handler;
  const kinds = Object.keys(handlers);
  const pollIntervalMs = options.pollIntervalMs ?? 1000;
  const leaseMs = options.leaseMs ?? 60_000;
  const concurrency = Math.max(1, options.concurrency ?? 4);
  const retryBaseMs = options.retryBaseMs ?? 1000;
  const maxAttempts = Math.max(1, options.maxAttempts ?? 300);
  const counters: JobRunnerStats = { running: 0, claimed: 0, done: 0, retried: 0, deadLettered: 0, claimsLost: 0 };
  const inFlight = new Set<Promise<void>>();
  const runningIds = new Set<string>();
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let polling: Promise<void> | null = null;
  let again = false;
  let idleWaiters: (() => void)[] = [];

  const log = (level: 'warn' | 'error', row: ClaimedJobRow, message: string) =>
    jobsLog[level]({ runner: options.name, kind: row.kind, key: row.key, jobId: row.id, attempt: row.attempts }, `${name}${row.kind}/${row.key} (job ${row.id}, attempt ${row.attempts}): ${message}`);

  /** Conditional on the token: an update by a run that lost its claim changes nothing. */
  const ours = (row: ClaimedJobRow, q: Knex | Knex.Transaction = db) =>
    q(table).where({ id: row.id, lock_token: row.lock_token }).whereNull('done_at').whereNull('cancelled_at').whereNull('dead_at');

  const contextFor = (row: ClaimedJobRow, state: { completed: boolean }): JobContext => ({
    db,
    async fenced(fn, fencedOptions) {
      return db.transaction(async (trx) => {
        // Re-lock the job row: a claim query skips it meanwhile, and a takeover (new token) shows here.
        const held = await ours(row, trx).forUpdate().first('id');
        if (!held) throw new JobClaimLost(row);
        const result = await fn(trx);
        if (fencedOptions?.complete) {
          await finishDone(row, trx);
          state.completed = true;
        }
        return result;
      });
    },
  });

  /** Done; a periodic job is rescheduled one interval later instead (it is never "done"). */
  const finishDone = async (row: ClaimedJobRow, q: Knex | Knex.Transaction): Promise<boolean> => {
    const every = periodic.get(row.kind);
    const count = every
      ? await ours(row, q).update({
          run_at: q.raw("now() + ? * interval '1 millisecond'", [every.intervalMs]),
          attempts: 0,
          locked_until: null,
          lock_token: null,
        })
      : await ours(row, q).update({ done_at: q.fn.now(), locked_until: null });
    return Number(count) > 0;
  };

  const failed = async (row: ClaimedJobRow, error: unknown) => {
    const message = String((error as Error)?.message ?? error).slice(0, 2000);
    const every = periodic.get(row.kind);
    if (!every && row.attempts >= maxAttempts) {
      // Only the run still holding the claim can dead-letter: one log line and one count per job, whatever races.
      const count = await ours(row).update({ dead_at: db.fn.now(), locked_until: null, lock_token: null, last_error: message });
      if (Number(count) > 0) {
        counters.deadLettered += 1;
        log('error', row, `DEAD-LETTERED after ${row.attempts} attempts (npm run jobs -- retry ${options.name ?? '<subgraph>'} ${row.id}): ${message}`);
      } else counters.claimsLost += 1;
      return;
    }
    // A periodic job retries within its interval at the latest.
    const delay = backoffMs(row.attempts, retryBaseMs, every ? Math.min(RETRY_CAP_MS, every.intervalMs) : RETRY_CAP_MS);
    const count = await ours(row).update({
      locked_until: null,
      lock_token: null,
      run_at: db.raw("now() + ? * interval '1 millisecond'", [delay]),
      last_error: message,
    });
    if (!Number(count)) {
      counters.claimsLost += 1;
      return;
    }
    counters.retried += 1;
    // A day-long outage is ~300 failures per job: log the first few and then every 25th, not each one.
    if (row.attempts <= 3 || row.attempts % 25 === 0) log('warn', row, `failed, retrying in ${delay} ms: ${message}`);
  };

  const execute = async (row: ClaimedJobRow): Promise<void> => {
    counters.running += 1;
    counters.claimed += 1;
    const state = { completed: false };
    // Keep the lease while the handler runs; a lease that already expired is not revived (someone may own it now).
    const heartbeat = setInterval(() => {
      void ours(row)
        .where('locked_until', '>', db.fn.now())
        .update({ locked_until: db.raw("now() + ? * interval '1 millisecond'", [leaseMs]) })
        .catch(() => undefined);
    }, Math.max(20, Math.floor(leaseMs / 3)));
    try {
      const handler = handlers[row.kind];
      if (row.attempts > maxAttempts && !periodic.has(row.kind)) {
        // Claimed again and again without a recorded end: its runs crash the process (or outlive every lease).
        throw new Error(`claimed ${row.attempts} times without finishing`);
      }
      const job: Job = { id: row.id, kind: row.kind, key: row.key, runAt: new Date(row.run_at), payload: row.payload, attempts: row.attempts };
      await handler(job, contextFor(row, state));
      clearInterval(heartbeat);
      if (state.completed || (await finishDone(row, db))) counters.done += 1;
      else {
        counters.claimsLost += 1;
        log('warn', row, 'finished, but its claim was lost meanwhile (lease expired and taken over, or cancelled): not marked done here');
      }
    } catch (error) {
      clearInterval(heartbeat);
      if (error instanceof JobClaimLost) {
        counters.claimsLost += 1;
        log('warn', row, 'claim lost (lease expired and taken over, or cancelled): nothing committed');
      } else {
        await failed(row, error).catch((e) => log('error', row, `could not record the failure: ${(e as Error).message}`));
      }
    } finally {
      clearInterval(heartbeat);
      counters.running -= 1;
    }
  };

  const launch = (row: ClaimedJobRow) => {
    runningIds.add(row.id);
    const run = execute(row).finally(() => {
      inFlight.delete(run);
      runningIds.delete(row.id);
      tick(); // a slot is free
    });
    inFlight.add(run);
  };

  const poll = async () => {
    try {
      do {
        again = false;
        while (!stopped && inFlight.size < concurrency) {
          const free = concurrency - inFlight.size;
          const rows = await claimDueJobs(db, kinds, leaseMs, free, { ...options, running: [...runningIds] });
          rows.forEach(launch);
          if (rows.length < free) break;
        }
      } while (again && !stopped);
      if (!inFlight.size) {
        const waiters = idleWaiters;
        idleWaiters = [];
        waiters.forEach((resolve) => resolve());
      }
    } catch (error) {
      if (!stopped) jobsLog.error({ err: error, runner: options.name }, `${name}runner: ${(error as Error).message}`);
    }
  };

  const tick = () => {
    if (stopped || !kinds.length) return;
    if (polling) {
      again = true;
      return;
    }
    clearTimeout(timer);
    polling = poll().finally(() => {
      polling = null;
      if (!stopped) timer = setTimeout(tick, pollIntervalMs);
    });
  };

  // Periodic jobs exist as one row each; a shorter interval than the stored schedule takes effect now.
  const declarePeriodic = async () => {
    for (const p of periodic.values()) {
      await db.raw(
        `INSERT INTO ?? AS j (kind, key, run_at) VALUES (?, ?, now())
         ON CONFLICT (kind, key) DO UPDATE SET done_at = NULL, cancelled_at = NULL, dead_at = NULL,
           run_at = LEAST(j.run_at, now() + ? * interval '1 millisecond')`,
        [table, p.kind, PERIODIC_KEY, p.intervalMs],
      );
    }
  };
  void declarePeriodic()
    .catch((error) => jobsLog.error({ err: error, runner: options.name }, `${name}declaring periodic jobs: ${(error as Error).message}`))
    .finally(tick);

  return {
    async runNow(kind, key) {
      if (stopped || !handlers[kind]) return;
      const row = await claimJob(db, kind, String(key), leaseMs, options).catch((error) => {
        jobsLog.error({ err: error, runner: options.name, kind, key: String(key) }, `${name}runNow ${kind}/${key}: ${(error as Error).message}`);
        return undefined;
      });
      if (!row) return;
      runningIds.add(row.id);
      const run = execute(row);
      inFlight.add(run);
      await run.finally(() => {
        inFlight.delete(run);
        runningIds.delete(row.id);
      });
    },
    kick: tick,
    idle() {
      return new Promise<void>((resolve) => {
        idleWaiters.push(resolve);
        tick();
      });
    },
    stats: () => ({ ...counters }),
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await polling;
      await Promise.all([...inFlight]);
      idleWaiters.forEach((resolve) => resolve());
      idleWaiters = [];
    },
  };
}

/** A trigger that does nothing until bound to the runner (the runner starts after the subgraph's server). */
export function deferredJobTrigger(): JobTrigger & { bind(runner: JobTrigger | undefined): void } {
  let target: JobTrigger | undefined;
  return {
    bind(runner) {
      target = runner;
    },
    // Before the runner exists the job simply waits for its first poll: it is durable either way.
    runNow: async (kind, key) => target?.runNow(kind, key),
  };
}
