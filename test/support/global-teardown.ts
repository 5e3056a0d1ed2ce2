/** Drops what global-setup created: the run's database and its per-subgraph roles, or the embedded server. */
import knexFactory from 'knex';
import { createClient } from 'redis';
import { SUBGRAPH_NAMES } from '../../platform/config';
import { subgraphRoleName } from '../../platform/db';
import type { EmbeddedPostgres } from '../../platform/embedded-postgres';

/** Deletes the run's streams (global-setup named them with a namespace of their own). */
async function dropRunStreams() {
  const namespace = process.env.SHOP_TEST_EVENTS_NAMESPACE;
  if (!namespace || !process.env.REDIS_URL) return;
  const client = createClient({ url: process.env.REDIS_URL });
  await client.connect();
  try {
    for await (const keys of client.scanIterator({ MATCH: `${namespace}:*`, COUNT: 100 })) {
      const batch = ([] as string[]).concat(keys as string | string[]);
      if (batch.length) await client.del(batch);
    }
  } finally {
    client.destroy();
  }
}

export default async function globalTeardown() {
  await dropRunStreams().catch((error: unknown) => console.error('[teardown] could not drop the run streams:', error));
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
