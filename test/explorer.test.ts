/**
 * The developer explorer is served by the router itself, from its own origin (works offline): a browser opening
 * /graphql or /explorer gets GraphiQL, API clients keep getting GraphQL, production has no explorer by default,
 * and a production install without esbuild gets a page saying how to build it instead of a crash.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../platform/config';
import { explorerBundleStatus, readManifest } from '../router/explorer/build';
import { startRouter, type RunningRouter } from '../router/server';
import { FEDERATION_LINK, startFakeSubgraph, writeSupergraph, type FakeSubgraph } from './support/fake-subgraph';
import { gql } from './support/harness';
import { SERVICE_KEYS } from './support/processes';

const typeDefs = `${FEDERATION_LINK}
"Root" type Query { "A greeting." hello: String! }`;
const PRODUCTION_SECRETS = { JWT_SECRET: 'explorer-test-jwt-secret', INTERNAL_SECRET: 'explorer-test-internal-secret', ...SERVICE_KEYS };

let subgraph: FakeSubgraph;
let supergraphPath: string;
const routers: RunningRouter[] = [];
const temporaryDirs: string[] = [];
const temporaryDir = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'explorer-'));
  temporaryDirs.push(dir);
  return dir;
};

async function router(env: Record<string, string>, explorer?: Parameters<typeof startRouter>[0]['explorer']) {
  const config = loadConfig({ ...process.env, NODE_ENV: 'test', SUPERGRAPH_PATH: supergraphPath, ...env });
  const running = await startRouter({ config, host: '127.0.0.1', port: 0, explorer });
  routers.push(running);
  return running;
}

const origin = (running: RunningRouter) => new URL(running.url).origin;
const html = (url: string) => fetch(url, { headers: { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' } });

beforeAll(async () => {
  subgraph = await startFakeSubgraph({ typeDefs, resolvers: { Query: { hello: () => 'hello' } } });
  supergraphPath = writeSupergraph([{ name: 'order', url: subgraph.url, typeDefs }]);
});
afterAll(async () => {
  for (const running of routers) await running.close();
  await subgraph?.close();
  for (const dir of temporaryDirs) fs.rmSync(dir, { recursive: true, force: true });
});

describe('in development', () => {
  let dev: RunningRouter;
  beforeAll(async () => {
    dev = await router({});
  });

  it('serves GraphiQL to a browser opening /graphql, referencing only same-origin assets', async () => {
    const response = await html(dev.url);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(response.headers.get('content-security-policy')).toContain("default-src 'self'");
    const page = await response.text();
    expect(page).not.toMatch(/https?:\/\//);
    const references = [...page.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
    expect(references.length).toBeGreaterThanOrEqual(2);
    for (const reference of references) expect(reference).toMatch(/^(\/explorer\/assets\/[\w.-]+|data:,)$/);
    const config = JSON.parse(/<script id="explorer-config" type="application\/json">(.*?)<\/script>/.exec(page)![1]);
    expect(config.endpoint).toBe('/graphql');
    for (const worker of Object.values(config.workers)) expect(worker).toMatch(/^\/explorer\/assets\/[\w.-]+\.js$/);
  });

  it('serves the bundle, its stylesheet and Monaco workers with the right content types, loading nothing from elsewhere', async () => {
    const page = await (await html(dev.url)).text();
    const config = JSON.parse(/<script id="explorer-config" type="application\/json">(.*?)<\/script>/.exec(page)![1]);
    const scripts = [/<script src="([^"]+)"/.exec(page)![1], ...(Object.values(config.workers) as string[])];
    const stylesheet = /<link rel="stylesheet" href="([^"]+)"/.exec(page)![1];
    // Strings such as "http://www.w3.org/2000/svg" are namespaces, not loads: look for loads and CDN hosts.
    const remoteLoad = /(import\(\s*["'`]https?:|importScripts\(\s*["'`]https?:|esm\.sh|unpkg\.com|jsdelivr|cdnjs|apollographql\.com|googleapis|gstatic)/;
    for (const script of scripts) {
      const response = await fetch(origin(dev) + script);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^(text|application)\/javascript/);
      expect(response.headers.get('cache-control')).toContain('immutable');
      expect(await response.text()).not.toMatch(remoteLoad);
    }
    const css = await fetch(origin(dev) + stylesheet);
    expect(css.headers.get('content-type')).toMatch(/^text\/css/);
    const cssText = await css.text();
    expect(cssText).not.toMatch(/url\(\s*["']?(https?:)?\/\//);
    for (const [, url] of cssText.matchAll(/url\(\s*["']?(\/[^"')]+)/g)) {
      const font = await fetch(origin(dev) + url);
      expect(font.status).toBe(200);
      expect(font.headers.get('content-type')).toMatch(/^font\//);
    }
    expect((await fetch(`${origin(dev)}/explorer/assets/no-such-file.js`)).status).toBe(404);
  });

  it('serves the same page at /explorer', async () => {
    const response = await html(`${origin(dev)}/explorer`);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('id="explorer-config"');
  });

  it('keeps /graphql a GraphQL endpoint for API clients', async () => {
    expect(await gql(dev.url, '{ hello }')).toEqual({ status: 200, data: { hello: 'hello' } });
    // A GET with a query, from a client that does not prefer HTML (curl's */*), is an operation, not the page.
    const get = await fetch(`${dev.url}?query=${encodeURIComponent('{ hello }')}`, {
      headers: { accept: '*/*', 'apollo-require-preflight': 'true' },
    });
    expect(get.headers.get('content-type')).toMatch(/json/);
    expect(await get.json()).toEqual({ data: { hello: 'hello' } });
  });

  it('has a complete bundle after the first visit, newer than its sources', () => {
    const status = explorerBundleStatus();
    expect(status.state).toBe('fresh');
    const manifest = readManifest(path.join(__dirname, '..', 'router', 'explorer', 'public'))!;
    expect(Object.values(manifest.files).every((file) => manifest.outputs.includes(file))).toBe(true);
  });
});

it('is off in production unless EXPLORER says otherwise', async () => {
  expect(loadConfig({ NODE_ENV: 'production', ...PRODUCTION_SECRETS }).explorerEnabled).toBe(false);
  expect(loadConfig({ NODE_ENV: 'production', ...PRODUCTION_SECRETS, EXPLORER: 'true' }).explorerEnabled).toBe(true);
  expect(loadConfig({ NODE_ENV: 'development' }).explorerEnabled).toBe(true);

  const production = await router({ NODE_ENV: 'production', ...PRODUCTION_SECRETS });
  expect(production.explorer).toBeUndefined();
  expect((await html(`${origin(production)}/explorer`)).status).toBe(404);
  const browser = await html(production.url);
  expect(await browser.text()).not.toContain('explorer-config');
  expect((await fetch(`${origin(production)}/explorer/assets/x.js`)).status).toBe(404);
  expect(await gql(production.url, '{ hello }')).toEqual({ status: 200, data: { hello: 'hello' } });
});

it('without a bundle and without esbuild (a production install), says how to build it and keeps serving GraphQL', async () => {
  const outDir = temporaryDir();
  const logs: string[] = [];
  const running = await router({}, { outDir, loadEsbuild: () => undefined, log: (message) => logs.push(message) });
  for (let i = 0; i < 2; i++) {
    const response = await html(running.url);
    expect(response.status).toBe(503);
    const page = await response.text();
    expect(page).toContain('npm run build:explorer');
    expect(page).not.toMatch(/<script/);
  }
  expect(logs.filter((line) => line.includes('esbuild is not installed'))).toHaveLength(1);
  expect(await gql(running.url, '{ hello }')).toEqual({ status: 200, data: { hello: 'hello' } });
});

it('sees a bundle older than its sources as stale, and one with a file missing as missing', () => {
  const outDir = temporaryDir();
  const built = readManifest(path.join(__dirname, '..', 'router', 'explorer', 'public'))!;
  for (const file of built.outputs) fs.writeFileSync(path.join(outDir, file), '');
  fs.writeFileSync(path.join(outDir, 'manifest.json'), JSON.stringify(built));
  expect(explorerBundleStatus(outDir).state).toBe('fresh');
  fs.utimesSync(path.join(outDir, 'manifest.json'), new Date('2000-01-01'), new Date('2000-01-01'));
  expect(explorerBundleStatus(outDir)).toMatchObject({ state: 'stale', reason: expect.stringContaining('changed since the build') });
  fs.rmSync(path.join(outDir, built.files.js));
  expect(explorerBundleStatus(outDir).state).toBe('missing');
});
