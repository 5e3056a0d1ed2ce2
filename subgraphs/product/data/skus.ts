/** Data access for the skus table. Knows knex, not GraphQL. */
import type { Knex } from 'knex';
import { recordAdjustments } from './stock';

export interface SkuRow {
  id: string;
  product_id: string;
  name: string;
  price: number;
  /** Available: what can still be reserved (units held by unpaid orders and units sold are not in it). */
  stock: number;
  /** Held by orders not yet paid (see data/stock.ts). */
  reserved: number;
  /** Committed by paid orders. */
  sold: number;
  /** Price for members (TRIAL or FORMAL), fen; null: none. Read through memberPriceOf (never above price). */
  member_price: number | null;
  sort_order: number;
  deleted_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

export type NewSku = Pick<SkuRow, 'name' | 'price' | 'stock'>;

/** SKUs by id, deleted ones included (carts and orders still point at them). */
export async function findSkusByIds(db: Knex, ids: readonly string[]): Promise<SkuRow[]> {
  return db<SkuRow>('skus').whereRaw('id = ANY(?::bigint[])', [[...ids]]);
}

/** The SKUs of many products that are not deleted, in display order, in one statement. */
export async function findLiveSkusByProductIds(db: Knex, productIds: readonly string[]): Promise<SkuRow[]> {
  return db<SkuRow>('skus')
    .whereRaw('product_id = ANY(?::bigint[])', [[...productIds]])
    .whereNull('deleted_at')
    .orderBy([{ column: 'product_id' }, { column: 'sort_order' }, { column: 'id' }]);
}

/**
 * Inserts SKUs for one product in one statement, numbering them after `firstSortOrder`, and starts their stock
 * ledger with the initial quantity (one more statement).
 */
export async function insertSkus(db: Knex, productId: string, skus: NewSku[], firstSortOrder = 0): Promise<SkuRow[]> {
  const rows = await db<SkuRow>('skus')
    .insert(skus.map((sku, index) => ({ ...sku, product_id: productId, sort_order: firstSortOrder + index })))
    .returning('*');
  await recordAdjustments(
    db,
    rows.map((row) => ({ skuId: row.id, delta: row.stock, reason: 'INITIAL' })),
  );
  return rows;
}

/** The SKU, locked for the rest of the transaction. */
export async function lockSku(db: Knex, id: string): Promise<SkuRow | undefined> {
  return db<SkuRow>('skus').where('id', id).forUpdate().first();
}

export async function updateSku(db: Knex, id: string, changes: Partial<NewSku>): Promise<SkuRow> {
  const [updated] = await db<SkuRow>('skus')
    .where('id', id)
    .update({ ...changes, updated_at: db.fn.now() } as never)
    .returning('*');
  return updated;
}

export async function softDeleteSku(db: Knex, id: string): Promise<SkuRow> {
  const [deleted] = await db<SkuRow>('skus')
    .where('id', id)
    .update({ deleted_at: db.fn.now(), updated_at: db.fn.now() } as never)
    .returning('*');
  return deleted;
}

/** Names and the highest sort order of a product's live SKUs (to validate and append a new one). */
export async function liveSkuSummary(db: Knex, productId: string): Promise<{ names: string[]; maxSortOrder: number }> {
  const rows = await db<SkuRow>('skus').select('name', 'sort_order').where('product_id', productId).whereNull('deleted_at');
  return { names: rows.map((r) => r.name), maxSortOrder: rows.reduce((max, r) => Math.max(max, r.sort_order), -1) };
}
