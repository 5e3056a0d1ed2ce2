/**
 * Producer side: an event is a row in the owner's outbox, inserted in the same transaction as the state change it
 * describes, so the change and its event commit (or roll back) together. The relay (relay.ts) publishes it later.
 */
import crypto from 'node:crypto';
import type { Knex } from 'knex';
import { eventTable, type EventTablesOptions } from './tables';
import type { EventEnvelope } from './types';

export interface NewEvent<TPayload = unknown> {
  stream: string;
  type: string;
  aggregateId: string | number;
  payload: TPayload;
}

/** Appends events to the outbox inside the caller's transaction; returns them with their ids. */
export async function appendEvents<TPayload>(
  trx: Knex.Transaction | Knex,
  events: NewEvent<TPayload>[],
  options?: EventTablesOptions,
): Promise<EventEnvelope<TPayload>[]> {
  if (!events.length) return [];
  const rows = events.map((event) => ({
    event_id: crypto.randomUUID(),
    stream: event.stream,
    type: event.type,
    aggregate_id: String(event.aggregateId),
    payload: JSON.stringify(event.payload ?? null),
  }));
  // One statement for the batch; RETURNING gives the commit-time clock the consumers see as occurredAt.
  const inserted: { event_id: string; created_at: Date }[] = await trx(eventTable(options, 'outbox'))
    .insert(rows)
    .returning(['event_id', 'created_at']);
  const createdAt = new Map(inserted.map((row) => [row.event_id, row.created_at]));
  return rows.map((row, i) => ({
    id: row.event_id,
    stream: row.stream,
    type: row.type,
    aggregateId: row.aggregate_id,
    payload: events[i].payload,
    occurredAt: new Date(createdAt.get(row.event_id) ?? Date.now()).toISOString(),
  }));
}

export async function appendEvent<TPayload>(
  trx: Knex.Transaction | Knex,
  event: NewEvent<TPayload>,
  options?: EventTablesOptions,
): Promise<EventEnvelope<TPayload>> {
  const [appended] = await appendEvents(trx, [event], options);
  return appended;
}

/** Builds the envelope from an outbox row (relay). */
export function envelopeFromRow(row: {
  event_id: string;
  stream: string;
  type: string;
  aggregate_id: string;
  payload: unknown;
  created_at: Date | string;
}): EventEnvelope {
  return {
    id: row.event_id,
    stream: row.stream,
    type: row.type,
    aggregateId: row.aggregate_id,
    payload: row.payload,
    occurredAt: new Date(row.created_at).toISOString(),
  };
}
