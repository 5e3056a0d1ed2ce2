/**
 * The in-process bus (no REDIS_URL: one process runs everything). There is no durable stream here, so `publish`
 * delivers synchronously: it resolves only after every consumer group registered on the stream handled the event
 * (retrying failures). The relay marks an outbox row published only after that, so a crash at any point leaves the
 * row unpublished and it is delivered again after restart; idempotent consumers make the second delivery a no-op.
 * Consequence: a consumer that keeps failing holds up its producer's relay (logged), as a stuck stream would.
 */
import type { ConsumeOptions, Consumption, EventBus, EventBusOptions } from './bus';
import { defaultConsumerName } from './bus';
import type { DeliveredEventHandler, EventEnvelope } from './types';
import { logger } from '../log';

const log = logger({ component: 'events' });

interface Member {
  name: string;
  handler: DeliveredEventHandler;
  active: boolean;
  inFlight: Promise<unknown> | null;
}

export class BusClosedError extends Error {
  constructor() {
    super('event bus closed');
  }
}

export function createMemoryEventBus(options: EventBusOptions = {}): EventBus {
  const baseDelay = options.retryDelayMs ?? 50;
  // stream → group → members (round robin within a group, like consumers of a Redis group).
  const streams = new Map<string, Map<string, { members: Member[]; next: number }>>();
  const channels = new Map<string, Set<(message: unknown) => void>>();
  let closed = false;
  const wakers = new Set<() => void>();
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        wakers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      wakers.add(wake);
    });

  async function deliverToGroup(groupName: string, group: { members: Member[]; next: number }, event: EventEnvelope) {
    for (let attempt = 1; ; attempt++) {
      if (closed) throw new BusClosedError();
      const live = group.members.filter((member) => member.active);
      // A group whose consumers all stopped keeps its place: the event waits (the relay retries it later).
      if (!live.length) throw new Error(`no running consumer in group ${groupName} for ${event.stream}`);
      const member = live[group.next++ % live.length];
      const run = member.handler(event, { deliveries: attempt });
      member.inFlight = run;
      try {
        await run;
        return;
      } catch (error) {
        if (attempt === 1 || attempt % 10 === 0) {
          log.error({ err: error, group: groupName, stream: event.stream, eventType: event.type, eventId: event.id, attempt }, `${groupName} failed on ${event.stream} ${event.type} ${event.id} (attempt ${attempt})`);
        }
        await sleep(Math.min(5000, baseDelay * 2 ** Math.min(attempt - 1, 10)));
      } finally {
        member.inFlight = null;
      }
    }
  }

  return {
    kind: 'memory',
    async publish(events) {
      for (const event of events) {
        const groups = streams.get(event.stream);
        if (!groups) continue;
        // Groups are independent, as in Redis: each gets the event; within a stream, order is kept per group.
        await Promise.all([...groups].map(([name, group]) => deliverToGroup(name, group, event)));
      }
    },
    consume(consume: ConsumeOptions): Consumption {
      if (closed) throw new BusClosedError();
      let groups = streams.get(consume.stream);
      if (!groups) streams.set(consume.stream, (groups = new Map()));
      let group = groups.get(consume.group);
      if (!group) groups.set(consume.group, (group = { members: [], next: 0 }));
      const member: Member = {
        name: consume.consumer ?? defaultConsumerName(consume.group),
        handler: consume.handler,
        active: true,
        inFlight: null,
      };
      group.members.push(member);
      return {
        async stop() {
          member.active = false;
          await member.inFlight?.catch(() => undefined);
          // A publish waiting to retry on this member looks again now (and fails over, or gives up).
          for (const wake of [...wakers]) wake();
          group!.members = group!.members.filter((m) => m !== member);
        },
      };
    },
    // Nothing is retained: publish hands events to the groups' handlers and keeps no log.
    trimStreams: async () => 0,
    async publishClient(channel, message) {
      // Like Redis pub/sub: delivered after the caller continues, to whoever is subscribed right now.
      const handlers = channels.get(channel);
      if (!handlers) return;
      for (const handler of [...handlers]) {
        queueMicrotask(() => {
          try {
            handler(message);
          } catch (error) {
            log.error({ err: error, channel }, `client subscriber on ${channel} failed`);
          }
        });
      }
    },
    async subscribeClient(channel, handler) {
      let handlers = channels.get(channel);
      if (!handlers) channels.set(channel, (handlers = new Set()));
      const own = (message: unknown) => handler(message);
      handlers.add(own);
      return async () => {
        handlers!.delete(own);
        if (!handlers!.size) channels.delete(channel);
      };
    },
    // Nothing in process is ever lost between publisher and subscriber.
    onClientReconnect: () => () => undefined,
    async close() {
      closed = true;
      for (const wake of [...wakers]) wake();
      streams.clear();
      channels.clear();
    },
  };
}
