/**
 * `npm run build`: the production artifact in dist/, plain JavaScript that `node` runs without tsx or esbuild.
 *
 * - Every TypeScript file of app/, platform/, router/, subgraphs/ and scripts/ (tests excluded) is transpiled file by
 *   file with esbuild into the same place under dist/ (CommonJS for Node 20, a source map beside each file). One
 *   file per module, not one bundle per entry point: code finds its run-time files next to itself (`__dirname`), as
 *   under tsx, and the measured difference in start-up was small (docs/operations.md, "Build and run").
 * - The files read at run time are copied next to the code: each subgraph's schema.graphql and
 *   schema/supergraph.graphql; migrations are code and come with it.
 * - The explorer bundle (router/explorer/build.ts) goes to dist/router/explorer/public; a fresh bundle from the
 *   previous build is kept rather than rebuilt.
 * - Each browser app (router/web-apps.ts: the storefront and the operations console) goes to dist/<its folder>/public (scripts/lib/web-app-build.ts),
 *   kept like the explorer when its fingerprint still matches; `--web` builds only them (`npm run build:web`).
 * - dist/build-info.json, written last, records a fingerprint of every input (contents of the sources, run-time files,
 *   explorer sources, package.json and the lock file). `--if-stale` (what `npm start` runs) builds only when that
 *   fingerprint changed or an entry point is missing, so a second start costs a hash of the sources (~0.1 s).
 *
 * The new tree is built in a folder of its own and swapped in whole: a deleted source leaves nothing behind, and a
 * failed build leaves the previous dist/ as it was.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type * as Esbuild from 'esbuild';
import { buildExplorer, explorerBundleStatus, EXPLORER_SOURCE_DIR, loadEsbuild } from '../router/explorer/build';
import { WEB_APPS, webAppOutDir } from '../router/web-apps';
import { buildWebApp, webAppInputs, webAppStatus } from './lib/web-app-build';

export const PROJECT_DIR = path.resolve(__dirname, '..');
/** Source folders compiled into dist/ (relative to the project). */
export const SOURCE_DIRS = ['app', 'platform', 'router', 'subgraphs', 'scripts'];
/** Files read at run time, copied to the same relative place under dist/. */
const RUNTIME_FILE = /(^schema\/supergraph\.graphql$)|(^subgraphs\/[^/]+\/schema\.graphql$)/;
/** The entry points other tools and the deployment rely on (docs/operations.md). */
export const ENTRY_POINTS = [
  'router/main.js',
  'scripts/start-all.js',
  'scripts/start-subgraph.js',
  'scripts/migrate.js',
  'scripts/jobs.js',
  'scripts/service-keys.js',
  'scripts/create-staff.js',
  'scripts/check-invariants.js',
];
const BUILD_INFO = 'build-info.json';
const EXPLORER_OUT = path.join('router', 'explorer', 'public');

export interface BuildInfo {
  fingerprint: string;
  builtAt: string;
  node: string;
  esbuild: string;
  modules: number;
  ms: number;
}

export interface Inputs {
  /** TypeScript modules to compile, relative to the project, '/'-separated. */
  modules: string[];
  /** Run-time files to copy. */
  runtimeFiles: string[];
  /** Everything whose change makes dist/ stale (the above, the explorer's sources, package.json, the lock file). */
  all: string[];
}

const toPosix = (file: string) => file.split(path.sep).join('/');

function walk(dir: string, files: string[] = []): string[] {
  if (!fs.existsSync(dir)) return files;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) walk(full, files);
    else files.push(full);
  }
  return files;
}

/**
 * Tests, test helpers, the browser code of the explorer (bundled separately) and this script (a development tool that
 * needs esbuild) are not part of the server build; the explorer's sources and this script still count as inputs.
 */
function isServerModule(rel: string): boolean {
  if (!rel.endsWith('.ts') || rel.endsWith('.d.ts') || rel.endsWith('.test.ts')) return false;
  if (rel.split('/').includes('test') || rel === 'scripts/build.ts') return false;
  return !rel.startsWith('router/explorer/client/') && !rel.startsWith('router/explorer/public/');
}

export function collectInputs(projectDir: string = PROJECT_DIR): Inputs {
  const relative = (file: string) => toPosix(path.relative(projectDir, file));
  const files = SOURCE_DIRS.flatMap((dir) => walk(path.join(projectDir, dir))).map(relative);
  files.push(...walk(path.join(projectDir, 'schema')).map(relative));
  const modules = files.filter(isServerModule).sort();
  const runtimeFiles = files.filter((file) => RUNTIME_FILE.test(file)).sort();
  const explorerSources = walk(path.join(projectDir, toPosix(path.relative(PROJECT_DIR, EXPLORER_SOURCE_DIR)))).map(relative);
  const manifests = ['package.json', 'package-lock.json', 'tsconfig.json'].filter((file) => fs.existsSync(path.join(projectDir, file)));
  const buildScript = files.filter((file) => file === 'scripts/build.ts');
  const webSources = WEB_APPS.flatMap((spec) => webAppInputs(projectDir, spec));
  const all = [...new Set([...modules, ...runtimeFiles, ...explorerSources, ...webSources, ...manifests, ...buildScript])].sort();
  return { modules, runtimeFiles, all };
}

/** A hash of the names and contents of `files`: equal exactly when the build would produce the same dist/. */
export function fingerprint(projectDir: string, files: string[]): string {
  const hash = crypto.createHash('sha256');
  for (const file of [...files].sort()) {
    hash.update(file).update('\0');
    hash.update(fs.readFileSync(path.join(projectDir, file))).update('\0');
  }
  return hash.digest('hex');
}

export function readBuildInfo(outDir: string): BuildInfo | undefined {
  try {
    return JSON.parse(fs.readFileSync(path.join(outDir, BUILD_INFO), 'utf8')) as BuildInfo;
  } catch {
    return undefined;
  }
}

export type DistStatus = { fresh: true } | { fresh: false; reason: string };

/** Is `outDir` a complete build of the current inputs? */
export function distStatus(projectDir: string, outDir: string, entryPoints: string[] = ENTRY_POINTS): DistStatus {
  const info = readBuildInfo(outDir);
  if (!info) return { fresh: false, reason: `${path.relative(projectDir, outDir) || outDir} has not been built` };
  const missing = entryPoints.find((file) => !fs.existsSync(path.join(outDir, file)));
  if (missing) return { fresh: false, reason: `${missing} is missing` };
  if (info.fingerprint !== fingerprint(projectDir, collectInputs(projectDir).all)) return { fresh: false, reason: 'sources changed since the last build' };
  return { fresh: true };
}

export interface BuildOptions {
  projectDir?: string;
  outDir?: string;
  /** Build the explorer bundle too (default true). */
  explorer?: boolean;
  /** Build the browser apps (the storefront and the console) too (default true). */
  webApps?: boolean;
  esbuild?: typeof Esbuild;
  log?: (message: string) => void;
}

export async function build(options: BuildOptions = {}): Promise<BuildInfo> {
  const started = Date.now();
  const projectDir = options.projectDir ?? PROJECT_DIR;
  const outDir = path.resolve(projectDir, options.outDir ?? 'dist');
  const log = options.log ?? ((message: string) => console.log(message));
  const esbuild = options.esbuild ?? loadEsbuild();
  if (!esbuild) throw new Error('esbuild is not installed (a devDependency): run `npm install`, then `npm run build`');
  const inputs = collectInputs(projectDir);
  // Hash before compiling: a source edited during the build makes the next check stale rather than wrongly fresh.
  const print = fingerprint(projectDir, inputs.all);

  fs.mkdirSync(path.dirname(outDir), { recursive: true });
  const next = fs.mkdtempSync(`${outDir}.next-`);
  try {
    await esbuild.build({
      absWorkingDir: projectDir,
      entryPoints: inputs.modules,
      outdir: next,
      outbase: '.',
      bundle: false,
      format: 'cjs',
      platform: 'node',
      target: 'node20.18',
      sourcemap: true,
      // Source maps point at the TypeScript files in the repository (../../platform/x.ts from dist/platform/x.js).
      sourcesContent: false,
      tsconfig: path.join(projectDir, 'tsconfig.json'),
      logLevel: 'silent',
    });
    for (const file of inputs.runtimeFiles) {
      fs.mkdirSync(path.dirname(path.join(next, file)), { recursive: true });
      fs.copyFileSync(path.join(projectDir, file), path.join(next, file));
    }
    if (options.explorer ?? true) {
      const previous = path.join(outDir, EXPLORER_OUT);
      const target = path.join(next, EXPLORER_OUT);
      // Judged against the sources this script runs beside (router/explorer/client): the bundle's inputs.
      const status = explorerBundleStatus(previous);
      fs.mkdirSync(path.dirname(target), { recursive: true });
      if (status.state === 'fresh') {
        fs.renameSync(previous, target);
      } else {
        log(`explorer: building the bundle (${status.reason})…`);
        const { manifest, ms } = await buildExplorer({ outDir: target, esbuild });
        log(`explorer: ${(manifest.bytes / 1e6).toFixed(1)} MB in ${(ms / 1000).toFixed(1)} s`);
      }
    }
    if (options.webApps ?? true) await buildWebApps({ projectDir, esbuild, log, previousRoot: outDir, outRoot: next });
    const info: BuildInfo = {
      fingerprint: print,
      builtAt: new Date().toISOString(),
      node: process.version,
      esbuild: esbuild.version,
      modules: inputs.modules.length,
      ms: Date.now() - started,
    };
    fs.writeFileSync(path.join(next, BUILD_INFO), `${JSON.stringify(info, null, 2)}\n`);
    swapIn(next, outDir);
    return info;
  } finally {
    fs.rmSync(next, { recursive: true, force: true });
  }
}

/**
 * Builds each browser app into `<outRoot>/<app folder>/public`, moving a fresh build from `previousRoot` instead when
 * there is one (its fingerprint matches the sources).
 */
export async function buildWebApps(options: {
  projectDir: string;
  esbuild: typeof Esbuild;
  log: (message: string) => void;
  outRoot: string;
  previousRoot?: string;
}): Promise<void> {
  for (const spec of WEB_APPS) {
    // A project without the app's sources (a test's fixture) has nothing to build.
    if (webAppInputs(options.projectDir, spec).length === 0) continue;
    const target = webAppOutDir(spec, options.outRoot);
    const previous = options.previousRoot ? webAppOutDir(spec, options.previousRoot) : undefined;
    const status = previous ? webAppStatus(options.projectDir, spec, previous) : undefined;
    if (previous && previous !== target && status?.state === 'fresh') {
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.renameSync(previous, target);
      continue;
    }
    const { manifest, ms } = await buildWebApp(options.projectDir, spec, { outDir: target, esbuild: options.esbuild });
    options.log(`${spec.source}: ${(manifest.bytes / 1e3).toFixed(0)} kB in ${(ms / 1000).toFixed(1)} s (${spec.mount})`);
  }
}

/** Replaces `outDir` by `next` with two renames; the old tree is deleted afterwards. */
function swapIn(next: string, outDir: string) {
  const old = `${outDir}.old-${process.pid}`;
  const hadOld = fs.existsSync(outDir);
  if (hadOld) fs.renameSync(outDir, old);
  fs.renameSync(next, outDir);
  if (hadOld) fs.rmSync(old, { recursive: true, force: true });
}

async function main(args: string[]) {
  const ifStale = args.includes('--if-stale');
  const outDir = path.join(PROJECT_DIR, 'dist');
  if (args.includes('--web')) {
    // Only the browser apps, in place under dist/ (a compiled router serves them from there).
    const esbuild = loadEsbuild();
    if (!esbuild) throw new Error('esbuild is not installed (a devDependency): run `npm install` first');
    const started = Date.now();
    await buildWebApps({ projectDir: PROJECT_DIR, esbuild, log: (message) => console.log(`build:web  ${message}`), outRoot: outDir });
    console.log(`build:web  done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return;
  }
  if (ifStale) {
    const status = distStatus(PROJECT_DIR, outDir);
    if (status.fresh) return;
    console.log(`build      ${status.reason}: building dist/ (once; \`npm run build\` does it by hand)`);
  }
  const info = await build({ outDir, log: (message) => console.log(`build      ${message}`) });
  console.log(`build      dist/: ${info.modules} modules, run-time files, the explorer and the browser apps in ${(info.ms / 1000).toFixed(1)} s`);
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    console.error('Build failed:', error instanceof Error ? error.message : error);
    const errors = (error as { errors?: { text: string; location?: { file: string; line: number } }[] }).errors;
    for (const e of errors ?? []) console.error(`  ${e.location ? `${e.location.file}:${e.location.line}: ` : ''}${e.text}`);
    process.exit(1);
  });
}
