/**
 * The cart's price rules: line validity and the price check of the selected valid lines (seed 000
 * `/cart/check/price`). The arithmetic is the shared price summary (platform/price-summary.ts), the same one
 * checkout uses; this module adds what is the cart's own (only selected lines count) and the CartPrice shape.
 */
import type { Config } from '../../platform/config';
import {
  billableItems as sharedBillableItems,
  lineStatus,
  priceTotals,
  subtotalOf,
  type LineInvalidReason,
  type LineStatus,
  type PriceTotals,
} from '../../platform/price-summary';
import type { BestCoupon, CouponQuoteItem, SkuInfo } from './services';

export { lineStatus, subtotalOf, type LineStatus };
export type CartItemInvalidReason = LineInvalidReason;

/** A cart line as the price check sees it. */
export interface PricingLine {
  skuId: string;
  quantity: number;
  selected: boolean;
}

/** The selected, valid lines at the SKUs' current prices: what the price check and coupon quote are about. */
export function billableItems(lines: readonly PricingLine[], skus: ReadonlyMap<string, SkuInfo | null>): CouponQuoteItem[] {
  return sharedBillableItems(
    lines.filter((line) => line.selected),
    skus,
  );
}

/**
 * The selected subtotal after changing one SKU's line to `quantity` pieces, selected (what addToCart and
 * updateCartItem would leave), next to the one before: a change that raises it above the order maximum is refused.
 */
export function subtotalChange(
  lines: readonly PricingLine[],
  skus: ReadonlyMap<string, SkuInfo | null>,
  change: PricingLine,
): { before: number; after: number } {
  const changed = lines.some((line) => line.skuId === change.skuId)
    ? lines.map((line) => (line.skuId === change.skuId ? change : line))
    : [...lines, change];
  return { before: subtotalOf(billableItems(lines, skus)), after: subtotalOf(billableItems(changed, skus)) };
}

/** The numbers of CartPrice, in fen. */
export interface CartPriceValues {
  subtotal: number;
  discount: number;
  shippingFee: number;
  total: number;
  bestCouponId: string | null;
}

/** A summary's totals as CartPrice. */
export function toCartPrice(totals: PriceTotals): CartPriceValues {
  const { subtotal, discount, shippingFee, total, coupon } = totals;
  return { subtotal, discount, shippingFee, total, bestCouponId: coupon?.couponId ?? null };
}

/**
 * Price of a subtotal given the shop's shipping rule and the best coupon (null: none applies).
 * A cash coupon never takes more than the subtotal; a free-shipping coupon zeroes the fee.
 */
export function priceCart(subtotal: number, best: BestCoupon | null, config: Pick<Config, 'shipping'>): CartPriceValues {
  return toCartPrice(priceTotals(subtotal, best, config));
}
