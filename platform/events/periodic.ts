/**
 * Periodic work on the durable job runner (e.g. product's and promote's hold sweeps): one job row per period, keyed
 * by the interval and the period's number (`<intervalMs>:<floor(time / interval)>`), so however many instances run,
 * each period runs once. Every instance, once per interval, makes sure the row of the next period exists (an
 * idempotent insert of the same key), so no run depends on a previous one having scheduled it, and a change of
 * interval simply stops the old keys when the last instance with the old setting stops.
 *
 * The body runs OUTSIDE the job's transaction (it calls other services; on embedded PGlite an open transaction
 * holds the only session). Until the runner itself runs handlers outside transactions (the i15-jobs contract), the
 * handler starts the body detached and returns; a run that fails is logged and the next period tries again
 * (periodic work has no obligation to retry a period). A body still running when its next period comes is not
 * started twice in one process.
 */
import type { Knex } from 'knex';
import { scheduleJob, type JobHandler } from './jobs';

export interface PeriodicTask {
  kind: string;
  /** Register under `kind` in the subgraph's `events.jobs`. */
  handler: JobHandler;
  /** Starts scheduling the periods (an unref'd timer: one idempotent insert per interval). */
  start(): void;
  /** Runs the body now in this process (tests; when a run is in flight, waits for it instead). */
  runNow(): Promise<void>;
  /** Stops scheduling and waits for the run in flight. */
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
  let timer: NodeJS.Timeout | undefined;
  let failing = false;

  const scheduleNext = async () => {
    const slot = Math.floor(Date.now() / intervalMs) + 1;
    try {
      await scheduleJob(db, { kind, key: `${intervalMs}:${slot}`, runAt: new Date(slot * intervalMs), payload: {} });
      failing = false;
    } catch (error) {
      // Logged once per outage (the database is down: nothing to sweep either).
      if (!failing && !stopped) console.error(`${label}: scheduling failed:`, (error as Error).message);
      failing = true;
    }
  };

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
    handler: async () => {
      if (!stopped) void run();
    },
    start() {
      if (timer || stopped) return;
      void scheduleNext();
      timer = setInterval(() => void scheduleNext(), intervalMs);
      timer.unref();
    },
    runNow: run,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await inFlight;
    },
  };
}
