/**
 * Opens each subgraph's database the way the run mode wants it:
 * - DATABASE_URL (real PostgreSQL): one login role per subgraph owning its own schema (provisioned here),
 *   unless `<NAME>_DATABASE_URL` names the subgraph's database explicitly;
 * - no DATABASE_URL: one embedded PGlite per subgraph under `.data/pglite/<name>`. One per subgraph because
 *   pglite-socket multiplexes every connection onto a single Postgres session: session state such as
 *   knex's `SET search_path` would leak between subgraphs sharing an instance.
 * Then migrates each subgraph with its own migrations table.
 */
import path from 'node:path';
import type { Knex } from 'knex';
import { subgraphModules } from '../subgraphs';
import type { Config, SubgraphName } from '../platform/config';
import { createSubgraphKnex, migrateSubgraph, provisionSubgraphRoles, subgraphDatabaseUrl } from '../platform/db';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../platform/embedded-postgres';

export interface OpenDatabases {
  dbs: Record<SubgraphName, Knex>;
  /** The embedded servers started for subgraphs without a database URL (none with DATABASE_URL). */
  embedded: EmbeddedPostgres[];
  /** Whether each subgraph logs in as its own role. */
  separateRoles: boolean;
  close(): Promise<void>;
}

export async function openDatabases(
  config: Config,
  names: readonly SubgraphName[],
  options: { migrate?: boolean; separateRoles?: boolean } = {},
): Promise<OpenDatabases> {
  const embedded: EmbeddedPostgres[] = [];
  let effective = config;
  const unconfigured = names.filter((name) => !config.subgraphDatabaseUrls[name]);
  if (unconfigured.length && !config.databaseUrl) {
    const started = await Promise.all(
      unconfigured.map((name) =>
        startEmbeddedPostgres({
          dataDir: path.join(config.dataDir, 'pglite', name),
          // The subgraph's knex pool, plus room for a migration connection.
          maxConnections: config.dbPoolMax + 2,
        }),
      ),
    );
    embedded.push(...started);
    const urls = Object.fromEntries(unconfigured.map((name, i) => [name, started[i].url]));
    effective = { ...config, subgraphDatabaseUrls: { ...config.subgraphDatabaseUrls, ...urls } };
  }
  const separateRoles = options.separateRoles ?? (!embedded.length && config.dbSeparateRoles);
  if (separateRoles && effective.databaseUrl) {
    const shared = names.filter((name) => !effective.subgraphDatabaseUrls[name]);
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
      await Promise.all(embedded.map((server) => server.stop()));
    },
  };
}
