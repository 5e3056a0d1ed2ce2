/**
 * The browser apps' build (scripts/lib/web-app-build.ts) and how the router serves them (router/web-apps.ts): the
 * storefront's page at every client route under /shop with its CSP and no caching, content-hashed assets cached for a
 * year, a rebuild when a source changes, and a compiled router that never builds at run time.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { loadEsbuild } from '../router/explorer/build';
import { contentSecurityPolicy, STOREFRONT, webAppRoutes } from '../router/web-apps';
import { buildWebApp, webAppStatus, type WebAppSpec } from '../scripts/lib/web-app-build';

async function serve(app: express.Express): Promise<{ url: string; close: () => Promise<void> }> {
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe('the storefront served at /shop', () => {
  let outDir: string;
  let server: { url: string; close: () => Promise<void> };
  const logs: string[] = [];
  beforeAll(async () => {
    outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'web-app-'));
    server = await serve(express().use(webAppRoutes({ outDir: (spec) => path.join(outDir, spec.name), buildOnDemand: true, log: (m) => logs.push(m) })));
  });
  afterAll(async () => {
    await server?.close();
    fs.rmSync(outDir, { recursive: true, force: true });
  });

  it('answers every client route with the page (built on the first visit), uncached, under a same-origin CSP', async () => {
    for (const route of ['/shop', '/shop/', '/shop/orders/12', '/shop/products/3?from=search']) {
      const response = await fetch(`${server.url}${route}`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(response.headers.get('cache-control')).toBe('no-cache');
      const csp = response.headers.get('content-security-policy')!;
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain(`connect-src 'self' ws://${new URL(server.url).host} wss://${new URL(server.url).host}`);
      expect(csp).not.toContain('unsafe');
      const html = await response.text();
      expect(html).toMatch(/<script type="module" src="\/shop\/assets\/main-[A-Z0-9]+\.js"><\/script>/);
      expect(html).toContain('<html lang="zh-CN">');
    }
    expect(logs.filter((line) => line.startsWith('building'))).toHaveLength(1);
  });

  it('serves the hashed assets for a year and answers 404 for others', async () => {
    const html = await (await fetch(`${server.url}/shop/`)).text();
    for (const asset of html.match(/\/shop\/assets\/[^"]+/g)!) {
      const response = await fetch(`${server.url}${asset}`);
      expect(response.status).toBe(200);
      expect(response.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      expect(response.headers.get('content-type')).toMatch(asset.endsWith('.js') ? /javascript/ : /text\/css/);
    }
    const missing = await fetch(`${server.url}/shop/assets/main-NOPE.js`);
    expect(missing.status).toBe(404);
  });

  it('writes the client version and the persisted ids into the bundle, and is fresh after the build', async () => {
    const status = webAppStatus(path.resolve(__dirname, '..'), STOREFRONT, path.join(outDir, 'web'));
    expect(status.state).toBe('fresh');
    if (status.state !== 'fresh') return;
    expect(status.manifest.version).toMatch(/^0\.1\.0\+[0-9a-f]{8}$/);
    const js = fs.readFileSync(path.join(outDir, 'web', 'assets', status.manifest.files.js), 'utf8');
    expect(js).toContain(status.manifest.version);
    expect(js).toContain('apollographql-client-name');
  });

  it('serves the operations console at every path under /console the same way, with inline styles for its charts and no WebSocket', async () => {
    const [first, deep] = await Promise.all([fetch(`${server.url}/console`), fetch(`${server.url}/console/open/logs`)]);
    expect([first.status, deep.status]).toEqual([200, 200]);
    // Two visits at once, one build (the storefront's was the other).
    expect(logs.filter((line) => line.startsWith('building console'))).toHaveLength(1);
    const html = await first.text();
    expect(await deep.text()).toBe(html);
    expect(html).toContain('<title>运营后台</title>');
    const csp = first.headers.get('content-security-policy')!;
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self' 'unsafe-inline'");
    expect(csp).toContain("connect-src 'self';");
    expect(first.headers.get('cache-control')).toBe('no-cache');
    const assets = html.match(/\/console\/assets\/main-[A-Z0-9]+\.(js|css)/g)!;
    expect(assets).toHaveLength(2);
    for (const asset of assets) {
      const response = await fetch(`${server.url}${asset}`);
      expect(response.status).toBe(200);
      expect(response.headers.get('cache-control')).toContain('immutable');
    }
    expect((await fetch(`${server.url}/console/assets/missing.js`)).status).toBe(404);
  });
});

it('leaves a Host that is not a host out of the CSP', () => {
  expect(contentSecurityPolicy('shop.example.com', STOREFRONT.csp)).toContain("connect-src 'self' ws://shop.example.com wss://shop.example.com;");
  expect(contentSecurityPolicy("evil; script-src *", STOREFRONT.csp)).toContain("connect-src 'self';");
  expect(contentSecurityPolicy(undefined, STOREFRONT.csp)).toContain("connect-src 'self';");
});

it('a compiled router never builds the app at run time: without a build it says how to make one', async () => {
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'web-app-none-'));
  const server = await serve(express().use(webAppRoutes({ outDir: (spec) => path.join(outDir, spec.name), buildOnDemand: false, log: () => undefined })));
  try {
    const response = await fetch(`${server.url}/shop/cart`);
    expect(response.status).toBe(503);
    expect(await response.text()).toContain('npm run build:web');
    expect(fs.readdirSync(outDir)).toEqual([]);
  } finally {
    await server.close();
    fs.rmSync(outDir, { recursive: true, force: true });
  }
});

it('sees a changed source as stale and a deleted asset as missing; a rebuild gives new hashed names', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'web-app-fixture-'));
  const spec: WebAppSpec = { name: 'demo', source: 'app', mount: '/demo', title: 'Demo', lang: 'en', packages: [], noscript: 'Enable JavaScript.', csp: { websocket: false, inlineStyles: false } };
  const write = (file: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), text);
  };
  try {
    write('package.json', '{"name":"fixture","version":"1.2.3"}\n');
    write('app/src/main.tsx', "import './style.css';\ndocument.body.textContent = 'one';\n");
    write('app/src/style.css', 'body { color: red; }\n');
    const outDir = path.join(dir, 'out');
    expect(webAppStatus(dir, spec, outDir)).toEqual({ state: 'missing', reason: 'not built yet' });
    const first = await buildWebApp(dir, spec, { outDir, esbuild: loadEsbuild()! });
    expect(first.manifest.version).toMatch(/^1\.2\.3\+[0-9a-f]{8}$/);
    expect(webAppStatus(dir, spec, outDir).state).toBe('fresh');
    expect(fs.readFileSync(path.join(outDir, 'index.html'), 'utf8')).toContain(`/demo/assets/${first.manifest.files.js}`);
    write('app/src/main.tsx', "import './style.css';\ndocument.body.textContent = 'two';\n");
    expect(webAppStatus(dir, spec, outDir)).toMatchObject({ state: 'stale', reason: 'app changed since the build' });
    const second = await buildWebApp(dir, spec, { outDir, esbuild: loadEsbuild()! });
    expect(second.manifest.files.js).not.toBe(first.manifest.files.js);
    expect(second.manifest.files.css).toBe(first.manifest.files.css);
    // The previous script stays a while for pages loaded before the rebuild.
    expect(fs.existsSync(path.join(outDir, 'assets', first.manifest.files.js))).toBe(true);
    fs.rmSync(path.join(outDir, 'assets', second.manifest.files.js));
    expect(webAppStatus(dir, spec, outDir)).toEqual({ state: 'missing', reason: `assets/${second.manifest.files.js} is missing` });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
