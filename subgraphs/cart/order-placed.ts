/**
 * The cart removes the lines an order bought: it consumes OrderPlaced from the order stream (payload userId and
 * cartItemIds) with an idempotent consumer, deleting those lines in the transaction that records the event as
 * processed. An event, not a call from checkout: the order is placed whether or not the cart is up, and the removal
 * happens once when it is (a redelivered event deletes nothing more; lines the shopper removed meanwhile are gone).
 */
import type { EventConsumerSpec } from '../../platform/events';
import { deleteLines } from './data/cart-items';

interface OrderPlacedPayload {
  orderId: string;
  userId: string;
  cartItemIds: string[];
}

export const removeOrderedLines: EventConsumerSpec<OrderPlacedPayload> = {
  stream: 'shop.order.order',
  types: ['OrderPlaced'],
  effect: async (event, trx) => {
    const { userId, cartItemIds } = event.payload;
    if (cartItemIds?.length) await deleteLines(trx, userId, cartItemIds);
  },
};
