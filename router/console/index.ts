/**
 * Serves the operations console (docs/console.md) from the router's own origin: the page at GET /console and every
 * path under it (the app routes in the browser: SPA fallback), the hashed bundle under /console/assets. The console
 * talks only to this router's /graphql with the staff member's token: no other way in. Compiled, the router serves
 * the bundle `npm run build` put next to it; from the TypeScript sources it builds it on first visit when missing or
 * stale (esbuild, a devDependency).
 */
import express from 'express';
import { runsCompiled } from '../../platform/code-layout';
import { log as platformLog } from '../../platform/log';
import { loadEsbuild } from '../explorer/build';
import { buildConsole, consoleBundleStatus, CONSOLE_ASSET_PATH, CONSOLE_PUBLIC_DIR, readConsoleManifest } from './build';

export interface ConsoleOptions {
  outDir?: string;
  /** Build a missing or stale bundle on first visit (default: only when running from the TypeScript sources). */
  buildOnDemand?: boolean;
  log?: (message: string) => void;
}

// Everything from this origin only; chart.js draws on canvas and sets inline sizes.
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export function createConsole(options: ConsoleOptions = {}): express.Router {
  const outDir = options.outDir ?? CONSOLE_PUBLIC_DIR;
  const log = options.log ?? ((message: string) => platformLog.child({ component: 'console' }).info(message));
  let prepared: Promise<string | undefined> | undefined;

  /** Makes sure a bundle exists; answers why not when none can be served. */
  async function ensureBundle(): Promise<string | undefined> {
    const status = consoleBundleStatus(outDir);
    if (status.state === 'fresh') return undefined;
    const esbuild = (options.buildOnDemand ?? !runsCompiled) ? loadEsbuild() : undefined;
    if (!esbuild) return status.state === 'stale' ? undefined : 'The console has not been built: run `npm run build:console`.';
    log(`building the bundle (${status.reason})…`);
    try {
      const { manifest, ms } = await buildConsole({ outDir, esbuild });
      log(`built ${(manifest.bytes / 1e3).toFixed(0)} kB in ${(ms / 1000).toFixed(1)} s`);
      return undefined;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      log(`build failed: ${message}`);
      return status.state === 'stale' ? undefined : `The console could not be built: ${message}`;
    }
  }

  async function servePage(_req: express.Request, res: express.Response) {
    prepared ??= ensureBundle();
    const problem = await prepared;
    const manifest = readConsoleManifest(outDir);
    res.set('Cache-Control', 'no-cache');
    res.set('Content-Security-Policy', CONTENT_SECURITY_POLICY);
    res.set('X-Content-Type-Options', 'nosniff');
    res.set('Referrer-Policy', 'no-referrer');
    res.type('html');
    if (!manifest) {
      res.status(503).send(`<!doctype html><meta charset="utf-8"><title>运营后台</title><p>${escapeHtml(problem ?? 'The console bundle is missing.')}</p>`);
      return;
    }
    res.send(page(manifest.files));
  }

  const routes = express.Router();
  routes.use(
    CONSOLE_ASSET_PATH,
    express.static(outDir, { index: false, immutable: true, maxAge: '365d', setHeaders: (res) => res.set('X-Content-Type-Options', 'nosniff') }),
    (_req: express.Request, res: express.Response) => res.status(404).type('text').send('Not found'),
  );
  // Every other path under /console is a page of the app: the browser-side router picks it.
  routes.get(['/console', '/console/{*rest}'], (req, res, next) => void servePage(req, res).catch(next));
  return routes;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page(files: { js: string; css: string }): string {
  const asset = (file: string) => `${CONSOLE_ASSET_PATH}/${encodeURIComponent(file)}`;
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>运营后台</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${asset(files.css)}">
</head>
<body>
<div id="root"></div>
<script src="${asset(files.js)}"></script>
</body>
</html>
`;
}
