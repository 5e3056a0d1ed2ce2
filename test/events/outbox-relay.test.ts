/** Outbox written with the change; the relay delivers every event once to each consumer group, in order per stream. */
import crypto from 'node:crypto';
import { createClient } from 'redis';
import { appendEvent, appendEvents } from '../../platform/events/outbox';
import { createEventBus, type EventBus } from '../../platform/events/bus';
import { idempotent } from '../../platform/events/consumer';
import { startOutboxRelay } from '../../platform/events/relay';
import { testConfig } from '../support/harness';
import { createEventsTestDb, waitFor, type EventsTestDb } from '../support/events-db';

let env: EventsTestDb;
let bus: EventBus;
const tag = crypto.randomBytes(4).toString('hex');
const streams = [`test.${tag}.alpha`, `test.${tag}.beta`];

beforeAll(async () => {
  env = await createEventsTestDb();
  bus = createEventBus(testConfig(), { claimIdleMs: 2000 });
});

afterAll(async () => {
  await bus.close();
  await env.drop();
  const redisUrl = testConfig().redisUrl;
  if (redisUrl) {
    const client = createClient({ url: redisUrl });
    await client.connect();
    await client.del(streams);
    await client.close();
  }
});

const count = async (table: string, where: Record<string, unknown> = {}) =>
  Number((await env.db(`${env.schema}.${table}`).where(where).count<{ count: string }[]>('* as count'))[0].count);

describe('outbox', () => {
  it('is written in the caller’s transaction: a rolled back change leaves no event', async () => {
    const event = { stream: streams[0], type: 'Probe', aggregateId: 'rolled-back', payload: { n: -1 } };
    await expect(
      env.db.transaction(async (trx) => {
        await appendEvent(trx, event, { schema: env.schema });
        throw new Error('the state change failed');
      }),
    ).rejects.toThrow('the state change failed');
    expect(await count('outbox', { aggregate_id: 'rolled-back' })).toBe(0);

    const committed = await env.db.transaction((trx) =>
      appendEvent(trx, { ...event, aggregateId: 'committed' }, { schema: env.schema }),
    );
    expect(committed.id).toMatch(/^[0-9a-f-]{36}$/);
    const rows = await env.db(`${env.schema}.outbox`).where({ aggregate_id: 'committed' });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ event_id: committed.id, stream: streams[0], type: 'Probe', published_at: null });
    // Not for the relay test below.
    await env.db(`${env.schema}.outbox`).del();
  });
});

describe(`relay (${testConfig().redisUrl ? 'Redis Streams' : 'in-process bus'})`, () => {
  it('delivers every event once to each consumer group, in order per stream', async () => {
    const perStream = 150;
    const consumptions = ['a', 'b'].flatMap((group) =>
      streams.map((stream) => {
        const apply = idempotent(
          env.db,
          group,
          async (event, trx) => {
            await trx(`${env.schema}.effects`).insert({
              consumer: group,
              event_id: event.id,
              stream: event.stream,
              n: (event.payload as { n: number }).n,
            });
          },
          { schema: env.schema },
        );
        return bus.consume({ stream, group, handler: async (event) => void (await apply(event)) });
      }),
    );
    // Committed in several transactions, streams interleaved.
    for (let chunk = 0; chunk < 3; chunk++) {
      await env.db.transaction((trx) =>
        appendEvents(
          trx,
          Array.from({ length: perStream / 3 }, (_, i) => i + (chunk * perStream) / 3).flatMap((n) =>
            streams.map((stream) => ({ stream, type: 'Counted', aggregateId: `agg-${n % 7}`, payload: { n } })),
          ),
          { schema: env.schema },
        ),
      );
    }
    const relay = startOutboxRelay({ db: env.db, bus, name: 'test', schema: env.schema, batchSize: 40, pollIntervalMs: 20 });
    const total = perStream * streams.length * 2;
    await waitFor(async () => (await count('effects')) >= total);
    await relay.stop();
    await Promise.all(consumptions.map((c) => c.stop()));

    expect(await count('effects')).toBe(total);
    expect(await count('outbox', { published_at: null })).toBe(0);
    const effects = await env.db(`${env.schema}.effects`).orderBy('seq');
    const once = await env.db(`${env.schema}.effects`).select('consumer', 'event_id').groupBy('consumer', 'event_id').havingRaw('count(*) > 1');
    expect(once).toEqual([]);
    for (const group of ['a', 'b']) {
      for (const stream of streams) {
        const seen = effects.filter((e) => e.consumer === group && e.stream === stream).map((e) => e.n);
        expect(seen).toEqual(Array.from({ length: perStream }, (_, i) => i));
      }
    }
  });
});
