/**
 * What the order subgraph tells others. Every status change is appended to the order outbox in the transaction that
 * made it (data/status-history.ts), relayed to the stream `shop.order.order` (consumers: other subgraphs), and fanned
 * out by `clientFanOut` to the pub/sub channel of that order (`shop.order.order.<id>`, for the router's
 * `orderStatusChanged` subscriptions). Pub/sub may drop messages, and with several order instances in the stream's
 * consumer group two changes of one order may be fanned out in either order: subscribers read the order's state, the
 * message only says "look again".
 */
import type { Knex } from 'knex';
import { appendEvent, clientChannel, type EventBus, type EventConsumerSpec } from '../../platform/events';

export const ORDER_STREAM = 'shop.order.order';
export const ORDER_STATUS_CHANGED = 'OrderStatusChanged';

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
