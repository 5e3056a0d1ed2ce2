/**
 * Ownership in the database: each subgraph migrates and uses only its own schema, with its own migrations table;
 * on real PostgreSQL each logs in as its own role, so SQL against another subgraph's tables is refused.
 */
import { loadConfig, SUBGRAPH_NAMES } from '../platform/config';
import { MIGRATIONS_TABLE, subgraphDatabaseUrl, subgraphRoleName } from '../platform/db';
import { openDatabases, type OpenDatabases } from '../app/databases';

const separateRoles = process.env.SHOP_TEST_SEPARATE_ROLES === 'true';
let databases: OpenDatabases;

beforeAll(async () => {
  databases = await openDatabases(loadConfig(), SUBGRAPH_NAMES, { migrate: false, separateRoles });
});
afterAll(async () => {
  await databases?.close();
});

it('gives every subgraph its own schema and its own migrations table', async () => {
  for (const name of SUBGRAPH_NAMES) {
    const db = databases.dbs[name];
    const { rows } = await db.raw('SELECT current_schema() AS schema');
    expect(rows[0].schema).toBe(name);
    const tables = await db.raw('SELECT table_name FROM information_schema.tables WHERE table_schema = ?', [name]);
    expect(tables.rows.map((r: { table_name: string }) => r.table_name)).toContain(MIGRATIONS_TABLE);
    expect(tables.rows.map((r: { table_name: string }) => r.table_name)).toContain(`${MIGRATIONS_TABLE}_lock`);
  }
  const { rows } = await databases.dbs.order.raw(
    "SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = 'public' AND table_name LIKE 'knex%'",
  );
  expect(rows[0].n).toBe(0);
});

(separateRoles ? describe : describe.skip)('on real PostgreSQL (per-subgraph roles)', () => {
  it('logs each subgraph in as its own role', async () => {
    for (const name of SUBGRAPH_NAMES) {
      const { rows } = await databases.dbs[name].raw('SELECT current_user AS role');
      expect(rows[0].role).toBe(subgraphRoleName(process.env.DATABASE_URL!, name));
    }
  });

  it("refuses a query against another subgraph's tables", async () => {
    await expect(databases.dbs.product.raw('SELECT * FROM "order".orders LIMIT 1')).rejects.toMatchObject({ code: '42501' });
    await expect(databases.dbs.order.raw('SELECT * FROM payment.payments LIMIT 1')).rejects.toMatchObject({ code: '42501' });
    await expect(databases.dbs.cart.raw('INSERT INTO "order".orders (order_no) VALUES (?)', ['x'])).rejects.toMatchObject({
      code: '42501',
    });
    // Nor can a subgraph create tables outside its schema.
    await expect(databases.dbs.user.raw('CREATE TABLE public.sneaky (id int)')).rejects.toMatchObject({ code: '42501' });
  });

  it("can still use its own tables", async () => {
    const { rows } = await databases.dbs.order.raw('SELECT count(*)::int AS n FROM orders');
    expect(typeof rows[0].n).toBe('number');
  });
});

describe('connection strings', () => {
  it('uses <NAME>_DATABASE_URL over DATABASE_URL for that subgraph only', () => {
    const config = loadConfig({
      NODE_ENV: 'test',
      DATABASE_URL: 'postgres://admin:pw@db.example:5432/shop',
      ORDER_DATABASE_URL: 'postgres://orders@orders-db:5432/orders',
    });
    expect(subgraphDatabaseUrl(config, 'order', true)).toBe('postgres://orders@orders-db:5432/orders');
    const product = new URL(subgraphDatabaseUrl(config, 'product', true));
    expect(product.username).toBe('shop_product');
    expect(product.password).toBe('pw');
    expect(product.pathname).toBe('/shop');
    expect(subgraphDatabaseUrl(config, 'product', false)).toBe('postgres://admin:pw@db.example:5432/shop');
    expect(config.dbSeparateRoles).toBe(true);
    expect(loadConfig({ NODE_ENV: 'test', DB_SEPARATE_ROLES: 'false' }).dbSeparateRoles).toBe(false);
  });
});

describe('config', () => {
  it('refuses production without JWT_SECRET; service keys are checked per process (test/service-keys.test.ts)', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/JWT_SECRET/);
    const config = loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'j'.repeat(32), INTERNAL_SECRET: 'i'.repeat(32) });
    expect(config.explorerEnabled).toBe(false);
    // Production derives nothing from INTERNAL_SECRET: no service holds a key until SERVICE_KEY_<NAME> gives it one.
    expect(config.serviceKeys.holds('order')).toBe('none');
  });
});

