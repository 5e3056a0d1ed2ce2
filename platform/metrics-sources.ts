/**
 * What a subgraph's process reports at scrape time (platform/metrics.ts): its knex pool, its event tables (the oldest
 * unpublished outbox row, due and dead jobs) and the Redis streams its consumers read. Each read is one cheap statement
 * on an index (the outbox's and the jobs' partial indexes), cut off by the metrics' collect timeout.
 */
import type { Knex } from 'knex';
import type { EventBus } from './events/bus';
import type { Metrics } from './metrics';
import type { ReadCache } from './read-cache';

/** The tarn pool knex keeps (not in knex's types). */
interface TarnPool {
  numUsed(): number;
  numFree(): number;
  numPendingAcquires(): number;
}

/** `shop_db_pool_connections{service,state}`: read from the pool itself, no statement. */
export function watchDbPool(metrics: Metrics, service: string, db: Knex) {
  metrics.gaugeSource('shop_db_pool_connections', `${service}.db_pool`, () => {
    const pool = (db.client as { pool?: TarnPool }).pool;
    if (!pool) return [];
    return [
      { labels: { service, state: 'used' }, value: pool.numUsed() },
      { labels: { service, state: 'free' }, value: pool.numFree() },
      { labels: { service, state: 'pending' }, value: pool.numPendingAcquires() },
    ];
  });
}

/**
 * A subgraph's event tables (platform/events/tables.ts, in its own schema): `shop_jobs_queued` (jobs due now and not
 * finished: waiting or running), `shop_jobs_dead` and, when it relays an outbox, `shop_outbox_oldest_age_seconds`.
 */
export function watchEventTables(metrics: Metrics, service: string, db: Knex, options: { outbox: boolean }) {
  // Both counts from the rows the partial index jobs_due covers (not done, not cancelled): dead rows are among them.
  const jobs = async () => {
    const { rows } = await db.raw<{ rows: { queued: string; dead: string }[] }>(
      `SELECT count(*) FILTER (WHERE dead_at IS NULL AND run_at <= now()) AS queued, count(*) FILTER (WHERE dead_at IS NOT NULL) AS dead
         FROM jobs WHERE done_at IS NULL AND cancelled_at IS NULL`,
    );
    return rows[0];
  };
  // One read serves both gauges of a scrape (the second waits on the first's promise).
  let shared: { at: number; read: Promise<{ queued: string; dead: string }> } | undefined;
  const jobCounts = () => {
    if (!shared || Date.now() - shared.at > 500) shared = { at: Date.now(), read: jobs() };
    return shared.read;
  };
  metrics.gaugeSource('shop_jobs_queued', `${service}.jobs`, async () => [{ labels: { queue: service }, value: Number((await jobCounts()).queued) }]);
  metrics.gaugeSource('shop_jobs_dead', `${service}.jobs`, async () => [{ labels: { queue: service }, value: Number((await jobCounts()).dead) }]);
  if (!options.outbox) return;
  metrics.gaugeSource('shop_outbox_oldest_age_seconds', `${service}.outbox`, async () => {
    // The oldest unpublished row by id, through the partial index outbox_unpublished.
    const { rows } = await db.raw<{ rows: { age: string | null }[] }>(
      `SELECT extract(epoch FROM now() - created_at) AS age FROM outbox WHERE published_at IS NULL ORDER BY id LIMIT 1`,
    );
    return [{ labels: { service }, value: rows.length ? Math.max(0, Number(rows[0].age)) : 0 }];
  });
}

/** `shop_stream_pending{stream,group}` of the consumer groups joined in this process (Redis only). */
export function watchStreams(metrics: Metrics, bus: EventBus) {
  const pendingCounts = bus.pendingCounts?.bind(bus);
  if (!pendingCounts) return;
  metrics.gaugeSource('shop_stream_pending', 'streams', async () =>
    (await pendingCounts()).map(({ stream, group, pending }) => ({ labels: { stream, group }, value: pending })),
  );
}

/** A read cache's own counters (platform/read-cache.ts) as `shop_cache_requests_total{cache="<name>.<kind>"}`. */
export function watchReadCache(metrics: Metrics, name: string, cache: ReadCache) {
  metrics.counterSource('shop_cache_requests_total', `${name}.cache`, () =>
    Object.entries(cache.stats().kinds).flatMap(([kind, counts]) => [
      { labels: { cache: `${name}.${kind}`, result: 'hit' }, value: counts.memoryHits + counts.sharedHits },
      // Read from the database: looked up and missing, or not looked up (Redis not ready).
      { labels: { cache: `${name}.${kind}`, result: 'miss' }, value: counts.misses + counts.bypassed },
    ]),
  );
}
