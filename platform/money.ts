/**
 * The shop's money limits, shared by product (prices), promote (coupon amounts), cart (price check) and order
 * (order totals), so every amount a client can see fits GraphQL `Int` (32-bit signed, at most 2,147,483,647 fen).
 *
 * With the defaults (docs/limits-money-and-throttling.md has the arithmetic):
 *   unit price   ≤ MAX_UNIT_PRICE_FEN   =    10,000,000 (¥100,000)
 *   subtotal     ≤ MAX_ORDER_TOTAL_FEN  =   100,000,000 (¥1,000,000)  — so every line total is too
 *   discount     ≤ subtotal;  shipping fee ≤ SHIPPING_FEE_FEN
 *   total        = subtotal − discount + shipping ≤ MAX_ORDER_TOTAL_FEN + SHIPPING_FEE_FEN  < 2,147,483,647
 * A line of 999 pieces at the highest unit price (9,990,000,000) would not fit: the order maximum, not the unit
 * maximum, is what keeps sums in range, so it is checked whenever a sum is formed.
 * Sums are computed in JS numbers, exact far beyond Int (99 lines × 999 × 2^31 < 2^53), then compared.
 */
import type { GraphQLError } from 'graphql';
import { badInput, shopError } from './errors';

/** The largest value GraphQL `Int` can carry. */
export const GRAPHQL_INT_MAX = 2_147_483_647;
/** Pieces per order or cart line (1..999). */
export const MAX_LINE_QUANTITY = 999;
/** Lines (different SKUs) per cart or order. */
export const MAX_ORDER_LINES = 99;

/** The configured maximums (Config['money']). */
export interface MoneyLimits {
  /** Highest price of one SKU (MAX_UNIT_PRICE_FEN). */
  maxUnitPriceFen: number;
  /** Highest goods subtotal of one cart price check or order (MAX_ORDER_TOTAL_FEN); also bounds coupon amounts. */
  maxOrderTotalFen: number;
}

export const DEFAULT_MONEY_LIMITS: MoneyLimits = { maxUnitPriceFen: 10_000_000, maxOrderTotalFen: 100_000_000 };

/** Why a price check or order was refused: `extensions.reason` of its CONFLICT error. */
export const ORDER_TOTAL_TOO_LARGE = 'ORDER_TOTAL_TOO_LARGE';

/** Throws (at startup) when the limits could let an amount leave GraphQL Int. */
export function assertMoneyLimits(limits: MoneyLimits, shippingFeeFen: number): void {
  const { maxUnitPriceFen, maxOrderTotalFen } = limits;
  if (!(Number.isInteger(maxUnitPriceFen) && maxUnitPriceFen >= 1)) throw new Error('MAX_UNIT_PRICE_FEN must be at least 1');
  if (!(Number.isInteger(maxOrderTotalFen) && maxOrderTotalFen >= maxUnitPriceFen)) {
    throw new Error('MAX_ORDER_TOTAL_FEN must be at least MAX_UNIT_PRICE_FEN (one piece must be buyable)');
  }
  if (maxOrderTotalFen + Math.max(shippingFeeFen, 0) > GRAPHQL_INT_MAX) {
    throw new Error(`MAX_ORDER_TOTAL_FEN + SHIPPING_FEE_FEN must not exceed ${GRAPHQL_INT_MAX} (GraphQL Int)`);
  }
}

/** A staff-entered unit price: a whole number of fen, 1..maxUnitPriceFen, else BAD_USER_INPUT naming `field`. */
export function checkUnitPrice(value: number | null | undefined, limits: MoneyLimits, field = 'price'): number {
  if (value === null || value === undefined || !Number.isInteger(value) || value <= 0) {
    throw badInput('The price must be a whole number of fen greater than 0', field);
  }
  if (value > limits.maxUnitPriceFen) {
    throw badInput(`The price must not exceed ${limits.maxUnitPriceFen} fen (${yuan(limits.maxUnitPriceFen)})`, field);
  }
  return value;
}

/** A staff-entered order-level amount (coupon amount, minimum spend): 0..maxOrderTotalFen, else BAD_USER_INPUT. */
export function checkOrderAmount(value: number, limits: MoneyLimits, field: string): number {
  if (!Number.isInteger(value) || value < 0) throw badInput(`${field} must be a whole number of fen, 0 or more`, field);
  if (value > limits.maxOrderTotalFen) {
    throw badInput(`${field} must not exceed the order maximum of ${limits.maxOrderTotalFen} fen (${yuan(limits.maxOrderTotalFen)})`, field);
  }
  return value;
}

/** Σ unitPrice × quantity, exact (JS number), possibly above Int: compare with `exceedsOrderTotal` before showing it. */
export function subtotalOf(items: readonly { unitPrice: number; quantity: number }[]): number {
  return items.reduce((sum, item) => sum + item.unitPrice * item.quantity, 0);
}

export function exceedsOrderTotal(subtotal: number, limits: MoneyLimits): boolean {
  return subtotal > limits.maxOrderTotalFen;
}

/** The CONFLICT a cart change, price check or checkout answers when the goods subtotal is above the maximum. */
export function orderTotalTooLarge(subtotal: number, limits: MoneyLimits): GraphQLError {
  return shopError(
    'CONFLICT',
    `The selected items come to ${yuan(subtotal)}, more than the ${yuan(limits.maxOrderTotalFen)} one order may total: ` +
      'lower quantities or unselect items',
    { reason: ORDER_TOTAL_TOO_LARGE, maxOrderTotalFen: limits.maxOrderTotalFen },
  );
}

/** Throws `orderTotalTooLarge` when `subtotal` is above the maximum; returns it otherwise (then it fits Int). */
export function assertOrderTotal(subtotal: number, limits: MoneyLimits): number {
  if (exceedsOrderTotal(subtotal, limits)) throw orderTotalTooLarge(subtotal, limits);
  return subtotal;
}

/** ¥1,234.56 for messages. */
export function yuan(fen: number): string {
  return `¥${(fen / 100).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}
