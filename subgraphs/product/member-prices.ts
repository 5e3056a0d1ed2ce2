/**
 * Member prices (docs/member-prices.md): `Sku.memberPrice` and the staff write `setSkuMemberPrice`. Who pays it is
 * decided where prices are summed (platform/price-summary.ts, for cart and order), not here: product only states it.
 */
import type { Knex } from 'knex';
import { badInput, notFound } from '../../platform/errors';
import { requireScope } from '../../platform/context';
import type { MoneyLimits } from '../../platform/money';
import { catalogChanged } from './catalog-cache';
import type { ProductContext } from './context';
import { findLiveSku, writeSkuMemberPrice } from './data/member-prices';
import type { SkuRow } from './data/skus';
import * as valid from './validation';
import { CATALOG_WRITE } from './visibility';

/**
 * The member price shoppers see and pay: never above the price (a price cut below it after it was set makes members
 * pay the price, as everyone), null when the SKU has none.
 */
export function memberPriceOf(sku: Pick<SkuRow, 'price' | 'member_price'>): number | null {
  return sku.member_price == null ? null : Math.min(sku.member_price, sku.price);
}

/** Validates and writes; BAD_USER_INPUT (field memberPrice) for a price outside 1..the SKU's price, NOT_FOUND for no live SKU. */
export async function setSkuMemberPrice(db: Knex, skuId: string, memberPrice: number | null | undefined, limits: MoneyLimits): Promise<SkuRow> {
  valid.id(skuId, 'skuId');
  const value = memberPrice == null ? null : valid.price(memberPrice, limits, 'memberPrice');
  const row = await writeSkuMemberPrice(db, skuId, value);
  if (row) return row;
  const sku = await findLiveSku(db, skuId);
  if (!sku) throw notFound(`SKU ${skuId}`);
  throw badInput(`The member price must be 1 to the SKU's price (${sku.price} fen)`, 'memberPrice');
}

export const memberPriceResolvers = {
  Sku: {
    memberPrice: (sku: SkuRow) => memberPriceOf(sku),
  },
  Mutation: {
    async setSkuMemberPrice(_parent: unknown, args: { skuId: string; memberPrice?: number | null }, context: ProductContext) {
      requireScope(context, CATALOG_WRITE);
      const sku = await setSkuMemberPrice(context.db, args.skuId, args.memberPrice, context.config.money);
      // A catalog write: the public reads (Sku, the member-price list) show it on the next read, on every instance.
      await catalogChanged(context.catalogCache);
      context.catalog?.view.bypass();
      context.loaders.skuById.clear(sku.id).prime(sku.id, sku);
      context.loaders.liveSkusByProductId.clear(sku.product_id);
      return sku;
    },
  },
};

/** Spreads the member-price resolvers into the subgraph's map (index.ts). */
export function withMemberPrices<Map extends Record<string, object>>(base: Map): Map {
  const merged: Record<string, object> = { ...base };
  for (const [type, fields] of Object.entries(memberPriceResolvers)) merged[type] = { ...(merged[type] ?? {}), ...fields };
  return merged as Map;
}
