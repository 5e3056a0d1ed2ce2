/**
 * Signed service calls from product to order: the hold sweep asks, in one batched call, what should become of the
 * holds of a set of orders (order's internal `orderHoldStates`).
 */
import type { ServiceClient } from '../../platform/service-client';
import type { HoldVerdict } from './data/stock';

export interface OrderHoldState {
  orderId: string;
  /** KEEP (the order is live: being placed or awaiting payment), COMMIT (paid), RELEASE (cancelled). */
  verdict: HoldVerdict;
}

/** Order ids per call, well under order's limit. */
export const HOLD_STATES_BATCH = 500;

/** What order says about each order id it knows (an id it does not know is left out). Throws when order is unreachable. */
export async function orderHoldStates(services: ServiceClient, orderIds: readonly string[]): Promise<Map<string, OrderHoldState>> {
  const data = await services.request<{ orderHoldStates: ({ orderId: string; verdict: HoldVerdict } | null)[] }>(
    'order',
    'query ProductOrderHoldStates($ids: [ID!]!) { orderHoldStates(ids: $ids) { orderId verdict } }',
    { ids: orderIds },
    { idempotent: true },
  );
  return new Map(data.orderHoldStates.filter((state) => state !== null).map((state) => [state!.orderId, state!]));
}
