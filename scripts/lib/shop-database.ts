/**
 * A database of a run's own on a PostgreSQL server (the fault harness's shops, the local cluster): created, then
 * provisioned and migrated as `npm run migrate` does (one role per subgraph), optionally seeded with the demo data
 * a first development start would add; `drop()` removes it and its roles (`<database>_<subgraph>`).
 */
import knexFactory from 'knex';
import { loadConfig, SUBGRAPH_NAMES } from '../../platform/config';
import { subgraphRoleName } from '../../platform/db';
import { openDatabases } from '../../app/databases';
import { subgraphModules } from '../../subgraphs';

export interface ShopDatabase {
  name: string;
  /** The new database's URL (the admin URL's credentials and host). */
  url: string;
  drop(): Promise<void>;
}

async function onServer(adminUrl: string, work: (server: ReturnType<typeof knexFactory>) => Promise<void>): Promise<void> {
  const server = knexFactory({ client: 'pg', connection: adminUrl, pool: { min: 0, max: 1 } });
  try {
    await work(server);
  } finally {
    await server.destroy();
  }
}

/**
 * `name` at most 54 bytes: PostgreSQL's limit is 63, and the role names add up to 8 (`_product`).
 * `seed`: the demo catalog, shoppers and coupons (each subgraph's seedDemo), as outside production.
 */
export async function createShopDatabase(adminUrl: string, name: string, options: { seed?: boolean } = {}): Promise<ShopDatabase> {
  if (Buffer.byteLength(name) > 54) throw new Error(`database name "${name}" is longer than 54 bytes`);
  await onServer(adminUrl, async (server) => void (await server.raw('CREATE DATABASE ??', [name])));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const database: ShopDatabase = {
    name,
    url: url.toString(),
    drop: () =>
      onServer(adminUrl, async (server) => {
        await server.raw('DROP DATABASE IF EXISTS ?? WITH (FORCE)', [name]);
        for (const subgraph of SUBGRAPH_NAMES) await server.raw('DROP ROLE IF EXISTS ??', [subgraphRoleName(database.url, subgraph)]);
      }),
  };
  try {
    await prepareShopDatabase(database.url, options);
  } catch (error) {
    await database.drop();
    throw error;
  }
  return database;
}

/**
 * Roles (one per subgraph), schemas and migrations once (as `npm run migrate` does before instances roll out), and
 * with `seed` the demo data a first development start would add.
 */
export async function prepareShopDatabase(databaseUrl: string, options: { seed?: boolean } = {}): Promise<void> {
  const config = loadConfig({ ...process.env, NODE_ENV: 'test', DATABASE_URL: databaseUrl, DB_POOL_MAX: '2' });
  const opened = await openDatabases(config, SUBGRAPH_NAMES, { separateRoles: true });
  try {
    if (options.seed) for (const subgraph of SUBGRAPH_NAMES) await subgraphModules[subgraph].seedDemo?.(opened.dbs[subgraph], config);
  } finally {
    await opened.close();
  }
}
