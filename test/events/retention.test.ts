/**
 * Retention: pruning deletes exactly what its policy says (published outbox rows, processed ids, finished and dead
 * jobs after their retentions) and never what a guarantee still needs (unpublished rows, pending or running jobs,
 * periodic job rows); Redis streams are trimmed by age, only the producer's own; a processed-id retention shorter than
 * the streams' is refused at start-up; the prune job runs as a periodic job.
 */
import crypto from 'node:crypto';
import { createClient } from 'redis';
import { loadConfig } from '../../platform/config';
import { countStatements } from '../../platform/db';
import { createRedisEventBus } from '../../platform/events/redis-bus';
import { PERIODIC_KEY, startJobRunner } from '../../platform/events/jobs';
import { pruneEvents, pruneJob, PRUNE_JOB, type RetentionPolicy } from '../../platform/events/retention';
import { createEventsTestDb, waitFor, type EventsTestDb } from '../support/events-db';

const HOUR = 3600_000;
let env: EventsTestDb;
beforeAll(async () => {
  env = await createEventsTestDb('events_retention');
});
afterAll(async () => {
  await env.drop();
});

const table = (name: string) => `${env.schema}.${name}`;
const hoursAgo = (hours: number) => env.db.raw(`now() - ? * interval '1 hour'`, [hours]);
const policy: RetentionPolicy = { outboxMs: 24 * HOUR, processedMs: 200 * HOUR, jobsMs: 48 * HOUR, deadJobsMs: 500 * HOUR, streamMs: 168 * HOUR };

async function outboxRow(label: string, publishedHoursAgo: number | null, createdHoursAgo = 1000) {
  await env.db(table('outbox')).insert({
    event_id: crypto.randomUUID(),
    stream: 'shop.test.thing',
    type: label,
    aggregate_id: label,
    payload: '{}',
    created_at: hoursAgo(createdHoursAgo),
    published_at: publishedHoursAgo === null ? null : hoursAgo(publishedHoursAgo),
  });
}

async function job(key: string, columns: Record<string, unknown>) {
  await env.db(table('jobs')).insert({ kind: 'retention', key, run_at: hoursAgo(1000), ...columns });
}

it('prunes only what is past its retention and never what a guarantee still needs', async () => {
  await outboxRow('old-published', 25);
  await outboxRow('recent-published', 23);
  await outboxRow('old-unpublished', null); // still owed to the bus, however old
  for (const [consumer, hours] of [['old', 201], ['recent', 199]] as const) {
    await env.db(table('processed_events')).insert({ consumer, event_id: crypto.randomUUID(), processed_at: hoursAgo(hours) });
  }
  await job('done-old', { done_at: hoursAgo(49) });
  await job('done-recent', { done_at: hoursAgo(47) });
  await job('cancelled-old', { cancelled_at: hoursAgo(49) });
  await job('dead-old', { dead_at: hoursAgo(501) });
  await job('dead-recent', { dead_at: hoursAgo(499) }); // older than the jobs' retention: dead ones are kept longer
  await job('pending-old', {}); // never run yet
  await job('running-old', { locked_until: env.db.raw("now() + interval '1 minute'"), lock_token: crypto.randomUUID() });
  await env.db(table('jobs')).insert({ kind: PRUNE_JOB, key: PERIODIC_KEY, run_at: hoursAgo(1000) });

  const result = await pruneEvents(env.db, policy, { schema: env.schema });
  expect(result).toEqual({ outbox: 1, processedEvents: 1, jobs: 3, deadEvents: 0, streamEntries: 0 });
  expect((await env.db(table('outbox')).orderBy('id')).map((r) => r.type)).toEqual(['recent-published', 'old-unpublished']);
  expect((await env.db(table('processed_events'))).map((r) => r.consumer)).toEqual(['recent']);
  expect((await env.db(table('jobs')).orderBy('id')).map((r) => r.key)).toEqual(['done-recent', 'dead-recent', 'pending-old', 'running-old', PERIODIC_KEY]);
  // A second prune finds nothing more.
  expect(await pruneEvents(env.db, policy, { schema: env.schema })).toEqual({ outbox: 0, processedEvents: 0, jobs: 0, deadEvents: 0, streamEntries: 0 });
});

it('is nobody\'s request: a statement counter running meanwhile counts none of its statements', async () => {
  await outboxRow('counted-old', 30);
  const counter = countStatements(env.db);
  try {
    const result = await pruneEvents(env.db, policy, { schema: env.schema });
    expect(result.outbox).toBe(1);
    expect(counter.statements).toEqual([]);
  } finally {
    counter.stop();
  }
});

it('deletes a long history in batches', async () => {
  await env.db.raw(
    `INSERT INTO ?? (event_id, stream, type, aggregate_id, payload, created_at, published_at)
     SELECT gen_random_uuid(), 'shop.test.thing', 'bulk', i::text, '{}', now() - interval '30 days', now() - interval '30 days'
     FROM generate_series(1, 2500) AS i`,
    [table('outbox')],
  );
  const result = await pruneEvents(env.db, policy, { schema: env.schema });
  expect(result.outbox).toBe(2500);
  expect(await env.db(table('outbox')).where({ type: 'bulk' })).toHaveLength(0);
});

it('runs as a periodic job of the subgraph', async () => {
  await outboxRow('periodic-old', 100);
  const runner = startJobRunner({
    db: env.openPool(),
    schema: env.schema,
    pollIntervalMs: 20,
    handlers: {},
    periodic: [{ kind: PRUNE_JOB, intervalMs: 60_000, handler: pruneJob('test', policy, undefined, { schema: env.schema }) }],
  });
  try {
    await waitFor(async () => (await env.db(table('outbox')).where({ type: 'periodic-old' })).length === 0);
    // Rescheduled one interval on, never "done" (so never pruned itself).
    const rescheduled = async () => env.db(table('jobs')).where({ kind: PRUNE_JOB, key: PERIODIC_KEY }).first();
    await waitFor(async () => new Date((await rescheduled()).run_at).getTime() > Date.now() + 50_000);
    expect(await rescheduled()).toMatchObject({ done_at: null, dead_at: null, attempts: 0 });
  } finally {
    await runner.stop();
  }
});

it('refuses a processed-id retention that a stream entry could outlive', () => {
  expect(() => loadConfig({ NODE_ENV: 'test', EVENTS_STREAM_RETENTION_HOURS: '168', EVENTS_PROCESSED_RETENTION_HOURS: '168' })).toThrow(
    /EVENTS_PROCESSED_RETENTION_HOURS must be at least/,
  );
  const config = loadConfig({ NODE_ENV: 'test' });
  expect(config.events.retention.processedMs).toBeGreaterThanOrEqual(config.events.retention.streamMs + config.events.retention.pruneIntervalMs + 24 * HOUR);
  expect(config.events.jobMaxAttempts).toBe(300);
  expect(config.events.jobConcurrency).toBe(4);
});

const redisIt = process.env.REDIS_URL ? it : it.skip;

redisIt('trims the producer’s Redis streams by age, read or unread, and no one else’s', async () => {
  const namespace = `retention-${crypto.randomBytes(4).toString('hex')}`;
  const bus = createRedisEventBus(process.env.REDIS_URL!, { namespace });
  const raw = createClient({ url: process.env.REDIS_URL });
  await raw.connect();
  try {
    const key = (stream: string) => `${namespace}:${stream}`;
    const [seconds] = ((await raw.sendCommand(['TIME'])) as string[]).map(Number);
    const nowMs = seconds * 1000;
    // Entries from 8 and 6 days ago on two of our streams (one of them read by a group), and on another owner's.
    for (const stream of ['shop.test.a', 'shop.test.b', 'shop.other.a']) {
      for (const days of [8, 6]) await raw.sendCommand(['XADD', key(stream), `${nowMs - days * 24 * HOUR}-0`, 'id', crypto.randomUUID()]);
    }
    await raw.sendCommand(['XGROUP', 'CREATE', key('shop.test.a'), 'readers', '0']);
    await bus.publish([{ id: crypto.randomUUID(), stream: 'shop.test.b', type: 'Fresh', aggregateId: '1', payload: {}, occurredAt: new Date().toISOString() }]);

    expect(await bus.trimStreams('shop.test.', 7 * 24 * HOUR)).toBe(2);
    expect(Number(await raw.sendCommand(['XLEN', key('shop.test.a')]))).toBe(1);
    expect(Number(await raw.sendCommand(['XLEN', key('shop.test.b')]))).toBe(2);
    expect(Number(await raw.sendCommand(['XLEN', key('shop.other.a')]))).toBe(2);
  } finally {
    const keys = (await raw.sendCommand(['KEYS', `${namespace}:*`])) as string[];
    if (keys.length) await raw.sendCommand(['DEL', ...keys]);
    await raw.quit();
    await bus.close();
  }
});
