/**
 * Keeps whole answers that every subgraph they came from declared public (ROUTER_RESPONSE_CACHE, default on), in the
 * router's memory, so a popular product page or category list costs no subgraph request at all.
 *
 * - **Public only, by declaration.** The gateway folds every subgraph answer's `Cache-Control` into the operation's
 *   cache policy; a subgraph that says nothing makes the operation uncacheable. Only product declares anything:
 *   `public, max-age=CATALOG_RESPONSE_MAX_AGE_SECONDS` on queries answered for shoppers and anonymous callers
 *   (subgraphs/product/public-answers.ts). An operation that also reads a cart, an order or a coupon is never kept.
 *   A fetch that joined another caller's identical in-flight request (router/dedup.ts) never saw the answer's header,
 *   so it makes the operation uncacheable too (router/gateway.ts).
 * - **Keyed by** the document (its hash), operation name, variables and the caller's scopes: shoppers and anonymous
 *   callers share answers; a caller with any scope (staff) never gets one kept for others.
 * - **Invalidated by the catalog's generation**: product bumps it after every staff write, and every key carries the
 *   generation read when the request began, so a staff change is visible on the very next read. Stock changes do not
 *   bump it: a kept answer's stock is at most max-age older than product's (docs/catalog-cache.md, the lag bound).
 * - Queries only; answers with errors are never kept; operation limits still apply (they run before this).
 * - Bounded memory: ROUTER_RESPONSE_CACHE_MAX_MB of serialized answers, least recently used dropped first.
 */
import { HeaderMap, type ApolloServerPlugin } from '@apollo/server';
import { LRUCache } from 'lru-cache';
import type { Config } from '../platform/config';
import { PUBLIC_CATALOG_CACHE, rateLimitedErrorLog, SharedGeneration } from '../platform/read-cache';
import type { RouterContext } from './gateway';

export interface ResponseCacheStats {
  /** Answered from the cache. */
  hits: number;
  /** Looked up and not found (then executed). */
  misses: number;
  /** Executed answers kept. */
  stored: number;
  /** Executed answers that were not cacheable (a subgraph did not declare them public, or errors). */
  notCacheable: number;
  /** Queries not looked up: the catalog's generation could not be read (Redis not ready). */
  bypassed: number;
}

interface Kept {
  data: Record<string, unknown>;
}

export interface ResponseCache {
  plugin: ApolloServerPlugin<RouterContext>;
  stats: ResponseCacheStats;
  entries(): number;
  close(): Promise<void>;
}

export function createResponseCache(config: Config): ResponseCache {
  const generation = new SharedGeneration({
    name: PUBLIC_CATALOG_CACHE,
    redisUrl: config.redisUrl,
    namespace: config.events.namespace,
    onError: rateLimitedErrorLog('[router] response cache:'),
  });
  const kept = new LRUCache<string, Kept>({ maxSize: config.routerResponseCache.maxBytes, ttlAutopurge: false });
  const stats: ResponseCacheStats = { hits: 0, misses: 0, stored: 0, notCacheable: 0, bypassed: 0 };

  const plugin: ApolloServerPlugin<RouterContext> = {
    async requestDidStart() {
      let key: string | undefined;
      let served = false;
      return {
        async responseForOperation({ operation, queryHash, operationName, request, contextValue, overallCachePolicy }) {
          if (operation.operation !== 'query') return null;
          const current = await generation.current();
          if (current === null) {
            stats.bypassed += 1;
            return null;
          }
          const scopes = [...contextValue.identity.scopes].sort().join(',');
          key = `${current}|${queryHash}|${operationName ?? ''}|${JSON.stringify(request.variables ?? {})}|${scopes}`;
          const entry = kept.get(key);
          if (!entry) {
            stats.misses += 1;
            return null;
          }
          stats.hits += 1;
          served = true;
          // What is left of its life: a GET answer's Cache-Control (router/safelist/cache-headers.ts) never outlives it.
          overallCachePolicy.replace({ maxAge: Math.ceil(kept.getRemainingTTL(key) / 1000), scope: 'PUBLIC' });
          // Kept objects are only ever serialized, never changed, so every hit can share them.
          return { http: { status: undefined, headers: new HeaderMap() }, body: { kind: 'single', singleResult: { data: entry.data } } };
        },
        async willSendResponse({ response, overallCachePolicy }) {
          if (served || key === undefined) return;
          const policy = overallCachePolicy.policyIfCacheable();
          const body = response.body;
          if (!policy || policy.scope === 'PRIVATE' || body.kind !== 'single' || body.singleResult.errors?.length || !body.singleResult.data) {
            stats.notCacheable += 1;
            return;
          }
          const size = JSON.stringify(body.singleResult.data).length + key.length;
          if (size > config.routerResponseCache.maxBytes / 16) {
            stats.notCacheable += 1;
            return;
          }
          kept.set(key, { data: body.singleResult.data }, { ttl: policy.maxAge * 1000, size });
          stats.stored += 1;
        },
      };
    },
  };

  return { plugin, stats, entries: () => kept.size, close: () => generation.close() };
}
