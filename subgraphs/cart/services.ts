/**
 * What the cart asks other subgraphs: SKU facts from product (batched per request through `_entities`) and the
 * coupon quote from promote. Both live in the shared price summary (platform/price-summary-services.ts) so the cart's
 * price check and checkout compute the same numbers; this module keeps the cart's names for them.
 */
import type DataLoader from 'dataloader';
import type { AppliedCoupon, CouponQuoteItem as SharedQuoteItem, SkuFacts } from '../../platform/price-summary';
import { createSkuFactsLoader, SKU_FACTS_SELECTION } from '../../platform/price-summary-services';
import type { ServiceClient } from '../../platform/service-client';

/** A SKU as the cart needs it: price and stock for the price check, shelf state for validity. */
export type SkuInfo = SkuFacts;

export const SKU_SELECTION = SKU_FACTS_SELECTION;

/** What `CartItem.sku` returns: the id, and the fields the schema @provides when this request read the SKU's facts. */
export type CartSku = { id: string } & Partial<Omit<SkuFacts, 'id'>>;

/** Per request: every SKU asked for in one request goes to product in one `_entities` call (null: no such SKU). */
export function createSkuLoader(services: ServiceClient): DataLoader<string, SkuInfo | null> {
  return createSkuFactsLoader(services);
}

/** One line of a coupon quote request (promote's CouponQuoteItemInput). */
export type CouponQuoteItem = SharedQuoteItem;

/** The best coupon of a quote, as the price check uses it. */
export type BestCoupon = AppliedCoupon;
