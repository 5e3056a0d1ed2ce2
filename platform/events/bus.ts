/**
 * The event bus every subgraph process shares: Redis Streams + pub/sub with REDIS_URL (redis-bus.ts), the same
 * interface in process without it (memory-bus.ts).
 */
import type { Config } from '../config';
import { createMemoryEventBus } from './memory-bus';
import { createRedisEventBus } from './redis-bus';
import type { DeliveredEventHandler, EventEnvelope } from './types';

export interface ConsumeOptions {
  stream: string;
  /** Consumer group: the consuming subgraph's name. Each group receives every event of the stream once. */
  group: string;
  /** This consumer's name within the group (unique per process); default `<group>-<pid>-<random>`. */
  consumer?: string;
  /** Acknowledged only when it resolves; a throw leaves the event pending, delivered again later. */
  handler: DeliveredEventHandler;
}

export interface Consumption {
  /** Stops reading; waits for the event being handled, if any. */
  stop(): Promise<void>;
}

export interface EventBus {
  readonly kind: 'redis' | 'memory';
  /**
   * Publishes events (the relay's job), in the order given. Resolves once they are durable in Redis (redis) or
   * handled by every consumer group registered on their streams (memory).
   */
  publish(events: EventEnvelope[]): Promise<void>;
  /** Joins a consumer group on a stream (created at the stream's start if new: a late group still gets history). */
  consume(options: ConsumeOptions): Consumption;
  /**
   * Retention: removes the entries older than `maxAgeMs` (by the Redis server's clock) from every stream whose name
   * starts with `prefix` (a producer trims its own streams, `shop.<owner>.`), unread or not; returns how many went.
   * Exact, not approximate: an entry never outlives `maxAgeMs` by more than the time between two trims, which is
   * what lets consumers prune processed ids (docs/events.md). In process there is nothing to trim.
   */
  trimStreams(prefix: string, maxAgeMs: number): Promise<number>;
  /** Fire-and-forget fan-out to client subscriptions (every instance subscribed to `channel` gets it). */
  publishClient(channel: string, message: unknown): Promise<void>;
  /** Resolves once subscribed; returns the function that unsubscribes. */
  subscribeClient(channel: string, handler: (message: unknown) => void): Promise<() => Promise<void>>;
  /**
   * Called each time client pub/sub is subscribed again after its connection was lost (Redis): messages published
   * while it was down are gone, so listeners read again what they watch. Never called in process.
   */
  onClientReconnect(listener: () => void): () => void;
  /**
   * Entries delivered and not yet acknowledged, per stream and consumer group joined in this process (Redis: XPENDING
   * summary; metrics). Absent in process, where nothing stays pending.
   */
  pendingCounts?(): Promise<{ stream: string; group: string; pending: number }[]>;
  close(): Promise<void>;
}

export interface EventBusOptions {
  /** Redis: approximate cap on each stream's length (XADD MAXLEN ~). */
  streamMaxLen?: number;
  /** Redis: a pending entry idle this long is reclaimed by another consumer (XAUTOCLAIM); also the retry delay. */
  claimIdleMs?: number;
  /**
   * Redis: the longest wait before a failed entry is delivered again. The n-th retry waits
   * `min(retryMaxDelayMs, claimIdleMs × 2^(n-1))` (a handler's failure is usually a callee being down). Default 5 min.
   */
  retryMaxDelayMs?: number;
  /** Redis: how long one XREADGROUP blocks before looking for reclaimable entries again. */
  blockMs?: number;
  /** Memory: the delay before a failed handler is retried (doubles up to 5 s). */
  retryDelayMs?: number;
  /**
   * Redis: prefix of every stream and channel key (`<namespace>:shop.order.order`), so deployments (or test runs)
   * sharing one Redis never read each other's events (EVENTS_NAMESPACE; default none).
   */
  namespace?: string;
}

/** Redis when REDIS_URL is set, in process otherwise. One bus per process (the launcher owns it). */
export function createEventBus(
  config: Pick<Config, 'redisUrl' | 'events'>,
  options: EventBusOptions = {},
): EventBus {
  const merged: EventBusOptions = {
    streamMaxLen: config.events.streamMaxLen,
    claimIdleMs: config.events.claimIdleMs,
    namespace: config.events.namespace,
    ...options,
  };
  return config.redisUrl ? createRedisEventBus(config.redisUrl, merged) : createMemoryEventBus(merged);
}

export function defaultConsumerName(group: string): string {
  return `${group}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
}

/** The pub/sub channel clients of one aggregate listen on: `<stream>.<aggregate id>`, e.g. `shop.order.order.42`. */
export function clientChannel(stream: string, aggregateId: string): string {
  return `${stream}.${aggregateId}`;
}
