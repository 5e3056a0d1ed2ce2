/**
 * What the cart asks other subgraphs, over signed service calls: SKU facts from product (batched per request
 * through `_entities`) and the best coupon quote from promote (its internal `couponQuote`).
 */
import type DataLoader from 'dataloader';
import { entityLoader, type ServiceClient } from '../../platform/service-client';

/** A SKU as the cart needs it: price and stock for the price check, shelf state for validity. */
export interface SkuInfo {
  id: string;
  name: string;
  price: number;
  stock: number;
  /** False for deleted SKUs and SKUs of off-shelf products. */
  available: boolean;
  product: { id: string; title: string; onShelf: boolean; category: { id: string; parentId: string | null } | null };
}

// category.parentId lets a coupon scoped to a top-level category apply to its sub-categories' items.
export const SKU_SELECTION = 'id name price stock available product { id title onShelf category { id parentId } }';

/** Per request: every SKU asked for in one request goes to product in one `_entities` call (null: no such SKU). */
export function createSkuLoader(services: ServiceClient, userId: string | undefined): DataLoader<string, SkuInfo | null> {
  return entityLoader<SkuInfo>(services, 'product', 'Sku', SKU_SELECTION, { userId });
}

/** One line of a coupon quote request (promote's CouponQuoteItemInput). */
export interface CouponQuoteItem {
  skuId: string;
  productId: string;
  categoryId: string | null;
  /** The category and its ancestors. */
  categoryIds: string[];
  unitPrice: number;
  quantity: number;
}

export interface CouponQuoteInput {
  items: CouponQuoteItem[];
  /** The shipping fee before any coupon, so promote can value a free-shipping coupon. */
  shippingFee: number;
  couponId?: string;
}

/** The best coupon of a quote, as the price check uses it. */
export interface BestCoupon {
  couponId: string;
  discount: number;
  shippingWaived: boolean;
}

const COUPON_QUOTE = `query CartCouponQuote($input: CouponQuoteInput!) {
  couponQuote(input: $input) { best { coupon { id } discount shippingWaived saving } }
}`;

interface CouponQuoteResponse {
  couponQuote: { best: { coupon: { id: string }; discount: number; shippingWaived: boolean; saving: number } | null };
}

/** The coupon the user holds that saves the most on these items, or null. One call to promote. */
export async function quoteBestCoupon(services: ServiceClient, userId: string, input: CouponQuoteInput): Promise<BestCoupon | null> {
  const data = await services.request<CouponQuoteResponse>('promote', COUPON_QUOTE, { input }, { userId });
  const best = data.couponQuote.best;
  return best ? { couponId: best.coupon.id, discount: best.discount, shippingWaived: best.shippingWaived } : null;
}
