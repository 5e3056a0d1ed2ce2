/**
 * Opens the databases the checker reads, the way the subgraphs find theirs (app/databases.ts): `<NAME>_DATABASE_URL`
 * when set, else DATABASE_URL as the subgraph's own role (DB_SEPARATE_ROLES, default true) — so the audit needs no
 * credentials beyond the services' own, and reads each schema with the privileges of its owner. Every session is
 * READ ONLY (`default_transaction_read_only`): the checker cannot write, whatever a check does. It migrates nothing
 * and provisions nothing. Without any database URL it opens the embedded databases under DATA_DIR (only while
 * `npm start` is not running: PGlite files belong to one process).
 */
import knexFactory, { type Knex } from 'knex';
import type { Config } from '../../platform/config';
import { MIGRATIONS_TABLE, subgraphDatabaseUrl } from '../../platform/db';
import { openDatabases } from '../../app/databases';
import type { AuditDatabases } from './types';

export const AUDITED = ['product', 'promote', 'order', 'payment', 'review', 'user'] as const;

function readOnlyKnex(connectionString: string, subgraph: string): Knex {
  return knexFactory({
    client: 'pg',
    connection: { connectionString, application_name: `shop-audit-${subgraph}` },
    searchPath: [subgraph],
    pool: {
      min: 0,
      max: 1,
      afterCreate(connection: { query(sql: string, callback: (error: Error | null) => void): void }, done: (error: Error | null, connection: unknown) => void) {
        connection.query('SET default_transaction_read_only = on', (error) => done(error, connection));
      },
    },
    migrations: { tableName: MIGRATIONS_TABLE, schemaName: subgraph },
  });
}

export async function openAuditDatabases(config: Config): Promise<{ dbs: AuditDatabases; close(): Promise<void> }> {
  const configured = AUDITED.every((name) => config.databaseUrl || config.subgraphDatabaseUrls[name]);
  if (configured) {
    const dbs = Object.fromEntries(
      AUDITED.map((name) => [name, readOnlyKnex(subgraphDatabaseUrl(config, name, config.dbSeparateRoles), name)]),
    ) as AuditDatabases;
    return { dbs, close: async () => void (await Promise.all(Object.values(dbs).map((db) => db.destroy()))) };
  }
  // Embedded (development): the same files `npm start` uses, without migrating them.
  const opened = await openDatabases({ ...config, dbPoolMax: 1 }, AUDITED, { migrate: false, separateRoles: false });
  for (const name of AUDITED) await opened.dbs[name].raw('SET default_transaction_read_only = on');
  return { dbs: opened.dbs as AuditDatabases, close: () => opened.close() };
}
