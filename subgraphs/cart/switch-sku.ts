/**
 * Switching a cart line to another SKU of the same product (seed 000 `/cart/update`: the shopper picks another colour
 * or size on the cart page).
 *
 * - The new SKU must be of the same product as the line's current SKU (BAD_USER_INPUT otherwise) and buyable now
 *   (exists, on the shelf, in stock: the same refusals as addToCart). Switching to the SKU the line already holds
 *   changes nothing.
 * - When the cart already holds a line of the new SKU, the two merge into that line: the quantities add up and the
 *   merged line is selected when either was; the switched line goes. Otherwise the line itself changes SKU and keeps
 *   its id, position and selection.
 * - The resulting quantity is capped, not refused: at most MAX_LINE_QUANTITY (999) and at most the new SKU's stock
 *   (the pieces past them could not be bought anyway; the answer shows the quantity kept).
 * - A change that raises the selected subtotal above the order maximum is refused (CONFLICT, ORDER_TOTAL_TOO_LARGE).
 * - Concurrency: the whole switch runs in one transaction holding the cart lock, re-reading both lines under it, and
 *   (user, SKU) is unique: two switches at once run one after the other, each on the lines the other left, so a line
 *   is never lost or duplicated.
 */
import { badInput, notFound } from '../../platform/errors';
import { isBigintId } from '../../platform/loaders';
import { MAX_LINE_QUANTITY, orderTotalTooLarge } from '../../platform/money';
import { checkBuyable, type CartRef } from './cart';
import type { CartContext } from './context';
import { lockCart } from './data/cart-items';
import { findSwitchLines, mergeLines, moveLine } from './data/line-switch';
import { subtotalOf, billableItems, type PricingLine } from './pricing';

const NOT_IN_CART = 'This item is not in your cart';

export async function switchCartItemSku(context: CartContext, userId: string, id: string, skuId: string): Promise<CartRef> {
  const { loaders } = context;
  if (!isBigintId(skuId)) throw badInput('This item does not exist', 'skuId');
  const lines = isBigintId(id) ? await loaders.linesByUser.load(userId) : [];
  const line = lines.find((row) => row.id === id);
  if (!line) throw notFound(NOT_IN_CART);
  if (line.sku_id === skuId) return { id: userId };

  // The new SKU with the cart's SKUs, in one product call (the returned cart reads the same cache).
  const [sku] = await Promise.all([skuId, ...lines.map((row) => row.sku_id)].map((sku) => loaders.skuById.load(sku)));
  checkBuyable(sku, 'skuId');
  const current = await loaders.skuById.load(line.sku_id);
  if (!current || current.product.id !== sku.product.id) {
    throw badInput('Pick another option of the same product; to buy a different product, add it to the cart', 'skuId');
  }
  const skus = new Map(await loaders.skusByUser.load(userId)).set(sku.id, sku);

  await context.db.transaction(async (trx) => {
    await lockCart(trx, userId);
    const { line: fresh, target } = await findSwitchLines(trx, userId, id, skuId);
    if (!fresh) throw notFound(NOT_IN_CART);
    if (fresh.sku_id === skuId) return;
    const quantity = Math.min((target?.quantity ?? 0) + fresh.quantity, MAX_LINE_QUANTITY, sku.stock);
    const selected = target ? target.selected || fresh.selected : fresh.selected;

    // The selected subtotal before and after, at the prices this request read: raising it past the maximum is refused.
    const before = lines.filter((row) => row.id !== fresh.id && row.id !== target?.id).map(asPricing);
    const after: PricingLine[] = [...before, { skuId, quantity, selected }];
    before.push(asPricing(fresh));
    if (target) before.push(asPricing(target));
    const [was, will] = [subtotalOf(billableItems(before, skus)), subtotalOf(billableItems(after, skus))];
    if (will > context.config.money.maxOrderTotalFen && will > was) throw orderTotalTooLarge(will, context.config.money);

    if (target) await mergeLines(trx, userId, fresh.id, target.id, quantity, selected);
    else await moveLine(trx, userId, fresh.id, skuId, quantity);
  });
  loaders.forgetCart(userId);
  return { id: userId };
}

const asPricing = (row: { sku_id: string; quantity: number; selected: boolean }): PricingLine => ({
  skuId: row.sku_id,
  quantity: row.quantity,
  selected: row.selected,
});
