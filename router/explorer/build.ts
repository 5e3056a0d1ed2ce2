/**
 * Builds the developer explorer (GraphiQL + the query-builder plugin) into router/explorer/public/ with esbuild:
 * one IIFE bundle with its CSS and fonts, plus Monaco's three workers as IIFE bundles, all content-hashed, and a
 * manifest.json naming them. `npm run build:explorer` runs it; the router runs it on demand when the bundle is
 * missing or older than its sources (esbuild is a devDependency, so a production install may lack it).
 *
 * Nothing here imports esbuild at load time: the router imports this module in production too.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type * as Esbuild from 'esbuild';

export type EsbuildModule = typeof Esbuild;

export const EXPLORER_SOURCE_DIR = path.join(__dirname, 'client');
export const EXPLORER_PUBLIC_DIR = path.join(__dirname, 'public');
/** URL path the router serves the built files under. */
export const EXPLORER_ASSET_PATH = '/explorer/assets';
const MANIFEST = 'manifest.json';
/** esbuild's working directory: the paths in its metafile are relative to it. */
const WORK_DIR = path.resolve(__dirname, '..', '..');

/** Installed versions that end up in the bundle: upgrading one makes the bundle stale. */
const BUNDLED_PACKAGES = [
  'graphiql',
  '@graphiql/plugin-explorer',
  '@graphiql/react',
  '@graphiql/toolkit',
  'react',
  'react-dom',
  'monaco-editor',
  'monaco-graphql',
  'graphql',
  'graphql-ws',
];

export interface ExplorerManifest {
  builtAt: string;
  /** File names (inside the public dir) of the page's script and stylesheet and of Monaco's workers. */
  files: { js: string; css: string; editorWorker: string; jsonWorker: string; graphqlWorker: string };
  /** Every file the build wrote (fonts included). */
  outputs: string[];
  versions: Record<string, string | null>;
  bytes: number;
}

export type BundleStatus =
  | { state: 'fresh'; manifest: ExplorerManifest }
  | { state: 'stale'; manifest: ExplorerManifest; reason: string }
  | { state: 'missing'; reason: string };

/** esbuild if installed (a production install without devDependencies has none), else undefined. */
export function loadEsbuild(): EsbuildModule | undefined {
  try {
    // require, not import(): jest's VM cannot run dynamic imports, and this runs inside router tests.
    return require('esbuild') as EsbuildModule;
  } catch (error) {
    if ((error as { code?: string }).code === 'MODULE_NOT_FOUND') return undefined;
    throw error;
  }
}

function installedVersions(): Record<string, string | null> {
  const versions: Record<string, string | null> = {};
  for (const name of BUNDLED_PACKAGES) {
    try {
      const file = require.resolve(`${name}/package.json`, { paths: [__dirname] });
      versions[name] = (JSON.parse(fs.readFileSync(file, 'utf8')) as { version: string }).version;
    } catch {
      versions[name] = null;
    }
  }
  return versions;
}

/** The build script and the client sources (absent from an image that ships only the built bundle). */
function sourceFiles(): string[] {
  const files = [__filename];
  if (!fs.existsSync(EXPLORER_SOURCE_DIR)) return files;
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else files.push(full);
    }
  };
  walk(EXPLORER_SOURCE_DIR);
  return files;
}

export function readManifest(outDir: string): ExplorerManifest | undefined {
  try {
    return JSON.parse(fs.readFileSync(path.join(outDir, MANIFEST), 'utf8')) as ExplorerManifest;
  } catch {
    return undefined;
  }
}

/** Is there a complete bundle in `outDir`, and is it newer than the client sources and the installed packages? */
export function explorerBundleStatus(outDir: string = EXPLORER_PUBLIC_DIR): BundleStatus {
  const manifest = readManifest(outDir);
  if (!manifest) return { state: 'missing', reason: 'no bundle built yet' };
  const absent = manifest.outputs.find((file) => !fs.existsSync(path.join(outDir, file)));
  if (absent) return { state: 'missing', reason: `${absent} is missing` };
  const builtAt = fs.statSync(path.join(outDir, MANIFEST)).mtimeMs;
  const newer = sourceFiles().find((file) => fs.statSync(file).mtimeMs > builtAt);
  if (newer) return { state: 'stale', manifest, reason: `${path.relative(process.cwd(), newer)} changed since the build` };
  const installed = installedVersions();
  // Packages absent from this install (production without devDependencies) cannot make the bundle stale.
  const changed = Object.keys(installed).find(
    (name) => installed[name] !== null && installed[name] !== (manifest.versions[name] ?? null),
  );
  if (changed) return { state: 'stale', manifest, reason: `${changed} is now ${installed[changed]}` };
  return { state: 'fresh', manifest };
}

function outputFile(metafile: Esbuild.Metafile, outDir: string, entryPoint: string): string {
  const found = Object.entries(metafile.outputs).find(([, output]) => output.entryPoint === entryPoint);
  if (!found) throw new Error(`esbuild produced no output for ${entryPoint}`);
  return path.relative(outDir, path.resolve(WORK_DIR, found[0]));
}

/**
 * Builds into a private temporary folder, then moves the content-hashed files into `outDir` and writes the manifest
 * last (atomically), so a router serving the previous build, or a second process building at the same time, never
 * sees a half-written bundle. Files of older builds are pruned after a grace period (pages may still load them).
 */
export async function buildExplorer(
  options: { outDir?: string; esbuild?: EsbuildModule; minify?: boolean } = {},
): Promise<{ manifest: ExplorerManifest; ms: number }> {
  const started = Date.now();
  const outDir = options.outDir ?? EXPLORER_PUBLIC_DIR;
  const esbuild = options.esbuild ?? loadEsbuild();
  if (!esbuild) throw new Error('esbuild is not installed (it is a devDependency): run `npm install` first');
  fs.mkdirSync(outDir, { recursive: true });
  const tmpDir = fs.mkdtempSync(path.join(outDir, '.build-'));
  try {
    const resolve = (specifier: string) => require.resolve(specifier, { paths: [__dirname] });
    const common: Esbuild.BuildOptions = {
      absWorkingDir: WORK_DIR,
      bundle: true,
      format: 'iife',
      minify: options.minify ?? true,
      target: ['es2022'],
      outdir: tmpDir,
      entryNames: '[name]-[hash]',
      assetNames: '[name]-[hash]',
      metafile: true,
      logLevel: 'silent',
      legalComments: 'none',
      define: { 'process.env.NODE_ENV': '"production"' },
    };
    const workerEntries = {
      'editor.worker': resolve('monaco-editor/esm/vs/editor/editor.worker.js'),
      'json.worker': resolve('monaco-editor/esm/vs/language/json/json.worker.js'),
      'graphql.worker': resolve('monaco-graphql/esm/graphql.worker.js'),
    };
    const pageEntry = path.join(EXPLORER_SOURCE_DIR, 'index.tsx');
    const [workers, page] = await Promise.all([
      esbuild.build({ ...common, entryPoints: workerEntries }),
      esbuild.build({
        ...common,
        entryPoints: { explorer: pageEntry },
        jsx: 'automatic',
        loader: { '.ttf': 'file', '.woff': 'file', '.woff2': 'file', '.svg': 'file' },
        // Fonts referenced from CSS are served next to it.
        publicPath: EXPLORER_ASSET_PATH,
      }),
    ]);
    const relativeEntry = (file: string) => path.relative(WORK_DIR, file).split(path.sep).join('/');
    const js = outputFile(page.metafile!, tmpDir, relativeEntry(pageEntry));
    const css = page.metafile!.outputs[relativeEntry(path.join(tmpDir, js))]?.cssBundle;
    if (!css) throw new Error('esbuild produced no stylesheet for the explorer');
    const outputs = fs.readdirSync(tmpDir);
    const bytes = outputs.reduce((sum, file) => sum + fs.statSync(path.join(tmpDir, file)).size, 0);
    const manifest: ExplorerManifest = {
      builtAt: new Date().toISOString(),
      files: {
        js,
        css: path.relative(tmpDir, path.resolve(WORK_DIR, css)),
        editorWorker: outputFile(workers.metafile!, tmpDir, relativeEntry(workerEntries['editor.worker'])),
        jsonWorker: outputFile(workers.metafile!, tmpDir, relativeEntry(workerEntries['json.worker'])),
        graphqlWorker: outputFile(workers.metafile!, tmpDir, relativeEntry(workerEntries['graphql.worker'])),
      },
      outputs,
      versions: installedVersions(),
      bytes,
    };
    for (const file of outputs) fs.renameSync(path.join(tmpDir, file), path.join(outDir, file));
    const manifestTmp = path.join(tmpDir, `${MANIFEST}.${crypto.randomUUID()}`);
    fs.writeFileSync(manifestTmp, `${JSON.stringify(manifest, null, 2)}\n`);
    fs.renameSync(manifestTmp, path.join(outDir, MANIFEST));
    pruneOldBuilds(outDir, new Set([...outputs, MANIFEST]));
    return { manifest, ms: Date.now() - started };
  } finally {
    fs.rmSync(tmpDir, { recursive: true, force: true });
  }
}

const PRUNE_AFTER_MS = 10 * 60 * 1000;

function pruneOldBuilds(outDir: string, keep: Set<string>) {
  const now = Date.now();
  for (const entry of fs.readdirSync(outDir, { withFileTypes: true })) {
    if (keep.has(entry.name)) continue;
    const full = path.join(outDir, entry.name);
    try {
      if (now - fs.statSync(full).mtimeMs > PRUNE_AFTER_MS) fs.rmSync(full, { recursive: true, force: true });
    } catch {
      // Another process pruned it first.
    }
  }
}

if (require.main === module) {
  buildExplorer()
    .then(({ manifest, ms }) => {
      const dir = path.relative(process.cwd(), EXPLORER_PUBLIC_DIR) || '.';
      console.log(`Built the explorer into ${dir}: ${(manifest.bytes / 1e6).toFixed(1)} MB in ${(ms / 1000).toFixed(1)} s`);
    })
    .catch((error: unknown) => {
      console.error('Explorer build failed:', error instanceof Error ? error.message : error);
      process.exit(1);
    });
}
