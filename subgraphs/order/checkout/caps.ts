/**
 * Anti-hoarding caps on what one shopper holds unpaid (issue 15 finding 6): at most MAX_UNPAID_ORDERS_PER_SHOPPER
 * orders being placed or waiting for payment, and at most MAX_UNPAID_UNITS_PER_SKU units of any one SKU across them
 * (this order included). Checked in the transaction that inserts the CREATING order, under the shopper's checkout
 * lock, so concurrent checkouts of one shopper cannot both pass; refused before anything is reserved, so a refusal
 * holds nothing. Paying or cancelling an order frees its share at once.
 */
import type { Knex } from 'knex';
import { shopError } from '../../../platform/errors';
import type { OrderConfig } from '../../../platform/config';
import { findOrderByIdempotencyKey, lockShopperCheckouts, unpaidHoldings } from '../data/checkout';

/**
 * In the transaction about to insert the CREATING order: takes the shopper's checkout lock (held to commit) and
 * checks the caps. False when this idempotency key's order already exists (a concurrent request with the same key
 * won: the caller replays it rather than refusing it for the cap its own order fills).
 */
export async function takeCheckoutSlot(
  trx: Knex.Transaction,
  userId: string,
  key: string,
  lines: readonly { skuId: string; quantity: number }[],
  caps: Pick<OrderConfig, 'maxUnpaidOrdersPerShopper' | 'maxUnpaidUnitsPerSku'>,
): Promise<boolean> {
  await lockShopperCheckouts(trx, userId);
  try {
    await assertWithinCaps(trx, userId, lines, caps);
    return true;
  } catch (refusal) {
    if (await findOrderByIdempotencyKey(trx, userId, key)) return false;
    throw refusal;
  }
}

export async function assertWithinCaps(
  trx: Knex.Transaction,
  userId: string,
  lines: readonly { skuId: string; quantity: number }[],
  caps: Pick<OrderConfig, 'maxUnpaidOrdersPerShopper' | 'maxUnpaidUnitsPerSku'>,
): Promise<void> {
  const held = await unpaidHoldings(trx, userId, lines.map((line) => line.skuId));
  if (held.orders >= caps.maxUnpaidOrdersPerShopper) {
    throw shopError('CONFLICT', `You have ${held.orders} unpaid orders: pay or cancel one before placing another`, {
      reason: 'TOO_MANY_UNPAID_ORDERS',
      limit: caps.maxUnpaidOrdersPerShopper,
      unpaidOrders: held.orders,
    });
  }
  const over = lines
    .map((line) => ({ skuId: line.skuId, held: held.units.get(line.skuId) ?? 0, requested: line.quantity }))
    .filter((line) => line.held + line.requested > caps.maxUnpaidUnitsPerSku);
  if (over.length) {
    throw shopError('CONFLICT', `At most ${caps.maxUnpaidUnitsPerSku} pieces of one item may wait for payment at once, across your unpaid orders`, {
      reason: 'TOO_MANY_UNITS_HELD',
      limit: caps.maxUnpaidUnitsPerSku,
      skuIds: over.map((line) => line.skuId),
      lines: over,
    });
  }
}
