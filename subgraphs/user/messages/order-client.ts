/** Signed service calls from user's messages to order: what an order's message says about it (number, total, goods). */
import type { ServiceClient } from '../../../platform/service-client';

export interface OrderForMessage {
  id: string;
  orderNo: string;
  total: number;
  items: { title: string; quantity: number }[];
}

export async function orderForMessage(services: ServiceClient, orderId: string): Promise<OrderForMessage | null> {
  const data = await services.request<{ _entities: (OrderForMessage | null)[] }>(
    'order',
    'query($r: [_Any!]!) { _entities(representations: $r) { ... on Order { id orderNo total items { title quantity } } } }',
    { r: [{ __typename: 'Order', id: orderId }] },
  );
  return data._entities[0] ?? null;
}
