/** Who may call payment's internal (`@inaccessible`) fields; enforced by platform/internal-callers.ts. */
import type { InternalCallers } from '../../platform/internal-callers';

export const internalCallers: InternalCallers = {
  /** The refund of an approved after-sale request: order's after-sales flow. */
  'Mutation.refundAfterSale': ['order'],
  /** Where a refund stands (order's refund jobs ask after a lost answer). */
  'Mutation.refundOutcome': ['order'],
  /** Whether a shopper holds money: user's passport, before folding an empty half account into another (docs/passport.md). */
  'Query.shopperHoldsMoney': ['user'],
};
