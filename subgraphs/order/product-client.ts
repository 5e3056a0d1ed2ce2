/** Signed service calls from order to product for refunds (the checkout's holds calls live in holds.ts). */
import type { GraphQLError } from 'graphql';
import type { ServiceClient } from '../../platform/service-client';

const RETURN_STOCK = 'mutation OrderReturnStock($o: ID!, $k: String!, $l: [StockLineInput!]!) { returnStock(orderId: $o, key: $k, lines: $l) { key } }';

/** Refunded pieces that came back sellable: sold → available at product. Idempotent per (order, key). */
export async function returnStock(services: ServiceClient, input: { orderId: string; key: string; lines: { skuId: string; quantity: number }[] }): Promise<void> {
  await services.request('product', RETURN_STOCK, { o: input.orderId, k: input.key, l: input.lines }, { idempotent: true });
}

const RESERVE_STOCK = 'mutation OrderReserveReplacement($o: ID!, $l: [StockLineInput!]!) { reserveStock(orderId: $o, lines: $l) { status } }';
const COMMIT_STOCK = 'mutation OrderCommitReplacement($o: ID!) { commitStock(orderId: $o) { status } }';

/**
 * Stock for an exchange's replacement, through product's reservations (never oversold: all or nothing under row locks),
 * made final at once: reserve under a key of its own (`<key>-<n>`, not an order id), then commit (reserved → sold).
 * Both are idempotent per key, so a retry after a lost answer takes nothing twice. A reservation product gave back
 * meanwhile (its short unconfirmed lease ran out between a reserve and a failed commit: HOLD_RELEASED, or the commit's
 * CONFLICT) has returned its units, so the next key is tried. Product's other CONFLICTs (OUT_OF_STOCK) reach the caller.
 * Answers the key that took the stock.
 */
export async function takeReplacementStock(services: ServiceClient, key: string, lines: { skuId: string; quantity: number }[]): Promise<string> {
  for (let n = 1; ; n++) {
    const hold = `${key}-${n}`;
    try {
      await services.request('product', RESERVE_STOCK, { o: hold, l: lines }, { idempotent: true });
      await services.request('product', COMMIT_STOCK, { o: hold }, { idempotent: true });
      // The key that holds the sold units (what a later returnStock names).
      return hold;
    } catch (error) {
      const extensions = (error as GraphQLError).extensions ?? {};
      const released = extensions.reason === 'HOLD_RELEASED' || (extensions.code === 'CONFLICT' && extensions.reason === undefined);
      if (!released || n >= 5) throw error;
    }
  }
}
