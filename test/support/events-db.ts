/**
 * A scratch schema with the event tables for the events platform's own tests, in the run's database: the test
 * database (admin connection) with DATABASE_URL, else the order subgraph's embedded PGlite. Everything is addressed
 * schema-qualified: embedded PGlite shares one session between connections, so a test must not change search_path.
 */
import crypto from 'node:crypto';
import knexFactory, { type Knex } from 'knex';
import { createEventTables, upgradeEventTablesV2, upgradeEventTablesV3 } from '../../platform/events/tables';

export interface EventsTestDb {
  url: string;
  schema: string;
  db: Knex;
  /** Another pool on the same database: a second "instance" (closed by drop). */
  openPool(max?: number): Knex;
  drop(): Promise<void>;
}

export function eventsTestDatabaseUrl(): string {
  const url = process.env.DATABASE_URL ?? process.env.ORDER_DATABASE_URL;
  if (!url) throw new Error('no test database (run through jest globalSetup)');
  return url;
}

export function openPool(url: string, max = 4): Knex {
  return knexFactory({ client: 'pg', connection: url, pool: { min: 0, max } });
}

/** Tables an effect can be counted in: one row per applied effect, duplicates would show. */
export async function createEffectsTable(db: Knex, schema: string): Promise<void> {
  await db.raw(
    `CREATE TABLE IF NOT EXISTS ?? (
       seq bigserial PRIMARY KEY, consumer text NOT NULL, event_id uuid NOT NULL, stream text NOT NULL, n integer
     )`,
    [`${schema}.effects`],
  );
}

export async function createEventsTestDb(prefix = 'events_t'): Promise<EventsTestDb> {
  const url = eventsTestDatabaseUrl();
  const schema = `${prefix}_${crypto.randomBytes(4).toString('hex')}`;
  const db = openPool(url);
  await db.raw('CREATE SCHEMA ??', [schema]);
  await createEventTables(db, { schema });
  await upgradeEventTablesV2(db, { schema });
  await upgradeEventTablesV3(db, { schema });
  await createEffectsTable(db, schema);
  const pools: Knex[] = [];
  return {
    url,
    schema,
    db,
    openPool(max?: number) {
      const pool = openPool(url, max);
      pools.push(pool);
      return pool;
    },
    async drop() {
      await Promise.all(pools.map((pool) => pool.destroy()));
      await db.raw('DROP SCHEMA IF EXISTS ?? CASCADE', [schema]);
      await db.destroy();
    },
  };
}

/** Polls `check` until it returns true (no fixed sleeps in assertions; the jest timeout bounds the wait). */
export async function waitFor(check: () => Promise<boolean> | boolean, intervalMs = 25): Promise<void> {
  for (;;) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
