/** Who may call order's internal (`@inaccessible`) fields; enforced by platform/internal-callers.ts. */
import type { InternalCallers } from '../../platform/internal-callers';

export const internalCallers: InternalCallers = {
  /** The buyer's user id: payment checks the payer owns the order and books the wallet of that user. */
  'Order.buyerId': ['payment'],
  /** The payment the order took, for payment's refunds (no caller reads it over GraphQL yet). */
  'Order.paymentId': ['payment'],
  /** Whether an order still needs its stock / coupon holds: the hold sweeps of product and promote. */
  'Query.orderHoldStates': ['product', 'promote'],
  /** Payment states, reported by the payment subgraph only (it holds the provider's confirmation). */
  'Mutation.markOrderPaid': ['payment'],
  'Mutation.markOrderRefunded': ['payment'],
  /** A staff refund registered before money moves, and payment's verdict on it (its refund job). */
  'Mutation.registerOrderRefund': ['payment'],
  'Mutation.settleOrderRefund': ['payment'],
  /** Whether a shopper has orders: user's passport, before folding an empty half account into another (docs/passport.md). */
  'Query.shopperHasOrders': ['user'],
  /** Refunded pieces per order line: review refuses a review of a line refunded in full (docs/reviews.md). */
  'Query.refundedLineQuantities': ['review'],
};
