/**
 * `refundedLineQuantities`: the review subgraph asks, when a shopper submits a review, how many pieces of the line
 * SUCCEEDED refunds took back — a line refunded in full is not reviewable (docs/reviews.md). Asked at submit time so
 * the answer is always current (a refund may succeed before or after the order completes).
 */
import { requireService } from '../../platform/context';
import { badInput } from '../../platform/errors';
import { isBigintId } from '../../platform/loaders';
import type { OrderContext } from './context';
import { refundedLineQuantities as findRefundedLineQuantities } from './data/refunds';

const MAX_LINES = 100;

/** Refunded pieces per order line id, in the order asked (0 for a line nothing was refunded of, or an unknown id). */
export async function refundedLineQuantities(context: OrderContext, orderItemIds: readonly string[]): Promise<number[]> {
  requireService(context, 'review');
  if (orderItemIds.length > MAX_LINES) throw badInput(`At most ${MAX_LINES} lines at once`, 'orderItemIds');
  if (!orderItemIds.every(isBigintId)) throw badInput('Malformed order line id', 'orderItemIds');
  const refunded = await findRefundedLineQuantities(context.db, orderItemIds);
  return orderItemIds.map((id) => refunded.get(String(BigInt(id))) ?? 0);
}
