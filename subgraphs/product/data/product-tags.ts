/** Data access for product tags and the products that carry them. Knows knex, not GraphQL. */
import type { Knex } from 'knex';
import type { ProductRow } from './products';

export interface ProductTagRow {
  id: string;
  name: string;
  sort_order: number;
  created_at: Date;
}

export type ProductTagFields = Pick<ProductTagRow, 'name' | 'sort_order'>;

export async function findAllTags(db: Knex): Promise<ProductTagRow[]> {
  return db<ProductTagRow>('product_tags').orderBy([{ column: 'sort_order' }, { column: 'id' }]);
}

export async function findTagsByIds(db: Knex, ids: readonly string[]): Promise<ProductTagRow[]> {
  return db<ProductTagRow>('product_tags').whereRaw('id = ANY(?::bigint[])', [[...ids]]);
}

/** The tags of many products in one statement, each product's in display order. */
export async function findTagsOfProducts(db: Knex, productIds: readonly string[]): Promise<(ProductTagRow & { product_id: string })[]> {
  const rows = await db('product_tag_links as l')
    .join('product_tags as t', 't.id', 'l.tag_id')
    .select('t.*', 'l.product_id')
    .whereRaw('l.product_id = ANY(?::bigint[])', [[...productIds]])
    .orderBy([{ column: 't.sort_order' }, { column: 't.id' }]);
  return rows.map((row: ProductTagRow & { product_id: string }) => ({ ...row, product_id: String(row.product_id) }));
}

export interface TagPageQuery {
  tagId: string;
  onShelf?: boolean;
  /** Keyset: only product ids below this one. */
  beforeId?: string;
  limit: number;
}

/** One page of a tag's products, newest (highest id) first, in one statement. */
export async function findProductPageByTag(db: Knex, query: TagPageQuery): Promise<ProductRow[]> {
  const builder = db<ProductRow>('products').whereIn('id', (sub) => sub.select('product_id').from('product_tag_links').where('tag_id', query.tagId));
  if (query.onShelf !== undefined) builder.where('on_shelf', query.onShelf);
  if (query.beforeId !== undefined) builder.where('id', '<', query.beforeId);
  return builder.orderBy('id', 'desc').limit(query.limit);
}

export async function insertTag(db: Knex, fields: ProductTagFields): Promise<ProductTagRow> {
  const [row] = await db<ProductTagRow>('product_tags').insert(fields).returning('*');
  return row;
}

export async function updateTag(db: Knex, id: string, changes: Partial<ProductTagFields>): Promise<ProductTagRow | undefined> {
  const [row] = await db<ProductTagRow>('product_tags').where('id', id).update(changes).returning('*');
  return row;
}

export async function deleteTag(db: Knex, id: string): Promise<boolean> {
  return (await db('product_tags').where('id', id).delete()) > 0;
}

/** Replaces a product's tags. Run inside a transaction that locked the product. */
export async function replaceProductTags(db: Knex, productId: string, tagIds: readonly string[]): Promise<void> {
  await db('product_tag_links').where('product_id', productId).delete();
  if (tagIds.length) await db('product_tag_links').insert(tagIds.map((tagId) => ({ tag_id: tagId, product_id: productId })));
}
