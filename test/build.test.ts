/**
 * `npm run build` (scripts/build.ts): what goes into dist/, when a build is stale, and that the compiled output starts
 * and answers as production runs it: `node dist/...`, no tsx, with NODE_ENV=production and the service keys.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { build, collectInputs, distStatus, ENTRY_POINTS, fingerprint, readBuildInfo } from '../scripts/build';
import { createExplorer } from '../router/explorer';
import { gql } from './support/harness';
import { bareEnv, run, SECRETS } from './support/processes';
import express from 'express';
import type { AddressInfo } from 'node:net';

const root = path.resolve(__dirname, '..');

function write(dir: string, file: string, text: string) {
  fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
  fs.writeFileSync(path.join(dir, file), text);
}

/** A project of three modules, a test, a test helper, a subgraph schema and explorer sources. */
function fixtureProject(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'build-fixture-'));
  write(dir, 'package.json', '{"name":"fixture","private":true}\n');
  write(dir, 'tsconfig.json', '{"compilerOptions":{"target":"ES2022","module":"NodeNext","moduleResolution":"NodeNext","strict":true,"isolatedModules":true,"esModuleInterop":true}}\n');
  write(dir, 'platform/answer.ts', 'export const answer: number = 42;\n');
  write(dir, 'scripts/main.ts', "import fs from 'node:fs';\nimport path from 'node:path';\nimport { answer } from '../platform/answer';\n" +
    "console.log(answer, fs.readFileSync(path.join(__dirname, '..', 'subgraphs', 'shop', 'schema.graphql'), 'utf8').trim());\n");
  write(dir, 'subgraphs/shop/index.ts', 'export const name = "shop";\n');
  write(dir, 'subgraphs/shop/schema.graphql', 'type Query { shop: String }\n');
  write(dir, 'subgraphs/shop/index.test.ts', 'it("is a test", () => undefined);\n');
  write(dir, 'subgraphs/shop/test/helper.ts', 'export const helper = 1;\n');
  write(dir, 'router/explorer/client/index.tsx', 'export {};\n');
  write(dir, 'schema/supergraph.graphql', 'schema { query: Query }\n');
  return dir;
}

describe('the build inputs', () => {
  let dir: string;
  beforeEach(() => (dir = fixtureProject()));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('compiles server modules only, copies the run-time files, and does not count tests as inputs', () => {
    const inputs = collectInputs(dir);
    expect(inputs.modules).toEqual(['platform/answer.ts', 'scripts/main.ts', 'subgraphs/shop/index.ts']);
    expect(inputs.runtimeFiles).toEqual(['schema/supergraph.graphql', 'subgraphs/shop/schema.graphql']);
    expect(inputs.all).toEqual([
      'package.json',
      'platform/answer.ts',
      'router/explorer/client/index.tsx',
      'schema/supergraph.graphql',
      'scripts/main.ts',
      'subgraphs/shop/index.ts',
      'subgraphs/shop/schema.graphql',
      'tsconfig.json',
    ]);
  });

  it('changes the fingerprint when a file changes, appears or disappears, not when it is only touched', () => {
    const print = () => fingerprint(dir, collectInputs(dir).all);
    const before = print();
    const later = new Date(Date.now() + 60_000);
    fs.utimesSync(path.join(dir, 'platform/answer.ts'), later, later);
    expect(print()).toBe(before);
    write(dir, 'platform/answer.ts', 'export const answer: number = 43;\n');
    const changed = print();
    expect(changed).not.toBe(before);
    write(dir, 'platform/extra.ts', 'export {};\n');
    expect(print()).not.toBe(changed);
    fs.rmSync(path.join(dir, 'platform/extra.ts'));
    expect(print()).toBe(changed);
    write(dir, 'subgraphs/shop/schema.graphql', 'type Query { shop: Int }\n');
    expect(print()).not.toBe(changed);
  });

  it('builds a tree that node runs without tsx, finds its run-time files in it, and is fresh until a source changes', async () => {
    const outDir = path.join(dir, 'dist');
    const entry = ['scripts/main.js'];
    expect(distStatus(dir, outDir, entry)).toEqual({ fresh: false, reason: 'dist has not been built' });
    write(dir, 'dist/leftover.js', 'stale output of a deleted source\n');
    const info = await build({ projectDir: dir, outDir, explorer: false, log: () => undefined });
    expect(info.modules).toBe(3);
    expect(readBuildInfo(outDir)).toEqual(info);
    // The new tree replaced the old one whole.
    expect(fs.existsSync(path.join(outDir, 'leftover.js'))).toBe(false);
    expect(fs.existsSync(path.join(outDir, 'subgraphs/shop/index.test.js'))).toBe(false);
    expect(fs.existsSync(path.join(outDir, 'subgraphs/shop/test'))).toBe(false);
    expect(fs.readFileSync(path.join(outDir, 'scripts/main.js.map'), 'utf8')).toContain('main.ts');
    const started = run([path.join(outDir, 'scripts/main.js')], bareEnv({}), { compiled: true });
    expect(await started.exited).toBe(0);
    expect(started.output()).toBe('42 type Query { shop: String }\n');
    expect(distStatus(dir, outDir, entry)).toEqual({ fresh: true });
    write(dir, 'platform/answer.ts', 'export const answer: number = 7;\n');
    expect(distStatus(dir, outDir, entry)).toEqual({ fresh: false, reason: 'sources changed since the last build' });
    fs.rmSync(path.join(outDir, 'scripts/main.js'));
    expect(distStatus(dir, outDir, entry)).toEqual({ fresh: false, reason: 'scripts/main.js is missing' });
  });

  it('leaves the previous dist/ untouched when compiling fails', async () => {
    const outDir = path.join(dir, 'dist');
    await build({ projectDir: dir, outDir, explorer: false, log: () => undefined });
    const before = readBuildInfo(outDir);
    write(dir, 'platform/answer.ts', 'export const answer: number = ;\n');
    await expect(build({ projectDir: dir, outDir, explorer: false, log: () => undefined })).rejects.toThrow();
    expect(readBuildInfo(outDir)).toEqual(before);
    expect(fs.readdirSync(dir).filter((name) => name.startsWith('dist'))).toEqual(['dist']);
  });
});

it('a compiled router never builds the explorer at run time: without a bundle it says to run the build', async () => {
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'explorer-none-'));
  const logs: string[] = [];
  const explorer = createExplorer({ outDir, buildOnDemand: false, log: (message) => logs.push(message), loadEsbuild: () => {
    throw new Error('esbuild must not be loaded');
  } });
  const app = express().use(explorer.routes);
  const server = app.listen(0, '127.0.0.1');
  try {
    await new Promise((resolve) => server.once('listening', resolve));
    const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/explorer`);
    expect(response.status).toBe(503);
    expect(logs.join('\n')).toContain('run `npm run build`');
  } finally {
    server.close();
    fs.rmSync(outDir, { recursive: true, force: true });
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

it('the compiled product subgraph and router start in production from their own build and answer through the router', async () => {
  // Inside the project, as dist/ is: the compiled code resolves node_modules and the project folder from there.
  const outDir = fs.mkdtempSync(path.join(root, '.dist-test-'));
  try {
    await build({ projectDir: root, outDir, explorer: false, log: () => undefined });
    for (const file of ENTRY_POINTS) expect(fs.existsSync(path.join(outDir, file))).toBe(true);
    expect(fs.existsSync(path.join(outDir, 'schema/supergraph.graphql'))).toBe(true);
    for (const name of ['user', 'product', 'cart', 'order', 'promote', 'payment', 'review']) {
      expect(fs.existsSync(path.join(outDir, 'subgraphs', name, 'schema.graphql'))).toBe(true);
    }
    const production = { NODE_ENV: 'production', ...SECRETS, ...testDatabaseEnv() };
    const product = run([path.join(outDir, 'scripts/start-subgraph.js'), 'product'], bareEnv({ ...production, PRODUCT_PORT: '0' }), { compiled: true });
    const [, productUrl] = await product.waitFor(/product\s+(http:\/\/[^\s"]+)/);
    await product.waitFor(/Ready in/);
    // No SUPERGRAPH_PATH: the router reads the supergraph the build put next to it.
    const router = run([path.join(outDir, 'router/main.js')], bareEnv({ ...production, ROUTER_PORT: '0', PRODUCT_URL: productUrl }), { compiled: true });
    const [, routerUrl] = await router.waitFor(/router\s+(http:\/\/[^\s"]+)/);
    await router.waitFor(/Ready in/);
    expect(router.output()).toContain(`supergraph ${path.join(outDir, 'schema', 'supergraph.graphql')}`);
    const answer = await gql(routerUrl, '{ products(first: 2) { edges { node { id title } } } }');
    expect(answer.status).toBe(200);
    expect(answer.errors).toBeUndefined();
    expect((answer.data as { products: { edges: { node: { title: string } }[] } }).products.edges.length).toBe(2);
    // The storefront the build made, served by the compiled router from dist/ (it never builds at run time).
    expect(fs.existsSync(path.join(outDir, 'clients/web/public/manifest.json'))).toBe(true);
    const page = await fetch(`${new URL(routerUrl).origin}/shop/orders/1`);
    expect(page.status).toBe(200);
    const script = (await page.text()).match(/\/shop\/assets\/main-[A-Z0-9]+\.js/)![0];
    expect((await fetch(`${new URL(routerUrl).origin}${script}`)).status).toBe(200);
    // The console likewise (the same browser-app build).
    expect(fs.existsSync(path.join(outDir, 'console/public/manifest.json'))).toBe(true);
    const consolePage = await fetch(`${new URL(routerUrl).origin}/console/orders`);
    expect(consolePage.status).toBe(200);
    const consoleScript = (await consolePage.text()).match(/\/console\/assets\/main-[A-Z0-9]+\.js/)![0];
    expect((await fetch(`${new URL(routerUrl).origin}${consoleScript}`)).status).toBe(200);
    router.child.kill('SIGTERM');
    product.child.kill('SIGTERM');
    expect(await router.exited).toBe(0);
    expect(await product.exited).toBe(0);
    expect(product.output() + router.output()).not.toMatch(/tsx/);
  } finally {
    fs.rmSync(outDir, { recursive: true, force: true });
  }
}, 180_000);
