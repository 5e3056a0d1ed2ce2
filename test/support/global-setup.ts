/**
 * Once per `npm test`: a database of its own for this run.
 * - DATABASE_URL set (CI, real PostgreSQL): a fresh database on that server, dropped by global-teardown, with one
 *   role per subgraph (the same provisioning as production).
 * - otherwise: an in-memory PGlite behind pglite-socket, kept alive in this process for the whole run
 *   (PGlite cannot start inside a jest test file).
 * Migrates every subgraph and seeds the demo catalog, then hands DATABASE_URL to the test workers.
 */
import knexFactory from 'knex';
import { loadConfig, SUBGRAPH_NAMES } from '../../platform/config';
import { openDatabases } from '../../app/databases';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../platform/embedded-postgres';
import { subgraphModules } from '../../subgraphs';
import globalTeardown from './global-teardown';

export default async function globalSetup() {
  process.env.NODE_ENV = 'test';
  // Streams and channels of this run only: a shared Redis keeps other runs' events (and their pending entries).
  if (process.env.REDIS_URL && !process.env.EVENTS_NAMESPACE) {
    process.env.EVENTS_NAMESPACE = `shop-test-${Date.now().toString(36)}-${process.pid}`;
    process.env.SHOP_TEST_EVENTS_NAMESPACE = process.env.EVENTS_NAMESPACE;
  }
  // Both workers' supergraphs consume the same streams; entries a worker's consumer was handed as its supergraph
  // stopped are taken over after this idle time. Production's 30 s would outlast the tests' waits.
  process.env.EVENTS_CLAIM_IDLE_MS ??= '2000';
  const adminUrl = process.env.DATABASE_URL;
  if (adminUrl) {
    const url = new URL(adminUrl);
    const database = `shop_test_${Date.now().toString(36)}_${process.pid}`;
    const admin = knexFactory({ client: 'pg', connection: adminUrl, pool: { min: 0, max: 1 } });
    await admin.raw('CREATE DATABASE ??', [database]);
    await admin.destroy();
    url.pathname = `/${database}`;
    process.env.SHOP_TEST_ADMIN_URL = adminUrl;
    process.env.SHOP_TEST_DATABASE = database;
    process.env.DATABASE_URL = url.toString();
    process.env.SHOP_TEST_SEPARATE_ROLES = 'true';
  } else {
    // One in-memory PGlite per subgraph (see platform/databases.ts for why not one shared instance).
    // Each test file opens its own pools: leave room for both workers and a few files each.
    const embedded = await Promise.all(
      SUBGRAPH_NAMES.map(() => startEmbeddedPostgres({ dataDir: 'memory://', maxConnections: 60 })),
    );
    (globalThis as { __embeddedPostgres?: EmbeddedPostgres[] }).__embeddedPostgres = embedded;
    SUBGRAPH_NAMES.forEach((name, i) => (process.env[`${name.toUpperCase()}_DATABASE_URL`] = embedded[i].url));
    process.env.SHOP_TEST_SEPARATE_ROLES = 'false';
  }
  try {
    const config = loadConfig();
    const databases = await openDatabases(config, SUBGRAPH_NAMES, {
      separateRoles: process.env.SHOP_TEST_SEPARATE_ROLES === 'true',
    });
    try {
      for (const name of SUBGRAPH_NAMES) await subgraphModules[name].seedDemo?.(databases.dbs[name], config);
    } finally {
      await databases.close();
    }
  } catch (error) {
    // jest skips globalTeardown when globalSetup fails: clean up here.
    await globalTeardown();
    throw error;
  }
}
