/**
 * Purchased lines from order's `OrderCompleted` (stream `shop.order.order`, consumer group `review`): every line of an
 * order that became COMPLETED (receipt confirmed by the shopper, or automatically) may be reviewed by its buyer.
 * Idempotent twice over: processed_events skips a redelivered event, and a line already known is left as it is.
 */
import type { EventConsumerSpec } from '../../platform/events';
import { insertPurchasedLines } from './data/purchased-lines';

/** Order's stream and event (subgraphs/order/events.ts, docs/events.md); review only reads them. */
export const ORDER_STREAM = 'shop.order.order';
export const ORDER_COMPLETED = 'OrderCompleted';

export interface OrderCompletedPayload {
  orderId: string;
  userId: string;
  completedAt: string;
  lines: { orderItemId: string; productId: string; skuId: string; quantity: number }[];
}

export function recordPurchasedLines(): EventConsumerSpec<OrderCompletedPayload> {
  return {
    stream: ORDER_STREAM,
    types: [ORDER_COMPLETED],
    effect: async (event, trx) => {
      const { orderId, userId, completedAt, lines } = event.payload;
      await insertPurchasedLines(
        trx,
        lines.map((line) => ({
          orderItemId: String(line.orderItemId),
          orderId: String(orderId),
          userId: String(userId),
          productId: String(line.productId),
          skuId: String(line.skuId),
          quantity: line.quantity,
          completedAt: new Date(completedAt),
        })),
      );
    },
  };
}
