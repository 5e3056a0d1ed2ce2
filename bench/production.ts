/**
 * `npm run bench`: the supergraph as it runs in production — one process per service on real PostgreSQL and Redis,
 * the load generator in its own process — and, in the same run against the same subgraphs, stock @apollo/gateway
 * (bench/stock-gateway.ts). Prints req/s, p50/p99, CPU ms per request and peak RSS per process, and the ratios of
 * our router to stock. Bounded: a fixed number of requests per scenario; never a test.
 *
 *   BENCH_DATABASE_URL  admin URL of the PostgreSQL server (default postgres://postgres@127.0.0.1:5432/postgres);
 *                       a fresh database is created for the run and dropped (with its roles) at the end
 *   BENCH_REDIS_URL     Redis for the services (default REDIS_URL, else redis://127.0.0.1:6379)
 *   BENCH_PORT_BASE     router on this port, subgraphs on the next six, stock gateway on +7 (default 4300)
 *   BENCH_SCALE         multiplies every request count (default 1)
 *   BENCH_ONLY          comma-separated scenario name prefixes to run (default all)
 *   ROUTER_DEDUP        passed to our router (false: no in-flight dedup)
 *   BENCH_CPU_PROF      a directory: every service runs with --cpu-prof and writes its profile there on exit
 *   BENCH_ROUTER_NODE_ARGS  extra node options for our router only (space-separated), e.g. V8 heap flags to compare
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import knexFactory, { type Knex } from 'knex';
import { fetch } from 'undici';
import { loadConfig, SUBGRAPH_NAMES, type SubgraphName } from '../platform/config';
import { signAccessToken } from '../platform/access-token';
import { subgraphRoleName } from '../platform/db';
import { cpuMs, loadAverage, watchRss } from './proc';
import type { LoadRequest, LoadResult, LoadSpec } from './load';

const root = path.resolve(__dirname, '..');
const ADMIN_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env.BENCH_REDIS_URL ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const PORT_BASE = Number(process.env.BENCH_PORT_BASE ?? 4300);
const SCALE = Number(process.env.BENCH_SCALE ?? 1);
const ONLY = process.env.BENCH_ONLY?.split(',');
const SECRETS = { JWT_SECRET: 'bench-jwt-secret', INTERNAL_SECRET: 'bench-internal-secret' };
/** Shoppers with carts of 1..99 lines for the browse mix; shopper 0 holds the 99-line cart. */
const SHOPPERS = 200;
const FIRST_SHOPPER_ID = 900_000;

interface Service {
  name: string;
  child: ChildProcess;
  output: () => string;
}

const children: Service[] = [];

const ROUTER_NODE_ARGS = process.env.BENCH_ROUTER_NODE_ARGS?.split(' ').filter(Boolean) ?? [];

function start(name: string, script: string, args: string[], env: Record<string, string>, ready: RegExp): Promise<Service> {
  const profile = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(process.env.BENCH_CPU_PROF, name)}`] : [];
  const nodeArgs = name === 'router' ? ROUTER_NODE_ARGS : [];
  const child = spawn(process.execPath, [...profile, ...nodeArgs, '--import', 'tsx', script, ...args], {
    cwd: root,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const service = { name, child, output: () => output };
  children.push(service);
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (ready.test(output)) resolve(service);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => reject(new Error(`${name} exited (${code}) before it was ready:\n${output}`)));
  });
}

async function stopAll(which: Service[] = children) {
  await Promise.all(
    which.map(
      ({ child }) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          const kill = setTimeout(() => child.kill('SIGKILL'), 5000);
          child.on('exit', () => {
            clearTimeout(kill);
            resolve();
          });
          child.kill('SIGTERM');
        }),
    ),
  );
}

async function graphql<T>(url: string, query: string, variables: Record<string, unknown> = {}, token?: string): Promise<T> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  const response = await fetch(url, { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
  const json = (await response.json()) as { data?: T; errors?: unknown[] };
  if (json.errors || !json.data) throw new Error(`${query.slice(0, 80)}: ${JSON.stringify(json.errors)}`);
  return json.data;
}

/** Deterministic pseudo-random numbers: the same mix every run. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

const body = (query: string, variables: Record<string, unknown> = {}) => JSON.stringify({ query, variables });

const LIST_20 =
  'query List20 { products(first: 20) { edges { node { id title minPrice category { name } skus { id price available } } } pageInfo { hasNextPage endCursor } } }';
const CART =
  'query Cart { cart { totalQuantity items { id quantity selected valid sku { id name price stock product { id title } } } price { subtotal discount total } } }';
const CATEGORY_PAGE =
  'query CategoryPage($categoryId: ID, $after: String) { products(filter: { categoryId: $categoryId }, first: 10, after: $after) { edges { node { id title minPrice images skus { id price available } } } pageInfo { hasNextPage endCursor } } }';
const PRODUCT_DETAIL =
  'query ProductDetail($id: ID!) { product(id: $id) { id title description images minPrice category { id name } brand { name } skus { id name price stock available } } }';
const CATEGORIES = 'query Categories { categories { id name children { id name } } }';
const ADD_TO_CART = 'mutation AddToCart($skuId: ID!) { addToCart(skuId: $skuId, quantity: 1) { totalQuantity } }';

interface Scenario {
  name: string;
  count: number;
  concurrency: number;
  requests: LoadRequest[];
}

interface Row {
  scenario: string;
  router: 'ours' | 'stock';
  result: LoadResult;
  cpuPerRequest: Map<string, number>;
  peakRss: Map<string, number>;
  load: string;
}

async function runLoad(spec: LoadSpec): Promise<LoadResult> {
  const file = path.join(os.tmpdir(), `bench-load-${process.pid}.json`);
  fs.writeFileSync(file, JSON.stringify(spec));
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'load.ts'), file], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  fs.rmSync(file, { force: true });
  if (code !== 0) throw new Error(`load generator exited ${code}: ${output}`);
  return JSON.parse(output.trim().split('\n').pop()!) as LoadResult;
}

async function measure(scenario: Scenario, router: 'ours' | 'stock', url: string, routerService: Service, subgraphs: Service[]): Promise<Row> {
  // Warm-up (JIT, pools, query plans, sockets): not reported.
  await runLoad({ url, count: Math.ceil(scenario.count / 5), concurrency: scenario.concurrency, requests: scenario.requests });
  const processes = [routerService, ...subgraphs];
  const before = new Map(processes.map((p) => [p.name, cpuMs(p.child.pid!)]));
  const rss = watchRss(processes.map((p) => p.child.pid!));
  const load = loadAverage();
  const result = await runLoad({ url, count: scenario.count, concurrency: scenario.concurrency, requests: scenario.requests });
  const peaks = rss.stop();
  const cpuPerRequest = new Map(processes.map((p) => [p.name, (cpuMs(p.child.pid!) - before.get(p.name)!) / result.requests]));
  const peakRss = new Map(processes.map((p) => [p.name, peaks.get(p.child.pid!) ?? 0]));
  if (result.errors) console.warn(`  ${scenario.name} via ${router}: ${result.errors} errors, first: ${result.firstError}`);
  return { scenario: scenario.name, router, result, cpuPerRequest, peakRss, load };
}

async function main() {
  const database = `bench_${process.pid}_${Date.now()}`;
  const admin = knexFactory({ client: 'pg', connection: ADMIN_URL, pool: { min: 0, max: 1 } });
  await admin.raw('CREATE DATABASE ??', [database]);
  const dbUrl = new URL(ADMIN_URL);
  dbUrl.pathname = `/${database}`;
  const databaseUrl = dbUrl.toString();
  let data: Knex | undefined;
  try {
    const ports = Object.fromEntries(SUBGRAPH_NAMES.map((name, i) => [name, PORT_BASE + 1 + i])) as Record<SubgraphName, number>;
    const env: Record<string, string> = {
      NODE_ENV: 'development',
      HOST: '127.0.0.1',
      DATABASE_URL: databaseUrl,
      REDIS_URL,
      ...SECRETS,
      ADMIN_PASSWORD: 'bench-admin-password-1',
    };
    for (const name of SUBGRAPH_NAMES) {
      env[`${name.toUpperCase()}_PORT`] = String(ports[name]);
      env[`${name.toUpperCase()}_URL`] = `http://127.0.0.1:${ports[name]}/graphql`;
    }
    const config = loadConfig({ ...env, NODE_ENV: 'production' });
    console.log(`machine: ${os.cpus().length} × ${os.cpus()[0]?.model}, ${Math.round(os.totalmem() / 2 ** 30)} GB, node ${process.version}; load average ${loadAverage()}`);
    console.log(`PostgreSQL ${new URL(ADMIN_URL).host}/${database}, Redis ${REDIS_URL}`);
    if (ROUTER_NODE_ARGS.length) console.log(`our router runs with node ${ROUTER_NODE_ARGS.join(' ')}`);

    // Production never seeds demo data: a first development start migrates and seeds, then every service runs with
    // NODE_ENV=production (graphql-js skips its development-only checks, which cost the subgraphs several % of CPU).
    const seeding = await Promise.all(
      SUBGRAPH_NAMES.map((name) => start(`seed-${name}`, 'scripts/start-subgraph.ts', [name], env, /Ready in/)),
    );
    await stopAll(seeding);
    env.NODE_ENV = 'production';
    const subgraphs = await Promise.all(
      SUBGRAPH_NAMES.map((name) => start(name, 'scripts/start-subgraph.ts', [name], env, /Ready in/)),
    );
    // ROUTER_DEDUP=false npm run bench: our router without in-flight dedup, to see what the rest is worth.
    const routerEnv = { ...env, ROUTER_PORT: String(PORT_BASE), ...(process.env.ROUTER_DEDUP ? { ROUTER_DEDUP: process.env.ROUTER_DEDUP } : {}) };
    const ours = await start('router', 'router/main.ts', [], routerEnv, /Ready in/);
    const stock = await start('stock', path.join('bench', 'stock-gateway.ts'), [], { ...env, ROUTER_PORT: String(PORT_BASE + 7) }, /stock gateway/);
    const urls = { ours: `http://127.0.0.1:${PORT_BASE}/graphql`, stock: `http://127.0.0.1:${PORT_BASE + 7}/graphql` };

    // --- Data: the demo catalog, and carts of 1..99 lines written straight into the cart subgraph's tables.
    const catalog = await graphql<{ products: { edges: { node: { id: string; skus: { id: string; available: boolean }[] } }[] } }>(
      urls.ours,
      '{ products(first: 100) { edges { node { id skus { id available } } } } }',
    );
    const productIds = catalog.products.edges.map((e) => e.node.id);
    const skuIds = catalog.products.edges.flatMap((e) => e.node.skus.filter((s) => s.available).map((s) => s.id));
    const tree = await graphql<{ categories: { id: string; children: { id: string }[] }[] }>(urls.ours, CATEGORIES);
    const categoryIds = tree.categories.flatMap((c) => [c.id, ...c.children.map((child) => child.id)]);
    const cursors: (string | null)[] = [null];
    for (let after: string | null = null; ; ) {
      const page: { products: { pageInfo: { hasNextPage: boolean; endCursor: string | null } } } = await graphql(
        urls.ours,
        'query($after: String) { products(first: 10, after: $after) { pageInfo { hasNextPage endCursor } } }',
        { after },
      );
      if (!page.products.pageInfo.hasNextPage) break;
      after = page.products.pageInfo.endCursor;
      cursors.push(after);
    }
    if (skuIds.length < 99) throw new Error(`need 99 SKUs for the 99-line cart, the catalog has ${skuIds.length}`);
    data = knexFactory({ client: 'pg', connection: databaseUrl, pool: { min: 0, max: 1 } });
    const shopperLines = (i: number) => (i === 0 ? 99 : 1 + ((i * 37) % 99));
    const lines = [];
    for (let i = 0; i < SHOPPERS; i++) {
      for (let l = 0; l < shopperLines(i); l++) {
        lines.push({ user_id: FIRST_SHOPPER_ID + i, sku_id: skuIds[(i * 7 + l) % skuIds.length], quantity: 1 });
      }
    }
    await data.withSchema('cart').table('carts').insert(Array.from({ length: SHOPPERS }, (_, i) => ({ user_id: FIRST_SHOPPER_ID + i })));
    await data.batchInsert('cart.cart_items', lines, 500);
    const tokens = Array.from({ length: SHOPPERS }, (_, i) => signAccessToken({ userId: String(FIRST_SHOPPER_ID + i), scopes: [] }, config));
    console.log(`data: ${productIds.length} products, ${skuIds.length} SKUs, ${categoryIds.length} categories, ${SHOPPERS} shoppers with ${lines.length} cart lines`);

    const supergraphSdl = fs.readFileSync(config.supergraphPath, 'utf8');
    const hasPreview = /\bpreviewOrder\s*\(/.test(supergraphSdl);
    console.log(
      hasPreview
        ? 'note: the supergraph has previewOrder, but this bench does not send it yet (add it to the mix)'
        : 'note: order preview skipped: the supergraph has no previewOrder on this branch',
    );

    // --- Scenarios.
    const rand = random(3);
    const pick = <T>(list: T[]) => list[Math.floor(rand() * list.length)];
    const mix: LoadRequest[] = [];
    for (let i = 0; i < 2000; i++) {
      const r = rand();
      if (r < 0.3) {
        const byCategory = rand() < 0.5;
        mix.push({ body: body(CATEGORY_PAGE, byCategory ? { categoryId: pick(categoryIds) } : { after: pick(cursors) }) });
      } else if (r < 0.6) mix.push({ body: body(PRODUCT_DETAIL, { id: pick(productIds) }) });
      else if (r < 0.7) mix.push({ body: body(CATEGORIES) });
      else if (r < 0.92) mix.push({ body: body(CART), token: tokens[1 + Math.floor(rand() * (SHOPPERS - 1))] });
      else {
        // A SKU already in that cart: the line grows by one, the cart never passes 99 lines.
        const shopper = 1 + Math.floor(rand() * (SHOPPERS - 1));
        mix.push({ body: body(ADD_TO_CART, { skuId: skuIds[(shopper * 7) % skuIds.length] }), token: tokens[shopper] });
      }
    }
    const scenarios: Scenario[] = [
      { name: '20 products with SKUs and category', count: 2000 * SCALE, concurrency: 10, requests: [{ body: body(LIST_20) }] },
      { name: '99-line cart with price', count: 800 * SCALE, concurrency: 10, requests: [{ body: body(CART), token: tokens[0] }] },
      { name: 'browse mix', count: 3000 * SCALE, concurrency: 50, requests: mix },
    ].filter((s) => !ONLY || ONLY.some((o) => s.name.startsWith(o)));

    const rows: Row[] = [];
    for (const scenario of scenarios) {
      console.log(`running: ${scenario.name} (${scenario.count} requests, concurrency ${scenario.concurrency}) …`);
      rows.push(await measure(scenario, 'ours', urls.ours, ours, subgraphs));
      rows.push(await measure(scenario, 'stock', urls.stock, stock, subgraphs));
    }

    // --- Report.
    const fixed = (n: number, digits = 1) => +n.toFixed(digits);
    const reqPerSecond = (row: Row) => row.result.requests / row.result.seconds;
    const subgraphCpu = (row: Row) => SUBGRAPH_NAMES.reduce((sum, name) => sum + row.cpuPerRequest.get(name)!, 0);
    console.log('\nThroughput and latency (load average at the start of each measured run):');
    console.table(
      rows.map((row) => ({
        scenario: row.scenario,
        via: row.router,
        'req/s': Math.round(reqPerSecond(row)),
        'p50 ms': fixed(row.result.latencies.p50),
        'p99 ms': fixed(row.result.latencies.p99),
        errors: row.result.errors,
        'router CPU ms/req': fixed(row.cpuPerRequest.get(row.router === 'ours' ? 'router' : 'stock')!, 2),
        'subgraphs CPU ms/req': fixed(subgraphCpu(row), 2),
        'router peak RSS MB': Math.round(row.peakRss.get(row.router === 'ours' ? 'router' : 'stock')!),
        load: row.load,
      })),
    );
    console.log('CPU ms per request and peak RSS MB of each process:');
    console.table(
      rows.map((row) => ({
        scenario: row.scenario,
        via: row.router,
        ...Object.fromEntries([...row.cpuPerRequest].map(([name, ms]) => [name, `${fixed(ms, 2)} ms, ${Math.round(row.peakRss.get(name)!)} MB`])),
      })),
    );
    console.log('Ours / stock @apollo/gateway (same subgraphs, same run):');
    console.table(
      scenarios.map((scenario) => {
        const o = rows.find((r) => r.scenario === scenario.name && r.router === 'ours')!;
        const s = rows.find((r) => r.scenario === scenario.name && r.router === 'stock')!;
        return {
          scenario: scenario.name,
          'req/s ×': fixed(reqPerSecond(o) / reqPerSecond(s), 2),
          'router CPU/req ×': fixed(o.cpuPerRequest.get('router')! / s.cpuPerRequest.get('stock')!, 2),
          'subgraph CPU/req ×': fixed(subgraphCpu(o) / subgraphCpu(s), 2),
        };
      }),
    );
    const routerStats = await fetch(`${urls.ours.replace('/graphql', '')}/health`).then((r) => r.status).catch(() => 'unreachable');
    console.log(`router /health: ${routerStats}; load average at the end ${loadAverage()}`);
  } finally {
    await data?.destroy();
    await stopAll();
    await admin.raw('DROP DATABASE IF EXISTS ?? WITH (FORCE)', [database]);
    for (const name of SUBGRAPH_NAMES) await admin.raw('DROP ROLE IF EXISTS ??', [subgraphRoleName(databaseUrl, name)]);
    await admin.destroy();
  }
}

process.on('SIGINT', () => void stopAll().then(() => process.exit(130)));
main().catch(async (error) => {
  console.error(error);
  await stopAll();
  process.exit(1);
});
