/**
 * Builds the operations console (console/src, React + urql) into router/console/public/ with esbuild: one IIFE bundle
 * and its stylesheet, content-hashed, and a manifest.json naming them (written last, atomically). `npm run
 * build:console` runs it, `npm run build` puts it in dist/, and the router builds it on first visit when running from
 * the TypeScript sources and the bundle is missing or older than its sources (docs/console.md).
 *
 * Nothing here imports esbuild at load time: the router imports this module in production too.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { projectDir } from '../../platform/code-layout';
import { loadEsbuild, type EsbuildModule } from '../explorer/build';

/** The console's browser sources (absent from an image that ships only dist/). */
export const CONSOLE_SOURCE_DIR = path.join(projectDir, 'console', 'src');
export const CONSOLE_PUBLIC_DIR = path.join(__dirname, 'public');
/** URL path the router serves the built files under. */
export const CONSOLE_ASSET_PATH = '/console/assets';
const MANIFEST = 'manifest.json';

export interface ConsoleManifest {
  builtAt: string;
  files: { js: string; css: string };
  outputs: string[];
  bytes: number;
}

export type ConsoleBundleStatus =
  | { state: 'fresh'; manifest: ConsoleManifest }
  | { state: 'stale'; manifest: ConsoleManifest; reason: string }
  | { state: 'missing'; reason: string };

export function readConsoleManifest(outDir: string): ConsoleManifest | undefined {
  try {
    return JSON.parse(fs.readFileSync(path.join(outDir, MANIFEST), 'utf8')) as ConsoleManifest;
  } catch {
    return undefined;
  }
}

function walk(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? walk(full) : [full];
  });
}

/** Is there a complete bundle in `outDir`, newer than every console source and this script? */
export function consoleBundleStatus(outDir: string = CONSOLE_PUBLIC_DIR): ConsoleBundleStatus {
  const manifest = readConsoleManifest(outDir);
  if (!manifest) return { state: 'missing', reason: 'no console bundle built yet' };
  const absent = manifest.outputs.find((file) => !fs.existsSync(path.join(outDir, file)));
  if (absent) return { state: 'missing', reason: `${absent} is missing` };
  const builtAt = fs.statSync(path.join(outDir, MANIFEST)).mtimeMs;
  const newer = [__filename, ...walk(CONSOLE_SOURCE_DIR)].find((file) => fs.statSync(file).mtimeMs > builtAt);
  if (newer) return { state: 'stale', manifest, reason: `${path.relative(process.cwd(), newer)} changed since the build` };
  return { state: 'fresh', manifest };
}

/** Builds into a private temporary folder, then moves the hashed files in and writes the manifest last. */
export async function buildConsole(
  options: { outDir?: string; esbuild?: EsbuildModule; minify?: boolean } = {},
): Promise<{ manifest: ConsoleManifest; ms: number }> {
  const started = Date.now();
  const outDir = options.outDir ?? CONSOLE_PUBLIC_DIR;
  const esbuild = options.esbuild ?? loadEsbuild();
  if (!esbuild) throw new Error('esbuild is not installed (it is a devDependency): run `npm install` first');
  fs.mkdirSync(outDir, { recursive: true });
  const tmpDir = fs.mkdtempSync(path.join(outDir, '.build-'));
  try {
    const entry = path.join(CONSOLE_SOURCE_DIR, 'main.tsx');
    const result = await esbuild.build({
      absWorkingDir: projectDir,
      entryPoints: { console: entry },
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
      jsx: 'automatic',
      define: { 'process.env.NODE_ENV': '"production"' },
      publicPath: CONSOLE_ASSET_PATH,
    });
    const outputs = fs.readdirSync(tmpDir);
    const js = outputs.find((file) => file.startsWith('console-') && file.endsWith('.js'));
    const css = outputs.find((file) => file.startsWith('console-') && file.endsWith('.css'));
    if (!js || !css || !result.metafile) throw new Error('esbuild produced no script or stylesheet for the console');
    const bytes = outputs.reduce((sum, file) => sum + fs.statSync(path.join(tmpDir, file)).size, 0);
    const manifest: ConsoleManifest = { builtAt: new Date().toISOString(), files: { js, css }, outputs, bytes };
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

// Pages loaded just before a rebuild may still ask for the previous files for a while.
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
  buildConsole()
    .then(({ manifest, ms }) => {
      console.log(`Built the console into ${path.relative(process.cwd(), CONSOLE_PUBLIC_DIR)}: ${(manifest.bytes / 1e3).toFixed(0)} kB in ${(ms / 1000).toFixed(1)} s`);
    })
    .catch((error: unknown) => {
      console.error('Console build failed:', error instanceof Error ? error.message : error);
      process.exit(1);
    });
}
