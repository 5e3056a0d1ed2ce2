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
 * are held to the same decision at subscribe (`checkSubscription`, called by router/subscriptions): the client is
 * named by the upgrade request's headers (the mini-program's Referer) or, for browsers, which cannot set headers on a
 * WebSocket, by `apollographql-client-name`/`-version` in connectionParams. The router's own operations
 * (`executeOperation`: the open platform's registered methods, a subscription's reads of its order) have no HTTP
 * request and are not client operations: the safelist does not apply to them.
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
/** How strict each mode is: a client's own mode counts only when stricter than the default. */
const STRICTNESS: Record<SafelistModeName, number> = { off: 0, audit: 1, enforce: 2 };
/** Audit lines remembered (one per client and operation hash); beyond this the oldest are forgotten and may log again. */
const MAX_AUDITED = 10_000;

export type SafelistResult = 'listed' | 'unlisted' | 'refused';

/** A subscribe over graphql-ws, as the safelist sees it. */
export interface SubscriptionRequest {
  /** The upgrade request's headers, with connectionParams' client name and version where the headers have none. */
  headers: { get(name: string): string | undefined };
  identity: { scopes: readonly string[] };
  query: string;
  extensions?: Record<string, unknown> | null;
  operationName?: string | null;
}

export interface Safelist {
  plugin: ApolloServerPlugin<RouterContext>;
  /**
   * The subscribe's document to run (a listed id replaced by its body), or the refusal to send instead (its `http`
   * extension is the caller's to drop): PERSISTED_QUERY_NOT_IN_LIST under enforce, PERSISTED_QUERY_NOT_FOUND for an
   * id without text that no manifest has.
   */
  checkSubscription(request: SubscriptionRequest): Promise<{ query: string } | { refusal: GraphQLError }>;
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

  interface Decision {
    /** The document to run: the request's, or the listed body its id names. */
    query: string | undefined;
    /** The request carried a listed id (its persistedQuery extension is spent: the body is in `query`). */
    byListedId: boolean;
    refused: boolean;
  }

  /** One decision for HTTP and WebSocket requests: counts, audit lines and traffic included. */
  async function decide(
    headers: { get(name: string): string | undefined } | undefined,
    identity: { scopes: readonly string[] },
    query: string | undefined,
    extensions: Record<string, unknown> | null | undefined,
    operationName: string | null | undefined,
  ): Promise<Decision> {
    const client = clientOf(headers, config);
    const snapshot = await registry.current();
    // Only names with registered releases are counted: a name is a claim anyone can make, and invented names must
    // not become rows in the open subgraph's traffic table.
    if (client.name && client.version && snapshot.byClient.has(client.name)) traffic.count(client.name, client.version);
    // A name is a claim anyone can make: a client's own mode may tighten the default, never loosen it (else any caller
    // naming a client left at OFF or AUDIT would pass a router that enforces by default).
    const named = client.name ? snapshot.modes.get(client.name) : undefined;
    const mode = named && STRICTNESS[named] > STRICTNESS[config.safelist.defaultMode] ? named : config.safelist.defaultMode;
    // Bounded label: a name staff know (a mode set or a release registered), else `unknown`.
    const label = client.name && (snapshot.modes.has(client.name) || snapshot.byClient.has(client.name)) ? client.name : 'unknown';
    const persisted = extensions?.persistedQuery as { version?: unknown; sha256Hash?: unknown } | undefined;
    let id: string | undefined;
    let listed = false;
    let byListedId = false;
    if (persisted && persisted.version === 1 && typeof persisted.sha256Hash === 'string') {
      id = persisted.sha256Hash;
      const body = lookup(snapshot, client.name, id);
      if (body !== undefined && (!query || query === body)) {
        query = body;
        listed = byListedId = true;
      }
    } else if (mode !== 'off' && typeof query === 'string') {
      id = sha256(query);
      listed = lookup(snapshot, client.name, id) !== undefined;
    }
    // Whoever manages the safelist is not held to it (a release pipeline registers a manifest whatever the mode); a
    // listed id of theirs is still put in place above.
    if (mode === 'off' || identity.scopes.includes(CLIENTS_ADMIN)) return { query, byListedId, refused: false };
    count(label, mode, listed ? 'listed' : mode === 'enforce' ? 'refused' : 'unlisted');
    if (!listed && mode === 'enforce') return { query, byListedId, refused: true };
    if (!listed) {
      const key = `${client.name ?? ''}\n${id ?? ''}`;
      if (!audited.has(key)) {
        if (audited.size >= MAX_AUDITED) audited.delete(audited.values().next().value!);
        audited.add(key);
        routerLog.warn(
          { client: client.name, clientVersion: client.version, operationHash: id ?? null, operationName: operationName ?? null },
          'safelist audit: operation outside the client’s persisted operations',
        );
      }
    }
    return { query, byListedId, refused: false };
  }

  const plugin: ApolloServerPlugin<RouterContext> = {
    async requestDidStart({ request, contextValue }) {
      // The router's own operations (executeOperation) are not a client's: see the header comment.
      if (!request.http) return {};
      const decision = await decide(request.http.headers, contextValue.identity, request.query, request.extensions, request.operationName);
      request.query = decision.query;
      if (decision.byListedId || decision.refused) {
        // Without the extension Apollo Server takes the body as sent: nothing goes into its APQ cache.
        const { persistedQuery: _spent, ...rest } = request.extensions ?? {};
        request.extensions = rest;
      }
      if (decision.refused) {
        // Apollo Server answers a throw here with a 500: the client's document is swapped for a trivial one
        // (never parsed, never stored by APQ) and refused in didResolveOperation, before any planning.
        request.query = REFUSED_PLACEHOLDER;
        request.operationName = undefined;
        request.variables = {};
        return { ...cacheHeaders(config), didResolveOperation: async () => Promise.reject(notInList()) };
      }
      return cacheHeaders(config);
    },
  };

  async function checkSubscription(request: SubscriptionRequest): Promise<{ query: string } | { refusal: GraphQLError }> {
    const decision = await decide(request.headers, request.identity, request.query, request.extensions, request.operationName);
    if (decision.refused) return { refusal: notInList() };
    if (!decision.query && request.extensions?.persistedQuery) {
      // No automatic persisted queries over a socket: an unknown id needs its text (the client sends it again).
      return { refusal: new GraphQLError('PersistedQueryNotFound', { extensions: { code: 'PERSISTED_QUERY_NOT_FOUND' } }) };
    }
    return { query: decision.query ?? '' };
  }

  return {
    plugin,
    checkSubscription,
    registry,
    traffic,
    counts,
    async close() {
      await traffic.close();
      await registry.close();
    },
  };
}
