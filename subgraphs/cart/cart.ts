/**
 * The cart's write rules: validate first (nothing changes on bad input), write in one transaction, and leave
 * the request's loaders ready to read the fresh cart with the same batching as a plain `cart` query.
 */
import { badInput, conflict, notFound } from '../../platform/errors';
import { isBigintId } from '../../platform/loaders';
import { MAX_LINE_QUANTITY, MAX_ORDER_LINES, orderTotalTooLarge } from '../../platform/money';
import type { CartContext } from './context';
import { countLines, deleteLines, lockCart, updateLine, upsertLine, type CartLineRow } from './data/cart-items';
import { lineStatus, subtotalChange, type PricingLine } from './pricing';
import type { SkuInfo } from './services';

/** The shop's limits (seed 000: a cart holds at most 99 SKUs); shared with orders in platform/money.ts. */
export { MAX_LINE_QUANTITY };
export const MAX_CART_LINES = MAX_ORDER_LINES;
/** More ids than a cart can hold is a malformed request, not a cart question. */
const MAX_IDS_PER_CALL = 200;

/** The GraphQL parent of Cart: the cart's id is its owner's user id. */
export interface CartRef {
  id: string;
}

function checkQuantity(quantity: number): void {
  if (!Number.isInteger(quantity) || quantity < 1 || quantity > MAX_LINE_QUANTITY) {
    throw badInput(`Quantity must be between 1 and ${MAX_LINE_QUANTITY}`, 'quantity');
  }
}

const skuLabel = (sku: SkuInfo) => `"${sku.product.title}${sku.name ? ` (${sku.name})` : ''}"`;

/** Refuses a SKU that cannot be bought, in words a shopper understands. */
export function checkBuyable(sku: SkuInfo | null, field: string): asserts sku is SkuInfo {
  const status = lineStatus(1, sku);
  if (!sku) throw badInput('This item does not exist', field);
  if (status.invalidReason === 'OFF_SHELF') throw conflict(`${skuLabel(sku)} is off the shelf and cannot be bought now`);
  if (status.invalidReason === 'OUT_OF_STOCK') throw conflict(`${skuLabel(sku)} is sold out`);
  if (status.invalidReason === 'UNAVAILABLE') throw conflict(`${skuLabel(sku)} is no longer sold`);
}

function checkStock(sku: SkuInfo, quantity: number, alreadyInCart: number): void {
  if (quantity <= sku.stock) return;
  const held = alreadyInCart > 0 ? ` (your cart already holds ${alreadyInCart})` : '';
  throw conflict(`Only ${sku.stock} of ${skuLabel(sku)} left in stock${held}`);
}

const asPricing = (lines: readonly CartLineRow[]): PricingLine[] =>
  lines.map((line) => ({ skuId: line.sku_id, quantity: line.quantity, selected: line.selected }));

/** Refuses a change that would raise the selected subtotal above the order maximum (lowering it is always allowed). */
function checkOrderTotal(context: CartContext, lines: readonly CartLineRow[], skus: ReadonlyMap<string, SkuInfo | null>, change: PricingLine) {
  const { before, after } = subtotalChange(asPricing(lines), skus, change);
  if (after > context.config.money.maxOrderTotalFen && after > before) throw orderTotalTooLarge(after, context.config.money);
}

const cartFull = () =>
  conflict(`Your cart is full: it holds at most ${MAX_CART_LINES} different items. Remove some to add new ones.`);

export async function addToCart(context: CartContext, userId: string, skuId: string, quantity: number): Promise<CartRef> {
  checkQuantity(quantity);
  if (!isBigintId(skuId)) throw badInput('This item does not exist', 'skuId');
  const { loaders } = context;
  const lines = await loaders.linesByUser.load(userId);
  // The new SKU and the cart's SKUs, asked for in the same tick: one product call, and the returned cart
  // (validity, price) reads them from the same cache.
  const [sku] = await Promise.all([skuId, ...lines.map((line) => line.sku_id)].map((id) => loaders.skuById.load(id)));
  checkBuyable(sku, 'skuId');
  const existing = lines.find((line) => line.sku_id === skuId);
  if (!existing && lines.length >= MAX_CART_LINES) throw cartFull();
  // The same cache as the price check: no extra call to product.
  const skus = await loaders.skusByUser.load(userId);
  const withNew = new Map(skus).set(sku.id, sku);
  checkOrderTotal(context, lines, withNew, { skuId, quantity: (existing?.quantity ?? 0) + quantity, selected: true });

  await context.db.transaction(async (trx) => {
    await lockCart(trx, userId);
    const line = await upsertLine(trx, userId, skuId, quantity);
    const before = line.quantity - quantity;
    if (line.quantity > MAX_LINE_QUANTITY) {
      throw badInput(`At most ${MAX_LINE_QUANTITY} of one item fit in the cart (it already holds ${before})`, 'quantity');
    }
    checkStock(sku, line.quantity, before);
    // Under the cart lock, this count includes every add that committed before ours.
    if (line.inserted && (await countLines(trx, userId)) > MAX_CART_LINES) throw cartFull();
  });
  loaders.forgetCart(userId);
  return { id: userId };
}

export async function updateCartItem(
  context: CartContext,
  userId: string,
  id: string,
  changes: { quantity?: number | null; selected?: boolean | null },
): Promise<CartRef> {
  const { loaders } = context;
  if (changes.quantity !== undefined && changes.quantity !== null) checkQuantity(changes.quantity);
  const line = isBigintId(id) ? (await loaders.linesByUser.load(userId)).find((row) => row.id === id) : undefined;
  if (!line) throw notFound('This item is not in your cart');

  const update: { quantity?: number; selected?: boolean } = {};
  if (changes.selected !== undefined && changes.selected !== null) update.selected = changes.selected;
  const raises = (update.selected === true && !line.selected) || (changes.quantity != null && changes.quantity > line.quantity);
  if (raises) {
    const lines = await loaders.linesByUser.load(userId);
    checkOrderTotal(context, lines, await loaders.skusByUser.load(userId), {
      skuId: line.sku_id,
      quantity: changes.quantity ?? line.quantity,
      selected: update.selected ?? line.selected,
    });
  }
  if (changes.quantity !== undefined && changes.quantity !== null && changes.quantity !== line.quantity) {
    const skus = await loaders.skusByUser.load(userId);
    const sku = skus.get(line.sku_id) ?? null;
    if (!sku) throw conflict('This item is no longer sold');
    checkBuyable(sku, 'id');
    // Lowering towards the stock left is always allowed; asking for more than there is is not.
    if (changes.quantity > line.quantity) checkStock(sku, changes.quantity, 0);
    update.quantity = changes.quantity;
  }
  if (Object.keys(update).length === 0) return { id: userId };
  if ((await updateLine(context.db, userId, id, update)) === 0) throw notFound('This item is not in your cart');
  loaders.forgetCart(userId);
  return { id: userId };
}

export async function removeCartItems(context: CartContext, userId: string, ids: readonly string[]): Promise<CartRef> {
  if (ids.length > MAX_IDS_PER_CALL) throw badInput(`At most ${MAX_IDS_PER_CALL} items at a time`, 'ids');
  const wanted = [...new Set(ids)];
  const mine = new Set((await context.loaders.linesByUser.load(userId)).map((line) => line.id));
  // All or nothing: one id that is not the shopper's line and nothing is removed.
  if (wanted.some((id) => !mine.has(id))) throw notFound('Some of these items are not in your cart');
  if (wanted.length === 0) return { id: userId };
  await deleteLines(context.db, userId, wanted);
  context.loaders.forgetCart(userId);
  return { id: userId };
}

/** Removes exactly the lines `CartItem.valid` reports false (deleted, off shelf, out of stock). */
export async function clearInvalidCartItems(context: CartContext, userId: string): Promise<CartRef> {
  const { loaders } = context;
  const [lines, skus] = await Promise.all([loaders.linesByUser.load(userId), loaders.skusByUser.load(userId)]);
  const invalid = lines.filter((line) => !lineStatus(line.quantity, skus.get(line.sku_id) ?? null).valid).map((line) => line.id);
  if (invalid.length === 0) return { id: userId };
  await deleteLines(context.db, userId, invalid);
  loaders.forgetCart(userId);
  return { id: userId };
}
