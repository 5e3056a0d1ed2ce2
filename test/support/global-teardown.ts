/** Drops what global-setup created: the run's database and its per-subgraph roles, or the embedded server. */
import knexFactory from 'knex';
import { SUBGRAPH_NAMES } from '../../platform/config';
import { subgraphRoleName } from '../../platform/db';
import type { EmbeddedPostgres } from '../../platform/embedded-postgres';

export default async function globalTeardown() {
  const embedded = (globalThis as { __embeddedPostgres?: EmbeddedPostgres[] }).__embeddedPostgres ?? [];
  await Promise.all(embedded.map((server) => server.stop()));
  const adminUrl = process.env.SHOP_TEST_ADMIN_URL;
  const database = process.env.SHOP_TEST_DATABASE;
  if (!adminUrl || !database || process.env.KEEP_TEST_DATABASE) return;
  const admin = knexFactory({ client: 'pg', connection: adminUrl, pool: { min: 0, max: 1 } });
  try {
    await admin.raw('DROP DATABASE IF EXISTS ?? WITH (FORCE)', [database]);
    for (const name of SUBGRAPH_NAMES) {
      await admin.raw('DROP ROLE IF EXISTS ??', [subgraphRoleName(process.env.DATABASE_URL!, name)]);
    }
  } finally {
    await admin.destroy();
  }
}
