/** Who may call promote's internal (`@inaccessible`) fields; enforced by platform/internal-callers.ts. */
import type { InternalCallers } from '../../platform/internal-callers';

export const internalCallers: InternalCallers = {
  /** Coupon savings of a basket: the cart's price summary and order's checkout. */
  'Query.couponQuote': ['cart', 'order'],
  /** A coupon's lock, lease, use and release for one order: the order subgraph's checkout and hold sweeps only. */
  'Mutation.lockCoupon': ['order'],
  'Mutation.confirmCouponHold': ['order'],
  'Mutation.useCoupon': ['order'],
  'Mutation.releaseCoupon': ['order'],
  /** Whose coupon a code is: user's member identification at a store (docs/back-office.md). */
  'Query.couponOwnerByCode': ['user'],
};
