/**
 * The job-runner contract of branch i15-jobs (COMMON.md): a handler runs outside any transaction and does its
 * once-only database effect in `ctx.fenced(trx => …)`. Until that runner is in main, `onCurrentRunner` adapts such a
 * handler to today's runner, which already holds a transaction around the handler: `fenced` then runs in it (so,
 * for now, provider calls still happen inside that transaction — the new runner removes this).
 */
import type { Knex } from 'knex';
import type { Job } from '../../platform/events';

export interface JobContext {
  db: Knex;
  fenced<T>(fn: (trx: Knex.Transaction) => Promise<T>, options?: { complete?: boolean }): Promise<T>;
}

export type ContractJobHandler<P = any> = (job: Job<P>, ctx: JobContext) => Promise<void>;

export function onCurrentRunner<P>(handler: ContractJobHandler<P>): (job: Job<P>, trx: Knex.Transaction) => Promise<void> {
  // ctx.db is the job's transaction too: on embedded PGlite a second connection would wait for it (one session).
  return (job, trx) => handler(job, { db: trx as unknown as Knex, fenced: (fn) => fn(trx) });
}
