/** Thin resolvers: every cart field needs a signed-in user; data comes from loaders, rules from cart.ts / pricing.ts. */
import { Kind, type FieldNode } from 'graphql';
import { requireService, requireUser } from '../../platform/context';
import { isBigintId, mapKnown } from '../../platform/loaders';
import { deleteLines } from './data/cart-items';
import { mayRead } from '../../platform/ownership';
import { addToCart, clearInvalidCartItems, removeCartItems, updateCartItem, type CartRef } from './cart';
import type { CartContext } from './context';
import { switchCartItemSku } from './switch-sku';
import type { Resolvers } from './generated/resolvers-types';
import { cartItemViews, type CartItemView } from './items';
import { lineStatus, type CartPriceValues, type LineStatus } from './pricing';

const selectsMoreCache = new WeakMap<readonly FieldNode[], boolean>();
const itemsNeedFactsCache = new WeakMap<readonly FieldNode[], boolean>();
/** CartItem fields that need only the line itself. */
const LINE_FIELDS = new Set(['id', 'quantity', 'selected', '__typename']);

/**
 * Whether a field's selection asks for more than `id` / `__typename` (a fragment counts as more). Remembered per
 * selection: graphql-js hands every line of a list the same field nodes.
 */
function selectsMoreThanId(nodes: readonly FieldNode[]): boolean {
  let more = selectsMoreCache.get(nodes);
  if (more === undefined) {
    more = nodes.some((node) =>
      node.selectionSet?.selections.some((selection) => selection.kind !== Kind.FIELD || !['id', '__typename'].includes(selection.name.value)),
    );
    selectsMoreCache.set(nodes, more);
  }
  return more;
}

/**
 * Whether the `items` selection asks for anything that needs the lines' SKU facts (validity, or the SKU beyond its id).
 * A fragment counts as needing them. Remembered per selection.
 */
function itemsNeedFacts(nodes: readonly FieldNode[]): boolean {
  let need = itemsNeedFactsCache.get(nodes);
  if (need === undefined) {
    need = nodes.some((node) =>
      node.selectionSet?.selections.some((selection) => {
        if (selection.kind !== Kind.FIELD) return true;
        if (selection.name.value === 'sku') return selectsMoreThanId([selection]);
        return !LINE_FIELDS.has(selection.name.value);
      }),
    );
    itemsNeedFactsCache.set(nodes, need);
  }
  return need;
}

/** The line's status: already known when `items` read the facts (the usual case), else from the request's loader. */
function statusOf(item: CartItemView, context: CartContext): LineStatus | Promise<LineStatus> {
  if (item.status) return item.status;
  return context.loaders.skusByUser.load(item.user_id).then((skus) => lineStatus(item.quantity, skus.get(item.sku_id) ?? null));
}

export const resolvers: Resolvers = {
  Query: {
    cart: (_parent, _args, context) => ({ id: requireUser(context) }),
  },
  Mutation: {
    addToCart: (_parent, { skuId, quantity }, context) => addToCart(context, requireUser(context), skuId, quantity),
    updateCartItem: (_parent, { id, quantity, selected }, context) =>
      updateCartItem(context, requireUser(context), id, { quantity, selected }),
    removeCartItems: (_parent, { ids }, context) => removeCartItems(context, requireUser(context), ids),
    clearInvalidCartItems: (_parent, _args, context) => clearInvalidCartItems(context, requireUser(context)),
    switchCartItemSku: (_parent, { id, skuId }, context) => switchCartItemSku(context, requireUser(context), id, skuId),
    // Checkout's durable job (order subgraph) after an order from cart lines is placed; a repeat deletes nothing more.
    removeOrderedCartItems(_parent, { userId, ids }, context) {
      requireService(context, 'order');
      return deleteLines(context.db, userId, ids.filter(isBigintId));
    },
  },
  Cart: {
    // Another subgraph may hand out the signed-in shopper's cart (e.g. order's buyAgain); nobody else's (the id is
    // the owner's user id). Services may read any cart; there is no staff scope for carts.
    __resolveReference(reference: CartRef, context: CartContext) {
      return mayRead(context.identity, reference.id) ? { id: reference.id } : null;
    },
    // When the selection needs SKU facts, the lines come with them and their status, so that every CartItem field
    // resolves synchronously: no promise per field per line (what a 99-line cart spent most of its CPU on).
    async items(cart, _args, context, info) {
      const lines = await context.loaders.linesByUser.load(cart.id);
      if (!itemsNeedFacts(info.fieldNodes)) return lines;
      return cartItemViews(lines, await context.loaders.skusByUser.load(cart.id));
    },
    async totalQuantity(cart, _args, context) {
      const lines = await context.loaders.linesByUser.load(cart.id);
      return lines.reduce((sum, line) => sum + line.quantity, 0);
    },
    async selectedQuantity(cart, _args, context) {
      const [lines, skus] = await Promise.all([context.loaders.linesByUser.load(cart.id), context.loaders.skusByUser.load(cart.id)]);
      return lines
        .filter((line) => line.selected && lineStatus(line.quantity, skus.get(line.sku_id) ?? null).valid)
        .reduce((sum, line) => sum + line.quantity, 0);
    },
    price: (cart, _args, context) => context.loaders.priceByUser.load(cart.id),
  },
  CartItem: {
    // The fields the schema @provides come from this request's SKU facts, which the validity check reads anyway:
    // the router need not ask product for them again. A selection of the id alone needs no facts.
    sku(item, _args, context, info) {
      const stub = { id: item.sku_id };
      if (!selectsMoreThanId(info.fieldNodes)) return stub;
      // The facts as product answered them (Sku and Product are object types here: no __typename needed).
      // Unknown SKU (adding to the cart checks it exists, so only if one vanished): the id alone.
      if (item.facts !== undefined) return item.facts ?? stub;
      return context.loaders.skusByUser.load(item.user_id).then((skus) => skus.get(item.sku_id) ?? stub);
    },
    valid: (item, _args, context) => mapKnown(statusOf(item, context), (status) => status.valid),
    invalidReason: (item, _args, context) => mapKnown(statusOf(item, context), (status) => status.invalidReason),
    exceedsStock: (item, _args, context) => mapKnown(statusOf(item, context), (status) => status.exceedsStock),
  },
  CartPrice: {
    bestCoupon: (price: CartPriceValues) => (price.bestCouponId ? { __typename: 'Coupon', id: price.bestCouponId } : null),
  },
};
