/**
 * The federation gateway over the composed supergraph file. Each subgraph is reached through a data source that
 * signs the caller's identity (x-shop-identity), times out after its subgraph's timeout (SUBGRAPH_TIMEOUT_MS,
 * `<NAME>_TIMEOUT_MS`) and reuses a bounded pool of keep-alive sockets (SUBGRAPH_MAX_SOCKETS per subgraph origin) —
 * the stock gateway has neither a timeout nor a socket bound.
 */
import fs from 'node:fs';
import { ApolloGateway, RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { Fetcher } from '@apollo/utils.fetcher';
import { Agent } from 'undici';
import { bufferedRequest, findCause, networkErrorCode, SubgraphResponseTooLargeError, SubgraphTimeoutError } from '../platform/buffered-request';
import type { Config, SubgraphName } from '../platform/config';
import { shopError } from '../platform/errors';
import { IDENTITY_HEADER, SameSecondIdentitySigner, type Identity } from '../platform/identity';
import { costDirectivesFromSupergraph, type CostDirectives } from './cost-directives';
import { dedupKey, type InFlightDedup } from './dedup';
import { createPassThrough, type PassThrough } from './pass-through';

export { networkErrorCode, SubgraphResponseTooLargeError, SubgraphTimeoutError } from '../platform/buffered-request';

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
  /** A fetch that gives up after `timeoutMs`, over the shared bounded socket pool; `subgraph` names whose (metrics). */
  fetcher(timeoutMs: number, subgraph?: string): Fetcher;
  close(): Promise<void>;
}

export function boundedFetchers(config: Config): SubgraphFetchers {
  // undici keeps one pool per origin: `connections` bounds the sockets to each subgraph; extra requests queue.
  const dispatcher = new Agent({ connections: config.subgraphMaxSockets, keepAliveTimeout: 30_000 });
  const targets = new Map<string, { origin: string; path: string }>();
  return {
    fetcher: (timeoutMs) => (url, init = {}) => bufferedRequest(dispatcher, url, init, timeoutMs, config.subgraphMaxResponseBytes, targets),
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
    this.signer = new SameSecondIdentitySigner(config.serviceKeys, subgraph);
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

/** The gateway, with the single-subgraph pass-through (router/pass-through.ts) wrapped around its executor. */
class PassThroughGateway extends ApolloGateway {
  constructor(
    config: ConstructorParameters<typeof ApolloGateway>[0],
    private readonly passThrough: PassThrough,
  ) {
    super(config);
  }

  override async load(...args: Parameters<ApolloGateway['load']>) {
    const loaded = await super.load(...args);
    return { ...loaded, executor: this.passThrough.wrap(loaded.executor) };
  }
}

export interface RouterGateway {
  gateway: ApolloGateway;
  /** Pass-through counts (undefined when ROUTER_PASS_THROUGH is off). */
  passThrough?: PassThrough['stats'];
  /** The subgraphs' `@cost` / `@listSize`, read from the same supergraph (for the cost limit, router/limits.ts). */
  costDirectives: CostDirectives;
}

export function createGateway(
  config: Config,
  resolveUrl: SubgraphUrlResolver,
  fetchers: SubgraphFetchers,
  dedup?: InFlightDedup,
): RouterGateway {
  const supergraphSdl = fs.readFileSync(config.supergraphPath, 'utf8');
  // The gateway reads this variable only, in its constructor: without it, it reports the host to Apollo (config.ts).
  process.env.APOLLO_TELEMETRY_DISABLED = config.apolloTelemetry ? 'false' : 'true';
  const dataSources = new Map<string, SignedIdentityDataSource>();
  const gatewayConfig: ConstructorParameters<typeof ApolloGateway>[0] = {
    supergraphSdl,
    buildService: ({ name, url }) => {
      const timeoutMs = subgraphTimeoutMs(config, name);
      const dataSource = new SignedIdentityDataSource(
        { url: resolveUrl(name, url ?? ''), fetcher: fetchers.fetcher(timeoutMs, name) },
        name,
        timeoutMs,
        config,
        dedup,
      );
      dataSources.set(name, dataSource);
      return dataSource;
    },
  };
  const costDirectives = costDirectivesFromSupergraph(supergraphSdl);
  if (!config.routerPassThrough) return { gateway: new ApolloGateway(gatewayConfig), costDirectives };
  const passThrough = createPassThrough(supergraphSdl, dataSources);
  const gateway = new PassThroughGateway(gatewayConfig, passThrough);
  return { gateway, passThrough: passThrough.stats, costDirectives };
}

/** Overrides from whoever started the subgraphs (ephemeral ports), else config (`<NAME>_URL`), else the supergraph's URL. */
export function urlResolver(config: Config, overrides: Partial<Record<SubgraphName, string>> = {}): SubgraphUrlResolver {
  return (name, supergraphUrl) =>
    overrides[name as SubgraphName] ?? config.subgraphUrls[name as SubgraphName] ?? supergraphUrl;
}
