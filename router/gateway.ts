/**
 * The federation gateway over the composed supergraph file. Each subgraph is reached through a data source that
 * signs the caller's identity (x-shop-identity), times out after its subgraph's timeout (SUBGRAPH_TIMEOUT_MS,
 * `<NAME>_TIMEOUT_MS`) and reuses a bounded pool of keep-alive sockets (SUBGRAPH_MAX_SOCKETS per subgraph origin) —
 * the stock gateway has neither a timeout nor a socket bound.
 */
import fs from 'node:fs';
import { ApolloGateway, RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { Fetcher } from '@apollo/utils.fetcher';
import { Agent, fetch as undiciFetch, Response as UndiciResponse } from 'undici';
import type { Config, SubgraphName } from '../platform/config';
import { shopError } from '../platform/errors';
import { IDENTITY_HEADER, signIdentity, type Identity } from '../platform/identity';
import { dedupKey, type InFlightDedup } from './dedup';

export interface RouterContext {
  identity: Identity;
  requestId: string;
}

/** Where to send each subgraph's requests: an override (ephemeral test ports, `<NAME>_URL`), else the supergraph's URL. */
export type SubgraphUrlResolver = (name: string, supergraphUrl: string) => string;

/** The timeout for one subgraph: `<NAME>_TIMEOUT_MS`, else SUBGRAPH_TIMEOUT_MS. */
export function subgraphTimeoutMs(config: Config, name: string): number {
  return config.subgraphTimeouts[name as SubgraphName] ?? config.subgraphTimeoutMs;
}

export interface SubgraphFetchers {
  /** A fetch that gives up after `timeoutMs`, over the shared bounded socket pool. */
  fetcher(timeoutMs: number): Fetcher;
  close(): Promise<void>;
}

/** A subgraph answered more than SUBGRAPH_MAX_RESPONSE_BYTES: the read was cut off and the socket dropped. */
export class SubgraphResponseTooLargeError extends Error {
  override name = 'SubgraphResponseTooLargeError';
  constructor(readonly maxBytes: number) {
    super(`response larger than ${maxBytes} bytes`);
  }
}

/** The error itself or one of its causes (undici and streams wrap what they are aborted with). */
function findTooLarge(error: unknown): SubgraphResponseTooLargeError | undefined {
  for (let e = error, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof SubgraphResponseTooLargeError) return e;
  }
  return undefined;
}

/**
 * Counts the body's bytes as they stream in and aborts the request past `maxBytes`, so a runaway subgraph answer
 * never fills the router's memory (the gateway would otherwise buffer it whole, then parse it).
 */
function limitBody(response: UndiciResponse, maxBytes: number, abort: AbortController): UndiciResponse {
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) {
    const error = new SubgraphResponseTooLargeError(maxBytes);
    abort.abort(error);
    throw error;
  }
  // A declared length within the limit is all the parser will read (more bytes would be a protocol error), so
  // there is nothing to count, and the web-stream transform below is a measurable share of the router's CPU.
  if (!response.body || (Number.isFinite(declared) && response.headers.has('content-length'))) return response;
  let seen = 0;
  const counted = (response.body as unknown as ReadableStream<Uint8Array>).pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        seen += chunk.byteLength;
        if (seen > maxBytes) {
          const error = new SubgraphResponseTooLargeError(maxBytes);
          controller.error(error);
          abort.abort(error);
          return;
        }
        controller.enqueue(chunk);
      },
    }),
  );
  return new UndiciResponse(counted as unknown as ConstructorParameters<typeof UndiciResponse>[0], {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  });
}

export function boundedFetchers(config: Config): SubgraphFetchers {
  // undici keeps one pool per origin: `connections` bounds the sockets to each subgraph; extra requests queue.
  const dispatcher = new Agent({ connections: config.subgraphMaxSockets, keepAliveTimeout: 30_000 });
  return {
    fetcher: (timeoutMs) =>
      (async (url: string, init: { signal?: AbortSignal } & Record<string, unknown> = {}) => {
        const abort = new AbortController();
        const timeout = AbortSignal.timeout(timeoutMs);
        const response = await undiciFetch(url, {
          ...init,
          dispatcher,
          signal: AbortSignal.any([abort.signal, timeout, ...(init.signal ? [init.signal] : [])]),
        } as Parameters<typeof undiciFetch>[1]);
        return limitBody(response, config.subgraphMaxResponseBytes, abort);
      }) as unknown as Fetcher,
    close: () => dispatcher.close(),
  };
}

class SignedIdentityDataSource extends RemoteGraphQLDataSource<RouterContext> {
  constructor(
    options: { url: string; fetcher: Fetcher },
    private readonly subgraph: string,
    private readonly timeoutMs: number,
    private readonly config: Config,
    private readonly dedup?: InFlightDedup,
  ) {
    super(options);
  }

  override async process(options: GraphQLDataSourceProcessOptions<RouterContext>) {
    // Health checks and schema loads carry no operation context: never shared.
    if (!this.dedup || !('incomingRequestContext' in options)) return super.process(options);
    // Every fetch of a client mutation is sent afresh: a query fetch after the write must not join one sent before it.
    if (options.incomingRequestContext.operation?.operation !== 'query') return super.process(options);
    const { query, operationName, variables } = options.request;
    const key = dedupKey({ subgraph: this.subgraph, query, operationName: operationName ?? undefined, variables, identity: options.context?.identity });
    let sent = false;
    const response = await this.dedup.run(key, () => {
      sent = true;
      return super.process(options);
    });
    // A joined fetch never saw the answer's Cache-Control, which the sender folded into its own operation's policy:
    // this operation must not be kept by the response cache (router/response-cache.ts).
    if (!sent) options.incomingRequestContext.overallCachePolicy?.restrict({ maxAge: 0 });
    return response;
  }

  override willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<RouterContext>) {
    // Always set (never forwarded from the client): the data source builds each subgraph request's headers afresh,
    // and this overwrites any value that could get there. Health checks carry no per-request context.
    // Signed for this subgraph only (`aud`): the header cannot be replayed at another one.
    const identity = { ...(context?.identity ?? { scopes: [] }), audience: this.subgraph };
    request.http?.headers.set(IDENTITY_HEADER, signIdentity(identity, this.config.internalSecret));
    if (context?.requestId) request.http?.headers.set('x-request-id', context.requestId);
  }

  override didEncounterError(error: Error): never {
    const tooLarge = findTooLarge(error);
    if (tooLarge) {
      throw shopError('INTERNAL_SERVER_ERROR', `The ${this.subgraph} subgraph's response exceeded ${tooLarge.maxBytes} bytes and was cut off`, {
        reason: 'SUBGRAPH_RESPONSE_TOO_LARGE',
      });
    }
    // The abort from AbortSignal.timeout surfaces as a DOMException named TimeoutError.
    if (error?.name === 'TimeoutError') {
      throw shopError('INTERNAL_SERVER_ERROR', `The ${this.subgraph} subgraph did not answer within ${this.timeoutMs} ms`);
    }
    // undici says only "fetch failed"; the reason (ECONNREFUSED…) is in `cause`.
    const cause = (error as { cause?: { code?: string } })?.cause;
    if (error instanceof TypeError && cause?.code) {
      throw shopError('INTERNAL_SERVER_ERROR', `The ${this.subgraph} subgraph is unreachable (${cause.code})`);
    }
    throw error;
  }
}

export function createGateway(
  config: Config,
  resolveUrl: SubgraphUrlResolver,
  fetchers: SubgraphFetchers,
  dedup?: InFlightDedup,
): ApolloGateway {
  const supergraphSdl = fs.readFileSync(config.supergraphPath, 'utf8');
  return new ApolloGateway({
    supergraphSdl,
    buildService: ({ name, url }) => {
      const timeoutMs = subgraphTimeoutMs(config, name);
      return new SignedIdentityDataSource(
        { url: resolveUrl(name, url ?? ''), fetcher: fetchers.fetcher(timeoutMs) },
        name,
        timeoutMs,
        config,
        dedup,
      );
    },
  });
}

/** Overrides from whoever started the subgraphs (ephemeral ports), else config (`<NAME>_URL`), else the supergraph's URL. */
export function urlResolver(config: Config, overrides: Partial<Record<SubgraphName, string>> = {}): SubgraphUrlResolver {
  return (name, supergraphUrl) =>
    overrides[name as SubgraphName] ?? config.subgraphUrls[name as SubgraphName] ?? supergraphUrl;
}
