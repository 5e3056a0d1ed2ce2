/** Signed service calls from review to order (internal `@inaccessible` operations). */
import type { ServiceClient } from '../../platform/service-client';

const REFUNDED = 'query ReviewRefundedLines($ids: [ID!]!) { refundedLineQuantities(orderItemIds: $ids) }';

/** Pieces of the order line that SUCCEEDED refunds took back. Throws when order cannot be asked: the caller refuses then. */
export async function refundedPiecesOfLine(services: ServiceClient, orderItemId: string): Promise<number> {
  const data = await services.request<{ refundedLineQuantities: number[] }>('order', REFUNDED, { ids: [orderItemId] });
  return data.refundedLineQuantities[0] ?? 0;
}
