/**
 * Which of a user's coupons apply to a priced list of items, and what each saves: pure computation over the coupons
 * fetched in one statement (see findUsableCoupons), so the cost does not grow with items or coupons held.
 */
import type { CouponRow } from './data/coupons';

export interface QuoteItem {
  productId: string;
  /** The item's category and (optionally) its ancestors. */
  categoryIds: string[];
  unitPrice: number;
  quantity: number;
}

export interface CouponSaving {
  coupon: CouponRow;
  discount: number;
  shippingWaived: boolean;
  saving: number;
}

export interface CouponQuote {
  applicable: CouponSaving[];
  best: CouponSaving | null;
  selected: CouponSaving | null;
}

/** Subtotal, in fen, of the items a coupon's scope covers. */
export function eligibleSubtotal(coupon: Pick<CouponRow, 'scope' | 'category_ids' | 'product_ids'>, items: QuoteItem[]): number {
  const products = new Set(coupon.product_ids.map(String));
  const categories = new Set(coupon.category_ids.map(String));
  const inScope = (item: QuoteItem) =>
    coupon.scope === 'ALL' ||
    (coupon.scope === 'PRODUCTS' ? products.has(item.productId) : item.categoryIds.some((id) => categories.has(id)));
  return items.reduce((sum, item) => (inScope(item) ? sum + item.unitPrice * item.quantity : sum), 0);
}

/** What one coupon does to the items, or null when it does not apply (nothing in scope, or below minSpend). */
export function savingOf(coupon: CouponRow, items: QuoteItem[], shippingFee: number): CouponSaving | null {
  const eligible = eligibleSubtotal(coupon, items);
  if (eligible <= 0 || eligible < coupon.min_spend) return null;
  if (coupon.type === 'FREE_SHIPPING') return { coupon, discount: 0, shippingWaived: true, saving: shippingFee };
  const discount = Math.min(coupon.amount, eligible);
  return { coupon, discount, shippingWaived: false, saving: discount };
}

/** Best first: larger saving, then the one expiring sooner (use it before it is lost), then the smaller id. */
function bestFirst(a: CouponSaving, b: CouponSaving): number {
  if (a.saving !== b.saving) return b.saving - a.saving;
  const untilA = a.coupon.valid_until.getTime();
  const untilB = b.coupon.valid_until.getTime();
  if (untilA !== untilB) return untilA - untilB;
  const idA = BigInt(a.coupon.id);
  const idB = BigInt(b.coupon.id);
  return idA < idB ? -1 : idA > idB ? 1 : 0;
}

/**
 * The quote: every applicable coupon best first; `best` the first one when it saves anything (a free-shipping coupon
 * on an order that ships free is applicable but never recommended); `selected` the entry of `couponId`, if applicable.
 */
export function quoteCoupons(coupons: CouponRow[], items: QuoteItem[], shippingFee: number, couponId: string | null): CouponQuote {
  const applicable = coupons
    .map((coupon) => savingOf(coupon, items, shippingFee))
    .filter((saving): saving is CouponSaving => saving !== null)
    .sort(bestFirst);
  const first = applicable[0];
  return {
    applicable,
    best: first && first.saving > 0 ? first : null,
    selected: couponId ? (applicable.find((entry) => entry.coupon.id === couponId) ?? null) : null,
  };
}
