/**
 * Periodic work on the durable job runner (e.g. product's and promote's hold sweeps): one job row per period,
 * keyed by the period's slot number (floor(time / interval)), so with several instances each period runs once,
 * and each run schedules the next. Every instance schedules the next slot at start-up (idempotent: same key), so
 * the chain restarts after anything that broke it.
 *
 * The body runs OUTSIDE the job's transaction (it calls other services; on embedded PGlite an open transaction
 * holds the only session). Until the runner itself runs handlers outside transactions (the i15-jobs contract),
 * the handler schedules the next slot in its transaction and starts the body detached; a run that fails is logged
 * and the next period tries again (periodic work has no obligation to retry a slot). A body still running when
 * its next slot comes is not started twice in one process.
 */
import type { Knex } from 'knex';
import { scheduleJob, type JobHandler } from './jobs';

export interface PeriodicTask {
  kind: string;
  /** Register under `kind` in the subgraph's `events.jobs`. */
  handler: JobHandler;
  /** Schedules the next slot (call at start-up; idempotent). */
  ensureScheduled(): Promise<void>;
  /** Runs the body now in this process (tests; skipped when a run is in flight, which it then awaits). */
  runNow(): Promise<void>;
  /** Waits for the run in flight. */
  stop(): Promise<void>;
}

export function periodicTask(options: {
  db: Knex;
  kind: string;
  intervalMs: number;
  body: (db: Knex) => Promise<void>;
  /** Log prefix, e.g. "[product] hold sweep". */
  label: string;
}): PeriodicTask {
  const { db, kind, body, label } = options;
  const intervalMs = Math.max(100, options.intervalMs);
  let inFlight: Promise<void> | null = null;
  let stopped = false;

  const nextSlot = (after?: number) => Math.max(after ?? 0, Math.floor(Date.now() / intervalMs)) + 1;
  const scheduleSlot = (trx: Knex, slot: number) =>
    scheduleJob(trx, { kind, key: String(slot), runAt: new Date(slot * intervalMs), payload: {} });

  const run = (): Promise<void> => {
    if (inFlight) return inFlight;
    inFlight = body(db)
      .catch((error) => console.error(`${label} failed:`, (error as Error).message))
      .finally(() => {
        inFlight = null;
      });
    return inFlight;
  };

  return {
    kind,
    // (Merge of i15-holds with the one runner: the next slot is scheduled in a fenced transaction with the run's "done".)
    handler: async (job, ctx) => {
      await ctx.fenced((trx) => scheduleSlot(trx, nextSlot(Number(job.key))), { complete: true });
      if (!stopped) void run();
    },
    async ensureScheduled() {
      await scheduleSlot(db, nextSlot());
    },
    runNow: run,
    async stop() {
      stopped = true;
      await inFlight;
    },
  };
}
