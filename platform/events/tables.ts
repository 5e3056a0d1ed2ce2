/**
 * The event tables a producing/consuming subgraph keeps in its OWN schema: `outbox` (events written with the state
 * change), `outbox_relay` (which relay instance currently publishes), `processed_events` (idempotent consumers) and
 * `jobs` (durable delayed jobs). A subgraph appends `eventTablesMigration('NNN_events')` to its migrations list.
 */
import type { Knex } from 'knex';
import type { Migration } from '../db';

/**
 * Where the tables live. Default: unqualified names, i.e. the subgraph's own schema through its knex search_path.
 * Tests pass an explicit scratch schema (embedded PGlite shares one session, so they must not change search_path).
 */
export interface EventTablesOptions {
  schema?: string;
}

export type EventTableName = 'outbox' | 'outbox_relay' | 'processed_events' | 'jobs' | 'dead_events';

/** `schema.table` (knex quotes each part with `??`), or the bare table name. */
export function eventTable(options: EventTablesOptions | undefined, table: EventTableName): string {
  return options?.schema ? `${options.schema}.${table}` : table;
}

export async function createEventTables(knex: Knex, options: EventTablesOptions = {}): Promise<void> {
  const t = (table: EventTableName) => eventTable(options, table);
  await knex.raw(
    `CREATE TABLE IF NOT EXISTS ?? (
       id bigserial PRIMARY KEY,
       event_id uuid NOT NULL UNIQUE,
       stream text NOT NULL,
       type text NOT NULL,
       aggregate_id text NOT NULL,
       payload jsonb NOT NULL,
       created_at timestamptz NOT NULL DEFAULT now(),
       published_at timestamptz
     )`,
    [t('outbox')],
  );
  // The relay reads unpublished rows in id order: a partial index keeps that cheap however long the history.
  await knex.raw('CREATE INDEX IF NOT EXISTS outbox_unpublished ON ?? (id) WHERE published_at IS NULL', [t('outbox')]);
  await knex.raw(
    `CREATE TABLE IF NOT EXISTS ?? (
       name text PRIMARY KEY,
       holder text NOT NULL,
       lease_until timestamptz NOT NULL
     )`,
    [t('outbox_relay')],
  );
  await knex.raw(
    `CREATE TABLE IF NOT EXISTS ?? (
       consumer text NOT NULL,
       event_id uuid NOT NULL,
       processed_at timestamptz NOT NULL DEFAULT now(),
       PRIMARY KEY (consumer, event_id)
     )`,
    [t('processed_events')],
  );
  await knex.raw(
    `CREATE TABLE IF NOT EXISTS ?? (
       id bigserial PRIMARY KEY,
       kind text NOT NULL,
       key text NOT NULL,
       run_at timestamptz NOT NULL,
       payload jsonb NOT NULL DEFAULT '{}'::jsonb,
       attempts integer NOT NULL DEFAULT 0,
       locked_until timestamptz,
       lock_token uuid,
       done_at timestamptz,
       cancelled_at timestamptz,
       last_error text,
       created_at timestamptz NOT NULL DEFAULT now(),
       UNIQUE (kind, key)
     )`,
    [t('jobs')],
  );
  await knex.raw(
    'CREATE INDEX IF NOT EXISTS jobs_due ON ?? (run_at) WHERE done_at IS NULL AND cancelled_at IS NULL',
    [t('jobs')],
  );
}

/**
 * The second version of the tables (the one job runner and retention): dead letters (`jobs.dead_at`), a due-jobs index
 * that leaves them out, and the indexes pruning reads. Idempotent; `createEventTables` stays the first version so the
 * existing `090_events` migrations mean what they meant, and a subgraph appends `eventTablesV2Migration(...)` after it.
 */
export async function upgradeEventTablesV2(knex: Knex, options: EventTablesOptions = {}): Promise<void> {
  const t = (table: EventTableName) => eventTable(options, table);
  await knex.raw('ALTER TABLE ?? ADD COLUMN IF NOT EXISTS dead_at timestamptz', [t('jobs')]);
  // Index names are per schema: qualify them the way the tables are.
  const index = (name: string) => (options.schema ? `${options.schema}.${name}` : name);
  await knex.raw('DROP INDEX IF EXISTS ??', [index('jobs_due')]);
  await knex.raw(
    'CREATE INDEX IF NOT EXISTS jobs_due_v2 ON ?? (run_at) WHERE done_at IS NULL AND cancelled_at IS NULL AND dead_at IS NULL',
    [t('jobs')],
  );
  await knex.raw('CREATE INDEX IF NOT EXISTS jobs_dead ON ?? (dead_at) WHERE dead_at IS NOT NULL', [t('jobs')]);
  await knex.raw('CREATE INDEX IF NOT EXISTS jobs_finished ON ?? (coalesce(done_at, cancelled_at)) WHERE done_at IS NOT NULL OR cancelled_at IS NOT NULL', [
    t('jobs'),
  ]);
  await knex.raw('CREATE INDEX IF NOT EXISTS outbox_published ON ?? (published_at) WHERE published_at IS NOT NULL', [t('outbox')]);
  await knex.raw('CREATE INDEX IF NOT EXISTS processed_events_at ON ?? (processed_at)', [t('processed_events')]);
}

export async function downgradeEventTablesV2(knex: Knex, options: EventTablesOptions = {}): Promise<void> {
  const t = (table: EventTableName) => eventTable(options, table);
  const index = (name: string) => (options.schema ? `${options.schema}.${name}` : name);
  for (const name of ['jobs_due_v2', 'jobs_dead', 'jobs_finished', 'outbox_published', 'processed_events_at']) {
    await knex.raw('DROP INDEX IF EXISTS ??', [index(name)]);
  }
  await knex.raw('ALTER TABLE ?? DROP COLUMN IF EXISTS dead_at', [t('jobs')]);
  await knex.raw('CREATE INDEX IF NOT EXISTS jobs_due ON ?? (run_at) WHERE done_at IS NULL AND cancelled_at IS NULL', [t('jobs')]);
}

/**
 * The third version: `dead_events`, the dead letters of this subgraph's consumers (consumer.ts). One row per (consumer,
 * event): the envelope as delivered, how often it was delivered, its last error; `requeued_at` once an operator put it
 * back (`npm run jobs -- retry-event`); deleted when the requeued delivery succeeded, or by retention.
 */
export async function upgradeEventTablesV3(knex: Knex, options: EventTablesOptions = {}): Promise<void> {
  const table = eventTable(options, 'dead_events');
  await knex.raw(
    `CREATE TABLE IF NOT EXISTS ?? (
       id bigserial PRIMARY KEY,
       consumer text NOT NULL,
       stream text NOT NULL,
       "group" text NOT NULL,
       event_id uuid NOT NULL,
       envelope jsonb NOT NULL,
       attempts integer NOT NULL,
       last_error text,
       dead_at timestamptz NOT NULL DEFAULT now(),
       requeued_at timestamptz,
       UNIQUE (consumer, event_id)
     )`,
    [table],
  );
  await knex.raw('CREATE INDEX IF NOT EXISTS dead_events_at ON ?? (dead_at)', [table]);
}

export async function downgradeEventTablesV3(knex: Knex, options: EventTablesOptions = {}): Promise<void> {
  await knex.raw('DROP TABLE IF EXISTS ??', [eventTable(options, 'dead_events')]);
}

export async function dropEventTables(knex: Knex, options: EventTablesOptions = {}): Promise<void> {
  for (const table of ['dead_events', 'jobs', 'processed_events', 'outbox_relay', 'outbox'] as const) {
    await knex.raw('DROP TABLE IF EXISTS ??', [eventTable(options, table)]);
  }
}

/** The migration a subgraph appends to its own list, named to sort after its existing ones (e.g. '050_events'). */
export function eventTablesMigration(name: string): Migration {
  return {
    name,
    up: (knex) => createEventTables(knex),
    down: (knex) => dropEventTables(knex),
  };
}

/** Appended after `eventTablesV2Migration(...)` (e.g. '092_events_v3'): dead letters of event consumers. */
export function eventTablesV3Migration(name: string): Migration {
  return {
    name,
    up: (knex) => upgradeEventTablesV3(knex),
    down: (knex) => downgradeEventTablesV3(knex),
  };
}

/** Appended after `eventTablesMigration(...)` (e.g. '091_events_v2'): dead letters and retention indexes. */
export function eventTablesV2Migration(name: string): Migration {
  return {
    name,
    up: (knex) => upgradeEventTablesV2(knex),
    down: (knex) => downgradeEventTablesV2(knex),
  };
}
