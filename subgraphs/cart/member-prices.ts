/**
 * What a cart line shows of member prices (docs/member-prices.md): the unit price this shopper pays now and whether it
 * is a member price. Both from this request's SKU facts and the one membership answer (user-client.ts).
 */
import { mapKnown } from '../../platform/loaders';
import { memberPriceApplies, unitPriceFor } from '../../platform/price-summary';
import type { CartContext } from './context';
import type { CartItemView } from './items';

type Priced = { unitPrice: number; memberPriceApplied: boolean } | null;

function pricedLine(item: CartItemView, context: CartContext): Promise<Priced> {
  const facts = item.facts !== undefined ? item.facts : context.loaders.skusByUser.load(item.user_id).then((skus) => skus.get(item.sku_id) ?? null);
  return Promise.resolve(facts).then(async (sku) => {
    if (!sku) return null;
    // Membership is asked (one user call per request, shared with Cart.price) only for SKUs with a member price.
    const member = memberPriceApplies(sku, true) && (await context.loaders.memberPrices.load(item.user_id));
    return { unitPrice: unitPriceFor(sku, member), memberPriceApplied: memberPriceApplies(sku, member) };
  });
}

export const cartMemberPriceResolvers = {
  CartItem: {
    unitPrice: (item: CartItemView, _args: unknown, context: CartContext) => mapKnown(pricedLine(item, context), (line) => line?.unitPrice ?? null),
    memberPriceApplied: (item: CartItemView, _args: unknown, context: CartContext) =>
      mapKnown(pricedLine(item, context), (line) => line?.memberPriceApplied ?? false),
  },
};
