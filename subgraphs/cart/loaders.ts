/**
 * Per-request loaders. A cart read costs one SQL statement (the user's lines) and one product call (every SKU
 * of the cart in one `_entities`), whatever the number of lines and however many fields ask for them.
 */
import DataLoader from 'dataloader';
import type { Knex } from 'knex';
import type { Config } from '../../platform/config';
import { groupedBy } from '../../platform/loaders';
import type { ServiceClient } from '../../platform/service-client';
import { priceSummary } from '../../platform/price-summary-services';
import { findLinesByUserIds, type CartLineRow } from './data/cart-items';
import { toCartPrice, type CartPriceValues } from './pricing';
import { createSkuLoader, type SkuInfo } from './services';
import { createMemberPricesLoader } from './user-client';

export function createCartLoaders(db: Knex, services: ServiceClient, config: Config) {
  const linesByUser = new DataLoader<string, CartLineRow[]>(groupedBy((row) => row.user_id, (ids) => findLinesByUserIds(db, ids)));
  const skuById = createSkuLoader(services);
  /** Whether each shopper pays member prices: one user call per request (user-client.ts). */
  const memberPrices = createMemberPricesLoader(services);

  /** The SKUs of all the user's lines, asked for together so they go out in one call. */
  const skusByUser = new DataLoader<string, Map<string, SkuInfo | null>>((userIds) =>
    Promise.all(
      userIds.map(async (owner) => {
        const skuIds = [...new Set((await linesByUser.load(owner)).map((line) => line.sku_id))];
        const skus = await skuById.loadMany(skuIds);
        const failed = skus.find((sku): sku is Error => sku instanceof Error);
        if (failed) throw failed;
        return new Map(skuIds.map((id, index) => [id, skus[index] as SkuInfo | null]));
      }),
    ),
  );

  /**
   * The price check: the shared price summary of the selected lines (best coupon, silently none), reading the SKUs
   * from this request's cache; promote is asked only when something selected and valid is in the cart.
   */
  const priceByUser = new DataLoader<string, CartPriceValues>((userIds) =>
    Promise.all(
      userIds.map(async (owner): Promise<CartPriceValues | Error> => {
        const [lines] = await Promise.all([linesByUser.load(owner), skusByUser.load(owner)]);
        const selected = lines.filter((line) => line.selected).map((line) => ({ skuId: line.sku_id, quantity: line.quantity }));
        // An error for this key only (ORDER_TOTAL_TOO_LARGE): the cart's items stay readable so the shopper can fix it.
        const member = () => memberPrices.load(owner);
        return priceSummary({ services, config, skus: skuById }, owner, { lines: selected, member }).then(toCartPrice, (error: Error) => error);
      }),
    ),
  );

  return {
    linesByUser,
    skuById,
    skusByUser,
    priceByUser,
    memberPrices,
    /** After a write: the next read of this user's cart goes to the database again (SKU facts stay cached). */
    forgetCart(owner: string) {
      linesByUser.clear(owner);
      skusByUser.clear(owner);
      priceByUser.clear(owner);
    },
  };
}
export type CartLoaders = ReturnType<typeof createCartLoaders>;
