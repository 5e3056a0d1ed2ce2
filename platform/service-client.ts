/**
 * Service-to-service GraphQL calls between subgraphs, signed with the caller's own service key (see identity.ts, service-keys.ts),
 * with a timeout, a bounded keep-alive pool and the response-size budget (SUBGRAPH_MAX_RESPONSE_BYTES), over
 * buffered-request.ts. Errors from the callee keep their `extensions.code`,
 * so a CONFLICT in product (out of stock) is a CONFLICT for the caller's client too.
 * Per call: `x-request-id` is forwarded, the timeout can be set, and only idempotent calls (queries, or
 * mutations the caller marks `idempotent`) are retried after a network failure, a timeout or HTTP 502/503/504;
 * a GraphQL error from the callee is an answer and never retried.
 */
import DataLoader from 'dataloader';
import { GraphQLError } from 'graphql';
import { Agent } from 'undici';
import { bufferedRequest, findCause, SubgraphResponseTooLargeError } from './buffered-request';
import type { Config, SubgraphName } from './config';
import { IDENTITY_HEADER, signIdentity } from './identity';
import { currentRequestId, runOutsideRequest } from './request-context';
import { injectTraceHeaders, inSpan, otelContext, SpanKind, tracingEnabled } from './tracing';
import { ROOT_CONTEXT } from '@opentelemetry/api';

/** Where each subgraph listens; filled by whoever started them (ephemeral ports in tests). */
export interface ServiceDirectory {
  urlOf(subgraph: SubgraphName): string;
}

export function staticDirectory(config: Config): ServiceDirectory {
  return {
    urlOf: (subgraph) => config.subgraphUrls[subgraph] ?? `http://${config.host}:${config.ports[subgraph]}/graphql`,
  };
}

export interface CallOptions {
  /** The user on whose behalf the call is made, forwarded in the signed identity. */
  userId?: string;
  /**
   * The caller's request id, forwarded as `x-request-id` so one client request can be followed across services;
   * default: the id of the request being served (platform/request-context.ts).
   */
  requestId?: string;
  /** This call's timeout; default SUBGRAPH_TIMEOUT_MS (the callee's `<NAME>_TIMEOUT_MS` when set). */
  timeoutMs?: number;
  /**
   * Whether the call may be sent again after a network failure, a timeout or HTTP 502/503/504. Queries are
   * (default true); mutations only when the caller says so (it must be safe to apply twice).
   */
  idempotent?: boolean;
  /** Extra attempts for an idempotent call (default 2). */
  retries?: number;
}

export const REQUEST_ID_HEADER = 'x-request-id';
const RETRYABLE_HTTP = new Set([502, 503, 504]);
const DEFAULT_RETRIES = 2;

/** Whether the document's operation is a mutation (a query or subscription otherwise). */
export function isMutation(query: string): boolean {
  // Comments and strings aside, the first keyword of the document decides; `{ ... }` is a query.
  const body = query.replace(/#[^\n]*/g, '').trimStart();
  return /^mutation\b/.test(body);
}

/** A failure worth another attempt: the request may not have been processed, or the callee was briefly away. */
class RetryableFailure extends Error {
  constructor(readonly failure: GraphQLError) {
    super(failure.message);
  }
}

export interface ServiceClient {
  request<T>(target: SubgraphName, query: string, variables?: Record<string, unknown>, options?: CallOptions): Promise<T>;
  close(): Promise<void>;
}

export function createServiceClient(config: Config, caller: SubgraphName, directory: ServiceDirectory): ServiceClient {
  const dispatcher = new Agent({ connections: config.subgraphMaxSockets, keepAliveTimeout: 30_000 });
  const targets = new Map<string, { origin: string; path: string }>();

  async function send<T>(target: SubgraphName, query: string, variables: Record<string, unknown>, options: CallOptions): Promise<T> {
    // Signed for the target only (`aud`), so the callee cannot replay it at a third subgraph.
    const identity = signIdentity({ service: caller, userId: options.userId, scopes: [], audience: target }, config.serviceKeys);
    const headers: Record<string, string> = { 'content-type': 'application/json', [IDENTITY_HEADER]: identity };
    const requestId = options.requestId ?? currentRequestId();
    if (requestId) headers[REQUEST_ID_HEADER] = requestId;
    // The active span's traceparent (this call's, see request()), when tracing is on.
    injectTraceHeaders(headers);
    const timeoutMs = options.timeoutMs ?? config.subgraphTimeouts[target] ?? config.subgraphTimeoutMs;
    let response;
    let text: string;
    try {
      const body = JSON.stringify({ query, variables });
      response = await bufferedRequest(dispatcher, directory.urlOf(target), { method: 'POST', headers, body }, timeoutMs, config.subgraphMaxResponseBytes, targets);
      text = await response.text();
    } catch (error) {
      // An answer too large would be as large again: not worth another try.
      if (findCause(error, SubgraphResponseTooLargeError)) {
        throw new GraphQLError(`The ${target} service answered more than ${config.subgraphMaxResponseBytes} bytes`, {
          extensions: { code: 'INTERNAL_SERVER_ERROR', service: target },
        });
      }
      throw new RetryableFailure(
        new GraphQLError(`The ${target} service is unavailable`, {
          extensions: { code: 'INTERNAL_SERVER_ERROR', service: target },
          originalError: error as Error,
        }),
      );
    }
    let body: { data?: T; errors?: { message: string; extensions?: Record<string, unknown> }[] } = {};
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      // Not GraphQL (a proxy's error page): judged by the HTTP status below.
    }
    if (body.errors?.length) {
      const [first] = body.errors;
      throw new GraphQLError(first.message, {
        extensions: { ...first.extensions, code: first.extensions?.code ?? 'INTERNAL_SERVER_ERROR', service: target },
      });
    }
    if (!response.ok || body.data === undefined) {
      const failure = new GraphQLError(`The ${target} service answered HTTP ${response.status}`, {
        extensions: { code: 'INTERNAL_SERVER_ERROR', service: target },
      });
      throw RETRYABLE_HTTP.has(response.status) ? new RetryableFailure(failure) : failure;
    }
    return body.data;
  }

  async function withRetries<T>(target: SubgraphName, query: string, variables: Record<string, unknown>, options: CallOptions): Promise<T> {
    const idempotent = options.idempotent ?? !isMutation(query);
    const attempts = 1 + (idempotent ? Math.max(0, options.retries ?? DEFAULT_RETRIES) : 0);
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await send<T>(target, query, variables, options);
      } catch (error) {
        if (!(error instanceof RetryableFailure)) throw error;
        if (attempt >= attempts) throw error.failure;
        // Short backoff: a restarting instance or a full pool usually clears within milliseconds.
        await new Promise((resolve) => setTimeout(resolve, 25 * 2 ** (attempt - 1)));
      }
    }
  }

  return {
    request<T>(target: SubgraphName, query: string, variables: Record<string, unknown> = {}, options: CallOptions = {}) {
      if (!tracingEnabled()) return withRetries<T>(target, query, variables, options);
      // One CLIENT span per call (its retries inside), child of whatever this service is doing.
      return inSpan(caller, `call ${target}`, { kind: SpanKind.CLIENT, attributes: { 'shop.callee': target } }, () =>
        withRetries<T>(target, query, variables, options),
      );
    },
    close: () => dispatcher.close(),
  };
}

const entitiesQuery = (typename: string, selection: string) =>
  `query($representations: [_Any!]!) { _entities(representations: $representations) { ... on ${typename} { ${selection} } } }`;

/** At most this many entities in one coalesced call: a bounded answer, far below SUBGRAPH_MAX_RESPONSE_BYTES. */
const MAX_COALESCED_ENTITIES = 500;

/** How much coalescing saved: calls sent and the keys the requests asked for (their sum over all requests). */
export interface CoalescingStats {
  calls: number;
  keysAsked: number;
  keysSent: number;
}

const coalescers = new WeakMap<ServiceClient, Map<string, { loader: DataLoader<string, unknown>; stats: CoalescingStats }>>();

/**
 * A DataLoader over another subgraph's `_entities` (`selection`: the fields wanted, e.g. `id price stock`): every key
 * asked for during one request goes out in one call, and every request of this process that asks for the same kind of
 * entity in the same turn of the event loop shares that call, each key asked once: fifty concurrent cart views of 50 lines over a
 * catalog of 150 SKUs cost product one call for at most 150 SKUs, not fifty calls for 2500.
 *
 * Still the truth, not a cache: a call is sent only after every request that joined it began, nothing is kept once
 * it answers, and each request keeps its own per-request loader on top (what it read once it reads again the same).
 * Only for entities the callee resolves the same for every caller: the call is signed as this service alone, with
 * no user and no request id (it serves many).
 */
export function coalescedEntityLoader<T>(client: ServiceClient, target: SubgraphName, typename: string, selection: string): DataLoader<string, T | null> {
  const shared = sharedEntityLoader<T>(client, target, typename, selection).loader;
  return new DataLoader<string, T | null>((ids) => shared.loadMany(ids));
}

/** The counts of a coalesced entity kind of this client (zeros before its first use). */
export function coalescingStats(client: ServiceClient, target: SubgraphName, typename: string, selection: string): CoalescingStats {
  return sharedEntityLoader(client, target, typename, selection).stats;
}

function sharedEntityLoader<T>(client: ServiceClient, target: SubgraphName, typename: string, selection: string) {
  let byKind = coalescers.get(client);
  if (!byKind) coalescers.set(client, (byKind = new Map()));
  const kind = `${target}|${typename}|${selection}`;
  let entry = byKind.get(kind);
  if (!entry) {
    const query = entitiesQuery(typename, selection);
    const stats: CoalescingStats = { calls: 0, keysAsked: 0, keysSent: 0 };
    const loader = new DataLoader<string, unknown>(
      async (ids) => {
        const distinct = [...new Set(ids)];
        stats.calls += 1;
        stats.keysAsked += ids.length;
        stats.keysSent += distinct.length;
        const representations = distinct.map((id) => ({ __typename: typename, id }));
        // Shared by many requests: sent as none of them (no request id, a trace of its own), not as the first that asked.
        const data = await runOutsideRequest(() =>
          otelContext.with(ROOT_CONTEXT, () => client.request<{ _entities: unknown[] }>(target, query, { representations })),
        );
        const byId = new Map(distinct.map((id, index) => [id, data._entities[index] ?? null]));
        return ids.map((id) => byId.get(id) ?? null);
      },
      // Not a cache (every call reads afresh); batches close at the end of the event loop's turn, not of the tick,
      // so requests whose data arrived in the same turn share them.
      { cache: false, batchScheduleFn: (send) => setImmediate(send), maxBatchSize: MAX_COALESCED_ENTITIES },
    );
    entry = { loader, stats };
    byKind.set(kind, entry);
  }
  return entry as { loader: DataLoader<string, T | null>; stats: CoalescingStats };
}
