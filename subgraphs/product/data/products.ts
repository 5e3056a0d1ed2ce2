/** Data access for the products table. Knows knex, not GraphQL. */
import type { Knex } from 'knex';

export interface ProductRow {
  id: string;
  title: string;
  description: string;
  images: string[];
  category_id: string;
  brand_id: string | null;
  on_shelf: boolean;
  created_at: Date;
  updated_at: Date;
}

export type ProductChanges = Partial<Pick<ProductRow, 'title' | 'description' | 'images' | 'category_id' | 'brand_id' | 'on_shelf'>>;

export async function findProductsByIds(db: Knex, ids: readonly string[]): Promise<ProductRow[]> {
  return db<ProductRow>('products').whereRaw('id = ANY(?::bigint[])', [[...ids]]);
}

export interface ProductPageQuery {
  /** Products of this category or, for a top-level category, of its children. */
  categoryId?: string;
  brandId?: string;
  onShelf?: boolean;
  /** Keyset: only ids below this one. */
  beforeId?: string;
  limit: number;
}

/** One page of products, newest (highest id) first, in one statement (keyword searches: data/product-search.ts). */
export async function findProductPage(db: Knex, query: ProductPageQuery): Promise<ProductRow[]> {
  const builder = db<ProductRow>('products');
  if (query.categoryId !== undefined) {
    builder.whereIn('category_id', (sub) =>
      sub.select('id').from('categories').where('id', query.categoryId).orWhere('parent_id', query.categoryId),
    );
  }
  if (query.brandId !== undefined) builder.where('brand_id', query.brandId);
  if (query.onShelf !== undefined) builder.where('on_shelf', query.onShelf);
  if (query.beforeId !== undefined) builder.where('id', '<', query.beforeId);
  return builder.orderBy('id', 'desc').limit(query.limit);
}

/** Makes `%`, `_` and the escape character itself match literally in a LIKE pattern. */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (ch) => `\\${ch}`);
}

export async function insertProduct(
  db: Knex,
  row: Pick<ProductRow, 'title' | 'description' | 'images' | 'category_id' | 'brand_id' | 'on_shelf'>,
): Promise<ProductRow> {
  const [inserted] = await db<ProductRow>('products').insert(row).returning('*');
  return inserted;
}

/** The product, locked for the rest of the transaction (staff edits of one product serialize). */
export async function lockProduct(db: Knex, id: string): Promise<ProductRow | undefined> {
  return db<ProductRow>('products').where('id', id).forUpdate().first();
}

export async function updateProduct(db: Knex, id: string, changes: ProductChanges): Promise<ProductRow> {
  const [updated] = await db<ProductRow>('products')
    .where('id', id)
    .update({ ...changes, updated_at: db.fn.now() } as never)
    .returning('*');
  return updated;
}
