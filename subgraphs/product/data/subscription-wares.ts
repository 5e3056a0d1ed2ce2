/** Data access for subscribable wares (subscription_wares). Knows knex, not GraphQL. */
import type { Knex } from 'knex';

export type SubscriptionCycle = 'WEEKLY' | 'MONTHLY';

export interface SubscriptionWaresRow {
  id: string;
  product_id: string;
  sku_id: string;
  title: string;
  cycle: SubscriptionCycle;
  periods: number;
  quantity_per_period: number;
  /** The whole subscription's price, in fen. */
  price: number;
  on_shelf: boolean;
  sort_order: number;
  created_at: Date;
  updated_at: Date;
}

export type WaresFields = Pick<SubscriptionWaresRow, 'title' | 'cycle' | 'periods' | 'quantity_per_period' | 'price' | 'on_shelf' | 'sort_order'>;

export async function findWaresByIds(db: Knex, ids: readonly string[]): Promise<SubscriptionWaresRow[]> {
  return db<SubscriptionWaresRow>('subscription_wares').whereRaw('id = ANY(?::bigint[])', [[...ids]]);
}

/** The wares of many products (on the shelf or not), in display order, in one statement. */
export async function findWaresByProductIds(db: Knex, productIds: readonly string[]): Promise<SubscriptionWaresRow[]> {
  return db<SubscriptionWaresRow>('subscription_wares')
    .whereRaw('product_id = ANY(?::bigint[])', [[...productIds]])
    .orderBy([{ column: 'product_id' }, { column: 'sort_order' }, { column: 'id' }]);
}

/** Staff list: newest first, keyset by id, optionally of one product. */
export async function findWaresPage(db: Knex, query: { productId?: string; beforeId?: string; limit: number }): Promise<SubscriptionWaresRow[]> {
  const q = db<SubscriptionWaresRow>('subscription_wares').orderBy('id', 'desc').limit(query.limit);
  if (query.productId) q.where('product_id', query.productId);
  if (query.beforeId) q.where('id', '<', query.beforeId);
  return q;
}

export async function insertWares(db: Knex, wares: WaresFields & { product_id: string; sku_id: string }): Promise<SubscriptionWaresRow> {
  const [row] = await db<SubscriptionWaresRow>('subscription_wares').insert(wares as never).returning('*');
  return row;
}

export async function updateWares(db: Knex, id: string, changes: Partial<WaresFields>): Promise<SubscriptionWaresRow | undefined> {
  const [row] = await db<SubscriptionWaresRow>('subscription_wares')
    .where('id', id)
    .update({ ...changes, updated_at: db.fn.now() } as never)
    .returning('*');
  return row;
}
