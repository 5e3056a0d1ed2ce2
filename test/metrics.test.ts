/**
 * Metrics (docs/operations.md "Metrics"): GET /metrics in Prometheus text format on the process's own metrics
 * listener, for the all-in-one process (every service, label `service`) and for one subgraph alone; requests by kind,
 * registered operation and status; subgraph fetch errors when a subgraph is down; limit refusals; cache hits and
 * misses; job queue depth and dead letters of real jobs; bounded operation labels under 1,000 invented names; a slow
 * PostgreSQL read never hangs a scrape.
 */
import os from 'node:os';
import net from 'node:net';
import knexFactory from 'knex';
import type { RunningSupergraph } from '../app/launcher';
import { loadConfig } from '../platform/config';
import { scheduleJob, startJobRunner } from '../platform/events/jobs';
import { Metrics, metricsPortFor, serveMetrics } from '../platform/metrics';
import { startIsolatedSupergraph, type IsolatedSupergraph } from './support/isolated-supergraph';
import { anonymousTo, gql, startSupergraph, testConfig } from './support/harness';

interface Line {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The samples of a Prometheus text exposition. */
function parse(text: string): Line[] {
  const lines: Line[] = [];
  for (const raw of text.split('\n')) {
    if (!raw || raw.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(raw);
    if (!match) throw new Error(`not a sample line: ${raw}`);
    const labels: Record<string, string> = {};
    for (const pair of (match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[pair[1]] = pair[2];
    lines.push({ name: match[1], labels, value: Number(match[3]) });
  }
  return lines;
}

/** The sum of the samples named `name` whose labels include `labels`. */
function value(lines: Line[], name: string, labels: Record<string, string> = {}): number {
  return lines
    .filter((line) => line.name === name && Object.entries(labels).every(([k, v]) => line.labels[k] === v))
    .reduce((sum, line) => sum + line.value, 0);
}

const has = (lines: Line[], name: string, labels: Record<string, string> = {}) =>
  lines.some((line) => line.name === name && Object.entries(labels).every(([k, v]) => line.labels[k] === v));

async function scrape(url: string): Promise<Line[]> {
  const response = await fetch(url);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return parse(await response.text());
}

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const current = await read();
    if (done(current)) return current;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last ${JSON.stringify(current)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** A port nothing listens on (was free a moment ago). */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('metrics configuration', () => {
  it('listens on the main port + 1000 unless METRICS_PORT says otherwise; 0 turns it off', () => {
    const config = loadConfig({ NODE_ENV: 'test' });
    expect(metricsPortFor(config, config.ports.router)).toBe(5000);
    expect(metricsPortFor(config, config.ports.user)).toBe(5001);
    expect(metricsPortFor(loadConfig({ NODE_ENV: 'test', METRICS_PORT: '9464' }), 4002)).toBe(9464);
    expect(metricsPortFor(loadConfig({ NODE_ENV: 'test', METRICS_PORT: '0' }), 4000)).toBe(0);
    expect(() => loadConfig({ NODE_ENV: 'test', METRICS_PORT: '70000' })).toThrow(/METRICS_PORT/);
    expect(loadConfig({ NODE_ENV: 'test', METRICS_OPERATIONS: 'A, B ,,C' }).metrics.operations).toEqual(['A', 'B', 'C']);
  });
});

describe('the metrics listener', () => {
  it('takes an OS-picked port when the main port is one, serves /metrics only, and is off with METRICS_PORT=0', async () => {
    const metrics = new Metrics();
    const server = (await serveMetrics(metrics, loadConfig({ NODE_ENV: 'test' }), 0))!;
    try {
      expect(server.port).not.toBe(1000);
      expect((await fetch(server.url)).status).toBe(200);
      expect((await fetch(new URL('/graphql', server.url))).status).toBe(404);
      expect((await fetch(server.url, { method: 'POST' })).status).toBe(405);
    } finally {
      await server.close();
    }
    expect(await serveMetrics(metrics, loadConfig({ NODE_ENV: 'test', METRICS_PORT: '0' }), 4000)).toBeUndefined();
  });

  it('binds loopback even when HOST is public, unless METRICS_HOST says otherwise', async () => {
    const metrics = new Metrics();
    const publicHost = { NODE_ENV: 'test', HOST: '0.0.0.0', JWT_SECRET: 'x'.repeat(32), INTERNAL_SECRET: 'y'.repeat(32) };
    const local = (await serveMetrics(metrics, loadConfig(publicHost), 0))!;
    try {
      expect(loadConfig(publicHost).metrics.host).toBe('127.0.0.1');
      expect(new URL(local.url).hostname).toBe('127.0.0.1');
      // Not on the machine's other addresses: a connection to a non-loopback interface is refused.
      const outside = Object.values(os.networkInterfaces())
        .flat()
        .find((address) => address && address.family === 'IPv4' && !address.internal)?.address;
      if (outside) await expect(fetch(`http://${outside}:${local.port}/metrics`)).rejects.toThrow();
    } finally {
      await local.close();
    }
    const exposed = (await serveMetrics(metrics, loadConfig({ ...publicHost, METRICS_HOST: '0.0.0.0' }), 0))!;
    try {
      expect(new URL(exposed.url).hostname).toBe('0.0.0.0');
      expect((await fetch(`http://127.0.0.1:${exposed.port}/metrics`)).status).toBe(200);
    } finally {
      await exposed.close();
    }
  });
});

describe('metrics of the whole supergraph in one process', () => {
  let shop: IsolatedSupergraph;
  let router: string;
  let metricsUrl: string;

  beforeAll(async () => {
    shop = await startIsolatedSupergraph({});
    router = shop.routerUrl!;
    metricsUrl = shop.metricsUrl!;
  });
  afterAll(async () => {
    await shop?.stop();
  });

  it('serves Prometheus text at /metrics with the runtime metrics, on its own listener only', async () => {
    const lines = await scrape(metricsUrl);
    for (const name of ['nodejs_eventloop_lag_seconds', 'process_resident_memory_bytes', 'nodejs_heap_size_used_bytes']) {
      expect(has(lines, name)).toBe(true);
    }
    const text = await (await fetch(metricsUrl)).text();
    expect(text).toMatch(/# TYPE nodejs_gc_duration_seconds histogram/);
    expect(text).toMatch(/# TYPE shop_http_request_duration_seconds histogram/);
    expect(text).toMatch(/# TYPE shop_subgraph_fetch_duration_seconds histogram/);
    // The public port does not serve it, and the metrics port serves nothing else.
    expect((await fetch(new URL('/metrics', router))).status).toBe(404);
    expect((await fetch(new URL('/graphql', metricsUrl))).status).toBe(404);
    expect(new URL(metricsUrl).port).not.toBe(new URL(router).port);
  });

  it('times requests by service, kind, registered operation and status on the router and the subgraphs it reaches', async () => {
    const before = await scrape(metricsUrl);
    const products = await gql(router, 'query Products { products(first: 2) { edges { node { id title } } } }');
    expect(products.errors).toBeUndefined();
    const mutation = await gql(router, 'mutation AddToCart($skuId: ID!) { addToCart(skuId: $skuId, quantity: 1) { id } }', { skuId: '1' });
    expect(mutation.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    const after = await scrape(metricsUrl);
    const count = (lines: Line[], labels: Record<string, string>) => value(lines, 'shop_http_request_duration_seconds_count', labels);

    const query = { service: 'router', kind: 'query', operation: 'Products', status: 'ok' };
    expect(count(after, query) - count(before, query)).toBe(1);
    expect(value(after, 'shop_http_requests_total', query) - value(before, 'shop_http_requests_total', query)).toBe(1);
    // The product subgraph answered it (passed through or planned): the same operation name there.
    const atProduct = { service: 'product', kind: 'query', operation: 'Products' };
    expect(count(after, atProduct) - count(before, atProduct)).toBeGreaterThanOrEqual(1);
    const write = { service: 'router', kind: 'mutation', operation: 'AddToCart', status: 'UNAUTHENTICATED' };
    expect(count(after, write) - count(before, write)).toBe(1);
    // Fetches to product were timed, and every subgraph's pool is reported.
    expect(value(after, 'shop_subgraph_fetch_duration_seconds_count', { subgraph: 'product', status: '200' })).toBeGreaterThan(0);
    for (const service of ['user', 'product', 'cart', 'order', 'promote', 'payment', 'review']) {
      expect(has(after, 'shop_db_pool_connections', { service, state: 'used' })).toBe(true);
      expect(has(after, 'shop_db_pool_connections', { service, state: 'free' })).toBe(true);
      expect(has(after, 'shop_db_pool_connections', { service, state: 'pending' })).toBe(true);
    }
    for (const name of ['shop_subscriptions_active', 'shop_websockets_open', 'shop_dedup_joins_total']) expect(has(after, name)).toBe(true);
    expect(has(after, 'shop_outbox_oldest_age_seconds', { service: 'order' })).toBe(true);
    if (process.env.REDIS_URL) expect(has(after, 'shop_stream_pending')).toBe(true);
  });

  it('counts limit refusals by limit, refusals before an operation included', async () => {
    const before = await scrape(metricsUrl);
    let deep = 'id';
    for (let i = 0; i < 20; i++) deep = `skus { product { ${deep} } }`;
    const refused = await gql(router, `query Deep { products(first: 1) { edges { node { ${deep} } } } }`);
    expect(refused.status).toBe(400);
    const limit = refused.errors![0].extensions!.limit as string;
    const batch = await fetch(router, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify([{ query: '{ __typename }' }]) });
    expect(batch.status).toBe(400);
    const huge = await fetch(router, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: `{ __typename } # ${'x'.repeat(shop.config.maxRequestBodyBytes)}` }),
    });
    expect(huge.status).toBe(413);
    const after = await scrape(metricsUrl);
    const delta = (name: string, labels: Record<string, string>) => value(after, name, labels) - value(before, name, labels);
    expect(delta('shop_limit_refusals_total', { limit })).toBe(1);
    expect(delta('shop_limit_refusals_total', { limit: 'batch' })).toBe(1);
    expect(delta('shop_limit_refusals_total', { limit: 'bodySize' })).toBe(1);
    expect(delta('shop_http_requests_total', { service: 'router', kind: 'other', operation: 'unknown', status: '413' })).toBe(1);
    expect(delta('shop_http_requests_total', { service: 'router', kind: 'query', operation: 'unknown', status: '400' })).toBe(1);
  });

  it('counts cache hits and misses: the router response cache and the catalog cache', async () => {
    const before = await scrape(metricsUrl);
    const query = 'query ProductPage($id: ID!) { product(id: $id) { id title } }';
    const first = await gql(router, query, { id: '1' });
    expect(first.errors).toBeUndefined();
    await gql(router, query, { id: '1' });
    const after = await scrape(metricsUrl);
    const delta = (labels: Record<string, string>) => value(after, 'shop_cache_requests_total', labels) - value(before, 'shop_cache_requests_total', labels);
    // The first is looked up and missed; the second is a hit (with Redis; without, the generation is read in process).
    expect(delta({ cache: 'router_response', result: 'miss' })).toBeGreaterThanOrEqual(1);
    expect(delta({ cache: 'router_response', result: 'hit' })).toBeGreaterThanOrEqual(1);
    // Product read the product through its catalog cache at least once.
    const catalog = after.filter((line) => line.name === 'shop_cache_requests_total' && line.labels.cache.startsWith('catalog.'));
    expect(catalog.length).toBeGreaterThan(0);
    expect(value(after, 'shop_cache_requests_total', { cache: 'catalog.product' })).toBeGreaterThan(0);
  });

  it('reports the job queue depth and the dead letters of real jobs', async () => {
    const db = shop.subgraphs.order!.db;
    const jobs = async () => {
      const lines = await scrape(metricsUrl);
      return { queued: value(lines, 'shop_jobs_queued', { queue: 'order' }), dead: value(lines, 'shop_jobs_dead', { queue: 'order' }) };
    };
    // The periodic jobs due at start run at once; then nothing is due in this fresh shop.
    const start = await until(jobs, (counts) => counts.queued === 0, 'an empty queue');
    // Three jobs due now that no runner handles: waiting.
    const kind = `metrics.test.waiting.${Date.now()}`;
    for (const key of [1, 2, 3]) await scheduleJob(db, { kind, key, runAt: new Date(Date.now() - 1000) });
    // Two jobs whose handler always fails, run by a real runner that gives up after one attempt: dead letters.
    const failing = `metrics.test.failing.${Date.now()}`;
    for (const key of [1, 2]) await scheduleJob(db, { kind: failing, key, runAt: new Date(Date.now() - 1000) });
    const runner = startJobRunner({
      db,
      name: 'metrics-test',
      handlers: {
        [failing]: async () => {
          throw new Error('always fails (test)');
        },
      },
      maxAttempts: 1,
      pollIntervalMs: 50,
    });
    try {
      const counts = await until(jobs, (c) => c.dead === start.dead + 2 && c.queued === 3, '3 queued and 2 dead jobs');
      expect(counts).toEqual({ queued: 3, dead: start.dead + 2 });
    } finally {
      await runner.stop();
      await db('jobs').whereIn('kind', [kind, failing]).del();
    }
    await until(jobs, (c) => c.queued === 0 && c.dead === start.dead, 'the test jobs gone');
  });

  it('bounds the operation label: 1,000 requests with invented names add at most a handful of series', async () => {
    const series = (lines: Line[]) => new Set(lines.filter((l) => l.name.startsWith('shop_')).map((l) => `${l.name}${JSON.stringify(l.labels)}`));
    // Once, so that the series of a first `unknown` request already exist.
    await gql(router, 'query Invented_warmup { __typename }');
    const before = await scrape(metricsUrl);
    const unknownBefore = value(before, 'shop_http_requests_total', { service: 'router', operation: 'unknown' });
    let sent = 0;
    let retried = 0;
    const worker = async () => {
      while (sent < 1000) {
        sent += 1;
        const query = `query Op_${Math.random().toString(36).slice(2)}_${sent} { __typename }`;
        // A kept-alive socket the server closed as the request left (a reset) is sent again, as an HTTP client would.
        const response = await gql(router, query).catch(() => {
          retried += 1;
          return gql(router, query);
        });
        expect(response.errors).toBeUndefined();
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    const after = await scrape(metricsUrl);
    const added = [...series(after)].filter((key) => !series(before).has(key));
    expect(added.length).toBeLessThanOrEqual(5);
    const counted = value(after, 'shop_http_requests_total', { service: 'router', operation: 'unknown' }) - unknownBefore;
    expect(counted).toBeGreaterThanOrEqual(sent);
    expect(counted).toBeLessThanOrEqual(sent + retried);
    expect(after.some((line) => Object.values(line.labels).some((v) => v.startsWith('Op_')))).toBe(false);
  }, 300_000);
});

describe('metrics when a subgraph is down', () => {
  let shop: RunningSupergraph;

  beforeAll(async () => {
    const port = await closedPort();
    // Promote is not started: the router reaches for it on a port where nothing listens.
    shop = await startSupergraph({
      config: testConfig({ PROMOTE_URL: `http://127.0.0.1:${port}/graphql` }),
      subgraphs: ['user', 'product', 'cart', 'order', 'payment', 'review'],
      router: true,
    });
  });
  afterAll(async () => {
    await shop?.stop();
  });

  it('counts the failed fetches by subgraph, with the reason as status', async () => {
    const before = await scrape(shop.metricsUrl!);
    const response = await gql(shop.routerUrl!, 'query ClaimableCoupons { claimableCoupons { id } }');
    expect(response.errors?.[0].message).toMatch(/promote subgraph is unreachable/);
    const after = await scrape(shop.metricsUrl!);
    expect(value(after, 'shop_subgraph_fetch_errors_total', { subgraph: 'promote' }) - value(before, 'shop_subgraph_fetch_errors_total', { subgraph: 'promote' })).toBe(1);
    expect(value(after, 'shop_subgraph_fetch_duration_seconds_count', { subgraph: 'promote', status: 'unreachable' })).toBeGreaterThanOrEqual(1);
    expect(value(after, 'shop_http_requests_total', { service: 'router', kind: 'query', status: 'INTERNAL_SERVER_ERROR' })).toBeGreaterThanOrEqual(1);
  });
});

describe('metrics of one subgraph alone', () => {
  let shop: RunningSupergraph;

  beforeAll(async () => {
    shop = await startSupergraph({ subgraphs: ['user'], router: false });
  });
  afterAll(async () => {
    await shop?.stop();
  });

  it("serves the subgraph's own series on its own listener", async () => {
    const response = await gql(shop.subgraphs.user!.url, 'query Me { me { id } }', {}, anonymousTo('user'));
    expect(response.status).toBe(200);
    const unsigned = await gql(shop.subgraphs.user!.url, 'query Me { me { id } }');
    expect(unsigned.status).toBe(401);
    const lines = await scrape(shop.metricsUrl!);
    expect(value(lines, 'shop_http_request_duration_seconds_count', { service: 'user', kind: 'query', operation: 'Me' })).toBe(1);
    expect(value(lines, 'shop_http_requests_total', { service: 'user', kind: 'other', status: '401' })).toBe(1);
    expect(has(lines, 'shop_db_pool_connections', { service: 'user' })).toBe(true);
    expect(has(lines, 'shop_http_requests_total', { service: 'router' })).toBe(false);
    expect(has(lines, 'shop_db_pool_connections', { service: 'product' })).toBe(false);
  });
});

describe('a slow source', () => {
  it('never hangs a scrape: a PostgreSQL read past the collect timeout is left out and counted', async () => {
    const db = knexFactory({ client: 'pg', connection: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres', pool: { min: 0, max: 1 } });
    const metrics = new Metrics({ collectTimeoutMs: 200 });
    let slept = false;
    metrics.gaugeSource('shop_jobs_queued', 'slow', async () => {
      await db.raw('SELECT pg_sleep(2)');
      slept = true;
      return [{ labels: { queue: 'slow' }, value: 1 }];
    });
    try {
      const lines = parse(await metrics.scrape());
      expect(slept).toBe(false);
      expect(has(lines, 'shop_jobs_queued', { queue: 'slow' })).toBe(false);
      expect(value(lines, 'shop_metrics_source_failures_total', { source: 'slow' })).toBe(1);
      // A second scrape while the first read still runs waits on that read, never starts another.
      const again = parse(await metrics.scrape());
      expect(value(again, 'shop_metrics_source_failures_total', { source: 'slow' })).toBe(2);
    } finally {
      await until(async () => slept, Boolean, 'the slow read to end');
      await db.destroy();
    }
  });
});
