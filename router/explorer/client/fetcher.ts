/**
 * The explorer's fetcher: queries and mutations over HTTP POST to the endpoint, subscriptions over graphql-ws on the
 * same path (ws:/wss:). The headers editor's values become the graphql-ws connectionParams, which is where the router
 * reads `Authorization` for subscriptions. A module of its own so test/subscriptions.test.ts runs this exact fetcher.
 */
import { createGraphiQLFetcher, type Fetcher } from '@graphiql/toolkit';

export function explorerFetcher(endpoint: URL, fetchImpl?: typeof fetch): Fetcher {
  const subscriptionUrl = new URL(endpoint);
  subscriptionUrl.protocol = endpoint.protocol === 'https:' ? 'wss:' : 'ws:';
  return createGraphiQLFetcher({
    url: endpoint.toString(),
    subscriptionUrl: subscriptionUrl.toString(),
    enableIncrementalDelivery: false,
    ...(fetchImpl ? { fetch: fetchImpl } : {}),
  });
}
