/**
 * A separate process for the crash tests (killed with SIGKILL by the parent):
 * - `relay`: runs an outbox relay on the scratch schema. Without REDIS_URL the bus is in process, so the
 *   idempotent consumer (group `a`, effects counted in the schema's `effects` table) runs here too.
 * - `hang-consumer`: (Redis) joins group `a`, starts the idempotent transaction for the first event, prints
 *   `holding <event id>` and never finishes: killed mid-handling.
 * Env: EVENTS_CHILD_DB_URL, EVENTS_CHILD_SCHEMA, EVENTS_CHILD_STREAMS (comma-separated), REDIS_URL (optional).
 */
import knexFactory from 'knex';
import { createMemoryEventBus } from '../../platform/events/memory-bus';
import { createRedisEventBus } from '../../platform/events/redis-bus';
import { idempotent } from '../../platform/events/consumer';
import { startOutboxRelay } from '../../platform/events/relay';

const mode = process.argv[2];
const schema = process.env.EVENTS_CHILD_SCHEMA!;
const streams = (process.env.EVENTS_CHILD_STREAMS ?? '').split(',').filter(Boolean);
const db = knexFactory({ client: 'pg', connection: process.env.EVENTS_CHILD_DB_URL!, pool: { min: 0, max: 3 } });
const redisUrl = process.env.REDIS_URL;
const bus = redisUrl ? createRedisEventBus(redisUrl, { claimIdleMs: 500, namespace: process.env.EVENTS_NAMESPACE }) : createMemoryEventBus();

if (mode === 'relay') {
  if (!redisUrl) {
    for (const stream of streams) {
      const apply = idempotent(
        db,
        'a',
        async (event, trx) => {
          await trx(`${schema}.effects`).insert({
            consumer: 'a',
            event_id: event.id,
            stream: event.stream,
            n: (event.payload as { n: number }).n,
          });
        },
        { schema },
      );
      bus.consume({ stream, group: 'a', handler: async (event) => void (await apply(event)) });
    }
  }
  startOutboxRelay({ db, bus, name: 'child', schema, batchSize: 10, pollIntervalMs: 20, leaseMs: 500 });
  process.stdout.write('ready\n');
} else if (mode === 'hang-consumer') {
  const apply = idempotent(
    db,
    'a',
    async (event) => {
      process.stdout.write(`holding ${event.id}\n`);
      await new Promise(() => undefined);
    },
    { schema },
  );
  bus.consume({ stream: streams[0], group: 'a', handler: async (event) => void (await apply(event)) });
  process.stdout.write('ready\n');
} else {
  console.error(`unknown mode ${mode}`);
  process.exit(2);
}
