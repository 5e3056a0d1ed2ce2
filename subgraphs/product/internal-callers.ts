/** Who may call product's internal (`@inaccessible`) fields; enforced by platform/internal-callers.ts. */
import type { InternalCallers } from '../../platform/internal-callers';

/** The stock holds of an order: reserved, confirmed, released and committed by the order subgraph only. */
export const internalCallers: InternalCallers = {
  'Mutation.reserveStock': ['order'],
  'Mutation.confirmStockHold': ['order'],
  'Mutation.releaseStock': ['order'],
  'Mutation.commitStock': ['order'],
  /** Stock of refunded lines back on the shelf: order's refund jobs. */
  'Mutation.returnStock': ['order'],
};
