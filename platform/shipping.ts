/**
 * The shipping-fee rule, shared by the cart's price check and checkout so both always agree:
 * a flat fee (SHIPPING_FEE_FEN), free from FREE_SHIPPING_THRESHOLD_FEN of goods, nothing when nothing is bought.
 * Coupons that waive shipping are applied by the caller on top of this.
 */
import type { Config } from './config';

/** Shipping fee in fen for a goods subtotal in fen. */
export function shippingFee(subtotal: number, config: Pick<Config, 'shipping'>): number {
  if (subtotal <= 0) return 0;
  return subtotal >= config.shipping.freeThresholdFen ? 0 : config.shipping.feeFen;
}
