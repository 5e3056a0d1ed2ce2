/**
 * Per-request loaders. A cart read costs one SQL statement (the user's lines) and one product call (every SKU
 * of the cart in one `_entities`), whatever the number of lines and however many fields ask for them.
 */
import DataLoader from 'dataloader';
import type { Knex } from 'knex';
import type { Config } from '../../platform/config';
import { groupedBy } from '../../platform/loaders';
import { assertOrderTotal } from '../../platform/money';
import type { ServiceClient } from '../../platform/service-client';
import { shippingFee } from '../../platform/shipping';
import { findLinesByUserIds, type CartLineRow } from './data/cart-items';
import { billableItems, priceCart, subtotalOf, type CartPriceValues } from './pricing';
import { createSkuLoader, quoteBestCoupon, type SkuInfo } from './services';

export function createCartLoaders(db: Knex, services: ServiceClient, config: Config, userId: string | undefined) {
  const linesByUser = new DataLoader<string, CartLineRow[]>(groupedBy((row) => row.user_id, (ids) => findLinesByUserIds(db, ids)));
  const skuById = createSkuLoader(services, userId);

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

  /** The price check; promote is asked only when something selected and valid is in the cart. */
  const priceByUser = new DataLoader<string, CartPriceValues>((userIds) =>
    Promise.all(
      userIds.map(async (owner): Promise<CartPriceValues | Error> => {
        const [lines, skus] = await Promise.all([linesByUser.load(owner), skusByUser.load(owner)]);
        const items = billableItems(
          lines.map((line) => ({ skuId: line.sku_id, quantity: line.quantity, selected: line.selected })),
          skus,
        );
        const subtotal = subtotalOf(items);
        // Prices can rise after items were added: above the order maximum the sums could leave GraphQL Int, so
        // the price check answers CONFLICT (reason ORDER_TOTAL_TOO_LARGE) instead of a number; items stay readable.
        try {
          assertOrderTotal(subtotal, config.money);
        } catch (error) {
          return error as Error;
        }
        const best = items.length
          ? await quoteBestCoupon(services, owner, { items, shippingFee: shippingFee(subtotal, config) })
          : null;
        return priceCart(subtotal, best, config);
      }),
    ),
  );

  return {
    linesByUser,
    skuById,
    skusByUser,
    priceByUser,
    /** After a write: the next read of this user's cart goes to the database again (SKU facts stay cached). */
    forgetCart(owner: string) {
      linesByUser.clear(owner);
      skusByUser.clear(owner);
      priceByUser.clear(owner);
    },
  };
}
export type CartLoaders = ReturnType<typeof createCartLoaders>;
