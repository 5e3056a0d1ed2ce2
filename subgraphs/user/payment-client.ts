/** Signed service calls from user to payment (internal `@inaccessible` operations): passport's merge rule. */
import type { ServiceClient } from '../../platform/service-client';

/** Whether the shopper has a wallet balance or wallet history. Throws when payment cannot be asked: the caller refuses then. */
export async function shopperHoldsMoney(services: ServiceClient, userId: string): Promise<boolean> {
  const data = await services.request<{ shopperHoldsMoney: boolean }>('payment', 'query($u: ID!) { shopperHoldsMoney(userId: $u) }', { u: userId });
  return data.shopperHoldsMoney;
}
