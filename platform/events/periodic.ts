/**
 * Periodic work (e.g. product's and promote's hold sweeps) as a periodic job of the subgraph's one job runner
 * (`events.periodic`, see jobs.ts): with several instances each period runs once, outside any transaction. A run
 * that fails is logged by the runner and the next period tries again. `runNow` runs the body in this process
 * (tests), never twice at once.
 */
import type { Knex } from 'knex';
import type { PeriodicJob } from './jobs';

export interface PeriodicTask {
  kind: string;
  /** Register in the subgraph's `events.periodic`. */
  job: PeriodicJob;
  /** Runs the body now in this process (tests; a run in flight is awaited instead). */
  runNow(): Promise<void>;
  /** Waits for the run in flight. */
  stop(): Promise<void>;
}

export function periodicTask(options: {
  db: Knex;
  kind: string;
  intervalMs: number;
  body: (db: Knex) => Promise<void>;
}): PeriodicTask {
  const { db, kind, body } = options;
  let inFlight: Promise<void> | null = null;
  const run = (): Promise<void> => {
    if (inFlight) return inFlight;
    inFlight = body(db).finally(() => {
      inFlight = null;
    });
    return inFlight;
  };
  return {
    kind,
    job: { kind, intervalMs: Math.max(100, options.intervalMs), handler: () => run() },
    runNow: run,
    async stop() {
      await inFlight?.catch(() => undefined);
    },
  };
}
