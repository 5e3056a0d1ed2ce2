/**
 * The cart's rules as pure functions (no I/O): when a line can be bought, and the price check of the
 * selected valid lines (seed 000 `/cart/check/price`). cart.ts feeds them rows, SKUs and the coupon quote.
 */
import type { Config } from '../../platform/config';
import { subtotalOf } from '../../platform/money';
import { shippingFee } from '../../platform/shipping';
import type { BestCoupon, CouponQuoteItem, SkuInfo } from './services';

export type CartItemInvalidReason = 'UNAVAILABLE' | 'OFF_SHELF' | 'OUT_OF_STOCK';

export interface LineStatus {
  valid: boolean;
  invalidReason: CartItemInvalidReason | null;
  /** More pieces asked than in stock: still valid, the shopper lowers the quantity. */
  exceedsStock: boolean;
}

/** Whether a line of `quantity` pieces of `sku` (null: no such SKU) can be bought. */
export function lineStatus(quantity: number, sku: SkuInfo | null): LineStatus {
  const invalid = (invalidReason: CartItemInvalidReason): LineStatus => ({ valid: false, invalidReason, exceedsStock: false });
  if (!sku) return invalid('UNAVAILABLE');
  if (!sku.product.onShelf) return invalid('OFF_SHELF');
  if (sku.available && sku.stock > 0) return { valid: true, invalidReason: null, exceedsStock: quantity > sku.stock };
  // Product counts a deleted SKU and a sold-out one alike as not available; stock tells the shopper which.
  return invalid(sku.stock <= 0 ? 'OUT_OF_STOCK' : 'UNAVAILABLE');
}

/** A cart line as the price check sees it. */
export interface PricingLine {
  skuId: string;
  quantity: number;
  selected: boolean;
}

/** The selected, valid lines at the SKUs' current prices: what the price check and coupon quote are about. */
export function billableItems(lines: readonly PricingLine[], skus: ReadonlyMap<string, SkuInfo | null>): CouponQuoteItem[] {
  const items: CouponQuoteItem[] = [];
  for (const line of lines) {
    const sku = skus.get(line.skuId) ?? null;
    if (!line.selected || !sku || !lineStatus(line.quantity, sku).valid) continue;
    items.push({
      skuId: sku.id,
      productId: sku.product.id,
      categoryId: sku.product.category?.id ?? null,
      categoryIds: sku.product.category ? [sku.product.category.id, sku.product.category.parentId].filter((id): id is string => !!id) : [],
      unitPrice: sku.price,
      quantity: line.quantity,
    });
  }
  return items;
}

/** Exact, possibly above GraphQL Int: callers compare it with the order maximum (platform/money.ts) before showing it. */
export { subtotalOf } from '../../platform/money';

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

/**
 * Price of a subtotal given the shop's shipping rule and the best coupon (null: none applies).
 * A cash coupon never takes more than the subtotal; a free-shipping coupon zeroes the fee.
 */
export function priceCart(subtotal: number, best: BestCoupon | null, config: Pick<Config, 'shipping'>): CartPriceValues {
  const baseFee = shippingFee(subtotal, config);
  if (subtotal <= 0) return { subtotal: 0, discount: 0, shippingFee: 0, total: 0, bestCouponId: null };
  const discount = best ? Math.min(Math.max(best.discount, 0), subtotal) : 0;
  const fee = best?.shippingWaived ? 0 : baseFee;
  return { subtotal, discount, shippingFee: fee, total: subtotal - discount + fee, bestCouponId: best?.couponId ?? null };
}
