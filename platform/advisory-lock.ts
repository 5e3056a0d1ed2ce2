/**
 * Start-up steps that write (role provisioning, migrations, demo seeding) run under a PostgreSQL advisory lock so
 * that any number of instances can start at once: the second instance waits for the first, then finds the work
 * done (every step is idempotent). Without it, concurrent `REVOKE`/`GRANT`/`ALTER ROLE` fail with "tuple
 * concurrently updated", two `CREATE SCHEMA` collide, and knex refuses a migration whose lock table is held.
 *
 * The lock is held on a dedicated connection (not one from the knex pool, which the step itself needs and which
 * may be as small as one), and released in `finally`; if the process dies, the connection closes and PostgreSQL
 * releases the lock. Advisory locks are scoped to one database, so the key needs no database name.
 */
import type { Knex } from 'knex';
import pg from 'pg';

/** First half of every key: "shop" in ASCII, so our locks do not collide with another application's. */
const NAMESPACE = 0x73686f70;

/** 32-bit FNV-1a of the name, as the signed int4 `pg_advisory_lock(int, int)` takes. */
export function advisoryLockKey(name: string): [number, number] {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(name, 'utf8')) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193);
  }
  return [NAMESPACE, hash | 0];
}

/** Where `knex` connects, for a connection of our own to the same database as the same role. */
function connectionOf(knex: Knex): string | pg.ClientConfig {
  const connection = (knex.client as { config: Knex.Config }).config.connection;
  if (typeof connection === 'string') return connection;
  if (connection && typeof connection === 'object') return { ...(connection as pg.ClientConfig), application_name: 'shop-startup-lock' };
  throw new Error('advisory lock: the knex instance has no static connection settings');
}

/**
 * Runs `fn` while holding the advisory lock `name` in the database `knex` points at (a connection string also
 * works). Waits as long as another holder keeps it.
 */
export async function withAdvisoryLock<T>(target: Knex | string, name: string, fn: () => Promise<T>): Promise<T> {
  const client = new pg.Client(typeof target === 'string' ? target : connectionOf(target));
  await client.connect();
  const [classId, objectId] = advisoryLockKey(name);
  try {
    await client.query('SELECT pg_advisory_lock($1, $2)', [classId, objectId]);
    try {
      return await fn();
    } finally {
      // Closing the connection below releases it anyway, so a failed unlock must not hide fn's outcome.
      await client.query('SELECT pg_advisory_unlock($1, $2)', [classId, objectId]).catch(() => undefined);
    }
  } finally {
    await client.end();
  }
}
