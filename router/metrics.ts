/**
 * The router's metrics (platform/metrics.ts): its subgraph fetches timed by subgraph and status, and the counters its
 * parts already keep — dedup joins, response-cache hits and misses, connections refused by the per-address cap,
 * subscriptions and sockets — read at scrape time.
 */
import type { Fetcher } from '@apollo/utils.fetcher';
import { findCause, networkErrorCode, SubgraphResponseTooLargeError, SubgraphTimeoutError } from '../platform/buffered-request';
import type { Metrics } from '../platform/metrics';
import type { ConnectionCapStats } from './connection-limits';
import type { DedupStats } from './dedup';
import type { SubgraphFetchers } from './gateway';
import type { ResponseCacheStats } from './response-cache';
import type { SubscriptionServer } from './subscriptions';

/** What a fetch that got no answer failed of: the `status` label. */
function failureOf(error: unknown): string {
  if (findCause(error, SubgraphTimeoutError)) return 'timeout';
  if (findCause(error, SubgraphResponseTooLargeError)) return 'too_large';
  if (networkErrorCode(error)) return 'unreachable';
  return 'error';
}

/** The fetchers, with every fetch of a named subgraph (the gateway's data sources) timed; health checks are not. */
export function measuredFetchers(fetchers: SubgraphFetchers, metrics: Metrics): SubgraphFetchers {
  return {
    fetcher(timeoutMs, subgraph) {
      const fetch = fetchers.fetcher(timeoutMs, subgraph);
      if (!subgraph) return fetch;
      const measured: Fetcher = async (url, init) => {
        const started = process.hrtime.bigint();
        const seconds = () => Number(process.hrtime.bigint() - started) / 1e9;
        try {
          const response = await fetch(url, init);
          metrics.observeFetch({ subgraph, status: String(response.status), seconds: seconds(), failed: response.status >= 500 });
          return response;
        } catch (error) {
          metrics.observeFetch({ subgraph, status: failureOf(error), seconds: seconds(), failed: true });
          throw error;
        }
      };
      return measured;
    },
    close: () => fetchers.close(),
  };
}

/** Reads the router parts' own counters into the metrics, at each scrape (nothing added to the request path). */
export function watchRouterParts(
  metrics: Metrics,
  parts: {
    dedup?: DedupStats;
    responseCache?: ResponseCacheStats;
    connectionCap: ConnectionCapStats;
    subscriptions: SubscriptionServer;
  },
) {
  const { dedup, responseCache, connectionCap, subscriptions } = parts;
  if (dedup) metrics.counterSource('shop_dedup_joins_total', 'router.dedup', () => [{ labels: {}, value: dedup.joined }]);
  if (responseCache) {
    metrics.counterSource('shop_cache_requests_total', 'router.response_cache', () => [
      { labels: { cache: 'router_response', result: 'hit' }, value: responseCache.hits },
      // A lookup skipped because the catalog's generation could not be read is a miss to whoever waited for it.
      { labels: { cache: 'router_response', result: 'miss' }, value: responseCache.misses + responseCache.bypassed },
    ]);
  }
  metrics.counterSource('shop_limit_refusals_total', 'router.connection_cap', () => [
    { labels: { limit: 'connectionsPerAddress' }, value: connectionCap.refused },
  ]);
  metrics.gaugeSource('shop_subscriptions_active', 'router.subscriptions', () => [{ labels: {}, value: subscriptions.stats().subscriptions }]);
  metrics.gaugeSource('shop_websockets_open', 'router.websockets', () => [{ labels: {}, value: subscriptions.stats().sockets }]);
  metrics.counterSource('shop_limit_refusals_total', 'router.subscription_caps', () =>
    Object.entries(subscriptions.stats().refusals).map(([limit, value]) => ({ labels: { limit }, value })),
  );
}
