/** Data access for the categories table. Knows knex, not GraphQL. */
import type { Knex } from 'knex';

export interface CategoryRow {
  id: string;
  parent_id: string | null;
  name: string;
  sort_order: number;
  /** Hidden from shoppers' category lists (staff still see it; its products stay reachable). */
  hidden: boolean;
}

/** What a `Category` field receives: a full row, or only the id a product points at (loaded when more is asked). */
export type CategoryRef = CategoryRow | { id: string };

export async function findCategoriesByIds(db: Knex, ids: readonly string[]): Promise<CategoryRow[]> {
  return db<CategoryRow>('categories').whereRaw('id = ANY(?::bigint[])', [[...ids]]);
}

/** Children of many parents in one statement, in display order. */
export async function findCategoriesByParentIds(db: Knex, parentIds: readonly string[]): Promise<CategoryRow[]> {
  return db<CategoryRow>('categories')
    .whereRaw('parent_id = ANY(?::bigint[])', [[...parentIds]])
    .orderBy([{ column: 'sort_order' }, { column: 'id' }]);
}

export async function findTopCategories(db: Knex): Promise<CategoryRow[]> {
  return db<CategoryRow>('categories')
    .whereNull('parent_id')
    .orderBy([{ column: 'sort_order' }, { column: 'id' }]);
}
