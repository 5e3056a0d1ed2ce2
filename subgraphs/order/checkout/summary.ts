/**
 * What an order of the normalized lines costs and where it goes: the shared price summary (one product call and one
 * promote call whatever the number of lines), the address from the user subgraph (one call), and the checks both
 * previewOrder and createOrder apply before anything is reserved.
 */
import { badInput, shopError } from '../../../platform/errors';
import { priceSummary } from '../../../platform/price-summary-services';
import type { PriceSummary, SummaryLine } from '../../../platform/price-summary';
import type { AddressSnapshot } from '../data/orders';
import type { OrderContext } from '../context';
import type { NormalizedInput } from './input';
import { createMemberPricesLoader } from '../user-client';

const ADDRESS = `query OrderCheckoutAddress($userId: ID!, $id: ID!) {
  addressForOrder(userId: $userId, id: $id) { contactName phone province city district detail }
}`;

/** A billable line with its snapshot facts (title, SKU name, image, unit price) all known. */
export type PricedLine = SummaryLine & { productId: string; title: string; unitPrice: number };

export interface CheckoutQuote {
  input: NormalizedInput;
  summary: PriceSummary;
  lines: PricedLine[];
  address: AddressSnapshot;
}

export async function addressOf(context: OrderContext, userId: string, addressId: string): Promise<AddressSnapshot> {
  const data = await context.services.request<{ addressForOrder: AddressSnapshot | null }>(
    'user',
    ADDRESS,
    { userId, id: addressId },
    { requestId: context.requestId },
  );
  if (!data.addressForOrder) throw badInput('No such address in your address book', 'addressId');
  return data.addressForOrder;
}

/** Lines that cannot be bought as asked (gone, off shelf, sold out, more than the stock) refuse the whole checkout. */
function assertBuyable(summary: PriceSummary): PricedLine[] {
  const refused = summary.lines.filter((line) => !line.valid || line.exceedsStock);
  if (refused.length) {
    throw shopError('CONFLICT', 'Some items cannot be bought as asked (unavailable, off shelf or not enough stock)', {
      reason: 'LINES_UNAVAILABLE',
      skuIds: refused.map((line) => line.skuId),
      lines: refused.map((line) => ({ skuId: line.skuId, reason: line.invalidReason ?? 'EXCEEDS_STOCK' })),
    });
  }
  return summary.lines as PricedLine[];
}

/** The summary and address of a checkout; the address and the summary are fetched concurrently. */
export async function quoteCheckout(context: OrderContext, userId: string, input: NormalizedInput): Promise<CheckoutQuote> {
  const [summary, address] = await Promise.all([
    priceSummary({ services: context.services, config: context.config }, userId, {
      lines: input.lines,
      couponId: input.couponId,
      noCoupon: input.declineCoupon,
      // At most one user call per checkout, only when a SKU has a member price (docs/member-prices.md).
      member: () => createMemberPricesLoader(context.services, context.requestId).load(userId),
    }),
    addressOf(context, userId, input.addressId),
  ]);
  return { input, summary, lines: assertBuyable(summary), address };
}

/**
 * The price guard: the shopper confirmed `expectedTotal` (what the preview or cart showed them); when the server's
 * total differs now (a price, a coupon, the shipping rule changed in between) the order is not placed — CONFLICT with
 * reason PRICE_CHANGED and the numbers as they are now, for the client to show and confirm again. Called before
 * anything is written or held.
 */
export function assertExpectedTotal(quote: CheckoutQuote): void {
  const expected = quote.input.expectedTotal;
  const { total, subtotal, discount, shippingFee, coupon } = quote.summary;
  if (expected === null || expected === total) return;
  throw shopError('CONFLICT', `The order total is now ${total} fen, not the ${expected} fen confirmed; review it and confirm again`, {
    reason: 'PRICE_CHANGED',
    field: 'expectedTotal',
    expectedTotal: expected,
    total,
    subtotal,
    discount,
    shippingFee,
    couponId: coupon?.couponId ?? null,
  });
}
