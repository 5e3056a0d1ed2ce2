/**
 * `Cache-Control` on answers to GET /graphql, so a CDN may keep public answers (docs/persisted-operations.md, "GET and
 * CDN caching"). From the operation's cache policy, which the gateway folds from the subgraphs' own headers (only
 * product declares public answers, CATALOG_RESPONSE_MAX_AGE_SECONDS, 1 s by default):
 * - public, without a signed-in caller, without errors: `public, max-age=<policy, at most PERSISTED_GET_MAX_AGE_SECONDS>`;
 * - anything else: `private, no-store`.
 * The trade-off: a staff change to the catalog bumps the router's own response cache at once, but an answer a CDN or
 * browser keeps is seen until its max-age ends; hence short max-ages. POST answers get no header (unchanged).
 */
import type { GraphQLRequestListener } from '@apollo/server';
import type { Config } from '../../platform/config';
import type { RouterContext } from '../gateway';

export function cacheHeaders(config: Config): GraphQLRequestListener<RouterContext> {
  return {
    async willSendResponse({ request, response, overallCachePolicy, contextValue }) {
      if (request.http?.method !== 'GET') return;
      const policy = overallCachePolicy.policyIfCacheable();
      const body = response.body;
      const anonymous = !contextValue.identity.userId && !contextValue.identity.scopes.length;
      const clean = body.kind === 'single' && !body.singleResult.errors?.length;
      const maxAge = Math.min(policy?.maxAge ?? 0, config.safelist.getMaxAgeSeconds);
      const value = policy && policy.scope !== 'PRIVATE' && anonymous && clean && maxAge > 0 ? `public, max-age=${maxAge}` : 'private, no-store';
      response.http.headers.set('cache-control', value);
    },
  };
}
