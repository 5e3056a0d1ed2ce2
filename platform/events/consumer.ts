/**
 * Consumer side: delivery is at-least-once (a relay or consumer crash redelivers), so every handler that has an
 * effect runs through `idempotent`: the event id is recorded in `processed_events` in the same transaction as the
 * effect, and an event already recorded for this consumer is skipped. Effect exactly once.
 */
import type { Knex } from 'knex';
import type { Consumption, EventBus } from './bus';
import { eventTable, type EventTablesOptions } from './tables';
import type { EventEnvelope } from './types';

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

/** Joins `group` (the consuming subgraph's name) on the stream with an idempotent effect. */
export function startEventConsumer(
  options: EventTablesOptions & { db: Knex; bus: EventBus; group: string; consumer?: string } & EventConsumerSpec,
): Consumption {
  const apply = idempotent(
    options.db,
    options.name ?? options.group,
    async (event, trx) => {
      if (options.types && !options.types.includes(event.type)) return;
      await options.effect(event, trx);
    },
    options,
  );
  return options.bus.consume({
    stream: options.stream,
    // A named consumer is a group of its own: two consumers of one stream in one subgraph each see every event.
    group: options.name ? `${options.group}.${options.name}` : options.group,
    consumer: options.consumer,
    handler: async (event) => {
      await apply(event);
    },
  });
}
