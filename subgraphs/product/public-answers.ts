/**
 * Tells the router which of product's answers it may keep (router/response-cache.ts). A query answered for a shopper
 * or an anonymous caller reads only public catalog rows, the same for everyone, so it says
 * `Cache-Control: public, max-age=<CATALOG_RESPONSE_MAX_AGE_SECONDS>`. Staff (who see off-shelf products), other
 * subgraphs, mutations, answers made for the caller (`personalAnswer`) and answers with errors say nothing, which the
 * gateway reads as "not cacheable".
 */
import type { ApolloServerPlugin } from '@apollo/server';
import type { ProductContext } from './context';
import { seesOffShelf } from './visibility';

export function publicAnswersPlugin(maxAgeSeconds: number): ApolloServerPlugin<ProductContext> {
  const header = `public, max-age=${maxAgeSeconds}`;
  return {
    async requestDidStart() {
      if (maxAgeSeconds <= 0) return;
      return {
        async willSendResponse({ response, contextValue, operation }) {
          // `catalog` is set for public readers only (no service caller), and only while the catalog cache is on:
          // its generation is what lets the router drop kept answers after a staff write.
          if (operation?.operation !== 'query' || !contextValue.catalog || seesOffShelf(contextValue)) return;
          // An answer made for this caller (e.g. their own "guess you like" order) is not the same for everyone.
          if (contextValue.personalAnswer) return;
          if (response.body.kind !== 'single' || response.body.singleResult.errors?.length) return;
          response.http.headers.set('cache-control', header);
        },
      };
    },
  };
}
