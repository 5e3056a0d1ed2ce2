/** Who may call order's internal (`@inaccessible`) fields; enforced by platform/internal-callers.ts. */
import type { InternalCallers } from '../../platform/internal-callers';

export const internalCallers: InternalCallers = {
  /** The buyer's user id: payment checks the payer owns the order and books the wallet of that user. */
  'Order.buyerId': ['payment'],
  /** Whether an order still needs its stock / coupon holds: the hold sweeps of product and promote. */
  'Query.orderHoldStates': ['product', 'promote'],
  /** Payment states, reported by the payment subgraph only (it holds the provider's confirmation). */
  'Mutation.markOrderPaid': ['payment'],
  'Mutation.markOrderRefunded': ['payment'],
  'Mutation.markOrderRefunding': ['payment'],
};
