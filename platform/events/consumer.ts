/**
 * Consumer side: delivery is at-least-once (a relay or consumer crash redelivers), so every handler that has an
 * effect runs through `idempotent`: the event id is recorded in `processed_events` in the same transaction as the
 * effect, and an event already recorded for this consumer is skipped. Effect exactly once.
 */
import type { Knex } from 'knex';
import type { Consumption, EventBus } from './bus';
import { eventTable, type EventTablesOptions } from './tables';
import type { EventEnvelope } from './types';
import { logger } from '../log';

const log = logger({ component: 'events' });

/** Applies one event's effect inside `trx` (the transaction that also records the event as processed). */
export type EventEffect<TPayload = any> = (event: EventEnvelope<TPayload>, trx: Knex.Transaction) => Promise<void>;

/**
 * Wraps `effect` so a redelivered event has no second effect. Resolves true when applied, false when it was a
 * duplicate. Concurrent deliveries of one event (a reclaimed entry while the first consumer is still busy)
 * serialize on the primary key: the second waits for the first to commit, then skips.
 */
export function idempotent<TPayload = any>(
  db: Knex,
  consumer: string,
  effect: EventEffect<TPayload>,
  options?: EventTablesOptions,
): (event: EventEnvelope) => Promise<boolean> {
  const table = eventTable(options, 'processed_events');
  return (event) =>
    db.transaction(async (trx) => {
      const inserted = await trx.raw(
        'INSERT INTO ?? (consumer, event_id) VALUES (?, ?) ON CONFLICT DO NOTHING RETURNING event_id',
        [table, consumer, event.id],
      );
      if (!inserted.rows.length) return false;
      await effect(event as EventEnvelope<TPayload>, trx);
      return true;
    });
}

export interface EventConsumerSpec<TPayload = any> {
  stream: string;
  /** Only these event types reach the effect (others are recorded as processed and skipped). Default: all. */
  types?: string[];
  effect: EventEffect<TPayload>;
  /** Key in processed_events; default the group name. Give one when a subgraph has two consumers of one stream. */
  name?: string;
}

/** A subgraph's consumers' counters (its signed GET /stats, `events`). */
export interface EventConsumerStats {
  /** Deliveries whose effect threw (each is retried, or dead-lettered at the last one). */
  failures: number;
  /** Events parked in `dead_events` by this process. */
  deadLettered: number;
}

export function newConsumerStats(): EventConsumerStats {
  return { failures: 0, deadLettered: 0 };
}

export interface EventConsumerOptions extends EventTablesOptions, EventConsumerSpec {
  db: Knex;
  bus: EventBus;
  group: string;
  consumer?: string;
  /**
   * Deliveries after which an event whose effect keeps failing is dead-lettered (EVENTS_MAX_DELIVERIES): parked in
   * `dead_events` and acknowledged, so it stops being retried and the events after it keep flowing. Default: never
   * (the table must exist: `eventTablesV3Migration`).
   */
  maxDeliveries?: number;
  /** Counters to add to (shared by a subgraph's consumers). */
  stats?: EventConsumerStats;
}

/** The processed_events key of a consumer spec, and the name operators see in `dead_events.consumer`. */
export function consumerKey(group: string, spec: Pick<EventConsumerSpec, 'name'>): string {
  return spec.name ?? group;
}

/** The idempotent effect of a consumer spec: what a delivery, and an operator's redelivery of a dead event, run. */
export function consumerEffect(options: EventTablesOptions & { db: Knex; group: string } & EventConsumerSpec) {
  return idempotent(
    options.db,
    consumerKey(options.group, options),
    async (event, trx) => {
      if (options.types && !options.types.includes(event.type)) return;
      await options.effect(event, trx);
    },
    options,
  );
}

/**
 * Parks an event in `dead_events`. True when this call parked it (the one that logs and counts); false when it was
 * parked already (another consumer of the group reached its last delivery too, or a redelivery of a parked event).
 */
export async function parkDeadEvent(
  db: Knex,
  input: { consumer: string; group: string; event: EventEnvelope; attempts: number; error: unknown },
  options: EventTablesOptions = {},
): Promise<boolean> {
  const message = input.error instanceof Error ? input.error.stack ?? input.error.message : String(input.error);
  const result = await db.raw(
    `INSERT INTO ?? (consumer, stream, "group", event_id, envelope, attempts, last_error) VALUES (?, ?, ?, ?, ?::jsonb, ?, ?)
     ON CONFLICT (consumer, event_id) DO NOTHING RETURNING id`,
    [eventTable(options, 'dead_events'), input.consumer, input.event.stream, input.group, input.event.id, JSON.stringify(input.event), input.attempts, message.slice(0, 4000)],
  );
  return result.rows.length > 0;
}

/** Joins `group` (the consuming subgraph's name) on the stream with an idempotent effect and a dead letter. */
export function startEventConsumer(options: EventConsumerOptions): Consumption {
  const apply = consumerEffect(options);
  const consumer = consumerKey(options.group, options);
  // A named consumer is a group of its own: two consumers of one stream in one subgraph each see every event.
  const group = options.name ? `${options.group}.${options.name}` : options.group;
  const maxDeliveries = options.maxDeliveries ?? Infinity;
  return options.bus.consume({
    stream: options.stream,
    group,
    consumer: options.consumer,
    handler: async (event, delivery) => {
      try {
        await apply(event);
      } catch (error) {
        if (options.stats) options.stats.failures += 1;
        if ((delivery?.deliveries ?? 1) < maxDeliveries) throw error;
        // Last delivery: park it; resolving acknowledges it on the stream. If parking fails, it stays pending.
        const parked = await parkDeadEvent(options.db, { consumer, group, event, attempts: delivery.deliveries, error }, options);
        if (parked) {
          if (options.stats) options.stats.deadLettered += 1;
          log.error(
            { err: error, consumer, stream: event.stream, eventType: event.type, eventId: event.id, deliveries: delivery.deliveries },
            `${consumer} ${event.stream} ${event.type} ${event.id} DEAD-LETTERED after ${delivery.deliveries} deliveries: ${
              (error as Error)?.message ?? error
            } (npm run jobs -- dead-events)`,
          );
        }
      }
    },
  });
}
