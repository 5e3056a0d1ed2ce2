/**
 * Many instances starting at once on a fresh database (real PostgreSQL only: embedded PGlite belongs to one
 * process). Provisioning, migrations and demo seeding take turns under advisory locks, so every instance comes up,
 * each migration is applied once and the demo data exists once. Without the locks, concurrent provisioning failed
 * with "tuple concurrently updated" and knex refused a migration whose lock table another instance held.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import knexFactory, { type Knex } from 'knex';
import { loadConfig, SUBGRAPH_NAMES, type SubgraphName } from '../platform/config';
import { MIGRATIONS_TABLE, subgraphRoleName } from '../platform/db';
import { openDatabases } from '../app/databases';
import { seedDemoData } from '../app/launcher';
import { subgraphModules } from '../subgraphs';
import { DEMO_SHOPPER } from '../subgraphs/user/seed';

const adminUrl = process.env.SHOP_TEST_ADMIN_URL;
const root = path.resolve(__dirname, '..');

/** A database of its own (not the test run's, which global-setup already migrated), dropped with its roles. */
async function freshDatabase(label: string): Promise<{ url: string; admin: Knex; drop(): Promise<void> }> {
  const database = `shop_startup_${label}_${Date.now().toString(36)}_${process.pid}`;
  const server = knexFactory({ client: 'pg', connection: adminUrl!, pool: { min: 0, max: 1 } });
  await server.raw('CREATE DATABASE ??', [database]);
  const url = new URL(adminUrl!);
  url.pathname = `/${database}`;
  const admin = knexFactory({ client: 'pg', connection: url.toString(), pool: { min: 0, max: 2 } });
  return {
    url: url.toString(),
    admin,
    async drop() {
      await admin.destroy();
      try {
        await server.raw('DROP DATABASE IF EXISTS ?? WITH (FORCE)', [database]);
        for (const name of SUBGRAPH_NAMES) await server.raw('DROP ROLE IF EXISTS ??', [subgraphRoleName(url.toString(), name)]);
      } finally {
        await server.destroy();
      }
    },
  };
}

/** Every subgraph's migrations applied exactly once; the demo data present exactly once. */
async function expectMigratedAndSeededOnce(admin: Knex): Promise<void> {
  for (const name of SUBGRAPH_NAMES) {
    const { rows } = await admin.raw(`SELECT name FROM ??.?? ORDER BY id`, [name, MIGRATIONS_TABLE]);
    expect({ name, migrations: rows.map((row: { name: string }) => row.name) }).toEqual({
      name,
      migrations: subgraphModules[name].migrations.map((migration) => migration.name),
    });
  }
  const one = async (sql: string, bindings: string[] = []) => (await admin.raw(sql, bindings)).rows[0];
  expect(await one('SELECT count(*)::int AS n FROM "user".users WHERE phone = ?', [DEMO_SHOPPER.phone])).toEqual({ n: 1 });
  expect(await one(`SELECT count(*)::int AS n FROM "user".users WHERE username = 'admin'`)).toEqual({ n: 1 });
  // The demo's four claimable templates, seeded once (the shop's own system templates, e.g. red packets', come from migrations).
  expect(
    await one(
      'SELECT count(*)::int AS n, count(DISTINCT name)::int AS d FROM promote.coupon_templates WHERE id NOT IN (SELECT template_id FROM promote.promote_system_templates)',
    ),
  ).toEqual({ n: 4, d: 4 });
  const products = await one('SELECT count(*)::int AS n, count(DISTINCT title)::int AS d FROM product.products');
  expect(products.n).toBeGreaterThan(0);
  expect(products.n).toBe(products.d);
  const skus = await one('SELECT count(*)::int AS n, count(DISTINCT (product_id, name))::int AS d FROM product.skus');
  expect(skus.n).toBe(skus.d);
  const categories = await one('SELECT count(*)::int AS n, count(DISTINCT (parent_id, name))::int AS d FROM product.categories');
  expect(categories.n).toBe(categories.d);
}

(adminUrl ? describe : describe.skip)('instances starting together on a fresh database (real PostgreSQL)', () => {
  it('five start-ups in one process (provision roles, migrate, seed) at once all succeed, and do the work once', async () => {
    const fresh = await freshDatabase('inproc');
    try {
      const config = loadConfig({ NODE_ENV: 'test', DATABASE_URL: fresh.url, DB_POOL_MAX: '2' });
      const results = await Promise.allSettled(
        Array.from({ length: 5 }, async () => {
          const databases = await openDatabases(config, SUBGRAPH_NAMES);
          try {
            await seedDemoData(config, SUBGRAPH_NAMES, databases);
          } finally {
            await databases.close();
          }
        }),
      );
      expect(results.filter((result) => result.status === 'rejected')).toEqual([]);
      await expectMigratedAndSeededOnce(fresh.admin);
    } finally {
      await fresh.drop();
    }
  });

  it('two processes of every subgraph started at once all come up, answer /health and stop on SIGTERM', async () => {
    const INSTANCES = 2;
    const fresh = await freshDatabase('procs');
    const children: { name: SubgraphName; child: ChildProcess; output: () => string; exited: Promise<number | null> }[] = [];
    try {
      for (const name of SUBGRAPH_NAMES) {
        for (let i = 0; i < INSTANCES; i++) {
          // node with tsx's loader, not the tsx CLI: the CLI relays SIGTERM to its child but gives it 30 ms to
          // acknowledge, then kills it and exits 143 — which a loaded machine misses.
          const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/start-subgraph.ts', name], {
            cwd: root,
            stdio: ['ignore', 'pipe', 'pipe'],
            env: {
              PATH: process.env.PATH,
              HOME: process.env.HOME,
              // development: demo data is seeded, and Apollo Server handles SIGTERM itself too.
              NODE_ENV: 'development',
              JWT_SECRET: 'startup-concurrency-jwt-secret',
              INTERNAL_SECRET: 'startup-concurrency-internal-secret',
              DATABASE_URL: fresh.url,
              DB_POOL_MAX: '2',
              [`${name.toUpperCase()}_PORT`]: '0',
            },
          });
          let output = '';
          child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
          child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
          const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
          children.push({ name, child, output: () => output, exited });
        }
      }
      // Every instance prints its URL and "Ready", or exits (a failed start-up) — whichever comes first.
      const urls = await Promise.all(
        children.map(
          ({ name, output, exited }) =>
            new Promise<string>((resolve, reject) => {
              const timer = setInterval(() => {
                const match = output().match(new RegExp(`${name}\\s+(http://\\S+)[\\s\\S]*Ready in`));
                if (match) {
                  clearInterval(timer);
                  resolve(match[1]);
                }
              }, 100);
              void exited.then((code) => {
                clearInterval(timer);
                reject(new Error(`${name} exited (${code}) during start-up:\n${output()}`));
              });
            }),
        ),
      );
      for (const url of urls) expect((await fetch(new URL('/health', url))).status).toBe(200);
      await expectMigratedAndSeededOnce(fresh.admin);

      for (const { child } of children) child.kill('SIGTERM');
      const codes = await Promise.all(children.map(({ exited }) => exited));
      expect(codes).toEqual(children.map(() => 0));
    } finally {
      for (const { child } of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await Promise.all(children.map(({ exited }) => exited));
      await fresh.drop();
    }
  }, 150_000);
});
