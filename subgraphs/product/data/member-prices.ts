/** Data access for SKU member prices (skus.member_price). Knows knex, not GraphQL. */
import type { Knex } from 'knex';
import type { SkuRow } from './skus';

/**
 * Sets (or, with null, clears) a live SKU's member price in one statement that also checks it is not above the SKU's
 * price at that moment, so a concurrent price cut cannot slip between check and write. Undefined: no live SKU of that
 * id, or the member price is above its price (the caller tells which).
 */
export async function writeSkuMemberPrice(db: Knex, skuId: string, memberPrice: number | null): Promise<SkuRow | undefined> {
  const builder = db<SkuRow>('skus').where('id', skuId).whereNull('deleted_at');
  if (memberPrice !== null) builder.where('price', '>=', memberPrice);
  const [row] = await builder.update({ member_price: memberPrice, updated_at: db.fn.now() } as never).returning('*');
  return row as SkuRow | undefined;
}

export async function findLiveSku(db: Knex, skuId: string): Promise<SkuRow | undefined> {
  return db<SkuRow>('skus').where('id', skuId).whereNull('deleted_at').first();
}
