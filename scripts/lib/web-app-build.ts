/**
 * Builds a browser app of this repository (the storefront in clients/web, the staff console in console/) with
 * esbuild: one minified ES module bundle of `src/main.tsx` with its CSS, content-hashed, an `index.html` naming them
 * under the app's base path, and a `manifest.json` holding the fingerprint of the inputs (sources, this file, the
 * installed versions of the bundled packages). The router serves the output (router/web-apps.ts); scripts/build.ts
 * puts it in dist/ and `npm run build:web` builds it alone.
 *
 * Nothing here imports esbuild at load time: the compiled router imports this module in production too, where
 * devDependencies may be absent.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type * as Esbuild from 'esbuild';

export interface WebAppSpec {
  /** Short name: `web` is the storefront. */
  name: string;
  /** The app's folder relative to the project (`clients/web`): `src/main.tsx` is the entry, `src/` its sources. */
  source: string;
  /** URL path the router mounts it on (`/shop`); assets are under `<mount>/assets/`. */
  mount: string;
  /** The page's <title> and <html lang>. */
  title: string;
  lang: string;
  /** Packages bundled into the app: upgrading one makes the bundle stale. */
  packages: string[];
  /** What the page says when JavaScript is off. */
  noscript: string;
  /**
   * The page's Content-Security-Policy needs (router/web-apps.ts): `websocket` adds this host's ws:/wss: (graphql-ws
   * subscriptions); `inlineStyles` allows style attributes (chart.js sizes its canvases with them).
   */
  csp: { websocket: boolean; inlineStyles: boolean };
}

export interface WebAppManifest {
  name: string;
  builtAt: string;
  /** Fingerprint of the inputs the bundle was built from (webAppFingerprint). */
  fingerprint: string;
  /** What the app sends as `apollographql-client-version`: the package version plus the fingerprint's start. */
  version: string;
  files: { js: string; css: string };
  /** Every file the build wrote besides manifest.json (index.html included). */
  outputs: string[];
  bytes: number;
}

export type WebAppStatus =
  | { state: 'fresh'; manifest: WebAppManifest }
  | { state: 'stale'; manifest: WebAppManifest; reason: string }
  | { state: 'missing'; reason: string };

const MANIFEST = 'manifest.json';
export const ASSETS = 'assets';

function walk(dir: string, files: string[] = []): string[] {
  if (!fs.existsSync(dir)) return files;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.name.startsWith('.')) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) walk(full, files);
    else files.push(full);
  }
  return files;
}

/** The files whose contents the bundle depends on, relative to the project ('/'-separated). */
export function webAppInputs(projectDir: string, spec: WebAppSpec): string[] {
  return walk(path.join(projectDir, spec.source, 'src'))
    .map((file) => path.relative(projectDir, file).split(path.sep).join('/'))
    .sort();
}

function installedVersions(projectDir: string, packages: string[]): Record<string, string | null> {
  const versions: Record<string, string | null> = {};
  for (const name of packages) {
    try {
      const file = require.resolve(`${name}/package.json`, { paths: [projectDir] });
      versions[name] = (JSON.parse(fs.readFileSync(file, 'utf8')) as { version: string }).version;
    } catch {
      versions[name] = null;
    }
  }
  return versions;
}

/** A hash of the sources, this build script and the bundled packages' versions; undefined without sources. */
export function webAppFingerprint(projectDir: string, spec: WebAppSpec): string | undefined {
  const files = webAppInputs(projectDir, spec);
  if (files.length === 0) return undefined;
  const hash = crypto.createHash('sha256');
  hash.update(JSON.stringify({ spec, versions: installedVersions(projectDir, spec.packages) })).update('\0');
  // This build script's source: a change to how the bundle is made makes it stale. Read from the project (dist/ has
  // only the compiled .js, which would give a compiled router another fingerprint than the build that made the app).
  const self = path.join(projectDir, 'scripts', 'lib', 'web-app-build.ts');
  if (fs.existsSync(self)) hash.update(fs.readFileSync(self)).update('\0');
  for (const file of files) hash.update(file).update('\0').update(fs.readFileSync(path.join(projectDir, file))).update('\0');
  return hash.digest('hex');
}

export function readWebAppManifest(outDir: string): WebAppManifest | undefined {
  try {
    return JSON.parse(fs.readFileSync(path.join(outDir, MANIFEST), 'utf8')) as WebAppManifest;
  } catch {
    return undefined;
  }
}

/** Is there a complete build in `outDir`, and was it made from the current sources (when they are here)? */
export function webAppStatus(projectDir: string, spec: WebAppSpec, outDir: string): WebAppStatus {
  const manifest = readWebAppManifest(outDir);
  if (!manifest) return { state: 'missing', reason: 'not built yet' };
  const absent = manifest.outputs.find((file) => !fs.existsSync(path.join(outDir, file)));
  if (absent) return { state: 'missing', reason: `${absent} is missing` };
  const print = webAppFingerprint(projectDir, spec);
  // An image that ships only the built app has no sources to compare with: what was built is what there is.
  if (print && print !== manifest.fingerprint) return { state: 'stale', manifest, reason: `${spec.source} changed since the build` };
  return { state: 'fresh', manifest };
}

function indexHtml(spec: WebAppSpec, files: { js: string; css: string }): string {
  const asset = (file: string) => `${spec.mount}/${ASSETS}/${encodeURIComponent(file)}`;
  return `<!doctype html>
<html lang="${spec.lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${spec.title}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${asset(files.css)}">
<script type="module" src="${asset(files.js)}"></script>
</head>
<body>
<div id="root"></div>
<noscript>${spec.noscript}</noscript>
</body>
</html>
`;
}

/**
 * Builds `spec` from `projectDir` into `outDir` (assets under `outDir/assets/`, then index.html, then manifest.json
 * last: a reader sees the old build or the whole new one). Files of earlier builds are removed.
 */
export async function buildWebApp(
  projectDir: string,
  spec: WebAppSpec,
  options: { outDir: string; esbuild: typeof Esbuild; minify?: boolean },
): Promise<{ manifest: WebAppManifest; ms: number }> {
  const started = Date.now();
  const fingerprint = webAppFingerprint(projectDir, spec);
  if (!fingerprint) throw new Error(`${spec.source}/src has no sources to build`);
  const pkg = JSON.parse(fs.readFileSync(path.join(projectDir, 'package.json'), 'utf8')) as { version: string };
  const version = `${pkg.version}+${fingerprint.slice(0, 8)}`;
  const { outDir, esbuild } = options;
  fs.mkdirSync(outDir, { recursive: true });
  const tmpDir = fs.mkdtempSync(path.join(outDir, '.build-'));
  try {
    const entry = path.join(projectDir, spec.source, 'src', 'main.tsx');
    const result = await esbuild.build({
      absWorkingDir: projectDir,
      entryPoints: { main: entry },
      outdir: path.join(tmpDir, ASSETS),
      bundle: true,
      format: 'esm',
      splitting: false,
      minify: options.minify ?? true,
      sourcemap: false,
      target: ['es2022', 'chrome100', 'safari15', 'firefox100'],
      jsx: 'automatic',
      entryNames: '[name]-[hash]',
      assetNames: '[name]-[hash]',
      metafile: true,
      logLevel: 'silent',
      legalComments: 'none',
      charset: 'utf8',
      define: {
        'process.env.NODE_ENV': '"production"',
        __APP_VERSION__: JSON.stringify(version),
        __APP_BASE__: JSON.stringify(spec.mount),
      },
    });
    const written = Object.keys(result.metafile!.outputs).map((file) => path.basename(file));
    const js = written.find((file) => file.endsWith('.js'));
    const css = written.find((file) => file.endsWith('.css'));
    if (!js || !css) throw new Error(`esbuild wrote no ${js ? 'stylesheet' : 'script'} for ${spec.source}`);
    fs.writeFileSync(path.join(tmpDir, 'index.html'), indexHtml(spec, { js, css }));
    const outputs = ['index.html', ...written.map((file) => `${ASSETS}/${file}`)];
    const bytes = outputs.reduce((sum, file) => sum + fs.statSync(path.join(tmpDir, file)).size, 0);
    const manifest: WebAppManifest = { name: spec.name, builtAt: new Date().toISOString(), fingerprint, version, files: { js, css }, outputs, bytes };
    // Hashed assets first (new names never replace a file in use), then the page, then the manifest.
    fs.mkdirSync(path.join(outDir, ASSETS), { recursive: true });
    for (const file of outputs.filter((f) => f !== 'index.html')) fs.renameSync(path.join(tmpDir, file), path.join(outDir, file));
    fs.renameSync(path.join(tmpDir, 'index.html'), path.join(outDir, 'index.html'));
    fs.writeFileSync(path.join(tmpDir, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
    fs.renameSync(path.join(tmpDir, MANIFEST), path.join(outDir, MANIFEST));
    pruneAssets(path.join(outDir, ASSETS), new Set(written));
    return { manifest, ms: Date.now() - started };
  } finally {
    fs.rmSync(tmpDir, { recursive: true, force: true });
  }
}

/** Assets of earlier builds are kept a while: a page loaded just before a rebuild still finds its script. */
const PRUNE_AFTER_MS = 10 * 60 * 1000;

function pruneAssets(dir: string, keep: Set<string>) {
  const now = Date.now();
  for (const name of fs.readdirSync(dir)) {
    if (keep.has(name)) continue;
    const full = path.join(dir, name);
    try {
      if (now - fs.statSync(full).mtimeMs > PRUNE_AFTER_MS) fs.rmSync(full, { force: true });
    } catch {
      // Another process pruned it first.
    }
  }
}
