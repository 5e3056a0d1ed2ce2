/**
 * Service-to-service GraphQL calls between subgraphs, signed with INTERNAL_SECRET (see identity.ts),
 * with a timeout and a bounded keep-alive pool. Errors from the callee keep their `extensions.code`,
 * so a CONFLICT in product (out of stock) is a CONFLICT for the caller's client too.
 */
import DataLoader from 'dataloader';
import { GraphQLError } from 'graphql';
import { Agent, fetch } from 'undici';
import type { Config, SubgraphName } from './config';
import { IDENTITY_HEADER, signIdentity } from './identity';

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
}

export interface ServiceClient {
  request<T>(target: SubgraphName, query: string, variables?: Record<string, unknown>, options?: CallOptions): Promise<T>;
  close(): Promise<void>;
}

export function createServiceClient(config: Config, caller: SubgraphName, directory: ServiceDirectory): ServiceClient {
  const dispatcher = new Agent({ connections: config.subgraphMaxSockets, keepAliveTimeout: 30_000 });
  return {
    async request<T>(target: SubgraphName, query: string, variables: Record<string, unknown> = {}, options: CallOptions = {}) {
      // Signed for the target only (`aud`), so the callee cannot replay it at a third subgraph.
      const identity = signIdentity({ service: caller, userId: options.userId, scopes: [], audience: target }, config.internalSecret);
      let response;
      try {
        response = await fetch(directory.urlOf(target), {
          method: 'POST',
          headers: { 'content-type': 'application/json', [IDENTITY_HEADER]: identity },
          body: JSON.stringify({ query, variables }),
          dispatcher,
          signal: AbortSignal.timeout(config.subgraphTimeoutMs),
        });
      } catch (error) {
        throw new GraphQLError(`The ${target} service is unavailable`, {
          extensions: { code: 'INTERNAL_SERVER_ERROR', service: target },
          originalError: error as Error,
        });
      }
      const body = (await response.json().catch(() => ({}))) as {
        data?: T;
        errors?: { message: string; extensions?: Record<string, unknown> }[];
      };
      if (body.errors?.length) {
        const [first] = body.errors;
        throw new GraphQLError(first.message, {
          extensions: { ...first.extensions, code: first.extensions?.code ?? 'INTERNAL_SERVER_ERROR', service: target },
        });
      }
      if (!response.ok || body.data === undefined) {
        throw new GraphQLError(`The ${target} service answered HTTP ${response.status}`, {
          extensions: { code: 'INTERNAL_SERVER_ERROR', service: target },
        });
      }
      return body.data;
    },
    close: () => dispatcher.close(),
  };
}

/**
 * A DataLoader over another subgraph's `_entities`: every key asked for during one request goes out in one call.
 * `selection` is the fields wanted, e.g. `id price stock available`.
 */
export function entityLoader<T>(
  client: ServiceClient,
  target: SubgraphName,
  typename: string,
  selection: string,
  options: CallOptions = {},
): DataLoader<string, T | null> {
  const query = `query($representations: [_Any!]!) { _entities(representations: $representations) { ... on ${typename} { ${selection} } } }`;
  return new DataLoader<string, T | null>(async (ids) => {
    const representations = ids.map((id) => ({ __typename: typename, id }));
    const data = await client.request<{ _entities: (T | null)[] }>(target, query, { representations }, options);
    return data._entities;
  });
}
