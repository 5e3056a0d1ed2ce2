/**
 * Data access for switching a cart line to another SKU (switch-sku.ts). Knows knex, not GraphQL. Call inside a
 * transaction that holds the cart lock (cart-items.ts `lockCart`), so the lines read here stay as read until commit.
 */
import type { Knex } from 'knex';
import type { CartLineRow } from './cart-items';

const LINE_COLUMNS = ['id', 'user_id', 'sku_id', 'quantity', 'selected'] as const;

/** The user's line `id` and the user's line of `skuId` (either may be missing), read under the cart lock. */
export async function findSwitchLines(
  trx: Knex.Transaction,
  userId: string,
  id: string,
  skuId: string,
): Promise<{ line?: CartLineRow; target?: CartLineRow }> {
  const rows = await trx<CartLineRow>('cart_items')
    .select(...LINE_COLUMNS)
    .where({ user_id: userId })
    .andWhere((where) => where.where({ id }).orWhere({ sku_id: skuId }))
    .forUpdate();
  return { line: rows.find((row) => String(row.id) === id), target: rows.find((row) => String(row.sku_id) === skuId && String(row.id) !== id) };
}

/** The line now holds `quantity` of `skuId` (its id, position and selection stay). */
export async function moveLine(trx: Knex.Transaction, userId: string, id: string, skuId: string, quantity: number): Promise<void> {
  await trx('cart_items').where({ id, user_id: userId }).update({ sku_id: skuId, quantity, updated_at: trx.fn.now() });
}

/** Merges line `fromId` into line `intoId`: the latter holds `quantity` pieces and the selection given; the former goes. */
export async function mergeLines(
  trx: Knex.Transaction,
  userId: string,
  fromId: string,
  intoId: string,
  quantity: number,
  selected: boolean,
): Promise<void> {
  await trx('cart_items').where({ id: fromId, user_id: userId }).delete();
  await trx('cart_items').where({ id: intoId, user_id: userId }).update({ quantity, selected, updated_at: trx.fn.now() });
}
