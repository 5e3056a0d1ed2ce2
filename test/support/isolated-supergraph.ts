/**
 * A supergraph on a database and an events namespace of its own, for tests whose durable jobs or consumers depend on
 * their own configuration (e.g. a fake WeChat's address): in the run's shared database, another test file's user
 * instance (configured otherwise) would claim those jobs and read those streams. With real PostgreSQL a fresh
 * database (migrated and seeded, dropped at stop); with the embedded PGlite (no admin URL) the run's shared one.
 */
import crypto from 'node:crypto';
import knexFactory from 'knex';
import { openDatabases } from '../../app/databases';
import { launch, type RunningSupergraph } from '../../app/launcher';
import { SUBGRAPH_NAMES, type Config, type SubgraphName } from '../../platform/config';
import { subgraphModules } from '../../subgraphs';
import { startSupergraph, testConfig } from './harness';

export interface IsolatedSupergraph extends RunningSupergraph {
  config: Config;
}

export async function startIsolatedSupergraph(
  overrides: Record<string, string>,
  options: { subgraphs?: readonly SubgraphName[]; router?: boolean } = {},
): Promise<IsolatedSupergraph> {
  const adminUrl = process.env.SHOP_TEST_ADMIN_URL;
  const namespace = `shop-iso-${crypto.randomBytes(6).toString('hex')}`;
  if (!adminUrl) {
    const config = testConfig({ ...overrides, EVENTS_NAMESPACE: namespace });
    return { ...(await startSupergraph({ ...options, config })), config };
  }
  const database = `shop_iso_${Date.now().toString(36)}_${crypto.randomBytes(3).toString('hex')}`;
  const admin = knexFactory({ client: 'pg', connection: adminUrl, pool: { min: 0, max: 1 } });
  await admin.raw('CREATE DATABASE ??', [database]);
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  const dropDatabase = async () => {
    await admin.raw('DROP DATABASE IF EXISTS ?? WITH (FORCE)', [database]);
    await admin.destroy();
  };
  try {
    const config = testConfig({ ...overrides, DATABASE_URL: url.toString(), DB_SEPARATE_ROLES: 'false', EVENTS_NAMESPACE: namespace });
    const names = options.subgraphs ?? SUBGRAPH_NAMES;
    const databases = await openDatabases(config, SUBGRAPH_NAMES, { separateRoles: false });
    for (const name of SUBGRAPH_NAMES) await subgraphModules[name].seedDemo?.(databases.dbs[name], config);
    const running = await launch({ config, subgraphs: names, router: options.router, ephemeralPorts: true, seedDemo: false, databases });
    return {
      ...running,
      config,
      async stop() {
        try {
          await running.stop();
          await databases.close();
        } finally {
          await dropDatabase();
        }
      },
    };
  } catch (error) {
    await dropDatabase();
    throw error;
  }
}
