/**
 * The browser apps the router serves: the storefront at /shop (clients/web) and the staff's operations console at
 * /console (console/; docs/console.md). Each is a built folder (index.html, content-hashed assets, manifest.json;
 * scripts/lib/web-app-build.ts) under `<code dir>/<app source>/public`: the repository's clients/web/public when run
 * from the sources, dist/clients/web/public when compiled. Both talk only to this origin's /graphql: the console
 * has no other way in than any client.
 *
 * - `<mount>/assets/*`: hashed names, cached for a year (`immutable`).
 * - any other GET under `<mount>`: index.html, never cached (the SPA's client routes, e.g. /shop/orders/12, load the
 *   page that knows the current asset names), with a CSP allowing this origin only, plus its WebSocket endpoint.
 * - Run from the sources (tests, `npm run start:ts`) a missing or stale build is (re)built on the next page load, so
 *   editing clients/web/src and reloading is the dev loop; the compiled router serves what `npm run build` made.
 */
import path from 'node:path';
import express from 'express';
import { codeDir, projectDir, runsCompiled } from '../platform/code-layout';
import { log as platformLog } from '../platform/log';
import { buildWebApp, webAppStatus, ASSETS, type WebAppSpec } from '../scripts/lib/web-app-build';
import { loadEsbuild } from './explorer/build';

export const STOREFRONT: WebAppSpec = {
  name: 'web',
  source: 'clients/web',
  mount: '/shop',
  title: '小店',
  lang: 'zh-CN',
  packages: ['react', 'react-dom', 'urql', '@urql/core', '@urql/exchange-persisted', 'graphql', 'graphql-ws', 'wouter'],
  noscript: '请启用 JavaScript 后再访问本店。',
  csp: { websocket: true, inlineStyles: false },
};

export const CONSOLE: WebAppSpec = {
  name: 'console',
  source: 'console',
  mount: '/console',
  title: '运营后台',
  lang: 'zh-CN',
  packages: ['react', 'react-dom', 'urql', '@urql/core', 'graphql', 'wouter', 'chart.js', 'react-chartjs-2'],
  noscript: '请启用 JavaScript 后再使用运营后台。',
  // No subscriptions; chart.js sets inline sizes on its canvases.
  csp: { websocket: false, inlineStyles: true },
};

/** Every app the router serves (and scripts/build.ts builds). */
export const WEB_APPS: WebAppSpec[] = [STOREFRONT, CONSOLE];

/** Where the built app is read from (and built to, when run from the sources). */
export function webAppOutDir(spec: WebAppSpec, root: string = codeDir): string {
  return path.join(root, spec.source, 'public');
}

export interface WebAppRouteOptions {
  /** Build when missing or stale on a page load (default: only when run from the sources). */
  buildOnDemand?: boolean;
  outDir?: (spec: WebAppSpec) => string;
  log?: (message: string) => void;
}

/** The CSP of an app's pages: scripts, styles and data from this origin; WebSockets to this host's GraphQL endpoint. */
export function contentSecurityPolicy(host: string | undefined, csp: WebAppSpec['csp']): string {
  // Host is what the browser asked for; anything but a host[:port] is left out rather than echoed into a header.
  const safeHost = csp.websocket && host && /^[A-Za-z0-9.\-[\]:]{1,255}$/.test(host) ? host : undefined;
  const ws = safeHost ? ` ws://${safeHost} wss://${safeHost}` : '';
  return [
    "default-src 'self'",
    "script-src 'self'",
    csp.inlineStyles ? "style-src 'self' 'unsafe-inline'" : "style-src 'self'",
    "img-src 'self' data:",
    `connect-src 'self'${ws}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

export function webAppRoutes(options: WebAppRouteOptions = {}): express.Router {
  const routes = express.Router();
  for (const spec of WEB_APPS) routes.use(spec.mount, webAppRouter(spec, options));
  return routes;
}

function webAppRouter(spec: WebAppSpec, options: WebAppRouteOptions): express.Router {
  const outDir = options.outDir?.(spec) ?? webAppOutDir(spec);
  const log = options.log ?? ((message: string) => platformLog.child({ component: `web-app${spec.mount}` }).info(message));
  const buildOnDemand = options.buildOnDemand ?? !runsCompiled;
  let building: Promise<void> | undefined;

  /** Undefined when the page can be served, else why not. */
  async function ensureBuilt(): Promise<string | undefined> {
    const status = webAppStatus(projectDir, spec, outDir);
    if (status.state === 'fresh' || (status.state === 'stale' && !buildOnDemand)) return undefined;
    if (!buildOnDemand) return `The app is not built (${status.reason}): run \`npm run build:web\` (or \`npm run build\`).`;
    const esbuild = loadEsbuild();
    if (!esbuild) return status.state === 'stale' ? undefined : 'The app is not built and esbuild (a devDependency) is not installed.';
    // One build at a time; page loads during it wait for it.
    building ??= (async () => {
      log(`building ${spec.source} (${status.reason})…`);
      const { manifest, ms } = await buildWebApp(projectDir, spec, { outDir, esbuild });
      log(`built ${(manifest.bytes / 1e3).toFixed(0)} kB in ${(ms / 1000).toFixed(1)} s`);
    })().finally(() => {
      building = undefined;
    });
    try {
      await building;
      return undefined;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      log(`build failed: ${message}`);
      return status.state === 'stale' ? undefined : `The app could not be built: ${message}`;
    }
  }

  const router = express.Router();
  router.use(
    `/${ASSETS}`,
    express.static(path.join(outDir, ASSETS), {
      index: false,
      immutable: true,
      maxAge: '365d',
      setHeaders: (res) => res.set('X-Content-Type-Options', 'nosniff'),
    }),
    (_req: express.Request, res: express.Response) => res.status(404).type('text').send('Not found'),
  );
  router.get(/.*/, (req, res, next) => {
    void (async () => {
      const problem = await ensureBuilt();
      res.set('Cache-Control', 'no-cache');
      res.set('Content-Security-Policy', contentSecurityPolicy(req.headers.host, spec.csp));
      res.set('X-Content-Type-Options', 'nosniff');
      res.set('Referrer-Policy', 'same-origin');
      if (problem) {
        res.status(503).type('text/plain; charset=utf-8').send(problem);
        return;
      }
      // dotfiles: the build may live under a hidden folder (a test's .dist-test-*).
      res.sendFile(path.join(outDir, 'index.html'), { cacheControl: false, dotfiles: 'allow', headers: { 'Content-Type': 'text/html; charset=utf-8' } });
    })().catch(next);
  });
  return router;
}
