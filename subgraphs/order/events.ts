/**
 * What the order subgraph tells others. Every status change is appended to the order outbox in the transaction that
 * made it (data/status-history.ts), relayed to the stream `shop.order.order` (consumers: other subgraphs), and fanned
 * out by `clientFanOut` to the pub/sub channel of that order (`shop.order.order.<id>`, for the router's
 * `orderStatusChanged` subscriptions). Pub/sub may drop messages, and with several order instances in the stream's
 * consumer group two changes of one order may be fanned out in either order: subscribers read the order's state, the
 * message only says "look again".
 * `OrderCompleted` (with the order's lines) is written when an order is received (SHIPPED → COMPLETED, by the shopper or
 * automatically): review records the lines its buyer may review.
 */
import type { Knex } from 'knex';
import { appendEvent, clientChannel, type EventBus, type EventConsumerSpec } from '../../platform/events';
import { findItemsByOrderIds } from './data/order-items';

export const ORDER_STREAM = 'shop.order.order';
export const ORDER_STATUS_CHANGED = 'OrderStatusChanged';
export const ORDER_COMPLETED = 'OrderCompleted';

/** Payload of OrderStatusChanged (and of the client message). */
export interface OrderStatusChangedPayload {
  orderId: string;
  userId: string;
  /** Null when the order is created. */
  from: string | null;
  to: string;
  at: string;
  actor: string;
  reason: string | null;
}

export async function appendOrderStatusChanged(
  trx: Knex,
  change: { orderId: string; userId: string; from: string | null; to: string; at: Date; actor: string; reason?: string | null },
): Promise<void> {
  const payload: OrderStatusChangedPayload = {
    orderId: change.orderId,
    userId: change.userId,
    from: change.from,
    to: change.to,
    at: change.at.toISOString(),
    actor: change.actor,
    reason: change.reason ?? null,
  };
  await appendEvent(trx, { stream: ORDER_STREAM, type: ORDER_STATUS_CHANGED, aggregateId: change.orderId, payload });
}

/** Payload of OrderCompleted: every line of the order, for the subgraphs that act on a received purchase (review). */
export interface OrderCompletedPayload {
  orderId: string;
  userId: string;
  completedAt: string;
  lines: { orderItemId: string; productId: string; skuId: string; quantity: number }[];
}

/**
 * The order was received (SHIPPED → COMPLETED, by the shopper or automatically): written by `transition` in the
 * transaction of that change, once per order (a COMPLETED order that comes back from REFUNDING publishes nothing).
 */
export async function appendOrderCompleted(
  trx: Knex,
  order: { id: string; user_id: string; completed_at?: Date | null },
): Promise<void> {
  const items = await findItemsByOrderIds(trx, [String(order.id)]);
  const payload: OrderCompletedPayload = {
    orderId: String(order.id),
    userId: String(order.user_id),
    completedAt: (order.completed_at ?? new Date()).toISOString(),
    lines: items.map((item) => ({ orderItemId: String(item.id), productId: String(item.product_id), skuId: String(item.sku_id), quantity: item.quantity })),
  };
  await appendEvent(trx, { stream: ORDER_STREAM, type: ORDER_COMPLETED, aggregateId: payload.orderId, payload });
}

/** The consumer that publishes each status change to its order's client channel (one instance per event). */
export function clientFanOut(bus: EventBus): EventConsumerSpec<OrderStatusChangedPayload> {
  return {
    stream: ORDER_STREAM,
    types: [ORDER_STATUS_CHANGED],
    name: 'clients',
    effect: async (event) => {
      await bus.publishClient(clientChannel(ORDER_STREAM, event.aggregateId), event.payload);
    },
  };
}
