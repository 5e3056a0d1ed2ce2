/**
 * Checkout input: shape rules (exactly one of cartItemIds / items, 1..99 lines, quantities 1..999, repeated SKUs
 * merged), the request fingerprint for idempotency, and the resolution of cart lines into SKU lines (the shopper's
 * selected lines, read from the cart subgraph in one call). Never a price: prices come from the summary; the
 * client's `expectedTotal` is only compared with it (summary.ts).
 *
 * The coupon: `couponId` left out = the shopper's best coupon; `couponId: null` given explicitly = no coupon (the
 * shopper declined it); an id = that coupon. GraphQL keeps "absent" and "null" apart, and so does everything here.
 */
import crypto from 'node:crypto';
import { badInput, shopError } from '../../../platform/errors';
import { isBigintId } from '../../../platform/loaders';
import { MAX_LINE_QUANTITY, MAX_ORDER_LINES } from '../../../platform/money';
import type { ServiceClient } from '../../../platform/service-client';

export interface CheckoutInputArgs {
  cartItemIds?: readonly string[] | null;
  items?: readonly { skuId: string; quantity: number }[] | null;
  couponId?: string | null;
  addressId: string;
  expectedTotal?: number | null;
}

/** The input after the shape rules: lines merged per SKU (in SKU id order) or cart line ids (sorted, unique). */
export interface NormalizedInput {
  source: 'cart' | 'items';
  cartItemIds: string[];
  /** Direct lines; for a cart checkout, filled by resolveCartLines. */
  lines: { skuId: string; quantity: number }[];
  couponId: string | null;
  /** `couponId: null` was given explicitly: no coupon at all (not the best one). */
  declineCoupon: boolean;
  addressId: string;
  /** The total the shopper saw (fen); createOrder refuses with PRICE_CHANGED when the server's differs. */
  expectedTotal: number | null;
}

const byNumericId = (a: string, b: string) => (BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b) ? 1 : 0);

function checkId(id: string, field: string): string {
  if (!isBigintId(id)) throw badInput(`${field} must be an id`, field);
  return id;
}

export function normalizeInput(input: CheckoutInputArgs): NormalizedInput {
  const hasCart = input.cartItemIds != null;
  const hasItems = input.items != null;
  if (hasCart === hasItems) throw badInput('Give exactly one of cartItemIds and items', hasCart ? 'items' : 'cartItemIds');
  const addressId = checkId(input.addressId, 'addressId');
  const couponId = input.couponId ? checkId(input.couponId, 'couponId') : null;
  // Present and null: declined. Absent (or an empty string, as before): the best coupon.
  const declineCoupon = Object.prototype.hasOwnProperty.call(input, 'couponId') && input.couponId === null;
  const expectedTotal = input.expectedTotal ?? null;
  if (expectedTotal !== null && !(Number.isInteger(expectedTotal) && expectedTotal >= 0)) {
    throw badInput('expectedTotal is an amount in fen (0 or more)', 'expectedTotal');
  }
  const common = { couponId, declineCoupon, addressId, expectedTotal };
  if (hasCart) {
    const ids = [...new Set(input.cartItemIds!.map((id) => checkId(id, 'cartItemIds')))].sort(byNumericId);
    if (ids.length < 1 || ids.length > MAX_ORDER_LINES) throw badInput(`Check out 1 to ${MAX_ORDER_LINES} cart lines`, 'cartItemIds');
    return { source: 'cart', cartItemIds: ids, lines: [], ...common };
  }
  const merged = new Map<string, number>();
  for (const item of input.items!) {
    checkId(item.skuId, 'items');
    if (!Number.isInteger(item.quantity) || item.quantity < 1) throw badInput(`Quantities are 1 to ${MAX_LINE_QUANTITY}`, 'items');
    merged.set(item.skuId, (merged.get(item.skuId) ?? 0) + item.quantity);
  }
  const lines = [...merged].map(([skuId, quantity]) => ({ skuId, quantity })).sort((a, b) => byNumericId(a.skuId, b.skuId));
  if (lines.length < 1 || lines.length > MAX_ORDER_LINES) throw badInput(`Check out 1 to ${MAX_ORDER_LINES} different SKUs`, 'items');
  if (lines.some((line) => line.quantity > MAX_LINE_QUANTITY)) throw badInput(`Quantities are 1 to ${MAX_LINE_QUANTITY} per SKU`, 'items');
  return { source: 'items', cartItemIds: [], lines, ...common };
}

/**
 * Hash of the normalized input: the same idempotency key with another fingerprint is a different request. A declined
 * coupon and an expected total are part of the request; left out, the canonical form is what it was before they
 * existed, so keys of checkouts in flight across the upgrade still replay.
 */
export function fingerprint(input: NormalizedInput): string {
  const canonical = JSON.stringify({
    source: input.source,
    cartItemIds: input.cartItemIds,
    lines: input.source === 'items' ? input.lines.map((line) => [line.skuId, line.quantity]) : [],
    couponId: input.couponId,
    addressId: input.addressId,
    ...(input.declineCoupon ? { declineCoupon: true } : {}),
    ...(input.expectedTotal !== null ? { expectedTotal: input.expectedTotal } : {}),
  });
  return crypto.createHash('sha256').update(canonical).digest('hex');
}

const CART_LINES = `query OrderCheckoutCart($representations: [_Any!]!) {
  _entities(representations: $representations) { ... on Cart { items { id quantity selected sku { id } } } }
}`;

interface CartLine {
  id: string;
  quantity: number;
  selected: boolean;
  sku: { id: string };
}

/**
 * The SKU lines of the given cart lines of `userId` (one call to cart, acting for the shopper). Every id must be one
 * of the shopper's selected lines: otherwise the client's view of the cart is stale → CONFLICT (CART_CHANGED).
 */
export async function resolveCartLines(services: ServiceClient, userId: string, input: NormalizedInput, requestId?: string): Promise<NormalizedInput> {
  if (input.source !== 'cart') return input;
  const data = await services.request<{ _entities: ({ items: CartLine[] } | null)[] }>(
    'cart',
    CART_LINES,
    { representations: [{ __typename: 'Cart', id: userId }] },
    { userId, requestId },
  );
  const byId = new Map((data._entities[0]?.items ?? []).map((line) => [line.id, line]));
  const missing = input.cartItemIds.filter((id) => !byId.get(id)?.selected);
  if (missing.length) {
    throw shopError('CONFLICT', 'Some cart lines are no longer in the cart or not selected', { reason: 'CART_CHANGED', cartItemIds: missing, field: 'cartItemIds' });
  }
  // The cart has one line per SKU, so no merging is needed.
  const lines = input.cartItemIds
    .map((id) => byId.get(id)!)
    .map((line) => ({ skuId: line.sku.id, quantity: line.quantity }))
    .sort((a, b) => byNumericId(a.skuId, b.skuId));
  return { ...input, lines };
}
