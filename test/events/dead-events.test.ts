/**
 * Dead letters of event consumers: an event whose effect always throws is delivered EVENTS_MAX_DELIVERIES times (with
 * backoff on Redis), then parked in `dead_events`, acknowledged, logged once and counted, while the events after it
 * keep flowing; an operator's requeue (`npm run jobs -- retry-event`) hands it to the consumer again through the job
 * runner, and it is applied once however often it is requeued. Both buses: in process always, Redis with REDIS_URL.
 */
import crypto from 'node:crypto';
import { createClient } from 'redis';
import type { EventBus } from '../../platform/events/bus';
import { createMemoryEventBus } from '../../platform/events/memory-bus';
import { createRedisEventBus } from '../../platform/events/redis-bus';
import { consumerEffect, newConsumerStats, startEventConsumer } from '../../platform/events/consumer';
import { listDeadEvents, redeliverDeadEventJob, REDELIVER_EVENT_JOB, requeueDeadEvent } from '../../platform/events/dead-letters';
import { startJobRunner } from '../../platform/events/jobs';
import type { EventEnvelope } from '../../platform/events/types';
import { testConfig } from '../support/harness';
import { captureLogs } from '../support/log-capture';
import { createEventsTestDb, waitFor, type EventsTestDb } from '../support/events-db';

let env: EventsTestDb;
const redisUrl = testConfig().redisUrl;
const namespace = `deadtest-${crypto.randomBytes(4).toString('hex')}`;
const createdStreams: string[] = [];

beforeAll(async () => {
  env = await createEventsTestDb('events_dead');
});
afterAll(async () => {
  await env.drop();
  if (redisUrl) {
    const client = createClient({ url: redisUrl });
    await client.connect();
    if (createdStreams.length) await client.del(createdStreams.map((s) => `${namespace}:${s}`));
    await client.close();
  }
});

const MAX = 3;
const modes: [string, () => EventBus, { claimIdleMs: number }][] = [
  ['in process', () => createMemoryEventBus({ retryDelayMs: 20 }), { claimIdleMs: 0 }],
];
if (redisUrl) {
  modes.push([
    'Redis Streams',
    () => createRedisEventBus(redisUrl, { namespace, claimIdleMs: 400, retryMaxDelayMs: 800 }),
    { claimIdleMs: 400 },
  ]);
}

describe.each(modes)('%s', (mode, makeBus, timing) => {
  it('dead-letters an event that always fails after N deliveries, once, while the others flow; a requeue applies it once', async () => {
    const bus = makeBus();
    const stream = `test.dead.${crypto.randomBytes(3).toString('hex')}`;
    createdStreams.push(stream);
    const group = `g${crypto.randomBytes(3).toString('hex')}`;
    const effects = `${env.schema}.effects`;
    let fixed = false;
    const poisonDeliveries: number[] = [];
    const spec = {
      db: env.db,
      group,
      schema: env.schema,
      stream,
      effect: async (event: EventEnvelope, trx: any) => {
        const payload = event.payload as { n: number; poison?: boolean };
        if (payload.poison && !fixed) {
          poisonDeliveries.push(Date.now());
          throw new Error('the callee is down');
        }
        await trx(effects).insert({ consumer: group, event_id: event.id, stream, n: payload.n });
      },
    };
    const stats = newConsumerStats();
    // The process log's error lines (platform/log.ts), read back.
    const logs = captureLogs('error');
    const errors = () => logs.lines().map((line) => String(line.msg));
    const consumption = startEventConsumer({ ...spec, bus, maxDeliveries: MAX, stats });
    const event = (n: number, poison = false): EventEnvelope => ({
      id: crypto.randomUUID(),
      stream,
      type: poison ? 'Poison' : 'Fine',
      aggregateId: String(n),
      payload: { n, poison },
      occurredAt: new Date().toISOString(),
    });
    const poison = event(2, true);
    const count = async (where: Record<string, unknown> = {}) =>
      Number((await env.db(effects).where({ consumer: group, ...where }).count<{ count: string }[]>('* as count'))[0].count);
    try {
      // Redis creates the group lazily: wait until the consumer reads before publishing.
      if (redisUrl && mode === 'Redis Streams') {
        await bus.publish([event(0)]);
        await waitFor(async () => (await count()) === 1);
      }
      await bus.publish([event(1), poison, event(3), event(4)]);
      await waitFor(async () => Boolean(await env.db(`${env.schema}.dead_events`).where({ event_id: poison.id }).first()));
      await waitFor(async () => (await count()) >= 3 + (mode === 'Redis Streams' ? 1 : 0));
      // Well past the longest backoff: nothing comes again once parked and acknowledged.
      await new Promise((resolve) => setTimeout(resolve, Math.max(300, timing.claimIdleMs * 5)));
      expect(poisonDeliveries).toHaveLength(MAX);
      if (mode === 'Redis Streams') {
        // Backoff: the second retry waited about twice as long as the first. Redis starts an entry's idle clock when
        // it is read or claimed, while the effect stamps its time after the batch's earlier entries ran, so a loaded
        // machine shortens the measured first gap: the bounds leave half a claim interval of slack, and still tell a
        // doubling (>= 1.5x) from a fixed delay (1x).
        const gaps = poisonDeliveries.slice(1).map((at, i) => at - poisonDeliveries[i]);
        expect(gaps[0]).toBeGreaterThanOrEqual(timing.claimIdleMs / 2);
        expect(gaps[1]).toBeGreaterThanOrEqual(1.5 * timing.claimIdleMs);
      }
      expect(await count({ event_id: poison.id })).toBe(0);
      expect(await count()).toBe(mode === 'Redis Streams' ? 4 : 3);
      const dead = await listDeadEvents(env.db, { schema: env.schema });
      const mine = dead.filter((d) => d.eventId === poison.id);
      expect(mine).toHaveLength(1);
      expect(mine[0]).toMatchObject({ consumer: group, stream, group, attempts: MAX, type: 'Poison', requeuedAt: null });
      expect(mine[0].lastError).toContain('the callee is down');
      expect(mine[0].envelope).toMatchObject({ id: poison.id, payload: { n: 2, poison: true } });
      expect(errors().filter((line) => line.includes('DEAD-LETTERED'))).toHaveLength(1);
      expect(stats).toEqual({ failures: MAX, deadLettered: 1 });
      if (redisUrl && mode === 'Redis Streams') {
        // Acknowledged: nothing of this group is pending on the stream.
        const client = createClient({ url: redisUrl });
        await client.connect();
        const summary = (await client.sendCommand(['XPENDING', `${namespace}:${stream}`, group])) as unknown[];
        await client.close();
        expect(Number(summary[0])).toBe(0);
      }

      // The operator fixed the callee and requeues it: applied once, the dead row goes.
      fixed = true;
      const runner = startJobRunner({
        db: env.db,
        schema: env.schema,
        name: 'dead-test',
        pollIntervalMs: 30,
        handlers: { [REDELIVER_EVENT_JOB]: redeliverDeadEventJob(new Map([[group, consumerEffect(spec)]]), { schema: env.schema }) },
      });
      try {
        expect(await requeueDeadEvent(env.db, mine[0].id, { schema: env.schema })).toBe(true);
        await waitFor(async () => (await count({ event_id: poison.id })) === 1);
        await waitFor(async () => !(await env.db(`${env.schema}.dead_events`).where({ id: mine[0].id }).first()));
        expect(await requeueDeadEvent(env.db, mine[0].id, { schema: env.schema })).toBe(false);

        // The same event dead-lettered and requeued again (e.g. a redelivery of an event already applied): skipped.
        const [again] = await env.db(`${env.schema}.dead_events`)
          .insert({ consumer: group, stream, group, event_id: poison.id, envelope: JSON.stringify(poison), attempts: MAX, last_error: 'x' })
          .returning('id');
        expect(await requeueDeadEvent(env.db, String(again.id ?? again), { schema: env.schema })).toBe(true);
        await waitFor(async () => !(await env.db(`${env.schema}.dead_events`).where({ id: again.id ?? again }).first()));
        expect(await count({ event_id: poison.id })).toBe(1);
      } finally {
        await runner.stop();
      }
    } finally {
      await consumption.stop();
      await bus.close();
    }
  });
});
