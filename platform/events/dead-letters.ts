/**
 * Dead letters for operators (jobs, and events whose consumer kept failing: consumer.ts) (`npm run jobs`, scripts/jobs.ts): a job that failed JOB_MAX_ATTEMPTS times is kept with
 * `dead_at` and its last error, never claimed again, until someone looks at it and requeues it (after fixing what
 * made it fail) or lets retention prune it (JOB_DEAD_RETENTION_HOURS).
 */
import type { Knex } from 'knex';
import type { JobHandler } from './jobs';
import { eventTable, type EventTablesOptions } from './tables';
import type { EventEnvelope } from './types';
import { logger } from '../log';

const log = logger({ component: 'events' });

export interface DeadJob {
  id: string;
  kind: string;
  key: string;
  attempts: number;
  deadAt: Date;
  lastError: string | null;
  payload: unknown;
}

/** Dead jobs, oldest first. */
export async function listDeadJobs(db: Knex, options: EventTablesOptions & { limit?: number } = {}): Promise<DeadJob[]> {
  const rows = await db(eventTable(options, 'jobs'))
    .whereNotNull('dead_at')
    .orderBy('dead_at')
    .limit(options.limit ?? 100)
    .select('id', 'kind', 'key', 'attempts', 'dead_at', 'last_error', 'payload');
  return rows.map((row) => ({
    id: String(row.id),
    kind: row.kind,
    key: row.key,
    attempts: row.attempts,
    deadAt: new Date(row.dead_at),
    lastError: row.last_error,
    payload: row.payload,
  }));
}

/**
 * Puts a dead job back: due now, with a fresh count of attempts (its last error stays until the next run). True when
 * the job was dead; false when there is no such dead job (already requeued, or pruned).
 */
export async function requeueDeadJob(db: Knex, id: string, options: EventTablesOptions = {}): Promise<boolean> {
  if (!/^\d{1,18}$/.test(id)) return false;
  const count = await db(eventTable(options, 'jobs'))
    .where({ id })
    .whereNotNull('dead_at')
    .update({ dead_at: null, attempts: 0, run_at: db.fn.now(), locked_until: null, lock_token: null });
  return Number(count) > 0;
}

/** The job kind an operator's requeue of a dead event schedules (key: the `dead_events` id). */
export const REDELIVER_EVENT_JOB = 'events.redeliver';

export interface DeadEvent {
  id: string;
  consumer: string;
  stream: string;
  group: string;
  eventId: string;
  type: string;
  attempts: number;
  deadAt: Date;
  requeuedAt: Date | null;
  lastError: string | null;
  envelope: EventEnvelope;
}

/** Dead-lettered events of this subgraph's consumers, oldest first. */
export async function listDeadEvents(db: Knex, options: EventTablesOptions & { limit?: number } = {}): Promise<DeadEvent[]> {
  const rows = await db(eventTable(options, 'dead_events')).orderBy('dead_at').orderBy('id').limit(options.limit ?? 100).select('*');
  return rows.map((row) => {
    const envelope = (typeof row.envelope === 'string' ? JSON.parse(row.envelope) : row.envelope) as EventEnvelope;
    return {
      id: String(row.id),
      consumer: row.consumer,
      stream: row.stream,
      group: row.group,
      eventId: row.event_id,
      type: envelope.type,
      attempts: row.attempts,
      deadAt: new Date(row.dead_at),
      requeuedAt: row.requeued_at ? new Date(row.requeued_at) : null,
      lastError: row.last_error,
      envelope,
    };
  });
}

/**
 * Puts a dead event back: schedules the job `events.redeliver` (due now) that hands it to its consumer's idempotent
 * effect once more, like any redelivery (an event already applied is skipped). A requeue of an event whose redelivery
 * job itself died or is waiting makes it due now with a fresh count. True when the event was there; false when there is
 * no such dead event (redelivered already, or pruned).
 */
export async function requeueDeadEvent(db: Knex, id: string, options: EventTablesOptions = {}): Promise<boolean> {
  if (!/^\d{1,18}$/.test(id)) return false;
  return db.transaction(async (trx) => {
    const count = await trx(eventTable(options, 'dead_events')).where({ id }).update({ requeued_at: trx.fn.now() });
    if (!Number(count)) return false;
    // A run holding the job (lease not expired) is left alone: it is redelivering it right now.
    await trx.raw(
      `INSERT INTO ?? AS j (kind, key, run_at, payload) VALUES (?, ?, now(), ?::jsonb)
       ON CONFLICT (kind, key) DO UPDATE SET run_at = now(), attempts = 0, dead_at = NULL, done_at = NULL, cancelled_at = NULL
       WHERE j.locked_until IS NULL OR j.locked_until < now()`,
      [eventTable(options, 'jobs'), REDELIVER_EVENT_JOB, id, JSON.stringify({ deadEventId: id })],
    );
    return true;
  });
}

/**
 * The handler of `events.redeliver`: the dead event through the consumer's idempotent effect (its own transaction, which
 * records it processed), then the dead row goes with the job's completion. A failure is retried like any job (and
 * dead-lettered as a job after JOB_MAX_ATTEMPTS); a crash between the two re-runs it, and the effect skips the duplicate.
 */
export function redeliverDeadEventJob(
  effects: ReadonlyMap<string, (event: EventEnvelope) => Promise<boolean>>,
  options: EventTablesOptions & { subgraph?: string } = {},
): JobHandler {
  const table = eventTable(options, 'dead_events');
  return async (job, ctx) => {
    const row = await ctx.db(table).where({ id: job.key }).first();
    if (!row) return; // redelivered already, or pruned
    const apply = effects.get(row.consumer);
    if (!apply) throw new Error(`dead event ${job.key}: no consumer "${row.consumer}" in this subgraph`);
    const envelope = (typeof row.envelope === 'string' ? JSON.parse(row.envelope) : row.envelope) as EventEnvelope;
    const applied = await apply(envelope);
    await ctx.fenced((trx) => trx(table).where({ id: row.id }).delete(), { complete: true });
    log.info(
      { subgraph: options.subgraph, consumer: row.consumer, eventType: envelope.type, eventId: envelope.id, applied },
      `${options.subgraph ? `${options.subgraph} ` : ''}dead event ${job.key} (${row.consumer} ${envelope.type} ${envelope.id}) redelivered: ${
        applied ? 'applied' : 'already applied'
      }`,
    );
  };
}
