/**
 * The development secrets (JWT_SECRET, INTERNAL_SECRET and the demo ADMIN_PASSWORD written in this repository) are
 * usable only while every listener is on loopback. Off loopback every entry point refuses to start and names what
 * is missing — NODE_ENV or not. On loopback they are allowed, with a one-line warning.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../platform/config';
import { checkDemoAdminPassword, isLoopbackHost } from '../platform/secrets';
import { FEDERATION_LINK, startFakeSubgraph, writeSupergraph } from './support/fake-subgraph';
import { bareEnv, run, SECRETS } from './support/processes';

const MISSING = 'must be set: the development values are public';

describe('isLoopbackHost', () => {
  it.each(['127.0.0.1', '127.1.2.3', 'localhost', 'LOCALHOST', '::1', '[::1]', '::ffff:127.0.0.1'])('%s is loopback', (host) => {
    expect(isLoopbackHost(host)).toBe(true);
  });
  it.each(['0.0.0.0', '::', '10.0.0.5', '192.168.1.2', 'shop.example.com', '128.0.0.1', '::ffff:10.0.0.1', ''])('%s is not', (host) => {
    expect(isLoopbackHost(host)).toBe(false);
  });
});

describe('loadConfig outside production', () => {
  // NODE_ENV=test follows the same rule as development (only production differs), without the warning in jest's output.
  const env = (extra: Record<string, string>) => ({ NODE_ENV: 'test', ...extra });

  it('refuses the development secrets off loopback, naming the missing variables', () => {
    expect(() => loadConfig(env({ HOST: '0.0.0.0' }))).toThrow(`HOST=0.0.0.0 is not a loopback address, so JWT_SECRET and INTERNAL_SECRET ${MISSING}`);
    expect(() => loadConfig(env({ HOST: '10.0.0.5', JWT_SECRET: 'set' }))).toThrow(`so INTERNAL_SECRET ${MISSING}`);
    // Any NODE_ENV but production, even none at all.
    expect(() => loadConfig({ HOST: '::' })).toThrow('JWT_SECRET and INTERNAL_SECRET');
  });

  it('allows them on loopback, and real secrets anywhere', () => {
    expect(loadConfig(env({ HOST: '127.0.0.1' })).host).toBe('127.0.0.1');
    expect(loadConfig(env({})).host).toBe('127.0.0.1');
    expect(loadConfig(env({ HOST: '0.0.0.0', ...SECRETS })).internalSecret).toBe(SECRETS.INTERNAL_SECRET);
  });

  it('keeps the demo admin with its development password on loopback', () => {
    const devAdmin = (host: string, extra: Record<string, string> = {}) => {
      const config = loadConfig(env({ HOST: host, ...SECRETS, ...extra }));
      return () => checkDemoAdminPassword(config);
    };
    expect(devAdmin('0.0.0.0')).toThrow('HOST=0.0.0.0 is not a loopback address, so ADMIN_PASSWORD must be set');
    expect(devAdmin('0.0.0.0', { ADMIN_PASSWORD: 'a-real-one-123' })).not.toThrow();
    expect(devAdmin('127.0.0.1')).not.toThrow();
    // A loopback router behind a proxy, or one that tells providers a public URL, is public whatever HOST says.
    expect(devAdmin('127.0.0.1', { TRUST_PROXY_HOPS: '1' })).toThrow('TRUST_PROXY_HOPS=1 declares a proxy in front of HOST=127.0.0.1, so ADMIN_PASSWORD must be set');
    expect(devAdmin('127.0.0.1', { PAYMENT_PUBLIC_URL: 'https://shop.example.com' })).toThrow(
      'PAYMENT_PUBLIC_URL=https://shop.example.com is not on loopback, so ADMIN_PASSWORD must be set',
    );
  });

  it('refuses the development secrets on a loopback HOST behind a proxy or with a public callback URL', () => {
    expect(() => loadConfig(env({ HOST: '127.0.0.1', TRUST_PROXY_HOPS: '1' }))).toThrow(
      `TRUST_PROXY_HOPS=1 declares a proxy in front of HOST=127.0.0.1, so JWT_SECRET and INTERNAL_SECRET ${MISSING}`,
    );
    expect(() => loadConfig(env({ PAYMENT_PUBLIC_URL: 'https://shop.example.com', JWT_SECRET: 'set' }))).toThrow(
      `PAYMENT_PUBLIC_URL=https://shop.example.com is not on loopback, so INTERNAL_SECRET ${MISSING}`,
    );
    expect(loadConfig(env({ TRUST_PROXY_HOPS: '1', ...SECRETS })).internalSecret).toBe(SECRETS.INTERNAL_SECRET);
  });
});

describe('entry points on a non-loopback HOST without JWT_SECRET and INTERNAL_SECRET', () => {
  it.concurrent.each([
    ['the router (npm run start:router)', ['router/main.ts'], 'Cannot start the router'],
    ['everything (npm start)', ['scripts/start-all.ts'], 'Cannot start the supergraph'],
    ['one subgraph (npm run start:subgraph)', ['scripts/start-subgraph.ts', 'order'], 'Cannot start the subgraph'],
    ['the migrations (npm run migrate)', ['scripts/migrate.ts'], 'Cannot start the migrations'],
  ])('%s refuses to start, names the variables, exits non-zero', async (_what, args, prefix) => {
    // No NODE_ENV: the forgotten-NODE_ENV deployment. Ports 0 so nothing could collide even if it started.
    const started = run(args, bareEnv({ HOST: '0.0.0.0', ROUTER_PORT: '0', ORDER_PORT: '0' }));
    expect(await started.exited).toBe(1);
    expect(started.output()).toContain(`${prefix}: HOST=0.0.0.0 is not a loopback address, so JWT_SECRET and INTERNAL_SECRET ${MISSING}`);
  });

  it('npm start with secrets but the development admin password refuses to seed the demo admin off loopback', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'secrets-'));
    try {
      const ports = Object.fromEntries(['ROUTER', 'USER', 'PRODUCT', 'CART', 'ORDER', 'PROMOTE', 'PAYMENT'].map((n) => [`${n}_PORT`, '0']));
      const started = run(['scripts/start-all.ts'], bareEnv({ HOST: '0.0.0.0', ...SECRETS, ...ports, DATA_DIR: dataDir }));
      expect(await started.exited).toBe(1);
      expect(started.output()).toContain('Cannot start the supergraph: HOST=0.0.0.0 is not a loopback address, so ADMIN_PASSWORD must be set');
      // Refused before any database was opened.
      expect(fs.readdirSync(dataDir)).toEqual([]);
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

it('npm run start:router on loopback without secrets starts, warning once that the development secrets are in use', async () => {
  const typeDefs = `${FEDERATION_LINK}\n"Root" type Query { "A greeting." hello: String! }`;
  const subgraph = await startFakeSubgraph({ typeDefs, resolvers: { Query: { hello: () => 'hi' } } });
  try {
    const supergraphPath = writeSupergraph([{ name: 'order', url: subgraph.url, typeDefs }]);
    const router = run(['router/main.ts'], bareEnv({ NODE_ENV: 'development', HOST: '127.0.0.1', ROUTER_PORT: '0', SUPERGRAPH_PATH: supergraphPath, EXPLORER: 'false' }));
    await router.waitFor(/Ready in/);
    const warning = 'Warning: JWT_SECRET and INTERNAL_SECRET not set: using the public development secrets (allowed only when nothing but this machine can reach us, HOST=127.0.0.1).';
    expect(router.output().split(warning)).toHaveLength(2);
    // SIGTERM reaches the router through tsx (a SIGKILL of tsx would orphan it).
    router.child.kill('SIGTERM');
    await router.exited;
  } finally {
    await subgraph.close();
  }
});
