/** Thin resolvers: every cart field needs a signed-in user; data comes from loaders, rules from cart.ts / pricing.ts. */
import { Kind, type FieldNode } from 'graphql';
import { requireService, requireUser } from '../../platform/context';
import { isBigintId } from '../../platform/loaders';
import { deleteLines } from './data/cart-items';
import { mayRead } from '../../platform/ownership';
import { addToCart, clearInvalidCartItems, removeCartItems, updateCartItem, type CartRef } from './cart';
import type { CartContext } from './context';
import type { CartLineRow } from './data/cart-items';
import type { Resolvers } from './generated/resolvers-types';
import { lineStatus, type CartPriceValues } from './pricing';

const selectsMoreCache = new WeakMap<readonly FieldNode[], boolean>();

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

async function statusOf(line: CartLineRow, context: CartContext) {
  const skus = await context.loaders.skusByUser.load(line.user_id);
  return lineStatus(line.quantity, skus.get(line.sku_id) ?? null);
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
    items: (cart, _args, context) => context.loaders.linesByUser.load(cart.id),
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
    async sku(line, _args, context, info) {
      const stub = { id: line.sku_id };
      if (!selectsMoreThanId(info.fieldNodes)) return stub;
      // The facts as product answered them (Sku and Product are object types here: no __typename needed).
      // Unknown SKU (adding to the cart checks it exists, so only if one vanished): the id alone.
      return (await context.loaders.skusByUser.load(line.user_id)).get(line.sku_id) ?? stub;
    },
    valid: async (line, _args, context) => (await statusOf(line, context)).valid,
    invalidReason: async (line, _args, context) => (await statusOf(line, context)).invalidReason,
    exceedsStock: async (line, _args, context) => (await statusOf(line, context)).exceedsStock,
  },
  CartPrice: {
    bestCoupon: (price: CartPriceValues) => (price.bestCouponId ? { __typename: 'Coupon', id: price.bestCouponId } : null),
  },
};
