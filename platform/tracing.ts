/**
 * Traces (OpenTelemetry), only when OTEL_EXPORTER_OTLP_ENDPOINT is set: otherwise no SDK starts, no context manager
 * is registered, and every helper here returns after one boolean test (the API's no-op tracer is not even asked).
 *
 * On: W3C `traceparent` is read from each incoming request (client → router, router → subgraph, subgraph →
 * subgraph) and written into each outgoing one; spans are batched and exported over OTLP/HTTP (JSON) to
 * `<endpoint>/v1/traces`. Each service has its own tracer provider (resource `service.name` = `shop-<service>`), so
 * the all-in-one process (`npm start`, tests) reports the router and every subgraph as the services they are. The
 * main service's provider is the global one: @apollo/gateway's own spans (gateway.request, gateway.plan,
 * gateway.fetch…) go through it, with the router's.
 */
import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import type { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { ATTR_DB_NAMESPACE, ATTR_DB_OPERATION_NAME, ATTR_DB_QUERY_TEXT, ATTR_DB_SYSTEM_NAME, ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import type { Knex } from 'knex';

export interface TracingConfig {
  /** OTEL_EXPORTER_OTLP_ENDPOINT (base URL; spans go to `<endpoint>/v1/traces`); tracing is off without it. */
  endpoint?: string;
  /** OTEL_EXPORTER_OTLP_HEADERS (`key=value,…`), e.g. a collector's API key. */
  headers: Record<string, string>;
  /** Share of new traces recorded (OTEL_TRACES_SAMPLER_ARG, 0..1, default 1); a caller's sampled flag is followed. */
  sampleRatio: number;
  /** deployment.environment.name on every span (NODE_ENV). */
  environment: string;
  version: string;
  /** How long ended spans wait to be sent in one batch (OTEL_BSP_SCHEDULE_DELAY, default 5000 ms). */
  exportDelayMs: number;
}

interface State {
  exporter: SpanExporter;
  config: TracingConfig;
  providers: Map<string, NodeTracerProvider>;
  contextManager: AsyncLocalStorageContextManager;
}

let state: State | undefined;

/** Whether spans are being recorded in this process. */
export function tracingEnabled(): boolean {
  return state !== undefined;
}

export const serviceNameOf = (service: string) => `shop-${service}`;

/**
 * The SDK, loaded only when tracing starts: a process with tracing off never loads it (start-up time and memory).
 */
function sdk() {
  /* eslint-disable @typescript-eslint/no-require-imports */
  return {
    ...(require('@opentelemetry/context-async-hooks') as typeof import('@opentelemetry/context-async-hooks')),
    ...(require('@opentelemetry/core') as typeof import('@opentelemetry/core')),
    ...(require('@opentelemetry/exporter-trace-otlp-http') as typeof import('@opentelemetry/exporter-trace-otlp-http')),
    ...(require('@opentelemetry/resources') as typeof import('@opentelemetry/resources')),
    ...(require('@opentelemetry/sdk-trace-base') as typeof import('@opentelemetry/sdk-trace-base')),
    ...(require('@opentelemetry/sdk-trace-node') as typeof import('@opentelemetry/sdk-trace-node')),
  };
}

function providerFor(current: State, service: string): NodeTracerProvider {
  let provider = current.providers.get(service);
  if (!provider) {
    const { NodeTracerProvider, resourceFromAttributes, ParentBasedSampler, TraceIdRatioBasedSampler, BatchSpanProcessor } = sdk();
    provider = new NodeTracerProvider({
      resource: resourceFromAttributes({
        [ATTR_SERVICE_NAME]: serviceNameOf(service),
        [ATTR_SERVICE_VERSION]: current.config.version,
        'deployment.environment.name': current.config.environment,
      }),
      sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(current.config.sampleRatio) }),
      spanProcessors: [new BatchSpanProcessor(current.exporter, { scheduledDelayMillis: current.config.exportDelayMs })],
    });
    current.providers.set(service, provider);
  }
  return provider;
}

/**
 * Starts tracing for this process when `config.endpoint` is set (else does nothing and returns false). `main` is the
 * service whose provider becomes the global one (the router in a process that runs it). Idempotent. `exporter`
 * replaces the OTLP exporter (none of our tests need it: they run a real OTLP receiver).
 */
export function startTracing(config: TracingConfig, main: string, exporter?: SpanExporter): boolean {
  if (state) return true;
  if (!config.endpoint && !exporter) return false;
  const { AsyncLocalStorageContextManager, W3CTraceContextPropagator, OTLPTraceExporter } = sdk();
  const contextManager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(contextManager);
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  state = {
    config,
    contextManager,
    providers: new Map(),
    exporter: exporter ?? new OTLPTraceExporter({ url: `${config.endpoint!.replace(/\/+$/, '')}/v1/traces`, headers: config.headers }),
  };
  trace.setGlobalTracerProvider(providerFor(state, main));
  return true;
}

/** Exports every span ended so far (tests; shutdown). */
export async function flushTracing(): Promise<void> {
  if (state) await Promise.all([...state.providers.values()].map((provider) => provider.forceFlush()));
}

/** Flushes, stops every provider and unregisters the globals (the process may start tracing again). */
export async function stopTracing(): Promise<void> {
  const current = state;
  if (!current) return;
  state = undefined;
  await Promise.all([...current.providers.values()].map((provider) => provider.shutdown()));
  trace.disable();
  propagation.disable();
  context.disable();
}

/** The tracer of one service of this process (the API's no-op tracer when tracing is off). */
export function tracerFor(service: string): Tracer {
  return state ? providerFor(state, service).getTracer('shop') : trace.getTracer('shop');
}

/** The context a request's headers carry (`traceparent`), or the root context. */
export function incomingContext(headers: Record<string, string | string[] | undefined>): Context {
  return state ? propagation.extract(ROOT_CONTEXT, headers) : ROOT_CONTEXT;
}

/** Writes the current trace context into outgoing headers (nothing when tracing is off). */
export function injectTraceHeaders(headers: Record<string, string> | { set(name: string, value: string): void }): void {
  if (!state) return;
  if ('set' in headers && typeof headers.set === 'function') {
    const target = headers as { set(name: string, value: string): void };
    propagation.inject(context.active(), target, { set: (carrier, key, value) => carrier.set(key, value) });
  } else propagation.inject(context.active(), headers);
}

/**
 * Runs `fn` in a span of `service` (a child of the active one), ended when `fn` settles; errors are recorded. When
 * tracing is off, `fn` runs as it is.
 */
export async function inSpan<T>(
  service: string,
  name: string,
  options: { kind?: SpanKind; attributes?: Attributes },
  fn: (span?: Span) => Promise<T>,
): Promise<T> {
  if (!state) return fn();
  return tracerFor(service).startActiveSpan(name, { kind: options.kind ?? SpanKind.INTERNAL, attributes: options.attributes }, async (span) => {
    try {
      return await fn(span);
    } catch (error) {
      span.recordException(error as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error)?.message });
      throw error;
    } finally {
      span.end();
    }
  });
}

const tracedDatabases = new WeakSet<Knex>();

/**
 * A span per SQL statement of `db` (knex's query events), child of whatever span was active when the statement was
 * sent: its text as knex sent it, with placeholders — never the bound values (passwords, phone numbers, tokens).
 */
export function traceQueries(db: Knex, service: string, database?: string): void {
  if (!state || tracedDatabases.has(db)) return;
  tracedDatabases.add(db);
  const tracer = tracerFor(service);
  const open = new Map<string, Span>();
  type QueryEvent = { __knexQueryUid?: string; sql?: string; method?: string };
  db.on('query', (query: QueryEvent) => {
    if (!state || !query.__knexQueryUid) return;
    // The statement's first keyword (SELECT, INSERT, WITH, BEGIN…), as the semantic conventions name DB spans.
    const operation = (query.sql?.trim().split(/\s+/, 1)[0] || query.method || 'query').replace(/;$/, '').toUpperCase();
    const span = tracer.startSpan(`${operation} ${database ?? service}`, {
      kind: SpanKind.CLIENT,
      attributes: {
        [ATTR_DB_SYSTEM_NAME]: 'postgresql',
        [ATTR_DB_OPERATION_NAME]: operation,
        [ATTR_DB_QUERY_TEXT]: query.sql?.slice(0, 2000),
        ...(database ? { [ATTR_DB_NAMESPACE]: database } : {}),
      },
    });
    open.set(query.__knexQueryUid, span);
  });
  const finish = (query: QueryEvent, error?: Error) => {
    const span = query.__knexQueryUid ? open.get(query.__knexQueryUid) : undefined;
    if (!span) return;
    open.delete(query.__knexQueryUid!);
    if (error) {
      span.recordException(error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
    }
    span.end();
  };
  db.on('query-response', (_response: unknown, query: QueryEvent) => finish(query));
  db.on('query-error', (error: Error, query: QueryEvent) => finish(query, error));
}

export { SpanKind, SpanStatusCode, context as otelContext, trace as otelTrace };
