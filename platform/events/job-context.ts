/**
 * TEMPORARY bridge to the job-runner contract of branch i15-jobs (see COMMON.md): handlers written as
 * `(job, ctx: JobContext)` — service calls in the body, database effects inside `ctx.fenced` — run on today's runner,
 * which calls `(job, trx)` inside a transaction holding the job row. Here `fenced` runs in that transaction (so
 * "complete" is what the runner does when the handler returns) and `db` is that transaction too (on embedded PGlite,
 * one session: a query outside it would wait for it). Once i15-jobs is in main, handlers register directly and this
 * file goes.
 */
import type { Knex } from 'knex';
import type { Job, JobHandler } from './jobs';

export interface JobContext {
  db: Knex;
  fenced<T>(fn: (trx: Knex.Transaction) => Promise<T>, options?: { complete?: boolean }): Promise<T>;
}

export type ContractJobHandler<P = any> = (job: Job<P>, ctx: JobContext) => Promise<void>;

/** Runs a contract handler on today's `(job, trx)` runner. */
export function onLegacyRunner<P>(handler: ContractJobHandler<P>): JobHandler<P> {
  return (job, trx) => handler(job, { db: trx, fenced: (fn) => fn(trx) });
}

/** The same for a whole map of handlers. */
export function onLegacyRunnerAll(handlers: Record<string, ContractJobHandler>): Record<string, JobHandler> {
  return Object.fromEntries(Object.entries(handlers).map(([kind, handler]) => [kind, onLegacyRunner(handler)]));
}
