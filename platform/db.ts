/**
 * Database access for one subgraph: a knex instance whose search_path is the subgraph's own schema,
 * its own migrations table inside that schema, and (on real PostgreSQL) its own login role.
 * Data-access modules receive the `Knex` built here and never name another subgraph's schema.
 */
import knexFactory, { type Knex } from 'knex';
import pg from 'pg';
import { withAdvisoryLock } from './advisory-lock';
import type { Config, SubgraphName } from './config';

// bigint ids travel as strings (GraphQL ID); int8 sums/counts we cast explicitly in SQL where a number is wanted.
pg.types.setTypeParser(pg.types.builtins.INT8, (value: string) => value);

export interface Migration {
  name: string;
  up(knex: Knex): Promise<void>;
  down(knex: Knex): Promise<void>;
}

/** Knex migration source over a list of migrations kept in code (no file globbing, works under tsx and jest). */
class ListMigrationSource implements Knex.MigrationSource<Migration> {
  constructor(private readonly migrations: Migration[]) {}
  async getMigrations() {
    return this.migrations;
  }
  getMigrationName(migration: Migration) {
    return migration.name;
  }
  async getMigration(migration: Migration) {
    return { up: migration.up, down: migration.down };
  }
}

export const MIGRATIONS_TABLE = 'knex_migrations';

/** Role a subgraph logs in as when it shares a PostgreSQL server: `<database>_<subgraph>`. */
export function subgraphRoleName(databaseUrl: string, subgraph: SubgraphName): string {
  const database = new URL(databaseUrl).pathname.replace(/^\//, '') || 'postgres';
  return `${database}_${subgraph}`.toLowerCase().replace(/[^a-z0-9_]/g, '_');
}

/**
 * The connection string a subgraph uses: `<NAME>_DATABASE_URL` as given, else DATABASE_URL logged in as the
 * subgraph's own role (when `separateRoles`), else DATABASE_URL as is (embedded PGlite has one role).
 */
export function subgraphDatabaseUrl(config: Config, subgraph: SubgraphName, separateRoles: boolean): string {
  const explicit = config.subgraphDatabaseUrls[subgraph];
  if (explicit) return explicit;
  if (!config.databaseUrl) throw new Error(`No database configured for ${subgraph}: set DATABASE_URL`);
  if (!separateRoles) return config.databaseUrl;
  const url = new URL(config.databaseUrl);
  url.username = subgraphRoleName(config.databaseUrl, subgraph);
  return url.toString();
}

export function createSubgraphKnex(connectionString: string, subgraph: SubgraphName, poolMax: number): Knex {
  return knexFactory({
    client: 'pg',
    connection: { connectionString, application_name: `shop-${subgraph}` },
    searchPath: [subgraph],
    pool: { min: 0, max: poolMax },
    migrations: { tableName: MIGRATIONS_TABLE, schemaName: subgraph },
  });
}

/**
 * Applies pending migrations. Instances starting together take turns (advisory lock per subgraph): the schema
 * check-then-create and knex's own migration lock (which fails rather than waits) would otherwise race.
 */
export async function migrateSubgraph(knex: Knex, subgraph: SubgraphName, migrations: Migration[]): Promise<void> {
  await withAdvisoryLock(knex, `migrate:${subgraph}`, async () => {
    // A per-subgraph role may not create schemas (provisioning made its schema); only create when missing.
    const existing = await knex.raw('SELECT 1 FROM pg_namespace WHERE nspname = ?', [subgraph]);
    if (existing.rows.length === 0) await knex.raw('CREATE SCHEMA ??', [subgraph]);
    await knex.migrate.latest({
      migrationSource: new ListMigrationSource(migrations),
      tableName: MIGRATIONS_TABLE,
      schemaName: subgraph,
    });
  });
}

/**
 * With an admin connection: one login role per subgraph owning one schema, and nothing else.
 * Another subgraph's schema is then invisible to it ("permission denied for schema ...").
 * Idempotent; safe to run at every start, from any number of instances at once: they take turns under one
 * advisory lock per database (concurrent GRANT/REVOKE/ALTER ROLE on the same catalog rows fail with "tuple
 * concurrently updated").
 */
export async function provisionSubgraphRoles(adminUrl: string, subgraphs: readonly SubgraphName[]): Promise<void> {
  await withAdvisoryLock(adminUrl, 'provision', () => provision(adminUrl, subgraphs));
}

async function provision(adminUrl: string, subgraphs: readonly SubgraphName[]): Promise<void> {
  const admin = knexFactory({ client: 'pg', connection: adminUrl, pool: { min: 0, max: 1 } });
  try {
    const password = new URL(adminUrl).password ? decodeURIComponent(new URL(adminUrl).password) : null;
    const database = new URL(adminUrl).pathname.replace(/^\//, '') || 'postgres';
    for (const subgraph of subgraphs) {
      const role = subgraphRoleName(adminUrl, subgraph);
      const exists = await admin.raw('SELECT 1 FROM pg_roles WHERE rolname = ?', [role]);
      if (exists.rows.length === 0) {
        // Roles are cluster-wide: another database's provisioning (not under our lock) may create it first.
        await admin.raw('CREATE ROLE ?? LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE', [role]).catch((error: { code?: string }) => {
          if (error.code !== '42710' && error.code !== '23505') throw error;
        });
      }
      if (password) await admin.raw(`ALTER ROLE ?? PASSWORD '${password.replace(/'/g, "''")}'`, [role]);
      await admin.raw('GRANT CONNECT ON DATABASE ?? TO ??', [database, role]);
      await admin.raw('CREATE SCHEMA IF NOT EXISTS ?? AUTHORIZATION ??', [subgraph, role]);
      await admin.raw('ALTER SCHEMA ?? OWNER TO ??', [subgraph, role]);
      await admin.raw('REVOKE ALL ON SCHEMA ?? FROM PUBLIC', [subgraph]);
    }
    // Nothing lands in the shared public schema either.
    await admin.raw('REVOKE CREATE ON SCHEMA public FROM PUBLIC');
  } finally {
    await admin.destroy();
  }
}

/** Counts SQL statements a knex instance sends: the proof that a list is batched (no N+1). */
export interface StatementCounter {
  readonly count: number;
  readonly statements: string[];
  reset(): void;
  stop(): void;
}

/**
 * The events platform's background work (outbox relay polls, job claims, consumer bookkeeping and dead letters, the
 * retention job's prunes) runs on the same pool
 * at its own pace: it is nobody's request, so the counter leaves it out. (An outbox append inside a request's own
 * transaction is left out too: one per state change, never per item, so it cannot hide an N+1.) Other periodic work
 * marks its statements with the SQL comment "background" (slash-star background star-slash; e.g. the hold sweeps' reads).
 */
const BACKGROUND_STATEMENT = /\b(outbox|outbox_relay|jobs|processed_events|dead_events)\b|\/\* background \*\//;

export function countStatements(knex: Knex): StatementCounter {
  const statements: string[] = [];
  // A transaction's BEGIN is held back until its first statement shows whose it is; background transactions
  // (and empty ones) leave no trace.
  const pendingBegin = new Map<string, string>();
  const countedTx = new Set<string>();
  const listener = (query: { sql: string; __knexTxId?: string }) => {
    const txId = query.__knexTxId;
    const sql = query.sql.trim();
    if (txId && /^BEGIN/i.test(sql)) {
      pendingBegin.set(txId, query.sql);
      return;
    }
    if (txId && /^(COMMIT|ROLLBACK)/i.test(sql)) {
      pendingBegin.delete(txId);
      // Only the end of a transaction whose BEGIN was counted (not one begun before counting, nor a background one).
      if (countedTx.delete(txId)) statements.push(query.sql);
      return;
    }
    if (BACKGROUND_STATEMENT.test(sql)) {
      if (txId) pendingBegin.delete(txId);
      return;
    }
    if (txId && pendingBegin.has(txId)) {
      statements.push(pendingBegin.get(txId)!);
      pendingBegin.delete(txId);
      countedTx.add(txId);
    }
    statements.push(query.sql);
  };
  knex.on('query', listener);
  return {
    get count() {
      return statements.length;
    },
    statements,
    reset() {
      statements.length = 0;
    },
    stop() {
      knex.off('query', listener);
    },
  };
}
