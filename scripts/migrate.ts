/**
 * `npm run migrate [-- <name>…]`: provisions each subgraph's role and schema (real PostgreSQL) and applies its
 * pending migrations — every subgraph, or the ones named. Run it before rolling out new subgraph instances.
 * Without DATABASE_URL it migrates the embedded databases under DATA_DIR (refused while `npm start` runs: PGlite
 * files belong to one process at a time).
 */
import type { Knex } from 'knex';
import { loadConfig, SUBGRAPH_NAMES, type Config, type SubgraphName } from '../platform/config';
import { openDatabases } from '../app/databases';
import { MIGRATIONS_TABLE, migrateSubgraph } from '../platform/db';
import { assertPortFree, startupFailure } from '../platform/process';
import { subgraphModules } from '../subgraphs';

const USAGE = `Usage: npm run migrate [-- <name>…]   (names among: ${SUBGRAPH_NAMES.join(', ')}; default all)`;

function parseNames(args: string[]): readonly SubgraphName[] {
  const unknown = args.filter((arg) => !(SUBGRAPH_NAMES as readonly string[]).includes(arg));
  if (unknown.length) throw new Error(`unknown subgraph ${unknown.map((n) => `"${n}"`).join(', ')}\n${USAGE}`);
  return args.length ? [...new Set(args as SubgraphName[])] : SUBGRAPH_NAMES;
}

async function appliedMigrations(db: Knex, name: SubgraphName): Promise<number> {
  const exists = await db.schema.withSchema(name).hasTable(MIGRATIONS_TABLE);
  if (!exists) return 0;
  const [{ count }] = await db.withSchema(name).from(MIGRATIONS_TABLE).count<{ count: string | number }[]>({ count: '*' });
  return Number(count);
}

async function main() {
  let names: readonly SubgraphName[];
  let config: Config;
  try {
    names = parseNames(process.argv.slice(2));
    config = loadConfig();
    // Embedded database files belong to one process at a time: refuse while a subgraph using them runs.
    for (const name of names) {
      if (!config.databaseUrl && !config.subgraphDatabaseUrls[name]) {
        await assertPortFree(config.host, config.ports[name], `stop it before migrating the embedded ${name} database`);
      }
    }
  } catch (error) {
    startupFailure('migrations', error);
  }
  // Provisioning (roles, schemas) happens on open; migrations run below so each subgraph's count can be reported.
  const databases = await openDatabases(config, names, { migrate: false });
  try {
    console.log(
      databases.embedded.length
        ? `database   embedded PostgreSQL (PGlite, data in ${config.dataDir})`
        : `database   PostgreSQL${databases.separateRoles ? ', one role per subgraph' : ''}`,
    );
    for (const name of names) {
      const db = databases.dbs[name];
      const before = await appliedMigrations(db, name);
      await migrateSubgraph(db, name, subgraphModules[name].migrations);
      const after = await appliedMigrations(db, name);
      const applied = after - before;
      console.log(`${name.padEnd(10)} ${applied ? `applied ${applied} migration(s)` : 'up to date'} (${after} in total)`);
    }
  } finally {
    await databases.close();
  }
}

main().catch((error: unknown) => {
  console.error('Migration failed:', error instanceof Error ? error.message : error);
  process.exit(1);
});
