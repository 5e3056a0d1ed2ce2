/**
 * `Retry-After` on rate-limited answers: when a response carries a RATE_LIMITED error, the router sets the HTTP header
 * from the largest `extensions.retryAfterSeconds` of those errors (60 when none says), so HTTP clients and proxies
 * that know the header back off without reading GraphQL errors. The status stays 200 (GraphQL over HTTP: other
 * fields of the operation may have succeeded).
 */
import type { ApolloServerPlugin } from '@apollo/server';

const FALLBACK_SECONDS = 60;

export function retryAfterPlugin<TContext extends object>(): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response }) {
          if (response.body.kind !== 'single') return;
          const limited = (response.body.singleResult.errors ?? []).filter((error) => error.extensions?.code === 'RATE_LIMITED');
          if (!limited.length) return;
          const seconds = limited
            .map((error) => Number(error.extensions?.retryAfterSeconds))
            .filter((value) => Number.isInteger(value) && value > 0);
          response.http.headers.set('retry-after', String(seconds.length ? Math.max(...seconds) : FALLBACK_SECONDS));
        },
      };
    },
  };
}
