/** Who may call cart's internal (`@inaccessible`) fields; enforced by platform/internal-callers.ts. */
import type { InternalCallers } from '../../platform/internal-callers';

export const internalCallers: InternalCallers = {
  /** Order removes the lines an order bought, once it is placed (order's cart-cleanup job). */
  'Mutation.removeOrderedCartItems': ['order'],
};
