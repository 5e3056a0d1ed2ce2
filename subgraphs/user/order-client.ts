/** Signed service calls from user to order (internal `@inaccessible` operations): passport's merge rule. */
import type { ServiceClient } from '../../platform/service-client';

/** Whether the shopper ever placed an order (any status). Throws when order cannot be asked: the caller refuses then. */
export async function shopperHasOrders(services: ServiceClient, userId: string): Promise<boolean> {
  const data = await services.request<{ shopperHasOrders: boolean }>('order', 'query($u: ID!) { shopperHasOrders(userId: $u) }', { u: userId });
  return data.shopperHasOrders;
}
