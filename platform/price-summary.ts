/**
 * The one price summary of a list of lines, shared by the cart's price check and checkout (previewOrder,
 * createOrder), so the totals agree for the same lines. Pure rules, no I/O: price-summary-services.ts fetches the
 * SKU facts (product) and the coupon quote (promote) and calls these. Money is Int fen; prices come only from
 * the SKU facts, never from a client.
 */
import type { Config } from './config';
import { shippingFee } from './shipping';

/** A SKU as product reports it over `_entities` (see SKU_FACTS_SELECTION). */
export interface SkuFacts {
  id: string;
  name: string;
  /** Current unit price, fen. */
  price: number;
  /** Price for members, fen (product keeps it at most `price`); null: none. Optional for callers that never bill members. */
  memberPrice?: number | null;
  /** Units available now. */
  stock: number;
  /** False for deleted SKUs, SKUs of off-shelf products and sold-out SKUs. */
  available: boolean;
  product: {
    id: string;
    title: string;
    /** The first one is the cover (optional so callers that do not show images need not ask). */
    images?: string[];
    onShelf: boolean;
    category: { id: string; parentId: string | null } | null;
  };
}

export type LineInvalidReason = 'UNAVAILABLE' | 'OFF_SHELF' | 'OUT_OF_STOCK';

export interface LineStatus {
  valid: boolean;
  invalidReason: LineInvalidReason | null;
  /** More pieces asked than in stock: still valid (the shopper lowers the quantity; a reservation would fail). */
  exceedsStock: boolean;
}

// Module level, not inside lineStatus: a closure made per call costs an allocation (and, under tsx, a __name call)
// for every line of every cart view.
const invalid = (invalidReason: LineInvalidReason): LineStatus => ({ valid: false, invalidReason, exceedsStock: false });

/** Whether a line of `quantity` pieces of `sku` (null: no such SKU) can be bought. */
export function lineStatus(quantity: number, sku: SkuFacts | null): LineStatus {
  if (!sku) return invalid('UNAVAILABLE');
  if (!sku.product.onShelf) return invalid('OFF_SHELF');
  if (sku.available && sku.stock > 0) return { valid: true, invalidReason: null, exceedsStock: quantity > sku.stock };
  // Product counts a deleted SKU and a sold-out one alike as not available; stock tells which.
  return invalid(sku.stock <= 0 ? 'OUT_OF_STOCK' : 'UNAVAILABLE');
}

/**
 * What a shopper pays for one piece: the member price when the shopper is a member (TRIAL or FORMAL, not expired; the
 * caller asks user) and the SKU has one, else the price. Never above the price, whatever product sent.
 */
export function unitPriceFor(sku: Pick<SkuFacts, 'price' | 'memberPrice'>, member: boolean): number {
  return member && sku.memberPrice != null ? Math.min(sku.memberPrice, sku.price) : sku.price;
}

/** Whether unitPriceFor charged less than the price. */
export function memberPriceApplies(sku: Pick<SkuFacts, 'price' | 'memberPrice'>, member: boolean): boolean {
  return unitPriceFor(sku, member) < sku.price;
}

/** One line to price. */
export interface SummaryLineInput {
  skuId: string;
  quantity: number;
}

/** One line of a coupon quote request (promote's CouponQuoteItemInput). */
export interface CouponQuoteItem {
  skuId: string;
  productId: string;
  categoryId: string | null;
  /** The category and its ancestors, so a coupon scoped to a top-level category applies to its children's items. */
  categoryIds: string[];
  unitPrice: number;
  quantity: number;
}

/**
 * The valid lines at the SKUs' current prices (member prices when `member`): what is billed and what the coupon
 * quote is about.
 */
export function billableItems(lines: readonly SummaryLineInput[], skus: ReadonlyMap<string, SkuFacts | null>, member = false): CouponQuoteItem[] {
  const items: CouponQuoteItem[] = [];
  for (const line of lines) {
    const sku = skus.get(line.skuId) ?? null;
    if (!sku || !lineStatus(line.quantity, sku).valid) continue;
    const category = sku.product.category;
    items.push({
      skuId: sku.id,
      productId: sku.product.id,
      categoryId: category?.id ?? null,
      categoryIds: category ? [category.id, category.parentId].filter((id): id is string => !!id) : [],
      unitPrice: unitPriceFor(sku, member),
      quantity: line.quantity,
    });
  }
  return items;
}

export function subtotalOf(items: readonly Pick<CouponQuoteItem, 'unitPrice' | 'quantity'>[]): number {
  return items.reduce((sum, item) => sum + item.unitPrice * item.quantity, 0);
}

/** A coupon as applied to a summary (promote's CouponSaving, reduced). */
export interface AppliedCoupon {
  couponId: string;
  /** Taken off the items, fen (0 for FREE_SHIPPING). */
  discount: number;
  shippingWaived: boolean;
}

/** The money of a summary, fen. */
export interface PriceTotals {
  subtotal: number;
  discount: number;
  shippingFee: number;
  total: number;
  /** The coupon applied, null when none (also when nothing is billable). */
  coupon: AppliedCoupon | null;
}

/**
 * Totals of a subtotal given the shop's shipping rule and a coupon (null: none). A cash coupon never takes more than
 * the subtotal; a free-shipping coupon zeroes the fee; nothing billable costs nothing and applies no coupon.
 */
export function priceTotals(subtotal: number, coupon: AppliedCoupon | null, config: Pick<Config, 'shipping'>): PriceTotals {
  if (subtotal <= 0) return { subtotal: 0, discount: 0, shippingFee: 0, total: 0, coupon: null };
  const baseFee = shippingFee(subtotal, config);
  const discount = coupon ? Math.min(Math.max(coupon.discount, 0), subtotal) : 0;
  const fee = coupon?.shippingWaived ? 0 : baseFee;
  return {
    subtotal,
    discount,
    shippingFee: fee,
    total: subtotal - discount + fee,
    coupon: coupon ? { couponId: coupon.couponId, discount, shippingWaived: coupon.shippingWaived } : null,
  };
}

/** What an order snapshots of one line; SKU facts are null when the SKU does not exist. */
export interface SummaryLine {
  skuId: string;
  quantity: number;
  productId: string | null;
  /** Product title. */
  title: string | null;
  /** SKU (variant) name. */
  skuName: string | null;
  /** The product's cover image. */
  image: string | null;
  /** Unit price this shopper pays now, fen (the member price for a member when the SKU has one). */
  unitPrice: number | null;
  /** Whether unitPrice is a member price below the SKU's price. */
  memberPriceApplied: boolean;
  /** The SKU's own price (Sku.price, what non-members pay), fen; null when the SKU does not exist. */
  skuPrice: number | null;
  /** unitPrice × quantity for a valid line, else 0 (not billed). */
  lineTotal: number;
  valid: boolean;
  invalidReason: LineInvalidReason | null;
  exceedsStock: boolean;
}

export interface PriceSummary extends PriceTotals {
  /** Every input line, in input order, valid or not. Only valid lines are billed. */
  lines: SummaryLine[];
}

/** The facts of each line, in input order (member prices when `member`). */
export function summaryLines(lines: readonly SummaryLineInput[], skus: ReadonlyMap<string, SkuFacts | null>, member = false): SummaryLine[] {
  return lines.map((line) => {
    const sku = skus.get(line.skuId) ?? null;
    const status = lineStatus(line.quantity, sku);
    const unitPrice = sku ? unitPriceFor(sku, member) : null;
    return {
      skuId: line.skuId,
      quantity: line.quantity,
      productId: sku?.product.id ?? null,
      title: sku?.product.title ?? null,
      skuName: sku?.name ?? null,
      image: sku?.product.images?.[0] ?? null,
      unitPrice,
      memberPriceApplied: sku ? memberPriceApplies(sku, member) : false,
      skuPrice: sku?.price ?? null,
      lineTotal: status.valid && unitPrice !== null ? unitPrice * line.quantity : 0,
      ...status,
    };
  });
}

/** The whole summary from the SKU facts and the coupon already chosen (see price-summary-services.ts). */
export function summarize(
  lines: readonly SummaryLineInput[],
  skus: ReadonlyMap<string, SkuFacts | null>,
  coupon: AppliedCoupon | null,
  config: Pick<Config, 'shipping'>,
  member = false,
): PriceSummary {
  const facts = summaryLines(lines, skus, member);
  const subtotal = facts.reduce((sum, line) => sum + line.lineTotal, 0);
  return { lines: facts, ...priceTotals(subtotal, coupon, config) };
}
