/**
 * The federation gateway over the composed supergraph file. Each subgraph is reached through a data source that
 * signs the caller's identity (x-shop-identity), times out after its subgraph's timeout (SUBGRAPH_TIMEOUT_MS,
 * `<NAME>_TIMEOUT_MS`) and reuses a bounded pool of keep-alive sockets (SUBGRAPH_MAX_SOCKETS per subgraph origin) —
 * the stock gateway has neither a timeout nor a socket bound.
 */
import fs from 'node:fs';
import { ApolloGateway, RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { Fetcher, FetcherHeaders, FetcherRequestInit, FetcherResponse } from '@apollo/utils.fetcher';
import { Agent, type Dispatcher } from 'undici';
import type { Config, SubgraphName } from '../platform/config';
import { shopError } from '../platform/errors';
import { IDENTITY_HEADER, SameSecondIdentitySigner, type Identity } from '../platform/identity';
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

/** A subgraph did not answer (headers and whole body) within its timeout; the request was aborted. */
export class SubgraphTimeoutError extends Error {
  override name = 'SubgraphTimeoutError';
  constructor(readonly timeoutMs: number) {
    super(`no answer within ${timeoutMs} ms`);
  }
}

/** The error itself or one of its causes (undici wraps what it is aborted with). */
function findCause<T extends Error>(error: unknown, type: new (...args: never[]) => T): T | undefined {
  for (let e = error, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof type) return e;
  }
  return undefined;
}

/** Why a request failed on the network: the socket's error code (ECONNREFUSED…) or undici's (UND_ERR_SOCKET…). */
export function networkErrorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** Response headers, read-only in practice: the gateway reads Content-Type and Cache-Control. */
class ResponseHeaders implements FetcherHeaders {
  private readonly byName = new Map<string, string>();
  constructor(raw: Buffer[]) {
    for (let i = 0; i + 1 < raw.length; i += 2) {
      const name = raw[i].toString('latin1').toLowerCase();
      const value = raw[i + 1].toString('latin1');
      const previous = this.byName.get(name);
      this.byName.set(name, previous === undefined ? value : `${previous}, ${value}`);
    }
  }
  get(name: string) {
    return this.byName.get(name.toLowerCase()) ?? null;
  }
  has(name: string) {
    return this.byName.has(name.toLowerCase());
  }
  set(name: string, value: string) {
    this.byName.set(name.toLowerCase(), value);
  }
  append(name: string, value: string) {
    const previous = this.get(name);
    this.set(name, previous === null ? value : `${previous}, ${value}`);
  }
  delete(name: string) {
    this.byName.delete(name.toLowerCase());
  }
  entries() {
    return this.byName.entries();
  }
  keys() {
    return this.byName.keys();
  }
  values() {
    return this.byName.values();
  }
  [Symbol.iterator]() {
    return this.byName.entries();
  }
}

/**
 * A subgraph's answer, read whole before the fetcher resolves (the gateway reads every body whole anyway): what
 * RemoteGraphQLDataSource uses of a fetch Response — status, ok, statusText, url, headers.get, text(), json().
 */
class BufferedResponse implements FetcherResponse {
  readonly bodyUsed = false;
  readonly redirected = false;
  constructor(
    readonly url: string,
    readonly status: number,
    readonly statusText: string,
    readonly headers: ResponseHeaders,
    private readonly body: Buffer,
  ) {}
  get ok() {
    return this.status >= 200 && this.status < 300;
  }
  async text() {
    return this.body.toString('utf8');
  }
  async json(): Promise<unknown> {
    return JSON.parse(this.body.toString('utf8'));
  }
  async arrayBuffer() {
    return this.body.buffer.slice(this.body.byteOffset, this.body.byteOffset + this.body.byteLength) as ArrayBuffer;
  }
  clone() {
    return new BufferedResponse(this.url, this.status, this.statusText, this.headers, this.body);
  }
}

/** Origin and path of a subgraph URL, parsed once: every data source calls the same few URLs. */
function targetOf(cache: Map<string, { origin: string; path: string }>, url: string) {
  let target = cache.get(url);
  if (!target) {
    const parsed = new URL(url);
    target = { origin: parsed.origin, path: `${parsed.pathname}${parsed.search}` };
    cache.set(url, target);
  }
  return target;
}

/**
 * One subgraph request on undici's Dispatcher API: no fetch Request/Response, no web streams, no AbortSignals —
 * one timer covers queueing for a socket, the headers and the whole body. The body is counted as it arrives and
 * the request aborted past `maxBytes` (a declared Content-Length past it is refused before any of the body), so a
 * runaway subgraph answer never fills the router's memory.
 */
function send(
  dispatcher: Dispatcher,
  url: string,
  init: FetcherRequestInit,
  timeoutMs: number,
  maxBytes: number,
  targets: Map<string, { origin: string; path: string }>,
): Promise<FetcherResponse> {
  const { origin, path } = targetOf(targets, url);
  return new Promise<FetcherResponse>((resolve, reject) => {
    let abort: ((error: Error) => void) | undefined;
    let failure: Error | undefined;
    let settled = false;
    let status = 0;
    let statusText = '';
    let headers: ResponseHeaders | undefined;
    const chunks: Buffer[] = [];
    let received = 0;
    const fail = (error: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      failure = error;
      // Not yet on a socket (queued for one): undici aborts it when it gets there, through onConnect below.
      abort?.(error);
      reject(error);
    };
    const timer = setTimeout(() => fail(new SubgraphTimeoutError(timeoutMs)), timeoutMs);
    const handler: Dispatcher.DispatchHandlers = {
      onConnect(abortRequest) {
        if (failure) return abortRequest(failure);
        abort = abortRequest;
      },
      onHeaders(statusCode, rawHeaders, _resume, message) {
        // 1xx informational answers are followed by the real one.
        if (statusCode < 200) return true;
        status = statusCode;
        statusText = message;
        headers = new ResponseHeaders(rawHeaders);
        const declared = Number(headers.get('content-length') ?? NaN);
        if (declared > maxBytes) fail(new SubgraphResponseTooLargeError(maxBytes));
        return true;
      },
      onData(chunk) {
        received += chunk.byteLength;
        if (received > maxBytes) {
          fail(new SubgraphResponseTooLargeError(maxBytes));
          return false;
        }
        chunks.push(chunk);
        return true;
      },
      onComplete() {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        const body = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, received);
        resolve(new BufferedResponse(url, status, statusText, headers ?? new ResponseHeaders([]), body));
      },
      onError(error) {
        fail(error);
      },
    };
    dispatcher.dispatch(
      { origin, path, method: (init.method ?? 'GET') as Dispatcher.HttpMethod, headers: init.headers ?? null, body: init.body ?? null },
      handler,
    );
  });
}

export function boundedFetchers(config: Config): SubgraphFetchers {
  // undici keeps one pool per origin: `connections` bounds the sockets to each subgraph; extra requests queue.
  const dispatcher = new Agent({ connections: config.subgraphMaxSockets, keepAliveTimeout: 30_000 });
  const targets = new Map<string, { origin: string; path: string }>();
  return {
    fetcher: (timeoutMs) => (url, init = {}) => send(dispatcher, url, init, timeoutMs, config.subgraphMaxResponseBytes, targets),
    close: () => dispatcher.close(),
  };
}

/** Health checks and schema loads carry no caller. */
const ANONYMOUS: Identity = { scopes: [] };

class SignedIdentityDataSource extends RemoteGraphQLDataSource<RouterContext> {
  private readonly signer: SameSecondIdentitySigner;

  constructor(
    options: { url: string; fetcher: Fetcher },
    private readonly subgraph: string,
    private readonly timeoutMs: number,
    config: Config,
    private readonly dedup?: InFlightDedup,
  ) {
    super(options);
    this.signer = new SameSecondIdentitySigner(config.internalSecret, subgraph);
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
    request.http?.headers.set(IDENTITY_HEADER, this.signer.sign(context?.identity ?? ANONYMOUS));
    if (context?.requestId) request.http?.headers.set('x-request-id', context.requestId);
  }

  override didEncounterError(error: Error): never {
    const tooLarge = findCause(error, SubgraphResponseTooLargeError);
    if (tooLarge) {
      throw shopError('INTERNAL_SERVER_ERROR', `The ${this.subgraph} subgraph's response exceeded ${tooLarge.maxBytes} bytes and was cut off`, {
        reason: 'SUBGRAPH_RESPONSE_TOO_LARGE',
      });
    }
    if (findCause(error, SubgraphTimeoutError)) {
      throw shopError('INTERNAL_SERVER_ERROR', `The ${this.subgraph} subgraph did not answer within ${this.timeoutMs} ms`);
    }
    const code = networkErrorCode(error);
    if (code) throw shopError('INTERNAL_SERVER_ERROR', `The ${this.subgraph} subgraph is unreachable (${code})`);
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
