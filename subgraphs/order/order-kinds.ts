/** Orders come in two kinds: GOODS (checkout) and SUBSCRIPTION (docs/subscriptions-purchase.md). */
import { shopError } from '../../platform/errors';
import type { OrderRow } from './data/orders';

/**
 * Goods-order actions (shipOrder, addShipment, requestRefund, requestExchange) refuse subscription orders: those ship,
 * are received and are cancelled per package (subscriptions.ts).
 */
export function assertGoodsOrder(order: Pick<OrderRow, 'id' | 'kind'>): void {
  if (order.kind === 'SUBSCRIPTION') {
    throw shopError('CONFLICT', `Order ${order.id} is a subscription: ship, receive and cancel it per package`, { reason: 'SUBSCRIPTION_ORDER' });
  }
}
