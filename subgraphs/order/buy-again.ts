/**
 * "Buy again": puts an order's SKUs back into the shopper's cart through the cart subgraph's own `addToCart`
 * (a signed service call acting for the shopper), so the cart's rules (stock, shelf, limits) apply as if the
 * shopper had tapped "add" for each line. The cart is returned as a reference; the router reads its fields
 * from the cart subgraph.
 */
import { GraphQLError } from 'graphql';
import { conflict } from '../../platform/errors';
import type { ServiceClient } from '../../platform/service-client';
import { ownOrder } from './access';
import type { OrderContext } from './context';

const ADD_TO_CART = `mutation OrderBuyAgain($skuId: ID!, $quantity: Int!) { addToCart(skuId: $skuId, quantity: $quantity) { id } }`;

/** Codes meaning "this line cannot go into the cart now" (sold out, off shelf, gone, cart full). */
const SKIPPABLE = new Set(['CONFLICT', 'BAD_USER_INPUT']);

export interface CartReference {
  __typename: 'Cart';
  id: string;
}

export async function buyAgain(context: OrderContext, services: ServiceClient, id: string): Promise<CartReference> {
  const { order, userId } = await ownOrder(context, id);
  const items = await context.loaders.itemsByOrder.load(order.id);
  let added = 0;
  let lastRefusal: GraphQLError | undefined;
  // One call per line, in order: the cart serializes adds per shopper anyway. addToCart is not idempotent,
  // so the client never retries it (a lost answer could add twice).
  for (const item of items) {
    try {
      await services.request('cart', ADD_TO_CART, { skuId: item.sku_id, quantity: item.quantity }, {
        userId,
        requestId: context.requestId,
      });
      added += 1;
    } catch (error) {
      const code = (error as GraphQLError).extensions?.code;
      if (!SKIPPABLE.has(String(code))) throw error;
      // What can still be bought goes in; the rest is skipped (the cart shows what is there).
      lastRefusal = error as GraphQLError;
    }
  }
  if (added === 0) throw conflict(`None of this order's items can be added to the cart now${lastRefusal ? `: ${lastRefusal.message}` : ''}`);
  // The cart's id is its owner's user id (see the cart subgraph).
  return { __typename: 'Cart', id: userId };
}
