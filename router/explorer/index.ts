/**
 * Serves the developer explorer from the router's own origin: the page at GET /explorer and at GET /graphql when a
 * browser asks for HTML, the bundle under /explorer/assets. Compiled (`npm run build`), the router serves the bundle
 * the build put next to it and never builds at run time. From the TypeScript sources (tests, tsx) the bundle is
 * built with esbuild on first use when it is missing or older than its sources; without esbuild (production install)
 * a short page says how to build it.
 */
import path from 'node:path';
import express from 'express';
import { runsCompiled } from '../../platform/code-layout';
import {
  buildExplorer,
  explorerBundleStatus,
  EXPLORER_ASSET_PATH,
  EXPLORER_PUBLIC_DIR,
  loadEsbuild,
  readManifest,
  type EsbuildModule,
} from './build';
import { logger } from '../../platform/log';

const explorerLog = logger({ component: 'explorer' });

export interface ExplorerOptions {
  /** Where the built bundle lives (tests point it elsewhere). */
  outDir?: string;
  /** The GraphQL endpoint the page talks to. */
  endpoint?: string;
  /** How to load esbuild; returns undefined when it is not installed. */
  loadEsbuild?: () => EsbuildModule | undefined;
  /** Build a missing or stale bundle on first use (default: only when running from the TypeScript sources). */
  buildOnDemand?: boolean;
  log?: (message: string) => void;
}

export interface Explorer {
  /** Mount before the GraphQL middleware: /explorer, /explorer/assets, and browser GETs of /graphql. */
  routes: express.Router;
  /** Builds the bundle if needed (once per process); never rejects. */
  prepare(): Promise<void>;
}

type Availability = { kind: 'bundle' } | { kind: 'unavailable'; message: string };

// Styles are inline in Monaco; everything else comes from this origin only.
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "worker-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

export function createExplorer(options: ExplorerOptions = {}): Explorer {
  const outDir = options.outDir ?? EXPLORER_PUBLIC_DIR;
  const endpoint = options.endpoint ?? '/graphql';
  const log = options.log ?? ((message: string) => explorerLog.info(message));
  let prepared: Promise<Availability> | undefined;

  async function ensureBundle(): Promise<Availability> {
    const status = explorerBundleStatus(outDir);
    if (status.state === 'fresh') return { kind: 'bundle' };
    if (!(options.buildOnDemand ?? !runsCompiled)) {
      // The compiled output carries the bundle `npm run build` made; building belongs to the build, not to a server.
      if (status.state === 'stale') return { kind: 'bundle' };
      log(`no explorer bundle next to the compiled router (${status.reason}): run \`npm run build\``);
      return { kind: 'unavailable', message: 'The explorer bundle is missing from the compiled output.' };
    }
    const esbuild = (options.loadEsbuild ?? loadEsbuild)();
    if (!esbuild) {
      if (status.state === 'stale') {
        log(`bundle may be out of date (${status.reason}) and esbuild is not installed; serving it anyway`);
        return { kind: 'bundle' };
      }
      log('no explorer bundle and esbuild is not installed (a production install?): run `npm run build:explorer` with devDependencies');
      return { kind: 'unavailable', message: 'The explorer bundle has not been built, and esbuild (a devDependency) is not installed here.' };
    }
    log(`building the bundle (${status.reason})…`);
    try {
      const { manifest, ms } = await buildExplorer({ outDir, esbuild });
      log(`built ${(manifest.bytes / 1e6).toFixed(1)} MB in ${(ms / 1000).toFixed(1)} s`);
      return { kind: 'bundle' };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      log(`build failed: ${message}`);
      if (status.state === 'stale') return { kind: 'bundle' };
      return { kind: 'unavailable', message: `The explorer bundle could not be built: ${message}` };
    }
  }

  const prepare = () => {
    prepared ??= ensureBundle().catch((error: unknown) => {
      const message = error instanceof Error ? error.message : String(error);
      log(`cannot serve the explorer: ${message}`);
      return { kind: 'unavailable' as const, message };
    });
    return prepared;
  };

  async function servePage(_req: express.Request, res: express.Response) {
    const availability = await prepare();
    // Read per request: another process may have rebuilt (content-hashed names change).
    const manifest = availability.kind === 'bundle' ? readManifest(outDir) : undefined;
    res.set('Cache-Control', 'no-cache');
    res.set('Content-Security-Policy', CONTENT_SECURITY_POLICY);
    res.set('X-Content-Type-Options', 'nosniff');
    res.type('html');
    if (!manifest) {
      const message = availability.kind === 'unavailable' ? availability.message : 'The explorer bundle disappeared.';
      res.status(503).send(unavailablePage(message, endpoint));
      return;
    }
    res.send(explorerPage(manifest.files, endpoint));
  }

  const routes = express.Router();
  routes.get('/explorer', servePage);
  routes.use(
    EXPLORER_ASSET_PATH,
    express.static(outDir, {
      index: false,
      // Every name carries a content hash: cache forever.
      immutable: true,
      maxAge: '365d',
      setHeaders: (res) => res.set('X-Content-Type-Options', 'nosniff'),
    }),
    // Not express's default 404 page, which shows a stack trace outside production.
    (_req: express.Request, res: express.Response) => res.status(404).type('text').send('Not found'),
  );
  // A browser opening the endpoint gets the explorer; API clients (Accept: application/json, */*) get GraphQL.
  routes.get(endpoint, (req, res, next) => {
    if (prefersHtml(req)) void servePage(req, res).catch(next);
    else next();
  });
  return { routes, prepare: () => prepare().then(() => undefined) };
}

function prefersHtml(req: express.Request): boolean {
  return req.accepts(['application/json', 'application/graphql-response+json', 'text/html']) === 'text/html';
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function explorerPage(files: { js: string; css: string; editorWorker: string; jsonWorker: string; graphqlWorker: string }, endpoint: string): string {
  const asset = (file: string) => `${EXPLORER_ASSET_PATH}/${encodeURIComponent(path.basename(file))}`;
  const pageConfig = {
    endpoint,
    workers: { editor: asset(files.editorWorker), json: asset(files.jsonWorker), graphql: asset(files.graphqlWorker) },
  };
  // Inside <script type="application/json">, only "<" needs escaping.
  const json = JSON.stringify(pageConfig).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Shop supergraph explorer</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${asset(files.css)}">
</head>
<body>
<div id="explorer">Loading the explorer…</div>
<script id="explorer-config" type="application/json">${json}</script>
<script src="${asset(files.js)}"></script>
</body>
</html>
`;
}

function unavailablePage(message: string, endpoint: string): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Explorer not built</title><link rel="icon" href="data:,"></head>
<body style="font-family: sans-serif; max-width: 40rem; margin: 3rem auto; line-height: 1.5">
<h1>The explorer is not built</h1>
<p>${escapeHtml(message)}</p>
<p>Build it where the devDependencies are installed, then restart the router:</p>
<pre>npm install
npm run build            # the compiled router (dist/)
npm run build:explorer   # a router run from the TypeScript sources</pre>
<p>The GraphQL endpoint itself works: <code>POST ${escapeHtml(endpoint)}</code>.</p>
</body>
</html>
`;
}

