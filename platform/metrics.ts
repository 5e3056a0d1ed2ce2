/**
 * Prometheus metrics (prom-client): one registry per process, whatever services it runs (label `service`), served at
 * GET /metrics on a listener of its own (METRICS_PORT; not the public port, no identity: docs/operations.md
 * "Metrics"). This file is the mechanism: the metric families, bounded label values, and "sources" — readers of
 * counters the parts already keep (dedup, caches, connection cap) or of state (DB pool, job tables, Redis streams),
 * asked at scrape time, each single-flight and cut off after METRICS_COLLECT_TIMEOUT_MS so that a slow PostgreSQL or
 * Redis never hangs a scrape (its series are left out of that scrape and the miss is counted).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ApolloServerPlugin, BaseContext, GraphQLRequestContextWillSendResponse } from '@apollo/server';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Config } from './config';
import { logger } from './log';

const log = logger({ component: 'metrics' });

/** `kind` label values: the operation's type; `other` for requests refused before an operation was known. */
export type OperationKind = 'query' | 'mutation' | 'subscription' | 'other';
/** The `operation` label of a name nobody registered (anything a client invents). */
export const UNKNOWN_OPERATION = 'unknown';
/** The `operation` label of an operation without a name. */
export const ANONYMOUS_OPERATION = 'anonymous';

/**
 * Which operation names get a label value of their own. A set for now (built-in names + METRICS_OPERATIONS); the
 * persisted-operation manifest (issue 21) plugs in as another `OperationNames`.
 */
export interface OperationNames {
  has(name: string): boolean;
}

export class KnownOperations implements OperationNames {
  private readonly sources: OperationNames[] = [];
  private readonly names = new Set<string>();

  constructor(names: Iterable<string> = []) {
    this.add(names);
  }

  add(names: Iterable<string>): this {
    for (const name of names) this.names.add(name);
    return this;
  }

  /** Another registry of names (e.g. a persisted-operation manifest), consulted after the set. */
  plug(source: OperationNames): this {
    this.sources.push(source);
    return this;
  }

  has(name: string): boolean {
    return this.names.has(name) || this.sources.some((source) => source.has(name));
  }
}

/**
 * The query planner names a subgraph fetch `<operation>__<subgraph>__<n>`: a subgraph labels it with the client's
 * operation name, so one operation reads the same on the router and on the subgraphs it reaches.
 */
const PLANNER_SUFFIX = /__[A-Za-z0-9_]+__\d+$/;

/** A sample of a source: label values and a value. */
export interface Sample {
  labels: Record<string, string>;
  value: number;
}

export type Source = () => Sample[] | Promise<Sample[]>;

/** Request duration buckets (seconds): a cached read is ~1 ms, a checkout ~100 ms, a subgraph timeout 10 s. */
const DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** GraphQL error codes the `status` label names (platform/errors.ts); any other code reads `ERROR`. */
const STATUS_CODES = new Set([
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'BAD_USER_INPUT',
  'NOT_FOUND',
  'CONFLICT',
  'RATE_LIMITED',
  'INTERNAL_SERVER_ERROR',
]);

/** A limit name as our code writes it into `extensions.limit` (a refusal is ours: clients cannot write these). */
const LIMIT_NAME = /^[A-Za-z]{1,40}$/;

/** A counter family whose value is what was counted here plus what its sources read (the parts' own counters). */
class SourcedCounter {
  /** What was counted here, by label set. */
  readonly direct = new Map<string, Sample>();
  readonly sources: { name: string; read: Source }[] = [];

  constructor(readonly counter: Counter<string>) {}

  inc(labels: Record<string, string>, value = 1) {
    const key = JSON.stringify(labels);
    const sample = this.direct.get(key);
    if (sample) sample.value += value;
    else this.direct.set(key, { labels, value });
  }
}

export interface RequestObservation {
  service: string;
  kind: OperationKind;
  /** The operation's name as the client sent it (bounded here). */
  operationName: string | null | undefined;
  /** `ok`, a GraphQL error code, or the HTTP status of a refusal. */
  status: string;
  seconds: number;
}

export interface FetchObservation {
  subgraph: string;
  /** The HTTP status, or `timeout` / `unreachable` / `too_large` / `error` when no answer came. */
  status: string;
  seconds: number;
  failed: boolean;
}

export class Metrics {
  readonly registry = new Registry();
  readonly operations: KnownOperations;
  private readonly collectTimeoutMs: number;
  private readonly counters = new Map<string, SourcedCounter>();
  private readonly gaugeSources = new Map<string, { name: string; read: Source }[]>();
  private readonly inFlight = new Map<Source, Promise<Sample[]>>();
  /** The collects of the scrape under way (see sourceFailures). */
  private readonly collecting = new Set<Promise<unknown>>();
  private readonly requestDuration: Histogram<string>;
  private readonly requests: SourcedCounter;
  private readonly fetchDuration: Histogram<string>;
  private readonly fetchErrors: SourcedCounter;
  private readonly refusals: SourcedCounter;
  private readonly sourceFailures: SourcedCounter;

  constructor(options: { operations?: Iterable<string>; collectTimeoutMs?: number } = {}) {
    this.operations = new KnownOperations(options.operations);
    this.collectTimeoutMs = options.collectTimeoutMs ?? 1000;
    collectDefaultMetrics({ register: this.registry });
    const r = [this.registry];
    this.requestDuration = new Histogram({
      name: 'shop_http_request_duration_seconds',
      help: 'GraphQL requests over HTTP, from the start of the operation to its answer, by service, operation kind, registered operation name and status.',
      labelNames: ['service', 'kind', 'operation', 'status'],
      buckets: DURATION_BUCKETS,
      registers: r,
    });
    this.requests = this.counter('shop_http_requests_total', 'GraphQL requests over HTTP (refusals before the operation included: kind="other").', [
      'service',
      'kind',
      'operation',
      'status',
    ]);
    this.fetchDuration = new Histogram({
      name: 'shop_subgraph_fetch_duration_seconds',
      help: "The router's requests to subgraphs, by subgraph and HTTP status (or timeout, unreachable, too_large, error).",
      labelNames: ['subgraph', 'status'],
      buckets: DURATION_BUCKETS,
      registers: r,
    });
    this.fetchErrors = this.counter('shop_subgraph_fetch_errors_total', 'Subgraph requests of the router that got no answer or a 5xx.', ['subgraph']);
    this.refusals = this.counter('shop_limit_refusals_total', 'Requests, operations and connections refused by a limit, by limit name.', ['limit']);
    this.counter('shop_cache_requests_total', 'Cache lookups by cache and result.', ['cache', 'result']);
    this.counter(
      'shop_safelist_operations_total',
      "Operations checked by the router's safelist, by client name (registered names, else unknown), mode and result (listed, unlisted, refused).",
      ['client', 'mode', 'result'],
    );
    this.counter('shop_dedup_joins_total', "Subgraph requests not sent: they joined an identical one in flight (router's dedup).", []);
    this.gauge('shop_subscriptions_active', 'Subscriptions open on this router.', []);
    this.gauge('shop_websockets_open', 'WebSocket connections open on this router.', []);
    this.gauge('shop_outbox_oldest_age_seconds', "Age of the service's oldest unpublished outbox event (0 when none).", ['service']);
    this.gauge('shop_stream_pending', 'Redis stream entries delivered to a consumer group and not yet acknowledged.', ['stream', 'group']);
    this.gauge('shop_jobs_queued', 'Durable jobs not done, cancelled or dead, by queue (the owning service).', ['queue']);
    this.gauge('shop_jobs_dead', 'Dead-lettered jobs waiting for an operator (npm run jobs), by queue.', ['queue']);
    this.gauge('shop_db_pool_connections', "Connections of the service's knex pool by state.", ['service', 'state']);
    // Last: its collect waits for the other families' reads of this scrape, so it counts this scrape's misses.
    this.sourceFailures = this.counter(
      'shop_metrics_source_failures_total',
      'Source reads (gauges, sourced counters) that failed or took longer than METRICS_COLLECT_TIMEOUT_MS (their series were left out of that scrape).',
      ['source'],
      () => Promise.allSettled([...this.collecting]),
    );
  }

  /** The `operation` label of a name: registered names as they are, others `unknown`, none `anonymous`. */
  operationLabel(name: string | null | undefined): string {
    if (!name) return ANONYMOUS_OPERATION;
    if (this.operations.has(name)) return name;
    const unplanned = name.replace(PLANNER_SUFFIX, '');
    return unplanned !== name && this.operations.has(unplanned) ? unplanned : UNKNOWN_OPERATION;
  }

  observeRequest({ service, kind, operationName, status, seconds }: RequestObservation) {
    const labels = { service, kind, operation: this.operationLabel(operationName), status };
    this.requestDuration.observe(labels, seconds);
    this.requests.inc(labels);
  }

  /**
   * A request refused before Apollo Server ran it (body too large, not JSON, a batch, …): counted in
   * shop_http_requests_total (kind `other`, operation `unknown`, its HTTP status), not timed.
   */
  countRefusedRequest(service: string, status: number, errors: readonly { extensions?: Record<string, unknown> }[] | undefined, options: { countRefusals?: boolean } = {}) {
    this.requests.inc({ service, kind: 'other', operation: UNKNOWN_OPERATION, status: String(status) });
    if (options.countRefusals && errors?.length) countRefusals(this, errors);
  }

  observeFetch({ subgraph, status, seconds, failed }: FetchObservation) {
    this.fetchDuration.observe({ subgraph, status }, seconds);
    if (failed) this.fetchErrors.inc({ subgraph });
  }

  /** A refusal by `limit` (a name from `extensions.limit`; anything else is not counted). */
  countRefusal(limit: string) {
    if (LIMIT_NAME.test(limit)) this.refusals.inc({ limit });
  }

  /** Adds a source to a counter family: its samples are added to what was counted directly. */
  counterSource(metric: string, name: string, read: Source) {
    const family = this.counters.get(metric);
    if (!family) throw new Error(`no counter ${metric}`);
    family.sources.push({ name, read });
  }

  /** Adds a source to a gauge family (its samples are set at each scrape). */
  gaugeSource(metric: string, name: string, read: Source) {
    const sources = this.gaugeSources.get(metric);
    if (!sources) throw new Error(`no gauge ${metric}`);
    sources.push({ name, read });
  }

  /** The Prometheus text exposition. */
  scrape(): Promise<string> {
    return this.registry.metrics();
  }

  /** Runs a family's collect, known to `collecting` until it ends. */
  private tracked(collect: () => Promise<void>): Promise<void> {
    const running = collect();
    this.collecting.add(running);
    return running.finally(() => this.collecting.delete(running));
  }

  private counter(name: string, help: string, labelNames: string[], before?: () => Promise<unknown>): SourcedCounter {
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const metrics = this;
    let family: SourcedCounter;
    const counter: Counter<string> = new Counter({
      name,
      help,
      labelNames,
      registers: [this.registry],
      collect() {
        return before ? before().then(fill) : metrics.tracked(fill);
      },
    });
    const fill = async () => {
      const read = await Promise.all(family.sources.map((source) => metrics.read(source.name, source.read)));
      counter.reset();
      for (const samples of [[...family.direct.values()], ...read]) {
        for (const { labels, value } of samples) counter.inc(labels, value);
      }
    };
    family = new SourcedCounter(counter);
    this.counters.set(name, family);
    return family;
  }

  private gauge(name: string, help: string, labelNames: string[]) {
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const metrics = this;
    const sources: { name: string; read: Source }[] = [];
    this.gaugeSources.set(name, sources);
    const gauge: Gauge<string> = new Gauge({
      name,
      help,
      labelNames,
      registers: [this.registry],
      collect() {
        return metrics.tracked(async () => {
          const read = await Promise.all(sources.map((source) => metrics.read(source.name, source.read)));
          gauge.reset();
          const sums = new Map<string, Sample>();
          for (const { labels, value } of read.flat()) {
            const key = JSON.stringify(labels);
            const sum = sums.get(key);
            if (sum) sum.value += value;
            else sums.set(key, { labels, value });
          }
          for (const { labels, value } of sums.values()) gauge.set(labels, value);
        });
      },
    });
  }

  /**
   * One source's samples for this scrape: never more than one read of a source at a time (a scrape while the last
   * read still runs waits for that one), never longer than collectTimeoutMs; a failure or timeout is counted and
   * gives no samples.
   */
  private async read(name: string, source: Source): Promise<Sample[]> {
    let pending = this.inFlight.get(source);
    if (!pending) {
      pending = Promise.resolve()
        .then(source)
        .finally(() => this.inFlight.delete(source));
      this.inFlight.set(source, pending);
    }
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), this.collectTimeoutMs);
      timer.unref();
    });
    try {
      const result = await Promise.race([pending, timeout]);
      if (result !== 'timeout') return result;
    } catch {
      // counted below
    } finally {
      clearTimeout(timer);
    }
    this.sourceFailures.inc({ source: name });
    return [];
  }
}

/** The metrics of a process, with the names of the shop's own clients registered (router/known-operations.ts) and METRICS_OPERATIONS. */
export function createMetrics(config: Pick<Config, 'metrics'>, knownOperations: Iterable<string> = []): Metrics {
  const metrics = new Metrics({ collectTimeoutMs: config.metrics.collectTimeoutMs });
  metrics.operations.add(knownOperations).add(config.metrics.operations);
  return metrics;
}

/** The metrics listener's port for a process whose main port is `mainPort`: METRICS_PORT, else main + 1000; 0 = none. */
export function metricsPortFor(config: Pick<Config, 'metrics'>, mainPort: number): number {
  return config.metrics.port ?? mainPort + 1000;
}

export interface MetricsServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

/**
 * GET /metrics (HEAD too) on its own listener; anything else 404. No identity: the listener binds loopback unless
 * METRICS_HOST says otherwise (for the scraper on the private network), and is never routed by the load balancer
 * (docs/operations.md).
 */
export async function startMetricsServer(metrics: Metrics, listen: { host: string; port: number }): Promise<MetricsServer> {
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (path !== '/metrics' || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(path === '/metrics' ? 405 : 404, { 'Content-Type': 'text/plain; charset=utf-8' }).end(path === '/metrics' ? 'GET only\n' : 'Not found\n');
      return;
    }
    metrics.scrape().then(
      (text) => {
        res.writeHead(200, { 'Content-Type': metrics.registry.contentType, 'Content-Length': Buffer.byteLength(text) });
        res.end(req.method === 'HEAD' ? undefined : text);
      },
      (error: unknown) => {
        log.error({ err: error }, 'scrape failed');
        res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' }).end('scrape failed\n');
      },
    );
  });
  // A scraper's connection is kept alive between scrapes; it must not hold shutdown.
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(listen.port, listen.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const host = listen.host.includes(':') ? `[${listen.host}]` : listen.host;
  return {
    url: `http://${host}:${port}/metrics`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/**
 * The process's metrics listener: METRICS_PORT, else `mainPort` + 1000 (an OS-picked port with `ephemeral` or when the
 * main port is 0); none when METRICS_PORT is 0. A default port already taken outside production (macOS's AirPlay receiver holds 5000) is a warning, not a failed
 * start: a newcomer's `npm start` must not die of it; an explicit METRICS_PORT, or production, fails loudly.
 */
export async function serveMetrics(
  metrics: Metrics,
  config: Pick<Config, 'metrics' | 'isProduction'>,
  mainPort: number,
  options: { ephemeral?: boolean } = {},
): Promise<MetricsServer | undefined> {
  // A main port picked by the OS (0: tests, several instances on one machine) gets an OS-picked metrics port too.
  const ephemeral = options.ephemeral || (config.metrics.port === undefined && mainPort === 0);
  const port = metricsPortFor(config, mainPort);
  if (config.metrics.port === 0) return undefined;
  try {
    return await startMetricsServer(metrics, { host: config.metrics.host, port: ephemeral ? 0 : port });
  } catch (error) {
    const inUse = (error as NodeJS.ErrnoException).code === 'EADDRINUSE';
    if (!inUse || config.isProduction || config.metrics.port !== undefined) throw error;
    log.warn(`port ${port} is in use: no /metrics in this process (set METRICS_PORT to another port, or 0)`);
    return undefined;
  }
}

/** The `status` label of an answer: its HTTP status when not 200, else `ok` or its first error's code. */
function statusOf(http: number | undefined, errors: readonly { extensions?: Record<string, unknown> }[] | undefined): string {
  if (http !== undefined && http !== 200) return String(http);
  if (!errors?.length) return 'ok';
  const code = errors[0].extensions?.code;
  return typeof code === 'string' && STATUS_CODES.has(code) ? code : 'ERROR';
}

/**
 * Times every operation Apollo Server runs for `service` (first plugin: from request start to answer) and, where
 * `countRefusals` (the router: the one door clients see), counts the limits its errors name.
 */
export function requestMetricsPlugin<TContext extends BaseContext>(
  metrics: Metrics,
  service: string,
  options: { countRefusals?: boolean } = {},
): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      const started = process.hrtime.bigint();
      return {
        async willSendResponse(context: GraphQLRequestContextWillSendResponse<TContext>) {
          // Operations the process runs itself (executeOperation: the subscriptions' reads) are not HTTP requests.
          if (!context.request.http) return;
          const { response } = context;
          const errors = response.body.kind === 'single' ? response.body.singleResult.errors : response.body.initialResult.errors;
          const kind: OperationKind = context.operation?.operation ?? 'other';
          metrics.observeRequest({
            service,
            kind,
            operationName: context.operationName ?? context.request.operationName,
            status: statusOf(response.http.status, errors),
            seconds: Number(process.hrtime.bigint() - started) / 1e9,
          });
          if (options.countRefusals && errors?.length) countRefusals(metrics, errors);
        },
      };
    },
  };
}

/** Counts each limit named by these errors once (`extensions.limit`; a RATE_LIMITED without one is `throttle`). */
export function countRefusals(metrics: Metrics, errors: readonly { extensions?: Record<string, unknown> }[]) {
  const limits = new Set<string>();
  for (const error of errors) {
    const limit = error.extensions?.limit;
    if (typeof limit === 'string') limits.add(limit);
    else if (error.extensions?.code === 'RATE_LIMITED') limits.add('throttle');
  }
  for (const limit of limits) metrics.countRefusal(limit);
}
