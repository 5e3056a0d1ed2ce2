/**
 * Opens each subgraph's database the way the run mode wants it:
 * - DATABASE_URL (real PostgreSQL): one login role per subgraph owning its own schema (provisioned here),
 *   unless `<NAME>_DATABASE_URL` names the subgraph's database explicitly;
 * - no DATABASE_URL: the embedded PGlite under `.data/` (one role; schemas still separate).
 * Then migrates each subgraph with its own migrations table.
 */
import path from 'node:path';
import type { Knex } from 'knex';
import { subgraphModules } from '../subgraphs';
import type { Config, SubgraphName } from './config';
import { createSubgraphKnex, migrateSubgraph, provisionSubgraphRoles, subgraphDatabaseUrl } from './db';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './embedded-postgres';

export interface OpenDatabases {
  dbs: Record<SubgraphName, Knex>;
  embedded?: EmbeddedPostgres;
  /** Whether each subgraph logs in as its own role. */
  separateRoles: boolean;
  close(): Promise<void>;
}

export async function openDatabases(
  config: Config,
  names: readonly SubgraphName[],
  options: { migrate?: boolean; separateRoles?: boolean } = {},
): Promise<OpenDatabases> {
  let embedded: EmbeddedPostgres | undefined;
  let effective = config;
  const needsShared = names.some((name) => !config.subgraphDatabaseUrls[name]);
  if (needsShared && !config.databaseUrl) {
    embedded = await startEmbeddedPostgres({
      dataDir: path.join(config.dataDir, 'pglite'),
      // Every knex pool of this process shares the one embedded server.
      maxConnections: names.length * config.dbPoolMax + 4,
    });
    effective = { ...config, databaseUrl: embedded.url };
  }
  const separateRoles = options.separateRoles ?? (!embedded && process.env.DB_SEPARATE_ROLES !== 'false');
  if (separateRoles && effective.databaseUrl) {
    const shared = names.filter((name) => !config.subgraphDatabaseUrls[name]);
    if (shared.length) await provisionSubgraphRoles(effective.databaseUrl, shared);
  }
  const dbs = {} as Record<SubgraphName, Knex>;
  for (const name of names) {
    dbs[name] = createSubgraphKnex(subgraphDatabaseUrl(effective, name, separateRoles), name, config.dbPoolMax);
  }
  if (options.migrate ?? true) {
    for (const name of names) await migrateSubgraph(dbs[name], name, subgraphModules[name].migrations);
  }
  return {
    dbs,
    embedded,
    separateRoles,
    async close() {
      await Promise.all(Object.values(dbs).map((db) => db.destroy()));
      await embedded?.stop();
    },
  };
}
