/**
 * `npm run bench`: the supergraph as it runs in production — one process per service on real PostgreSQL and Redis,
 * the load generator in its own process — and, in the same run against the same subgraphs, stock @apollo/gateway
 * (bench/stock-gateway.ts) and, when it is installed (`npm --prefix bench/hive ci`), Hive Gateway (bench/hive/gateway.ts).
 * Prints req/s, p50/p99, CPU ms per request and peak RSS per process, and the ratios of our router to stock and to
 * Hive. Bounded: a fixed number of requests per scenario; never a test.
 *
 *   BENCH_DATABASE_URL  admin URL of the PostgreSQL server (default postgres://postgres@127.0.0.1:5432/postgres);
 *                       a fresh database is created for the run and dropped (with its roles) at the end
 *   BENCH_REDIS_URL     Redis for the services (default REDIS_URL, else redis://127.0.0.1:6379)
 *   BENCH_PORT_BASE     router on this port, subgraphs on the next ones (one each, SUBGRAPH_NAMES order), stock gateway on
 *                       +50, Hive on +51 (default 4300): room for subgraphs still to come
 *   BENCH_SCALE         multiplies every request count (default 1)
 *   BENCH_ONLY          comma-separated scenario name prefixes to run (default all)
 *   BENCH_WARMUP        unmeasured requests before each measured run, as a multiple of its count (default 4)
 *   BENCH_MIX_RATE      requests per second offered in the open-loop browse mix scenario (default 1000)
 *   ROUTER_DEDUP        passed to our router (false: no in-flight dedup)
 *   ROUTER_RESPONSE_CACHE  passed to our router (false: no response cache), to compare the routers' own work
 *   ROUTER_PASS_THROUGH passed to our router (false: every operation through the gateway's plan execution)
 *   CATALOG_CACHE       passed to the subgraphs (false: product reads PostgreSQL every time)
 *   BENCH_CPU_PROF      a directory: every service runs with --cpu-prof and writes its profile there on exit
 *   BENCH_ROUTER_NODE_ARGS  extra node options for our router only (space-separated), e.g. V8 heap flags to compare
 *   BENCH_NODE_ARGS     node options for the subgraphs and our router (space-separated); default package.json's
 *                       config.serviceNodeFlags, what `npm run start:subgraph` and `npm run start:router` run with
 *   BENCH_ROUTERS       comma-separated routers to measure: ours, stock, hive (default all that are available)
 *   BENCH_MIX_PARTS     1: also run each kind of the browse mix's requests on its own (where the mix's CPU goes)
 *   (the open-platform pair, "open: …", signs order.query calls to /open/v1 and sends the same operation as GraphQL,
 *   our router only: the open endpoint's router CPU per call over GraphQL's, docs/open-platform.md "Cost")
 *   BENCH_RUNTIME       `compiled` (default): our services run `node dist/...` as production does (`npm run build` first,
 *                       done here when dist/ is stale); `tsx`: they run the TypeScript sources through tsx, to compare
 */
import crypto from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import knexFactory, { type Knex } from 'knex';
import { fetch } from 'undici';
import { loadConfig, SUBGRAPH_NAMES, type SubgraphName } from '../platform/config';
import { signAccessToken } from '../platform/access-token';
import { SERVICE_NAMES, serviceKeysFromEnv } from '../platform/service-keys';
import { subgraphRoleName } from '../platform/db';
import { IDENTITY_HEADER, signIdentity } from '../platform/identity';
import { cpuMs, cpuMsOfCommand, loadAverage, watchRss } from './proc';
import { build, distStatus } from '../scripts/build';
import type { LoadRequest, LoadResult, LoadSpec } from './load';

const root = path.resolve(__dirname, '..');
const ADMIN_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env.BENCH_REDIS_URL ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const PORT_BASE = Number(process.env.BENCH_PORT_BASE ?? 4300);
/** Far above the subgraphs' PORT_BASE + 1.., so that a new subgraph never lands on a gateway's port. */
const STOCK_PORT = PORT_BASE + 50;
const HIVE_PORT = PORT_BASE + 51;
const SCALE = Number(process.env.BENCH_SCALE ?? 1);
const ONLY = process.env.BENCH_ONLY?.split(',');
const ROUTERS = process.env.BENCH_ROUTERS?.split(',');
const MIX_PARTS = process.env.BENCH_MIX_PARTS === '1';
/**
 * Unmeasured requests before each measured run, as a multiple of its count. Seven Node processes reach their steady
 * state (JIT tiers, heap sizes) only after thousands of requests of each kind: with 0.2 (the first benches), the
 * browse mix measured 2.6 ms of CPU per request; with 1, 2.24; 2, 1.97; 4, 1.84 (docs/performance.md).
 */
const WARMUP = Number(process.env.BENCH_WARMUP ?? 4);
/** The offered rate of the open-loop browse mix: the issue's target. */
const MIX_RATE = Number(process.env.BENCH_MIX_RATE ?? 1000);
const SECRETS = { JWT_SECRET: 'bench-jwt-secret', INTERNAL_SECRET: 'bench-internal-secret' };
/** Production requires each service's own key (docs/security.md, "Service keys"); the bench hands every process all of them. */
const SERVICE_KEYS = Object.fromEntries(
  SERVICE_NAMES.map((name) => [`SERVICE_KEY_${name.toUpperCase()}`, `bench:${crypto.randomBytes(32).toString('base64url')}`]),
);
const STATS_KEYS = serviceKeysFromEnv(SERVICE_KEYS, { base: SECRETS.INTERNAL_SECRET, production: true });
/** Shoppers with carts of 1..99 lines for the browse mix; shopper 0 holds the 99-line cart. */
const SHOPPERS = 200;
const FIRST_SHOPPER_ID = 900_000;
/** Reviews written on each of the first (up to) 30 products for the product-with-reviews scenario. */
const REVIEWS_PER_PRODUCT = 25;
/** Hive Gateway lives in its own package folder, outside the main install (bench/hive/package.json). */
const HIVE_INSTALLED = fs.existsSync(path.join(root, 'bench', 'hive', 'node_modules', '@graphql-hive', 'gateway'));

interface Service {
  name: string;
  child: ChildProcess;
  output: () => string;
}

const children: Service[] = [];

const ROUTER_NODE_ARGS = process.env.BENCH_ROUTER_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
const packageJson = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { config: { serviceNodeFlags: string } };
const SERVICE_NODE_ARGS = (process.env.BENCH_NODE_ARGS ?? packageJson.config.serviceNodeFlags).split(' ').filter(Boolean);
const OUR_SERVICES = new Set<string>(['router', ...SUBGRAPH_NAMES]);
const RUNTIME = process.env.BENCH_RUNTIME ?? 'compiled';
if (RUNTIME !== 'compiled' && RUNTIME !== 'tsx') throw new Error(`BENCH_RUNTIME must be compiled or tsx, got ${RUNTIME}`);
/** Milliseconds from spawning each of our services to its "Ready" line. */
const startMs = new Map<string, number>();

/** Our entry points from dist/ (compiled), else through tsx; the stock and Hive gateways always run through tsx. */
function command(name: string, script: string): string[] {
  if (RUNTIME === 'compiled' && OUR_SERVICES.has(name.replace(/^seed-/, ''))) return [path.join('dist', script.replace(/\.ts$/, '.js'))];
  return ['--import', 'tsx', script];
}

function start(name: string, script: string, args: string[], env: Record<string, string>, ready: RegExp): Promise<Service> {
  const profile = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(process.env.BENCH_CPU_PROF, name)}`] : [];
  const nodeArgs = [...(OUR_SERVICES.has(name) ? SERVICE_NODE_ARGS : []), ...(name === 'router' ? ROUTER_NODE_ARGS : [])];
  const spawned = Date.now();
  const child = spawn(process.execPath, [...profile, ...nodeArgs, ...command(name, script), ...args], {
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
      if (ready.test(output)) {
        if (!startMs.has(name)) startMs.set(name, Date.now() - spawned);
        resolve(service);
      }
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

/** The open-platform pair (BENCH_ONLY=open runs just these). */
const OPEN_SIGNED = 'open: order.query signed via /open/v1';
const OPEN_AS_GRAPHQL = 'open: order.query as GraphQL (same operation)';

const body = (query: string, variables: Record<string, unknown> = {}) => JSON.stringify({ query, variables });

const LIST_20 =
  'query List20 { products(first: 20) { edges { node { id title minPrice category { name } skus { id price available } } } pageInfo { hasNextPage endCursor } } }';
const CART =
  'query Cart { cart { totalQuantity items { id quantity selected valid sku { id name price stock product { id title } } } price { subtotal discount total } } }';
const CATEGORY_PAGE =
  'query CategoryPage($categoryId: ID, $after: String) { products(filter: { categoryId: $categoryId }, first: 10, after: $after) { edges { node { id title minPrice images skus { id price available } } } pageInfo { hasNextPage endCursor } } }';
const PRODUCT_DETAIL =
  'query ProductDetail($id: ID!) { product(id: $id) { id title description images minPrice category { id name } brand { name } skus { id name price stock available } } }';
const PRODUCT_WITH_REVIEWS =
  'query ProductWithReviews($id: ID!) { product(id: $id) { id title minPrice skus { id name price available } rating { average count countsByStar { stars count } } reviews(first: 10) { edges { cursor node { stars content images createdAt author { nickname avatarUrl } sku { name } } } pageInfo { hasNextPage endCursor } } } }';
const CATEGORIES = 'query Categories { categories { id name children { id name } } }';
const ADD_TO_CART = 'mutation AddToCart($skuId: ID!) { addToCart(skuId: $skuId, quantity: 1) { totalQuantity } }';
const PREVIEW =
  'query Preview($input: CheckoutInput!) { previewOrder(input: $input) { items { sku { id name } title quantity unitPrice lineTotal } subtotal discount shippingFee total coupon { discount } } }';

interface Scenario {
  name: string;
  count: number;
  /** Concurrent requests (closed loop), or sockets at most with `rate`. */
  concurrency: number;
  requests: LoadRequest[];
  /** Open loop at this many requests per second (bench/load.ts); default: closed loop at `concurrency`. */
  rate?: number;
  /** Warm-up as a multiple of `count` (default BENCH_WARMUP). */
  warmup?: number;
  /** Only these routers can serve it (the open endpoint is ours alone); default every measured one. */
  routers?: Via[];
}

type Via = 'ours' | 'stock' | 'hive';

/** A router under test: its name in the report, its URL and its process. */
interface Router {
  via: Via;
  url: string;
  service: Service;
}

interface Row {
  scenario: string;
  router: Via;
  /** The name of the router's process in cpuPerRequest and peakRss. */
  routerProcess: string;
  result: LoadResult;
  cpuPerRequest: Map<string, number>;
  peakRss: Map<string, number>;
  load: string;
  /** Catalog cache hits / lookups per kind during the measured run (product subgraph). */
  cacheHits: Map<string, { hits: number; lookups: number }>;
  /** Our router's response cache during the measured run. */
  responseCache?: { hits: number; misses: number; stored: number; notCacheable: number };
}

/** GET /stats of a service (router or subgraph), signed for it with the router's key. */
async function statsOf<T>(graphqlUrl: string, audience: string): Promise<T | undefined> {
  const header = signIdentity({ scopes: [], audience }, STATS_KEYS);
  const response = await fetch(graphqlUrl.replace(/\/graphql$/, '/stats'), { headers: { [IDENTITY_HEADER]: header } });
  return response.ok ? ((await response.json()) as T) : undefined;
}

type ResponseCacheCounts = { hits: number; misses: number; stored: number; notCacheable: number };
async function responseCacheCounts(routerUrl: string): Promise<ResponseCacheCounts | undefined> {
  const stats = await statsOf<{ responseCache: ResponseCacheCounts & { enabled: boolean } }>(routerUrl, 'router');
  return stats?.responseCache.enabled ? stats.responseCache : undefined;
}

type CacheCounts = Record<string, { memoryHits: number; sharedHits: number; misses: number; bypassed: number }>;
let productUrl = '';
async function catalogCounts(): Promise<CacheCounts> {
  const stats = await statsOf<{ catalogCache: { kinds?: CacheCounts } }>(productUrl, 'product');
  return stats?.catalogCache.kinds ?? {};
}

/**
 * Runs the load generator; with `spec.warmup`, `whenWarm` runs between the warm-up and the measured run (the load
 * generator waits for it), so counters read there cover the measured run alone.
 */
async function runLoad(spec: LoadSpec, whenWarm?: () => Promise<void>): Promise<LoadResult> {
  const file = path.join(os.tmpdir(), `bench-load-${process.pid}.json`);
  fs.writeFileSync(file, JSON.stringify(spec));
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'load.ts'), file], {
    cwd: root,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    output += chunk.toString();
    if (output.startsWith('warm\n') && !output.slice(5).length && whenWarm) {
      void whenWarm().then(() => child.stdin!.write('go\n'), (error) => child.kill() && console.error(error));
    }
  });
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  fs.rmSync(file, { force: true });
  if (code !== 0) throw new Error(`load generator exited ${code}: ${output}`);
  return JSON.parse(output.trim().split('\n').pop()!) as LoadResult;
}

async function measure(scenario: Scenario, { via: router, url, service }: Router, subgraphs: Service[], beforeMeasuring: () => Promise<void>): Promise<Row> {
  const processes = [service, ...subgraphs];
  // Read between the warm-up (JIT, pools, query plans, sockets, and the load generator's own JIT: not reported) and
  // the measured run, which the same load generator process sends.
  let before = new Map<string, number>();
  let sharedBefore = { postgres: 0, redis: 0 };
  let rss: ReturnType<typeof watchRss> | undefined;
  let load = '';
  let cacheBefore: CacheCounts = {};
  let responsesBefore: ResponseCacheCounts | undefined;
  const whenWarm = async () => {
    await beforeMeasuring();
    cacheBefore = await catalogCounts();
    responsesBefore = router === 'ours' ? await responseCacheCounts(url) : undefined;
    load = loadAverage();
    before = new Map(processes.map((p) => [p.name, cpuMs(p.child.pid!)]));
    sharedBefore = { postgres: cpuMsOfCommand('postgres'), redis: cpuMsOfCommand('redis-server') };
    rss = watchRss(processes.map((p) => p.child.pid!));
  };
  const warmup = Math.ceil(scenario.count * (scenario.warmup ?? WARMUP));
  const { count, concurrency, requests, rate } = scenario;
  const result = await runLoad({ url, count, concurrency, requests, warmup, rate }, whenWarm);
  const peaks = rss!.stop();
  // CPU first: the /stats reads below cost a little CPU of their own.
  const cpuAfter = new Map(processes.map((p) => [p.name, cpuMs(p.child.pid!)]));
  const sharedAfter = { postgres: cpuMsOfCommand('postgres'), redis: cpuMsOfCommand('redis-server') };
  const cacheAfter = await catalogCounts();
  const responsesAfter = router === 'ours' ? await responseCacheCounts(url) : undefined;
  const responseCache =
    responsesBefore && responsesAfter
      ? {
          hits: responsesAfter.hits - responsesBefore.hits,
          misses: responsesAfter.misses - responsesBefore.misses,
          stored: responsesAfter.stored - responsesBefore.stored,
          notCacheable: responsesAfter.notCacheable - responsesBefore.notCacheable,
        }
      : undefined;
  const cacheHits = new Map(
    Object.entries(cacheAfter).map(([kind, after]) => {
      const before = cacheBefore[kind] ?? { memoryHits: 0, sharedHits: 0, misses: 0, bypassed: 0 };
      const hits = after.memoryHits + after.sharedHits - before.memoryHits - before.sharedHits;
      return [kind, { hits, lookups: hits + after.misses - before.misses + after.bypassed - before.bypassed }];
    }),
  );
  const cpuPerRequest = new Map(processes.map((p) => [p.name, (cpuAfter.get(p.name)! - before.get(p.name)!) / result.requests]));
  // What else ran on the same cores for this load: PostgreSQL, Redis (the whole machine's) and the load generator.
  cpuPerRequest.set('postgres', (sharedAfter.postgres - sharedBefore.postgres) / result.requests);
  cpuPerRequest.set('redis', (sharedAfter.redis - sharedBefore.redis) / result.requests);
  cpuPerRequest.set('load', result.cpuMs / result.requests);
  const peakRss = new Map(processes.map((p) => [p.name, peaks.get(p.child.pid!) ?? 0]));
  if (result.errors) console.warn(`  ${scenario.name} via ${router}: ${result.errors} errors, first: ${result.firstError}`);
  return { scenario: scenario.name, router, routerProcess: service.name, result, cpuPerRequest, peakRss, load, cacheHits, responseCache };
}

/**
 * Every router must give our router's answers: the same data (no errors) for a sample of the scenarios' read-only
 * operations, the signed-in cart included (which the subgraphs serve only with a correctly signed identity).
 */
async function checkAnswers(routers: Router[], samples: { query: string; variables?: Record<string, unknown>; token?: string }[]) {
  for (const { query, variables, token } of samples) {
    const [ours, ...others] = await Promise.all(routers.map((r) => graphql(r.url, query, variables, token).then((d) => JSON.stringify(d))));
    others.forEach((answer, i) => {
      if (answer !== ours) throw new Error(`${routers[i + 1].via} answers ${query.slice(0, 60)} differently:\n${answer.slice(0, 300)}\nours:\n${ours.slice(0, 300)}`);
    });
  }
  console.log(`answers: ${routers.map((r) => r.via).join(', ')} give the same data for ${samples.length} sample operations`);
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
      ...SERVICE_KEYS,
      ADMIN_PASSWORD: 'bench-admin-password-1',
      // The stock gateway would report each run's host to Apollo (our router never does by default: config.ts).
      APOLLO_TELEMETRY_DISABLED: 'true',
      // Production seals open apps' secrets with it (docs/open-platform.md); the bench's app is made for the run.
      OPEN_SECRET_KEY: crypto.randomBytes(32).toString('hex'),
    };
    for (const name of SUBGRAPH_NAMES) {
      env[`${name.toUpperCase()}_PORT`] = String(ports[name]);
      env[`${name.toUpperCase()}_URL`] = `http://127.0.0.1:${ports[name]}/graphql`;
    }
    const config = loadConfig({ ...env, NODE_ENV: 'production' });
    productUrl = `http://127.0.0.1:${ports.product}/graphql`;
    console.log(`machine: ${os.cpus().length} × ${os.cpus()[0]?.model}, ${Math.round(os.totalmem() / 2 ** 30)} GB, node ${process.version}; load average ${loadAverage()}`);
    console.log(`PostgreSQL ${new URL(ADMIN_URL).host}/${database}, Redis ${REDIS_URL}`);
    if (ROUTER_NODE_ARGS.length) console.log(`our router runs with node ${ROUTER_NODE_ARGS.join(' ')}`);
    if (SERVICE_NODE_ARGS.length) console.log(`our subgraphs and router run with node ${SERVICE_NODE_ARGS.join(' ')}`);
    if (RUNTIME === 'compiled') {
      const status = distStatus(root, path.join(root, 'dist'));
      if (!status.fresh) {
        console.log(`building dist/ (${status.reason}) …`);
        await build({ projectDir: root, outDir: path.join(root, 'dist'), log: () => undefined });
      }
      console.log('our subgraphs and router run compiled: node dist/... (BENCH_RUNTIME=tsx to run the sources through tsx)');
    } else {
      console.log('our subgraphs and router run the TypeScript sources through tsx (BENCH_RUNTIME=tsx)');
    }

    // Production never seeds demo data: a first development start migrates and seeds, then every service runs with
    // NODE_ENV=production (graphql-js skips its development-only checks, which cost the subgraphs several % of CPU).
    const seeding = await Promise.all(
      SUBGRAPH_NAMES.map((name) => start(`seed-${name}`, 'scripts/start-subgraph.ts', [name], env, /Ready in/)),
    );
    await stopAll(seeding);
    env.NODE_ENV = 'production';
    if (process.env.CATALOG_CACHE) env.CATALOG_CACHE = process.env.CATALOG_CACHE;
    const subgraphs = await Promise.all(
      SUBGRAPH_NAMES.map((name) => start(name, 'scripts/start-subgraph.ts', [name], env, /Ready in/)),
    );
    // ROUTER_DEDUP=false / ROUTER_RESPONSE_CACHE=false / ROUTER_PASS_THROUGH=false npm run bench: our router without them, to see what the rest is worth.
    const passed = (names: string[]) => Object.fromEntries(names.filter((name) => process.env[name]).map((name) => [name, process.env[name]!]));
    const routerEnv = { ...env, ROUTER_PORT: String(PORT_BASE), ...passed(['ROUTER_DEDUP', 'ROUTER_RESPONSE_CACHE', 'ROUTER_PASS_THROUGH']) };
    const url = (port: number) => `http://127.0.0.1:${port}/graphql`;
    const ourRouter = await start('router', 'router/main.ts', [], routerEnv, /Ready in/);
    const subgraphStarts = SUBGRAPH_NAMES.map((name) => startMs.get(name)!);
    console.log(
      `start to "Ready" (${RUNTIME}, production, migrated database): router ${startMs.get('router')} ms, subgraphs ` +
        `${Math.min(...subgraphStarts)}–${Math.max(...subgraphStarts)} ms (seven started together); first start with migrations ` +
        `and seeding ${Math.max(...SUBGRAPH_NAMES.map((name) => startMs.get(`seed-${name}`)!))} ms`,
    );
    const routers: Router[] = [
      { via: 'ours', url: url(PORT_BASE), service: ourRouter },
      {
        via: 'stock',
        url: url(STOCK_PORT),
        service: await start('stock', path.join('bench', 'stock-gateway.ts'), [], { ...env, ROUTER_PORT: String(STOCK_PORT) }, /stock gateway/),
      },
    ];
    if (HIVE_INSTALLED) {
      const service = await start('hive', path.join('bench', 'hive', 'gateway.ts'), [], { ...env, ROUTER_PORT: String(HIVE_PORT) }, /hive gateway/);
      routers.push({ via: 'hive', url: url(HIVE_PORT), service });
    } else {
      console.log('Hive Gateway not installed, measuring ours and stock only (install it with: npm --prefix bench/hive ci)');
    }
    const oursUrl = routers[0].url;
    // Measured ones only; every router started answers the sample check.
    const measured = routers.filter((r) => !ROUTERS || ROUTERS.includes(r.via));

    // --- Data: the demo catalog, and carts of 1..99 lines written straight into the cart subgraph's tables.
    const catalog = await graphql<{ products: { edges: { node: { id: string; skus: { id: string; available: boolean }[] } }[] } }>(
      oursUrl,
      '{ products(first: 100) { edges { node { id skus { id available } } } } }',
    );
    const productIds = catalog.products.edges.map((e) => e.node.id);
    const skuIds = catalog.products.edges.flatMap((e) => e.node.skus.filter((s) => s.available).map((s) => s.id));
    const tree = await graphql<{ categories: { id: string; children: { id: string }[] }[] }>(oursUrl, CATEGORIES);
    const categoryIds = tree.categories.flatMap((c) => [c.id, ...c.children.map((child) => child.id)]);
    const cursors: (string | null)[] = [null];
    for (let after: string | null = null; ; ) {
      const page: { products: { pageInfo: { hasNextPage: boolean; endCursor: string | null } } } = await graphql(
        oursUrl,
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
    await checkAnswers(routers, [
      { query: LIST_20 },
      { query: CART, token: tokens[0] },
      { query: CART, token: tokens[1] },
      { query: PRODUCT_DETAIL, variables: { id: productIds[0] } },
      { query: CATEGORY_PAGE, variables: { categoryId: categoryIds[0] } },
      { query: CATEGORIES },
    ]);
    console.log(`data: ${productIds.length} products, ${skuIds.length} SKUs, ${categoryIds.length} categories, ${SHOPPERS} shoppers with ${lines.length} cart lines`);

    // Shoppers exist in the user subgraph with one default address each, for the order preview.
    await data.withSchema('user').table('users').insert(Array.from({ length: SHOPPERS }, (_, i) => ({ id: FIRST_SHOPPER_ID + i, nickname: `bench ${i}` })));
    const addresses: { id: string; user_id: string }[] = await data
      .withSchema('user')
      .table('addresses')
      .insert(
        Array.from({ length: SHOPPERS }, (_, i) => ({
          user_id: FIRST_SHOPPER_ID + i,
          contact_name: '压测',
          phone: '13900139000',
          province: '广东省',
          city: '深圳市',
          district: '南山区',
          detail: `科技园 ${i} 号`,
          is_default: true,
        })),
      )
      .returning(['id', 'user_id']);
    const addressOf = new Map(addresses.map((a) => [String(a.user_id), String(a.id)]));
    // Reviews: REVIEWS_PER_PRODUCT per product by the bench shoppers (their lines as OrderCompleted would record them),
    // with the rating aggregate as the review subgraph keeps it.
    const reviewed = productIds.slice(0, 30);
    const reviewRows = reviewed.flatMap((productId, p) =>
      Array.from({ length: REVIEWS_PER_PRODUCT }, (_, r) => {
        const line = 1 + p * REVIEWS_PER_PRODUCT + r;
        return {
          order_item_id: line,
          order_id: line,
          user_id: FIRST_SHOPPER_ID + ((p * 7 + r) % SHOPPERS),
          product_id: productId,
          sku_id: skuIds[(p * 13 + r) % skuIds.length],
          stars: 1 + ((p + r * 3) % 5),
        };
      }),
    );
    await data.batchInsert('review.purchased_lines', reviewRows.map(({ stars: _stars, ...line }) => ({ ...line, quantity: 1, completed_at: new Date() })), 500);
    await data.batchInsert('review.reviews', reviewRows.map((row) => ({ ...row, content: `压测评价 ${row.order_item_id}：做工不错，物流很快。`, images: JSON.stringify(['https://img.example.com/review.jpg']) })), 500);
    await data.raw(`INSERT INTO review.product_ratings (product_id, review_count, star_sum, stars_1, stars_2, stars_3, stars_4, stars_5)
      SELECT product_id, count(*), sum(stars), ${[1, 2, 3, 4, 5].map((n) => `count(*) FILTER (WHERE stars = ${n})`).join(', ')}
        FROM review.reviews WHERE hidden_at IS NULL GROUP BY product_id
      ON CONFLICT (product_id) DO NOTHING`);
    await checkAnswers(routers, [{ query: PRODUCT_WITH_REVIEWS, variables: { id: reviewed[0] } }]);
    console.log(`reviews: ${reviewRows.length} on ${reviewed.length} products`);
    // A preview buys the first three lines of the shopper's cart (or fewer).
    const previewLines = new Map<number, string[]>();
    for (const row of await data.withSchema('cart').table('cart_items').select('id', 'user_id').orderBy('id')) {
      const list = previewLines.get(Number(row.user_id)) ?? [];
      if (list.length < 3) list.push(String(row.id));
      previewLines.set(Number(row.user_id), list);
    }

    // Open platform: an app with limits the bench cannot reach, granted order.query, acting for shopper 1, who has one
    // real order (placed through the router as the shop would). The same operation is also sent as GraphQL with that
    // shopper's token: the two differ only by what the open endpoint adds (docs/open-platform.md, "Cost").
    const shopper1 = FIRST_SHOPPER_ID + 1;
    const placed = await graphql<{ createOrder: { id: string } }>(
      oursUrl,
      'mutation($input: CheckoutInput!, $key: String!) { createOrder(input: $input, idempotencyKey: $key) { id } }',
      { input: { items: [{ skuId: skuIds[0], quantity: 1 }], addressId: addressOf.get(String(shopper1)), couponId: null }, key: crypto.randomUUID() },
      tokens[1],
    );
    const openAdmin = signAccessToken({ userId: '1', scopes: ['open:admin'] }, config);
    const openApp = await graphql<{ createOpenApp: { secret: string; app: { appKey: string } } }>(
      oursUrl,
      'mutation($input: CreateOpenAppInput!) { createOpenApp(input: $input) { secret app { appKey } } }',
      { input: { name: 'bench ERP', minuteLimit: 1_000_000, dailyLimit: 100_000_000 } },
      openAdmin,
    );
    const appKey = openApp.createOpenApp.app.appKey;
    await graphql(oursUrl, 'mutation($k: String!) { grantOpenApi(appKey: $k, method: "order.query") { grantedMethods } }', { k: appKey }, openAdmin);
    const openSession = await graphql<{ createOpenSession: { token: string } }>(
      oursUrl,
      'mutation($input: CreateOpenSessionInput!) { createOpenSession(input: $input) { token } }',
      { input: { appKey, merchant: String(shopper1), scopes: [], expiresAt: new Date(Date.now() + 86_400_000).toISOString() } },
      openAdmin,
    );
    const orderQuery = await data.withSchema('open').table('open_apis').where({ method: 'order.query' }).first('document');
    const openCall = { method: 'order.query', appKey, appSecret: openApp.createOpenApp.secret, session: openSession.createOpenSession.token };
    const orderVariables = JSON.stringify({ id: placed.createOrder.id });
    // The routers see registry changes within about a second (docs/open-platform.md, "Registry").
    await new Promise((resolve) => setTimeout(resolve, 2000));
    console.log(`open platform: app ${appKey} granted order.query for shopper ${shopper1}, order ${placed.createOrder.id}`);

    // --- Scenarios.
    const rand = random(3);
    const pick = <T>(list: T[]) => list[Math.floor(rand() * list.length)];
    const mix: LoadRequest[] = [];
    /** The kind of each mix request, for BENCH_MIX_PARTS. */
    const kinds: string[] = [];
    const kindOf = (kind: string) => kinds.push(kind);
    for (let i = 0; i < 2000; i++) {
      const r = rand();
      if (r < 0.3) {
        const byCategory = rand() < 0.5;
        mix.push({ body: body(CATEGORY_PAGE, byCategory ? { categoryId: pick(categoryIds) } : { after: pick(cursors) }) });
        kindOf('category and catalog pages');
      } else if (r < 0.6) {
        mix.push({ body: body(PRODUCT_DETAIL, { id: pick(productIds) }) });
        kindOf('product detail');
      } else if (r < 0.7) {
        mix.push({ body: body(CATEGORIES) });
        kindOf('category tree');
      } else if (r < 0.89) {
        mix.push({ body: body(CART), token: tokens[1 + Math.floor(rand() * (SHOPPERS - 1))] });
        kindOf('cart views');
      } else if (r < 0.94) {
        const shopper = 1 + Math.floor(rand() * (SHOPPERS - 1));
        const id = FIRST_SHOPPER_ID + shopper;
        mix.push({ body: body(PREVIEW, { input: { cartItemIds: previewLines.get(id), addressId: addressOf.get(String(id)) } }), token: tokens[shopper] });
        kindOf('previewOrder');
      } else {
        // A SKU already in that cart: the line grows by one, the cart never passes 99 lines.
        const shopper = 1 + Math.floor(rand() * (SHOPPERS - 1));
        mix.push({ body: body(ADD_TO_CART, { skuId: skuIds[(shopper * 7) % skuIds.length] }), token: tokens[shopper] });
        kindOf('addToCart');
      }
    }
    // Each kind alone, at the mix's concurrency, as many requests as it has in a mix run (at least 300).
    const parts: Scenario[] = MIX_PARTS
      ? [...new Set(kinds)].map((kind) => {
          const requests = mix.filter((_, i) => kinds[i] === kind);
          return { name: `mix part: ${kind}`, count: Math.max(300, Math.round(3000 * SCALE * (requests.length / mix.length))), concurrency: 50, requests };
        })
      : [];
    const scenarios: Scenario[] = [
      { name: '20 products with SKUs and category', count: 2000 * SCALE, concurrency: 10, requests: [{ body: body(LIST_20) }] },
      { name: '99-line cart with price', count: 800 * SCALE, concurrency: 10, requests: [{ body: body(CART), token: tokens[0] }] },
      // Not kept by any router's response cache (review declares nothing public: docs/reviews.md).
      {
        name: 'product detail with reviews',
        count: 2000 * SCALE,
        concurrency: 10,
        requests: reviewed.map((id) => ({ body: body(PRODUCT_WITH_REVIEWS, { id }) })),
      },
      { name: 'browse mix', count: 3000 * SCALE, concurrency: 50, requests: mix },
      // The target as asked: 1000 req/s offered (open loop), p99 from when each request was due. It runs right after
      // the mix, on warm services: a shorter warm-up (for the load generator, and a router's first turn) is enough.
      { name: `browse mix at ${MIX_RATE} req/s`, count: 5000 * SCALE, concurrency: 64, requests: mix, rate: MIX_RATE, warmup: 1 },
      ...parts,
      // Same operation, same variables, same merchant: the router CPU per call of each, and their difference.
      { name: OPEN_SIGNED, count: 2000 * SCALE, concurrency: 10, requests: [{ body: orderVariables, open: openCall }], routers: ['ours' as Via] },
      { name: OPEN_AS_GRAPHQL, count: 2000 * SCALE, concurrency: 10, requests: [{ body: JSON.stringify({ query: orderQuery.document, variables: JSON.parse(orderVariables) }), token: tokens[1] }], routers: ['ours' as Via] },
    ].filter((s) => !ONLY || ONLY.some((o) => s.name.startsWith(o)));

    const rows: Row[] = [];
    const benchData: Knex = data;
    for (const scenario of scenarios) {
      console.log(`running: ${scenario.name} (${scenario.count} requests, concurrency ${scenario.concurrency}) …`);
      for (const router of measured.filter((r) => !scenario.routers || scenario.routers.includes(r.via))) {
        // Every router's warm-up and measured run start from the same carts: the adds of earlier runs are undone (each
        // line back to 1), so no run finds a line grown past the stock left (a CONFLICT) or a heavier cart than the
        // others did.
        const resetCarts = async () => void (await benchData.withSchema('cart').table('cart_items').update({ quantity: 1 }));
        await resetCarts();
        rows.push(await measure(scenario, router, subgraphs, resetCarts));
      }
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
        'router CPU ms/req': fixed(row.cpuPerRequest.get(row.routerProcess)!, 2),
        'subgraphs CPU ms/req': fixed(subgraphCpu(row), 2),
        // Everything on the machine for this load: router, subgraphs, PostgreSQL, Redis, load generator.
        'all CPU ms/req': fixed([...row.cpuPerRequest.values()].reduce((a, b) => a + b, 0), 2),
        'cores busy': fixed(([...row.cpuPerRequest.values()].reduce((a, b) => a + b, 0) * reqPerSecond(row)) / 1000, 2),
        'router peak RSS MB': Math.round(row.peakRss.get(row.routerProcess)!),
        load: row.load,
      })),
    );
    console.log('CPU ms per request and peak RSS MB of each process:');
    console.table(
      rows.map((row) => ({
        scenario: row.scenario,
        via: row.router,
        ...Object.fromEntries(
          [...row.cpuPerRequest].map(([name, ms]) => [name, row.peakRss.has(name) ? `${fixed(ms, 2)} ms, ${Math.round(row.peakRss.get(name)!)} MB` : `${fixed(ms, 2)} ms`]),
        ),
      })),
    );
    console.log('Catalog cache of the product subgraph during each measured run (hits / lookups; every router uses it):');
    console.table(
      rows.map((row) => ({
        scenario: row.scenario,
        via: row.router,
        ...Object.fromEntries(
          [...row.cacheHits].filter(([, c]) => c.lookups > 0).map(([kind, c]) => [kind, `${((100 * c.hits) / c.lookups).toFixed(1)} % of ${c.lookups}`]),
        ),
      })),
    );
    console.log("Our router's response cache during each measured run (the others have none):");
    console.table(
      rows
        .filter((row) => row.responseCache)
        .map((row) => ({ scenario: row.scenario, ...row.responseCache, 'hit rate': `${((100 * row.responseCache!.hits) / row.result.requests).toFixed(1)} %` })),
    );
    const others = measured.some((r) => r.via === 'ours') ? measured.filter((r) => r.via !== 'ours').map((r) => r.via) : [];
    const names: Record<Via, string> = { ours: 'our router', stock: 'stock @apollo/gateway', hive: 'Hive Gateway' };
    console.log(`Ours / ${others.map((via) => `${via} (${names[via]})`).join(' and ours / ')}, same subgraphs, same run:`);
    const row = (scenario: Scenario, via: Via) => rows.find((r) => r.scenario === scenario.name && r.router === via)!;
    console.table(
      scenarios.flatMap((scenario) =>
        others.filter((via) => !scenario.routers || scenario.routers.includes(via)).map((via) => {
          const o = row(scenario, 'ours');
          const other = row(scenario, via);
          return {
            scenario: scenario.name,
            'ours / …': via,
            'req/s ×': fixed(reqPerSecond(o) / reqPerSecond(other), 2),
            'p99 ×': fixed(o.result.latencies.p99 / other.result.latencies.p99, 2),
            'router CPU/req ×': fixed(o.cpuPerRequest.get(o.routerProcess)! / other.cpuPerRequest.get(other.routerProcess)!, 2),
            'subgraph CPU/req ×': fixed(subgraphCpu(o) / subgraphCpu(other), 2),
          };
        }),
      ),
    );
    const signed = rows.find((r) => r.scenario === OPEN_SIGNED && r.router === 'ours');
    const plain = rows.find((r) => r.scenario === OPEN_AS_GRAPHQL && r.router === 'ours');
    if (signed && plain) {
      const cpu = (r: Row) => r.cpuPerRequest.get(r.routerProcess)!;
      const extra = cpu(signed) - cpu(plain);
      console.log(
        `open endpoint: router CPU ${fixed(cpu(signed), 3)} ms per signed order.query call, ${fixed(cpu(plain), 3)} ms per the same operation as ` +
          `GraphQL: ${extra >= 0 ? '+' : ''}${fixed(extra, 3)} ms per call (the issue allows at most +2 ms); p50 ${fixed(signed.result.latencies.p50)} vs ` +
          `${fixed(plain.result.latencies.p50)} ms; errors ${signed.result.errors} / ${plain.result.errors}`,
      );
    }
    const routerStats = await fetch(`${oursUrl.replace('/graphql', '')}/health`).then((r) => r.status).catch(() => 'unreachable');
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
