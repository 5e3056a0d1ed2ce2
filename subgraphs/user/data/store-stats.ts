/** Data access for the back office's statistics read model (store-stats.ts). Knows knex, not GraphQL. */
import type { Knex } from 'knex';

export type DayCounter =
  | 'orders_placed'
  | 'orders_paid'
  | 'sales_amount'
  | 'orders_cancelled'
  | 'orders_refunded'
  | 'refunded_amount'
  | 'coupons_redeemed'
  | 'coupon_amount';

/** Adds to a store's day (created at zero when new). */
export async function addToDay(db: Knex, storeCode: string, day: string, deltas: Partial<Record<DayCounter, number>>): Promise<void> {
  const columns = Object.keys(deltas) as DayCounter[];
  if (!columns.length) return;
  const merge = Object.fromEntries(columns.map((column) => [column, db.raw(`stats_store_days.${column} + EXCLUDED.${column}`)]));
  await db('stats_store_days').insert({ store_code: storeCode, day, ...deltas }).onConflict(['store_code', 'day']).merge(merge);
}

export async function rememberOrder(db: Knex, row: { order_id: string; store_code: string; total: number; placed_at: Date }): Promise<void> {
  await db('stats_orders').insert(row).onConflict('order_id').ignore();
}

export async function findOrder(db: Knex, orderId: string): Promise<{ store_code: string; total: string } | undefined> {
  return db('stats_orders').select('store_code', 'total').where({ order_id: orderId }).first();
}

export async function addSkuSales(db: Knex, storeCode: string, day: string, lines: { skuId: string; productId: string; quantity: number }[]): Promise<void> {
  const bySku = new Map<string, { productId: string; quantity: number }>();
  for (const line of lines) {
    const known = bySku.get(line.skuId);
    bySku.set(line.skuId, { productId: line.productId, quantity: (known?.quantity ?? 0) + line.quantity });
  }
  if (!bySku.size) return;
  await db('stats_store_sku_days')
    .insert([...bySku].map(([skuId, line]) => ({ store_code: storeCode, day, sku_id: skuId, product_id: line.productId, quantity: line.quantity, orders: 1 })))
    .onConflict(['store_code', 'day', 'sku_id'])
    .merge({
      quantity: db.raw('stats_store_sku_days.quantity + EXCLUDED.quantity'),
      orders: db.raw('stats_store_sku_days.orders + 1'),
    });
}

export interface DayRow {
  store_code: string;
  day: string;
  orders_placed: number;
  orders_paid: number;
  sales_amount: string;
  orders_cancelled: number;
  orders_refunded: number;
  refunded_amount: string;
  coupons_redeemed: number;
  coupon_amount: string;
}

/** The days of one store (or of all, when null) between two Shanghai dates (inclusive), oldest first. */
export async function findDays(db: Knex, storeCodes: string[] | null, from: string, to: string): Promise<DayRow[]> {
  const query = db('stats_store_days')
    .select(
      'store_code',
      db.raw(`to_char(day, 'YYYY-MM-DD') AS day`),
      'orders_placed',
      'orders_paid',
      'sales_amount',
      'orders_cancelled',
      'orders_refunded',
      'refunded_amount',
      'coupons_redeemed',
      'coupon_amount',
    )
    .whereBetween('day', [from, to])
    .orderBy(['day', 'store_code']);
  if (storeCodes) query.whereIn('store_code', storeCodes);
  return query;
}

export interface SkuSalesRow {
  sku_id: string;
  product_id: string;
  quantity: number;
  orders: number;
}

/** Units per SKU of one store over the dates (inclusive), best sellers first; keyset by (quantity, sku) is overkill: top N. */
export async function findSkuSales(db: Knex, storeCode: string, from: string, to: string, limit: number): Promise<SkuSalesRow[]> {
  return db('stats_store_sku_days')
    .select('sku_id', db.raw('max(product_id) AS product_id'), db.raw('sum(quantity)::int AS quantity'), db.raw('sum(orders)::int AS orders'))
    .where({ store_code: storeCode })
    .whereBetween('day', [from, to])
    .groupBy('sku_id')
    .orderBy([{ column: 'quantity', order: 'desc' }, { column: 'sku_id', order: 'asc' }])
    .limit(limit);
}
