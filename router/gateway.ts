/**
 * The federation gateway over the composed supergraph file. Each subgraph is reached through a data source that
 * signs the caller's identity (x-shop-identity), times out after its subgraph's timeout (SUBGRAPH_TIMEOUT_MS,
 * `<NAME>_TIMEOUT_MS`) and reuses a bounded pool of keep-alive sockets (SUBGRAPH_MAX_SOCKETS per subgraph origin) —
 * the stock gateway has neither a timeout nor a socket bound.
 */
import fs from 'node:fs';
import { ApolloGateway, RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { Fetcher } from '@apollo/utils.fetcher';
import { Agent, fetch as undiciFetch } from 'undici';
import type { Config, SubgraphName } from '../platform/config';
import { shopError } from '../platform/errors';
import { IDENTITY_HEADER, signIdentity, type Identity } from '../platform/identity';

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

export function boundedFetchers(config: Config): SubgraphFetchers {
  // undici keeps one pool per origin: `connections` bounds the sockets to each subgraph; extra requests queue.
  const dispatcher = new Agent({ connections: config.subgraphMaxSockets, keepAliveTimeout: 30_000 });
  return {
    fetcher: (timeoutMs) =>
      ((url: string, init: { signal?: AbortSignal } & Record<string, unknown> = {}) => {
        const timeout = AbortSignal.timeout(timeoutMs);
        return undiciFetch(url, {
          ...init,
          dispatcher,
          signal: init.signal ? AbortSignal.any([init.signal, timeout]) : timeout,
        } as Parameters<typeof undiciFetch>[1]);
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
  ) {
    super(options);
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

export function createGateway(config: Config, resolveUrl: SubgraphUrlResolver, fetchers: SubgraphFetchers): ApolloGateway {
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
      );
    },
  });
}

/** Overrides from whoever started the subgraphs (ephemeral ports), else config (`<NAME>_URL`), else the supergraph's URL. */
export function urlResolver(config: Config, overrides: Partial<Record<SubgraphName, string>> = {}): SubgraphUrlResolver {
  return (name, supergraphUrl) =>
    overrides[name as SubgraphName] ?? config.subgraphUrls[name as SubgraphName] ?? supergraphUrl;
}
