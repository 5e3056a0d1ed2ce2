/**
 * Retention of the event tables, run by every subgraph with events as the periodic job `events.prune`
 * (runtime.ts): published outbox rows, processed event ids, finished and dead jobs are deleted after their
 * retention, and the subgraph's own Redis streams (`shop.<subgraph>.*`) are trimmed by age. What is never pruned, and
 * why once-only guarantees survive the pruning, is in docs/events.md ("Retention").
 *
 * Deletes go in batches (one short statement each) so a first prune of a long history never holds locks for long.
 * Every statement carries the SQL comment "background" (slash-star background star-slash): it is nobody's request, so platform/db.ts's countStatements leaves it
 * out of a request's statement count.
 */
import type { Knex } from 'knex';
import type { EventBus } from './bus';
import { PERIODIC_KEY, type JobHandler } from './jobs';
import { eventTable, type EventTablesOptions } from './tables';
import { logger } from '../log';

const log = logger({ component: 'events' });

export const PRUNE_JOB = 'events.prune';

export interface RetentionPolicy {
  /** Published outbox rows older than this (by published_at) go. */
  outboxMs: number;
  /** Processed event ids older than this go; must exceed how long a redelivery of the event can still come. */
  processedMs: number;
  /** Done and cancelled jobs older than this (by done_at / cancelled_at) go. */
  jobsMs: number;
  /** Dead-lettered jobs older than this (by dead_at) go. */
  deadJobsMs: number;
  /** Stream entries older than this are trimmed (Redis). */
  streamMs: number;
}

export interface PruneResult {
  outbox: number;
  processedEvents: number;
  jobs: number;
  /** Dead-lettered events (`dead_events`, by dead_at, with the dead jobs' retention). */
  deadEvents: number;
  streamEntries: number;
}

const BATCH = 1000;

// The tag countStatements (platform/db.ts) ignores: retention runs on the request pool at its own pace.
const BACKGROUND = '/* background */ ';

async function deleteInBatches(db: Knex, sql: string, bindings: Knex.RawBinding[]): Promise<number> {
  let total = 0;
  for (;;) {
    const result = await db.raw(BACKGROUND + sql, [...bindings, BATCH]);
    const count = Number(result.rowCount ?? result.rows?.length ?? 0);
    total += count;
    if (count < BATCH) return total;
  }
}

/** Prunes one subgraph's event tables (and, with `streams`, its Redis streams). */
export async function pruneEvents(
  db: Knex,
  policy: RetentionPolicy,
  options: EventTablesOptions & { streams?: { bus: EventBus; prefix: string } } = {},
): Promise<PruneResult> {
  const outbox = eventTable(options, 'outbox');
  const processed = eventTable(options, 'processed_events');
  const jobs = eventTable(options, 'jobs');
  const ms = "? * interval '1 millisecond'";
  // Streams first: an entry is gone before (never after) the processed id that guards against its redelivery.
  const streamEntries = options.streams ? await options.streams.bus.trimStreams(options.streams.prefix, policy.streamMs) : 0;
  const result: PruneResult = {
    streamEntries,
    // Only published rows: an unpublished row is an event still owed to the bus.
    outbox: await deleteInBatches(
      db,
      `DELETE FROM ?? WHERE id IN (SELECT id FROM ?? WHERE published_at IS NOT NULL AND published_at < now() - ${ms} LIMIT ?)`,
      [outbox, outbox, policy.outboxMs],
    ),
    processedEvents: await deleteInBatches(
      db,
      `DELETE FROM ?? WHERE ctid IN (SELECT ctid FROM ?? WHERE processed_at < now() - ${ms} LIMIT ?)`,
      [processed, processed, policy.processedMs],
    ),
    // Finished or dead only; a periodic job's row is never finished, so it stays.
    jobs: await deleteInBatches(
      db,
      `DELETE FROM ?? WHERE id IN (SELECT id FROM ?? WHERE key <> ? AND (
         ((done_at IS NOT NULL OR cancelled_at IS NOT NULL) AND coalesce(done_at, cancelled_at) < now() - ${ms})
         OR (dead_at IS NOT NULL AND dead_at < now() - ${ms})) LIMIT ?)`,
      [jobs, jobs, PERIODIC_KEY, policy.jobsMs, policy.deadJobsMs],
    ),
    deadEvents: 0,
  };
  // Only where the consumers' dead letters exist (eventTablesV3Migration).
  const deadEvents = eventTable(options, 'dead_events');
  const exists = await db.raw(`${BACKGROUND}SELECT to_regclass(?) AS t`, [deadEvents]);
  if (exists.rows[0]?.t) {
    result.deadEvents = await deleteInBatches(
      db,
      `DELETE FROM ?? WHERE id IN (SELECT id FROM ?? WHERE dead_at < now() - ${ms} LIMIT ?)`,
      [deadEvents, deadEvents, policy.deadJobsMs],
    );
  }
  return result;
}

/** The periodic job of one subgraph: prune its tables, trim its streams, log what went (when anything did). */
export function pruneJob(name: string, policy: RetentionPolicy, bus?: EventBus, tables: EventTablesOptions = {}): JobHandler {
  return async (_job, ctx) => {
    const result = await pruneEvents(ctx.db, policy, { ...tables, streams: bus ? { bus, prefix: `shop.${name}.` } : undefined });
    if (result.outbox || result.processedEvents || result.jobs || result.deadEvents || result.streamEntries) {
      log.info(
        { subgraph: name, ...result },
        `${name} pruned ${result.outbox} outbox rows, ${result.processedEvents} processed ids, ${result.jobs} jobs, ${result.deadEvents} dead events, ${result.streamEntries} stream entries`,
      );
    }
  };
}
