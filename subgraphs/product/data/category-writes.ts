/** Data access for staff changes to the categories table (categories-admin.ts). Knows knex, not GraphQL. */
import type { Knex } from 'knex';
import type { CategoryRow } from './categories';

/** Categories locked for update, in id order (two staff changes touching the same rows never deadlock). */
export async function lockCategories(db: Knex, ids: readonly string[]): Promise<CategoryRow[]> {
  return db<CategoryRow>('categories').whereRaw('id = ANY(?::bigint[])', [[...ids]]).orderBy('id').forUpdate();
}

/**
 * A category locked in share mode: it cannot be moved, renamed or deleted until this transaction ends, while others
 * may share the lock (adding a sub-category or a product under it).
 */
export async function shareLockCategory(db: Knex, id: string): Promise<CategoryRow | undefined> {
  return db<CategoryRow>('categories').where('id', id).forShare().first();
}

/** The children of a parent (null: the top level), locked for update, in display order. */
export async function lockChildren(db: Knex, parentId: string | null): Promise<CategoryRow[]> {
  const builder = db<CategoryRow>('categories');
  if (parentId === null) builder.whereNull('parent_id');
  else builder.where('parent_id', parentId);
  return builder.orderBy([{ column: 'sort_order' }, { column: 'id' }]).forUpdate();
}

/** One past the last sort order among the parent's children. */
export async function nextSortOrder(db: Knex, parentId: string | null): Promise<number> {
  const builder = db('categories');
  if (parentId === null) builder.whereNull('parent_id');
  else builder.where('parent_id', parentId);
  const row = await builder.max<{ max: number | null }>('sort_order as max').first();
  return row?.max === null || row?.max === undefined ? 0 : Number(row.max) + 1;
}

export async function countChildren(db: Knex, id: string): Promise<number> {
  const row = await db('categories').where('parent_id', id).count<{ count: string }>('* as count').first();
  return Number(row?.count ?? 0);
}

/** Products (on or off the shelf) that sit in the category. */
export async function countProducts(db: Knex, id: string): Promise<number> {
  const row = await db('products').where('category_id', id).count<{ count: string }>('* as count').first();
  return Number(row?.count ?? 0);
}

export async function insertCategory(db: Knex, row: Pick<CategoryRow, 'name' | 'parent_id' | 'sort_order' | 'hidden'>): Promise<CategoryRow> {
  const [inserted] = await db<CategoryRow>('categories').insert(row).returning('*');
  return inserted;
}

export async function updateCategory(db: Knex, id: string, changes: Partial<Pick<CategoryRow, 'name' | 'parent_id' | 'sort_order' | 'hidden'>>): Promise<CategoryRow> {
  const [updated] = await db<CategoryRow>('categories')
    .where('id', id)
    .update({ ...changes, updated_at: db.fn.now() } as never)
    .returning('*');
  return updated;
}

/** Sets each category's sort order to its position in `ids`, one statement. */
export async function setSortOrders(db: Knex, ids: readonly string[]): Promise<CategoryRow[]> {
  return db.raw(
    `UPDATE categories c SET sort_order = o.position - 1, updated_at = now()
       FROM unnest(?::bigint[]) WITH ORDINALITY AS o(id, position)
      WHERE c.id = o.id
      RETURNING c.*`,
    [[...ids]],
  ).then((result: { rows: CategoryRow[] }) => result.rows.sort((a, b) => a.sort_order - b.sort_order));
}

export async function deleteCategory(db: Knex, id: string): Promise<void> {
  await db('categories').where('id', id).delete();
}
