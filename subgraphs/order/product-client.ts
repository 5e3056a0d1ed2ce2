/** Signed service calls from order to product for refunds (the checkout's holds calls live in holds.ts). */
import type { ServiceClient } from '../../platform/service-client';

const RETURN_STOCK = 'mutation OrderReturnStock($o: ID!, $k: String!, $l: [StockLineInput!]!) { returnStock(orderId: $o, key: $k, lines: $l) { key } }';

/** Refunded pieces that came back sellable: sold → available at product. Idempotent per (order, key). */
export async function returnStock(services: ServiceClient, input: { orderId: string; key: string; lines: { skuId: string; quantity: number }[] }): Promise<void> {
  await services.request('product', RETURN_STOCK, { o: input.orderId, k: input.key, l: input.lines }, { idempotent: true });
}
