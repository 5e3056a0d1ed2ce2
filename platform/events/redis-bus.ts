/**
 * Redis implementation: one stream per `shop.<owner>.<aggregate>` (XADD, approximately capped with MAXLEN ~), one
 * consumer group per consuming subgraph (XGROUP CREATE … 0 MKSTREAM, so a group created late still reads the
 * retained history), XREADGROUP BLOCK on a connection of its own per consumer (a blocking command would stall every
 * other command on a shared connection), XACK after the handler succeeded. An entry left pending by a consumer that
 * crashed or failed is taken over by any consumer of the group once idle for `claimIdleMs` doubled per earlier
 * delivery (up to `retryMaxDelayMs`; XPENDING + XCLAIM) and handled again, with its delivery count.
 * Client fan-out is plain PUBLISH/SUBSCRIBE on one dedicated subscriber connection per bus.
 */
import { createClient } from 'redis';
import type { ConsumeOptions, Consumption, EventBus, EventBusOptions } from './bus';
import { defaultConsumerName } from './bus';
import type { EventEnvelope } from './types';
import { logger } from '../log';

const log = logger({ component: 'events' });

type Client = ReturnType<typeof createClient>;
type RawEntry = [string, string[]] | null;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function errorLogger(label: string) {
  let last = 0;
  return (error: Error) => {
    // Without a listener a socket error would crash the process; reconnecting is the client's job.
    if (Date.now() - last > 10_000) {
      last = Date.now();
      log.error({ redis: label, err: error }, `redis ${label} error: ${error.message}`);
    }
  };
}

function entryToEvent(stream: string, entry: RawEntry): { entryId: string; event: EventEnvelope | null } | null {
  if (!entry) return null;
  const [entryId, fields] = entry;
  const map = new Map<string, string>();
  for (let i = 0; i + 1 < fields.length; i += 2) map.set(String(fields[i]), String(fields[i + 1]));
  const id = map.get('id');
  if (!id) return { entryId, event: null };
  let payload: unknown = null;
  try {
    payload = JSON.parse(map.get('payload') ?? 'null');
  } catch {
    return { entryId, event: null };
  }
  return {
    entryId,
    event: {
      id,
      stream,
      type: map.get('type') ?? '',
      aggregateId: map.get('aggregateId') ?? '',
      payload,
      occurredAt: map.get('occurredAt') ?? '',
    },
  };
}

export function createRedisEventBus(url: string, options: EventBusOptions = {}): EventBus {
  const streamMaxLen = options.streamMaxLen ?? 100_000;
  const claimIdleMs = options.claimIdleMs ?? 30_000;
  const retryMaxDelayMs = Math.max(claimIdleMs, options.retryMaxDelayMs ?? 300_000);
  const blockMs = options.blockMs ?? Math.max(50, Math.min(1000, Math.floor(claimIdleMs / 2)));
  // Redis key of a stream or channel: names stay logical everywhere else (envelopes, handlers).
  const namespace = options.namespace ? `${options.namespace}:` : '';
  const key = (name: string) => namespace + name;
  const main: Client = createClient({ url });
  main.on('error', errorLogger('publisher'));
  let mainConnecting: Promise<unknown> | undefined;
  const ready = async () => {
    if (!main.isOpen) mainConnecting ??= main.connect();
    await mainConnecting;
  };

  let subscriber: Client | undefined;
  let subscriberConnecting: Promise<unknown> | undefined;
  const channelHandlers = new Map<string, Set<(message: unknown) => void>>();
  const consumptions = new Set<Consumption>();
  /** The (stream, group) pairs joined here, for pendingCounts. */
  const joined = new Map<string, { stream: string; group: string }>();
  let closed = false;

  function consume(consume: ConsumeOptions): Consumption {
    const consumer = consume.consumer ?? defaultConsumerName(consume.group);
    const streamKey = key(consume.stream);
    joined.set(`${consume.stream}\n${consume.group}`, { stream: consume.stream, group: consume.group });
    const client: Client = main.duplicate();
    client.on('error', errorLogger(`consumer ${consumer}`));
    let stopping = false;
    let reading = false;

    const ensureGroup = async () => {
      try {
        await client.sendCommand(['XGROUP', 'CREATE', streamKey, consume.group, '0', 'MKSTREAM']);
      } catch (error) {
        if (!String((error as Error).message).includes('BUSYGROUP')) throw error;
      }
    };

    const handle = async (entries: RawEntry[], deliveriesOf: (entryId: string) => number = () => 1) => {
      for (const raw of entries) {
        if (stopping) return;
        const parsed = entryToEvent(consume.stream, raw);
        if (!parsed) continue;
        if (!parsed.event) {
          // Not one of ours (or corrupt): acknowledge so it does not come back forever.
          log.error({ group: consume.group, stream: consume.stream, entryId: parsed.entryId }, `${consume.group} dropped malformed entry ${parsed.entryId} on ${consume.stream}`);
          await client.sendCommand(['XACK', streamKey, consume.group, parsed.entryId]);
          continue;
        }
        const deliveries = deliveriesOf(parsed.entryId);
        try {
          await consume.handler(parsed.event, { deliveries });
        } catch (error) {
          // Left pending: reclaimed once idle for its backoff (below).
          log.error(
            { err: error, group: consume.group, stream: consume.stream, eventType: parsed.event.type, eventId: parsed.event.id, deliveries },
            `${consume.group} failed on ${consume.stream} ${parsed.event.type} ${parsed.event.id} (delivery ${deliveries}): ${(error as Error)?.message ?? String(error)}`,
          );
          continue;
        }
        await client.sendCommand(['XACK', streamKey, consume.group, parsed.entryId]);
      }
    };

    /** How long an entry delivered `deliveries` times waits before the next delivery. */
    const backoff = (deliveries: number) => Math.min(retryMaxDelayMs, claimIdleMs * 2 ** Math.min(Math.max(0, deliveries - 1), 20));

    // Pending entries idle for at least claimIdleMs (a crashed consumer's, or failed ones) are taken over once their
    // backoff passed: XPENDING lists them with their delivery counts, XCLAIM with that backoff as min-idle-time takes
    // each atomically (two consumers never both get it; the claim counts a delivery and resets the idle time).
    const reclaim = async () => {
      let start = '-';
      for (;;) {
        const pending = (await client.sendCommand([
          'XPENDING', streamKey, consume.group, 'IDLE', String(claimIdleMs), start, '+', '100',
        ])) as [string, string, number, number][];
        if (!pending?.length) return;
        for (const [entryId, , idle, count] of pending) {
          if (stopping) return;
          const wait = backoff(Number(count));
          if (Number(idle) < wait) continue;
          const claimed = (await client.sendCommand([
            'XCLAIM', streamKey, consume.group, consumer, String(wait), String(entryId),
          ])) as RawEntry[];
          const entries = (claimed ?? []).filter((entry) => entry);
          if (!entries.length) {
            // Taken by another consumer meanwhile, or trimmed from the stream while pending: only the latter is
            // acknowledged (it can never be delivered again).
            const exists = (await client.sendCommand(['XRANGE', streamKey, String(entryId), String(entryId)])) as unknown[];
            if (!exists?.length) await client.sendCommand(['XACK', streamKey, consume.group, String(entryId)]);
            continue;
          }
          await handle(entries, () => Number(count) + 1);
        }
        if (pending.length < 100) return;
        start = `(${pending[pending.length - 1][0]}`;
      }
    };

    const loop = (async () => {
      let lastClaim = 0;
      let groupReady = false;
      while (!stopping) {
        try {
          if (!client.isOpen) await client.connect();
          if (!groupReady) {
            await ensureGroup();
            groupReady = true;
          }
          if (Date.now() - lastClaim >= claimIdleMs / 2) {
            await reclaim();
            lastClaim = Date.now();
          }
          if (stopping) break;
          reading = true;
          const reply = (await client.sendCommand([
            'XREADGROUP', 'GROUP', consume.group, consumer, 'COUNT', '100', 'BLOCK', String(blockMs),
            'STREAMS', streamKey, '>',
          ])) as [string, RawEntry[]][] | Record<string, RawEntry[]> | null;
          reading = false;
          // RESP2 answers [[stream, entries]]; node-redis may hand the reply over as { stream: entries }.
          const perStream = !reply ? [] : Array.isArray(reply) ? reply.map(([, entries]) => entries) : Object.values(reply);
          for (const entries of perStream) await handle(entries);
        } catch (error) {
          reading = false;
          if (stopping) break;
          if (String((error as Error).message).includes('NOGROUP')) groupReady = false;
          else log.error({ err: error, consumer, stream: consume.stream }, `consumer ${consumer} on ${consume.stream}: ${(error as Error).message}`);
          await sleep(500);
        }
      }
    })();

    const consumption: Consumption = {
      async stop() {
        if (stopping) return loop;
        stopping = true;
        // A blocked XREADGROUP would hold stop() for up to blockMs: drop the connection (anything Redis handed out
        // meanwhile stays pending and is reclaimed).
        if (reading && client.isOpen) client.destroy();
        await loop;
        if (client.isOpen) client.destroy();
        consumptions.delete(consumption);
      },
    };
    consumptions.add(consumption);
    return consumption;
  }

  const reconnectListeners = new Set<() => void>();
  const ensureSubscriber = async () => {
    if (!subscriber) {
      subscriber = main.duplicate();
      subscriber.on('error', errorLogger('subscriber'));
      // 'ready' comes after node-redis has subscribed every channel again: from then on nothing more is missed.
      let readyBefore = false;
      subscriber.on('ready', () => {
        if (readyBefore) for (const listener of [...reconnectListeners]) listener();
        readyBefore = true;
      });
      subscriberConnecting = subscriber.connect();
    }
    await subscriberConnecting;
    return subscriber;
  };

  return {
    kind: 'redis',
    async publish(events) {
      if (!events.length) return;
      await ready();
      // Sent together (node-redis pipelines commands issued in the same tick), answered in order.
      await Promise.all(
        events.map((event) =>
          main.sendCommand([
            'XADD', key(event.stream), 'MAXLEN', '~', String(streamMaxLen), '*',
            'id', event.id,
            'type', event.type,
            'aggregateId', event.aggregateId,
            'occurredAt', event.occurredAt,
            'payload', JSON.stringify(event.payload ?? null),
          ]),
        ),
      );
    },
    consume,
    async trimStreams(prefix, maxAgeMs) {
      await ready();
      // Stream ids are the Redis server's milliseconds: measure the age on its clock, not ours.
      const [seconds, micros] = ((await main.sendCommand(['TIME'])) as string[]).map(Number);
      const minId = `${Math.max(0, Math.floor(seconds * 1000 + micros / 1000) - maxAgeMs)}-0`;
      let removed = 0;
      let cursor = '0';
      do {
        const [next, keys] = (await main.sendCommand(['SCAN', cursor, 'MATCH', `${key(prefix)}*`, 'COUNT', '200', 'TYPE', 'stream'])) as [string, string[]];
        cursor = String(next);
        for (const streamKey of keys) removed += Number(await main.sendCommand(['XTRIM', String(streamKey), 'MINID', minId]));
      } while (cursor !== '0');
      return removed;
    },
    async publishClient(channel, message) {
      await ready();
      await main.sendCommand(['PUBLISH', key(channel), JSON.stringify(message)]);
    },
    async subscribeClient(channel, handler) {
      const sub = await ensureSubscriber();
      let handlers = channelHandlers.get(channel);
      if (!handlers) {
        channelHandlers.set(channel, (handlers = new Set()));
        await sub.subscribe(key(channel), (raw: string) => {
          let message: unknown;
          try {
            message = JSON.parse(raw);
          } catch {
            return;
          }
          for (const h of [...(channelHandlers.get(channel) ?? [])]) {
            try {
              h(message);
            } catch (error) {
              log.error({ err: error, channel }, `client subscriber on ${channel} failed`);
            }
          }
        });
      }
      const own = (message: unknown) => handler(message);
      handlers.add(own);
      return async () => {
        const set = channelHandlers.get(channel);
        if (!set?.delete(own) || set.size) return;
        channelHandlers.delete(channel);
        if (subscriber?.isOpen) await subscriber.unsubscribe(key(channel));
      };
    },
    async pendingCounts() {
      await ready();
      // Summary form: [count, smallest id, greatest id, per-consumer counts]; one round trip for all (pipelined).
      return Promise.all(
        [...joined.values()].map(async ({ stream, group }) => {
          try {
            const summary = (await main.sendCommand(['XPENDING', key(stream), group])) as [number | string, ...unknown[]];
            return { stream, group, pending: Number(summary[0]) };
          } catch (error) {
            // The group is created by its consumer's first read: not yet there means nothing pending.
            if (String((error as Error).message).includes('NOGROUP')) return { stream, group, pending: 0 };
            throw error;
          }
        }),
      );
    },
    onClientReconnect(listener) {
      reconnectListeners.add(listener);
      return () => void reconnectListeners.delete(listener);
    },
    async close() {
      if (closed) return;
      closed = true;
      reconnectListeners.clear();
      await Promise.all([...consumptions].map((c) => c.stop()));
      channelHandlers.clear();
      if (subscriber?.isOpen) subscriber.destroy();
      if (main.isReady) await main.close();
      else if (main.isOpen) main.destroy();
    },
  };
}
