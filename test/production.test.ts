/**
 * The process entry points, run as real processes: with NODE_ENV=production and no secrets every one refuses to
 * start with a readable message and a non-zero exit; names are validated; the router alone and one subgraph alone
 * start, answer and stop cleanly on SIGTERM; migrations run for the subgraphs named.
 */
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { FEDERATION_LINK, startFakeSubgraph, unusedUrl, writeSupergraph } from './support/fake-subgraph';
import { asIdentity, gql } from './support/harness';
import { bareEnv, run, SECRETS, SERVICE_KEYS } from './support/processes';

describe('NODE_ENV=production without JWT_SECRET', () => {
  it.concurrent.each([
    ['the router (npm run start:router)', ['router/main.ts'], 'Cannot start the router'],
    ['everything (npm start)', ['scripts/start-all.ts'], 'Cannot start the supergraph'],
    ['one subgraph (npm run start:subgraph)', ['scripts/start-subgraph.ts', 'order'], 'Cannot start the subgraph'],
    ['the migrations (npm run migrate)', ['scripts/migrate.ts'], 'Cannot start the migrations'],
  ])('%s refuses to start, says why, exits non-zero', async (_what, args, prefix) => {
    const started = run(args, bareEnv({ NODE_ENV: 'production' }));
    expect(await started.exited).toBe(1);
    expect(started.output()).toContain(`${prefix}: NODE_ENV=production requires JWT_SECRET to be set`);
  });
});

describe('NODE_ENV=production without per-service keys (INTERNAL_SECRET alone is the development base, not a key)', () => {
  const base = { NODE_ENV: 'production', JWT_SECRET: SECRETS.JWT_SECRET, INTERNAL_SECRET: SECRETS.INTERNAL_SECRET, ROUTER_PORT: '0', ORDER_PORT: '0',
    // Never opened: the keys are checked first.
    DATABASE_URL: 'postgres://nobody@127.0.0.1:1/never' };
  it.concurrent.each([
    ['the router', ['router/main.ts'], {}, 'Cannot start the router: NODE_ENV=production: the router service requires SERVICE_KEY_ROUTER (its own signing key)'],
    ['one subgraph', ['scripts/start-subgraph.ts', 'order'], {}, 'Cannot start the subgraph: NODE_ENV=production: the order service requires SERVICE_KEY_ORDER (its own signing key) and the verification keys of router, user, product, cart, promote, payment'],
    ['one subgraph missing a caller', ['scripts/start-subgraph.ts', 'order'], { ...SECRETS, SERVICE_KEY_PAYMENT: '' }, 'the order service requires the verification keys of payment'],
    ['a key shorter than 32 characters', ['scripts/start-subgraph.ts', 'order'], { ...SECRETS, SERVICE_KEY_ORDER: 'k1:short' }, 'SERVICE_KEY_ORDER: NODE_ENV=production requires keys of at least 32 characters'],
    ['two services sharing a key', ['scripts/start-subgraph.ts', 'order'], { ...SECRETS, SERVICE_KEY_CART: SERVICE_KEYS.SERVICE_KEY_ORDER }, 'repeats the key of'],
  ])('%s refuses to start, says why, exits non-zero', async (_what, args, extra, message) => {
    const started = run(args, bareEnv({ ...base, ...extra }));
    expect(await started.exited).toBe(1);
    expect(started.output()).toContain(message);
  });
});

describe('names on the command line', () => {
  it.concurrent.each([
    [['scripts/start-subgraph.ts', 'nope'], 'Cannot start the subgraph: unknown subgraph "nope"'],
    [['scripts/migrate.ts', 'order', 'nope'], 'Cannot start the migrations: unknown subgraph "nope"'],
  ])('%j is refused with the list of subgraphs', async (args, message) => {
    const started = run(args, bareEnv({}));
    expect(await started.exited).toBe(1);
    expect(started.output()).toContain(message);
    expect(started.output()).toContain('user, product, cart, order, promote, payment');
  });
});

it('npm run start:router serves SUPERGRAPH_PATH with <NAME>_URL overrides, in production, and stops on SIGTERM', async () => {
  const typeDefs = `${FEDERATION_LINK}\n"Root" type Query { "A greeting." hello: String! }`;
  const subgraph = await startFakeSubgraph({ typeDefs, resolvers: { Query: { hello: () => 'from the fake order subgraph' } } });
  try {
    const supergraphPath = writeSupergraph([{ name: 'order', url: await unusedUrl(), typeDefs }]);
    const router = run(['router/main.ts'], bareEnv({
      NODE_ENV: 'production',
      ...SECRETS,
      SUPERGRAPH_PATH: supergraphPath,
      ORDER_URL: subgraph.url,
      ROUTER_PORT: '0',
    }));
    const [, url] = await router.waitFor(/router\s+(http:\/\/[^\s"]+)/);
    await router.waitFor(/Ready in/);
    expect(router.output()).toContain(`order      ${subgraph.url} (ORDER_URL)`);
    // Production never forwards the payment sandbox's cashier.
    // Nothing after "(order)": the line ends there (a JSON line in production, its "msg" closed by a quote).
    expect(router.output()).toMatch(/notify {5}\/notify\/wechat, \/notify\/alipay \(payment\), \/notify\/kuaidi100 \(order\)["\n]/);
    expect(await gql(url, '{ hello }')).toEqual({ status: 200, data: { hello: 'from the fake order subgraph' } });
    expect((await fetch(new URL('/explorer', url))).status).toBe(404);
    router.child.kill('SIGTERM');
    expect(await router.exited).toBe(0);
    expect(router.output()).toContain('SIGTERM: stopping the router');
  } finally {
    await subgraph.close();
  }
});

/** The test run's database (see global-setup), for processes started outside jest. */
function testDatabaseEnv(): Record<string, string> {
  const env: Record<string, string> = { DB_SEPARATE_ROLES: process.env.SHOP_TEST_SEPARATE_ROLES === 'true' ? 'true' : 'false' };
  for (const [key, value] of Object.entries(process.env)) {
    if (value && (key === 'DATABASE_URL' || key.endsWith('_DATABASE_URL') || key === 'REDIS_URL')) env[key] = value;
  }
  return env;
}

it('npm run start:subgraph -- order serves the order subgraph alone and stops cleanly on SIGTERM', async () => {
  // development (not test): Apollo Server then handles SIGTERM itself too, which the entry point must survive.
  const subgraph = run(['scripts/start-subgraph.ts', 'order'], bareEnv({ NODE_ENV: 'development', ORDER_PORT: '0', ...testDatabaseEnv() }));
  const [, url] = await subgraph.waitFor(/order\s+(http:\/\/[^\s"]+)/);
  expect(await gql(url, '{ order(id: "1") { id } }', {}, asIdentity({ userId: '1' }, 'order'))).toEqual({ status: 200, data: { order: null } });
  // No JWT_SECRET / INTERNAL_SECRET on loopback: allowed, with a one-line warning.
  expect(subgraph.output()).toContain('Warning: JWT_SECRET and INTERNAL_SECRET not set: using the public development secrets');
  subgraph.child.kill('SIGTERM');
  expect(await subgraph.exited).toBe(0);
  expect(subgraph.output()).toContain('SIGTERM: stopping the order subgraph');
});

it('npm run start:subgraph refuses to open the embedded database while its port is taken (npm start running)', async () => {
  const busy = net.createServer();
  await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'start-subgraph-'));
  try {
    const port = String((busy.address() as net.AddressInfo).port);
    const subgraph = run(['scripts/start-subgraph.ts', 'cart'], bareEnv({ DATA_DIR: dataDir, CART_PORT: port }));
    expect(await subgraph.exited).toBe(1);
    expect(subgraph.output()).toContain(`Cannot start the subgraph: 127.0.0.1:${port} is in use`);
    expect(fs.readdirSync(dataDir)).toEqual([]);
  } finally {
    busy.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});

it('npm run migrate -- order migrates the subgraphs named', async () => {
  const migrate = run(['scripts/migrate.ts', 'order'], bareEnv({ NODE_ENV: 'development', ...testDatabaseEnv() }));
  expect(await migrate.exited).toBe(0);
  expect(migrate.output()).toMatch(/order\s+up to date \(\d+ in total\)/);
  expect(migrate.output()).not.toMatch(/^(user|product|cart|promote|payment)\s/m);
});
