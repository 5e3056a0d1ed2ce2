/**
 * The federation gateway over the composed supergraph file. Each subgraph is reached through a data source that
 * signs the caller's identity (x-shop-identity), times out after SUBGRAPH_TIMEOUT_MS and reuses a bounded pool
 * of keep-alive sockets — the stock gateway has neither a timeout nor a socket bound.
 */
import fs from 'node:fs';
import { ApolloGateway, RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { Fetcher } from '@apollo/utils.fetcher';
import { Agent, fetch as undiciFetch } from 'undici';
import type { Config, SubgraphName } from '../platform/config';
import { IDENTITY_HEADER, signIdentity, type Identity } from '../platform/identity';

export interface RouterContext {
  identity: Identity;
  requestId: string;
}

/** Where to send each subgraph's requests: an override (ephemeral test ports, `<NAME>_URL`), else the supergraph's URL. */
export type SubgraphUrlResolver = (name: string, supergraphUrl: string) => string;

export function boundedFetcher(config: Config): { fetcher: Fetcher; close(): Promise<void> } {
  const dispatcher = new Agent({ connections: config.subgraphMaxSockets, keepAliveTimeout: 30_000 });
  const fetcher = ((url: string, init: Record<string, unknown> = {}) =>
    undiciFetch(url, {
      ...init,
      dispatcher,
      signal: AbortSignal.timeout(config.subgraphTimeoutMs),
    } as Parameters<typeof undiciFetch>[1])) as unknown as Fetcher;
  return { fetcher, close: () => dispatcher.close() };
}

class SignedIdentityDataSource extends RemoteGraphQLDataSource<RouterContext> {
  constructor(
    options: { url: string; fetcher: Fetcher },
    private readonly config: Config,
  ) {
    super(options);
  }

  override willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<RouterContext>) {
    // Health checks and composition-time requests carry no per-request context.
    const identity = context?.identity ?? { scopes: [] };
    request.http?.headers.set(IDENTITY_HEADER, signIdentity(identity, this.config.internalSecret));
    if (context?.requestId) request.http?.headers.set('x-request-id', context.requestId);
  }
}

export function createGateway(config: Config, resolveUrl: SubgraphUrlResolver, fetcher: Fetcher): ApolloGateway {
  const supergraphSdl = fs.readFileSync(config.supergraphPath, 'utf8');
  return new ApolloGateway({
    supergraphSdl,
    buildService: ({ name, url }) =>
      new SignedIdentityDataSource({ url: resolveUrl(name, url ?? ''), fetcher }, config),
  });
}

/** Overrides from config (`<NAME>_URL`) or from whoever started the subgraphs. */
export function urlResolver(config: Config, overrides: Partial<Record<SubgraphName, string>> = {}): SubgraphUrlResolver {
  return (name, supergraphUrl) =>
    overrides[name as SubgraphName] ?? config.subgraphUrls[name as SubgraphName] ?? supergraphUrl;
}
