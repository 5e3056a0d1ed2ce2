/**
 * The router's safelist and persisted operations (docs/persisted-operations.md):
 * - a client sends `extensions.persistedQuery { version: 1, sha256Hash }`; the id is looked up in the live manifests of
 *   its client name (router/safelist/registry.ts) and the body put in place before Apollo Server reads the request,
 *   so a listed id never touches Apollo's APQ cache;
 * - per client name a mode (staff set it; else SAFELIST_DEFAULT_MODE): `off` runs anything (APQ included), `audit`
 *   runs operations outside the manifests but logs each (client, operation hash) once and counts it, `enforce` refuses
 *   them with PERSISTED_QUERY_NOT_IN_LIST (HTTP 400): decided in `requestDidStart`, before the client's document is
 *   parsed, validated or planned (it is swapped for a trivial one, refused in `didResolveOperation`). A
 *   free-form query whose text is a listed body counts as listed (clients that cannot send ids still work);
 * - requests of a named client version are counted for retirement (router/safelist/traffic.ts);
 * - GET /graphql answers carry `Cache-Control` from the operation's cache policy (cache-headers.ts).
 * Staff holding clients:admin are not held to the safelist (they register manifests). Subscriptions over graphql-ws
 * are not checked here (router/subscriptions).
 */
import crypto from 'node:crypto';
import { HeaderMap, type ApolloServerPlugin } from '@apollo/server';
import { GraphQLError } from 'graphql';
import type { Config, SafelistModeName } from '../../platform/config';
import { log } from '../../platform/log';
import type { Metrics } from '../../platform/metrics';
import type { RouterContext } from '../gateway';
import { cacheHeaders } from './cache-headers';
import { clientOf } from './client';
import { SafelistOpenClient } from './open-client';
import { lookup, SafelistRegistryCache } from './registry';
import { TrafficCounter } from './traffic';

const routerLog = log.child({ service: 'router' });
const CLIENTS_ADMIN = 'clients:admin';
/** What an enforce refusal leaves Apollo Server to parse instead of the client's document. */
const REFUSED_PLACEHOLDER = '{ __typename }';
/** Audit lines remembered (one per client and operation hash); beyond this the oldest are forgotten and may log again. */
const MAX_AUDITED = 10_000;

export type SafelistResult = 'listed' | 'unlisted' | 'refused';

export interface Safelist {
  plugin: ApolloServerPlugin<RouterContext>;
  registry: SafelistRegistryCache;
  traffic: TrafficCounter;
  /** Counts by `client|mode|result` (what shop_safelist_operations_total reports). */
  counts: Map<string, number>;
  close(): Promise<void>;
}

/** Apollo's code for it (Apollo Router answers the same), so clients of either router handle one code. */
export const notInList = () =>
  new GraphQLError('This operation is not in the persisted operations of this client', {
    extensions: { code: 'PERSISTED_QUERY_NOT_IN_LIST', http: { status: 400, headers: new HeaderMap() } },
  });

const sha256 = (text: string) => crypto.createHash('sha256').update(text).digest('hex');

export function createSafelist(options: { config: Config; openUrl: () => string; metrics?: Metrics }): Safelist {
  const { config, metrics } = options;
  const open = new SafelistOpenClient(config, options.openUrl);
  const registry = new SafelistRegistryCache(config, open);
  const traffic = new TrafficCounter(open, config.safelist.trafficFlushMs);
  const counts = new Map<string, number>();
  const audited = new Set<string>();
  const count = (client: string, mode: SafelistModeName, result: SafelistResult) => {
    const key = `${client}|${mode}|${result}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  };
  metrics?.counterSource('shop_safelist_operations_total', 'router.safelist', () =>
    [...counts].map(([key, value]) => {
      const [client, mode, result] = key.split('|');
      return { labels: { client, mode, result }, value };
    }),
  );

  const plugin: ApolloServerPlugin<RouterContext> = {
    async requestDidStart({ request, contextValue }) {
      const client = clientOf(request.http?.headers, config);
      const snapshot = await registry.current();
      // Only names with registered releases are counted: a name is a claim anyone can make, and invented names must
      // not become rows in the open subgraph's traffic table.
      if (client.name && client.version && snapshot.byClient.has(client.name)) traffic.count(client.name, client.version);
      // Whoever manages the safelist is not held to it: a release pipeline registers a manifest whatever the mode.
      if (contextValue.identity.scopes.includes(CLIENTS_ADMIN)) return cacheHeaders(config);
      const mode = (client.name && snapshot.modes.get(client.name)) || config.safelist.defaultMode;
      // Bounded label: a name staff know (a mode set or a release registered), else `unknown`.
      const label = client.name && (snapshot.modes.has(client.name) || snapshot.byClient.has(client.name)) ? client.name : 'unknown';
      const persisted = request.extensions?.persistedQuery as { version?: unknown; sha256Hash?: unknown } | undefined;
      let id: string | undefined;
      let listed = false;
      if (persisted && persisted.version === 1 && typeof persisted.sha256Hash === 'string') {
        id = persisted.sha256Hash;
        const body = lookup(snapshot, client.name, id);
        if (body !== undefined && (request.query === undefined || request.query === body)) {
          request.query = body;
          // Without the extension Apollo Server takes the body as sent: nothing goes into its APQ cache.
          const { persistedQuery: _listed, ...rest } = request.extensions!;
          request.extensions = rest;
          listed = true;
        }
      } else if (mode !== 'off' && typeof request.query === 'string') {
        id = sha256(request.query);
        listed = lookup(snapshot, client.name, id) !== undefined;
      }
      if (mode !== 'off') {
        count(label, mode, listed ? 'listed' : mode === 'enforce' ? 'refused' : 'unlisted');
        if (!listed && mode === 'enforce') {
          // Apollo Server answers a throw here with a 500: the client's document is swapped for a trivial one
          // (never parsed, never stored by APQ) and refused in didResolveOperation, before any planning.
          request.query = REFUSED_PLACEHOLDER;
          request.operationName = undefined;
          request.variables = {};
          if (request.extensions?.persistedQuery) {
            const { persistedQuery: _refused, ...rest } = request.extensions;
            request.extensions = rest;
          }
          return { ...cacheHeaders(config), didResolveOperation: async () => Promise.reject(notInList()) };
        }
        if (!listed) {
          const key = `${client.name ?? ''}\n${id ?? ''}`;
          if (!audited.has(key)) {
            if (audited.size >= MAX_AUDITED) audited.delete(audited.values().next().value!);
            audited.add(key);
            routerLog.warn(
              { client: client.name, clientVersion: client.version, operationHash: id ?? null, operationName: request.operationName ?? null },
              'safelist audit: operation outside the client’s persisted operations',
            );
          }
        }
      }
      return cacheHeaders(config);
    },
  };

  return {
    plugin,
    registry,
    traffic,
    counts,
    async close() {
      await traffic.close();
      await registry.close();
    },
  };
}
