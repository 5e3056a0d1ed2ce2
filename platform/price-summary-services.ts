/**
 * The I/O half of the price summary (rules in price-summary.ts): SKU facts from product in one batched `_entities`
 * call per request, and the coupon quote from promote's internal `couponQuote` (one call), both over signed service
 * calls on behalf of the shopper. Used by the cart's price check and by checkout (previewOrder, createOrder).
 */
import type DataLoader from 'dataloader';
import type { Config } from './config';
import { shopError } from './errors';
import { assertOrderTotal } from './money';
import {
  billableItems,
  memberPriceApplies,
  subtotalOf,
  summarize,
  type AppliedCoupon,
  type CouponQuoteItem,
  type PriceSummary,
  type SkuFacts,
  type SummaryLineInput,
} from './price-summary';
import { coalescedEntityLoader, coalescingStats, type CoalescingStats, type ServiceClient } from './service-client';
import { shippingFee } from './shipping';

// category.parentId lets a coupon scoped to a top-level category apply to its sub-categories' items.
export const SKU_FACTS_SELECTION = 'id name price memberPrice stock available product { id title images onShelf category { id parentId } }';

/**
 * Per request: every SKU asked for during one request goes to product in one `_entities` call (null: no such SKU),
 * shared with the other requests of this process in the same turn of the event loop (coalescedEntityLoader: SKU facts
 * are the same for every shopper, and read afresh for every call).
 */
export function createSkuFactsLoader(services: ServiceClient): DataLoader<string, SkuFacts | null> {
  return coalescedEntityLoader<SkuFacts>(services, 'product', 'Sku', SKU_FACTS_SELECTION);
}

/** How many product calls this process's SKU fact reads took, for the SKUs asked (GET /stats of cart and order). */
export function skuFactsCoalescing(services: ServiceClient): CoalescingStats {
  return coalescingStats(services, 'product', 'Sku', SKU_FACTS_SELECTION);
}

export interface CouponQuoteRequest {
  items: CouponQuoteItem[];
  /** The shipping fee before any coupon, so promote can value a free-shipping coupon. */
  shippingFee: number;
  /** A coupon the shopper chose; its entry comes back in `selected` when it applies. */
  couponId?: string;
}

export interface CouponQuoteResult {
  /** The user's coupon that saves the most (saving > 0), or null. */
  best: AppliedCoupon | null;
  /** The entry of the chosen couponId when it is the user's, available and applies; else null. */
  selected: AppliedCoupon | null;
}

const COUPON_QUOTE = `query PriceSummaryCouponQuote($input: CouponQuoteInput!) {
  couponQuote(input: $input) { best { coupon { id } discount shippingWaived } selected { coupon { id } discount shippingWaived } }
}`;

type Saving = { coupon: { id: string }; discount: number; shippingWaived: boolean } | null;
const applied = (saving: Saving): AppliedCoupon | null =>
  saving ? { couponId: saving.coupon.id, discount: saving.discount, shippingWaived: saving.shippingWaived } : null;

/** One call to promote for the user's coupons on these items. */
export async function quoteCoupons(services: ServiceClient, userId: string, request: CouponQuoteRequest): Promise<CouponQuoteResult> {
  const input = { items: request.items, shippingFee: request.shippingFee, ...(request.couponId ? { couponId: request.couponId } : {}) };
  const data = await services.request<{ couponQuote: { best: Saving; selected: Saving } }>('promote', COUPON_QUOTE, { input }, { userId });
  return { best: applied(data.couponQuote.best), selected: applied(data.couponQuote.selected) };
}

export interface PriceSummaryRequest {
  /** The lines as given (the caller merges repeated SKUs if it wants one line per SKU). */
  lines: readonly SummaryLineInput[];
  /**
   * The coupon the shopper chose. Absent or null: the best coupon the user holds, silently none when none applies.
   * Given but not applicable (not the user's, not available, expired, below minSpend, out of scope, nothing billable):
   * CONFLICT with extensions { reason: 'COUPON_NOT_APPLICABLE', field: 'couponId' }.
   */
  couponId?: string | null;
  /** The shopper declined every coupon: none is applied and promote is not asked. */
  noCoupon?: boolean;
  /**
   * Whether the shopper pays member prices (membership TRIAL or FORMAL, not expired): the caller's question to user,
   * asked only when a billable line's SKU has a member price below its price (so carts without member prices cost no
   * user call). Absent: not a member.
   */
  member?: () => Promise<boolean>;
}

/** Whether any line's SKU has a member price below its price: only then does membership change the sums. */
export function hasMemberPrice(lines: readonly SummaryLineInput[], skus: ReadonlyMap<string, SkuFacts | null>): boolean {
  return lines.some((line) => {
    const sku = skus.get(line.skuId);
    return !!sku && memberPriceApplies(sku, true);
  });
}

export interface PriceSummaryDeps {
  services: ServiceClient;
  config: Pick<Config, 'shipping' | 'money'>;
  /** The request's SKU loader, so SKUs already fetched in this request are not fetched again. */
  skus?: DataLoader<string, SkuFacts | null>;
}

/**
 * The price summary of `lines` for `userId`: at most one product call (none when every SKU is already in the
 * loader) and one promote call (none when nothing is billable).
 */
export async function priceSummary(deps: PriceSummaryDeps, userId: string, request: PriceSummaryRequest): Promise<PriceSummary> {
  const loader = deps.skus ?? createSkuFactsLoader(deps.services);
  const skuIds = [...new Set(request.lines.map((line) => line.skuId))];
  const loaded = await loader.loadMany(skuIds);
  const failed = loaded.find((sku): sku is Error => sku instanceof Error);
  if (failed) throw failed;
  const skus = new Map(skuIds.map((id, index) => [id, loaded[index] as SkuFacts | null]));

  const member = request.member && hasMemberPrice(request.lines, skus) ? await request.member() : false;
  const items = billableItems(request.lines, skus, member);
  const subtotal = subtotalOf(items);
  // Above the order maximum the sums could leave GraphQL Int (prices may rise after items were added): refuse
  // with CONFLICT (reason ORDER_TOTAL_TOO_LARGE) before asking promote about amounts it could not represent.
  assertOrderTotal(subtotal, deps.config.money);
  const couponId = request.couponId ?? undefined;
  let coupon: AppliedCoupon | null = null;
  if (items.length && !request.noCoupon) {
    const quote = await quoteCoupons(deps.services, userId, { items, shippingFee: shippingFee(subtotal, deps.config), couponId });
    coupon = couponId ? quote.selected : quote.best;
  }
  if (couponId && !coupon) {
    throw shopError('CONFLICT', 'This coupon cannot be used for these items', { reason: 'COUPON_NOT_APPLICABLE', field: 'couponId' });
  }
  return summarize(request.lines, skus, coupon, deps.config, member);
}
