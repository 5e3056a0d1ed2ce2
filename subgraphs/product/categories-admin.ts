/**
 * Staff category management (scope catalog:write, checked by the resolvers; docs/categories.md). The tree keeps two
 * levels: top-level categories hold sub-categories, and products hang on sub-categories only. Every change runs in
 * one transaction under row locks and re-checks the tree there, so concurrent changes cannot make a cycle, a third
 * level or a top-level category with products. Renames and moves re-index the search text of the products below.
 */
import type { Knex } from 'knex';
import { badInput, conflict, notFound } from '../../platform/errors';
import { isBigintId } from '../../platform/loaders';
import type { CategoryRow } from './data/categories';
import * as writes from './data/category-writes';
import { reindexCategories } from './search-index';
import * as valid from './validation';

export const CATEGORY_NAME_LENGTH = 64;

/** 1-64 characters after trimming (NFC), no control characters. */
export function categoryName(value: string | null | undefined): string {
  const name = (value ?? '').normalize('NFC').trim();
  if (!name) throw badInput('The category name cannot be empty', 'name');
  if ([...name].length > CATEGORY_NAME_LENGTH) throw badInput(`The category name is longer than ${CATEGORY_NAME_LENGTH} characters`, 'name');
  if (/\p{Cc}/u.test(name)) throw badInput('The category name cannot contain control characters', 'name');
  return name;
}

/** Unique-index and foreign-key races become the client errors they are. */
async function guard<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === '23505') throw conflict('A category with this name already exists under this parent');
    if (code === '23503') throw conflict('The category is still in use');
    throw error;
  }
}

async function lockOne(trx: Knex, id: string): Promise<CategoryRow> {
  const [row] = isBigintId(id) ? await writes.lockCategories(trx, [id]) : [];
  if (!row) throw notFound('Category not found');
  return row;
}

/** A parent for a sub-category: it must exist and be top-level. Share-locked so it cannot move meanwhile. */
async function usableParent(trx: Knex, parentId: string): Promise<CategoryRow> {
  const parent = await writes.shareLockCategory(trx, parentId);
  if (!parent) throw badInput('Unknown parent category', 'parentId');
  if (parent.parent_id !== null) throw badInput('Categories have two levels: the parent must be a top-level category', 'parentId');
  return parent;
}

export interface CreateCategoryInput {
  name: string;
  parentId?: string | null;
  sortOrder?: number | null;
  hidden?: boolean | null;
}

export async function createCategory(db: Knex, input: CreateCategoryInput): Promise<CategoryRow> {
  const name = categoryName(input.name);
  const parentId = input.parentId == null ? null : valid.id(input.parentId, 'parentId');
  if (input.sortOrder != null && (!Number.isInteger(input.sortOrder) || input.sortOrder < 0 || input.sortOrder > 1_000_000)) {
    throw badInput('sortOrder must be a whole number from 0 to 1000000', 'sortOrder');
  }
  return guard(() =>
    db.transaction(async (trx) => {
      if (parentId !== null) await usableParent(trx, parentId);
      const sortOrder = input.sortOrder ?? (await writes.nextSortOrder(trx, parentId));
      return writes.insertCategory(trx, { name, parent_id: parentId, sort_order: sortOrder, hidden: input.hidden ?? false });
    }),
  );
}

export async function renameCategory(db: Knex, id: string, name: string): Promise<CategoryRow> {
  const newName = categoryName(name);
  return guard(() =>
    db.transaction(async (trx) => {
      const category = await lockOne(trx, id);
      if (category.name === newName) return category;
      const renamed = await writes.updateCategory(trx, category.id, { name: newName });
      // Products are found by their category's and its parent's names.
      await reindexCategories(trx, [category.id]);
      return renamed;
    }),
  );
}

/** Moves a category under another top-level one, or to the top level (parentId null); it goes last among its new siblings. */
export async function moveCategory(db: Knex, id: string, parentId: string | null): Promise<CategoryRow> {
  const newParentId = parentId === null ? null : valid.id(parentId, 'parentId');
  if (newParentId !== null && newParentId === id) throw badInput('A category cannot be its own parent', 'parentId');
  return guard(() =>
    db.transaction(async (trx) => {
      const locked = await (isBigintId(id) ? writes.lockCategories(trx, newParentId === null ? [id] : [id, newParentId]) : []);
      const category = locked.find((row) => row.id === id);
      if (!category) throw notFound('Category not found');
      if (category.parent_id === newParentId) return category;
      if (newParentId === null) {
        if ((await writes.countProducts(trx, category.id)) > 0) {
          throw conflict('The category has products, which hang on sub-categories only: move them first');
        }
      } else {
        const parent = locked.find((row) => row.id === newParentId);
        if (!parent) throw badInput('Unknown parent category', 'parentId');
        if (parent.parent_id === category.id) throw badInput('A category cannot move under its own sub-category', 'parentId');
        if (parent.parent_id !== null) throw badInput('Categories have two levels: the parent must be a top-level category', 'parentId');
        if ((await writes.countChildren(trx, category.id)) > 0) {
          throw conflict('The category has sub-categories: it cannot become a sub-category itself (two levels)');
        }
      }
      const moved = await writes.updateCategory(trx, category.id, { parent_id: newParentId, sort_order: await writes.nextSortOrder(trx, newParentId) });
      await reindexCategories(trx, [category.id]);
      return moved;
    }),
  );
}

/** Puts the children of a parent (null: the top level) in the given order; `ids` must list every one exactly once. */
export async function reorderCategories(db: Knex, parentId: string | null, ids: readonly string[]): Promise<CategoryRow[]> {
  const parent = parentId === null ? null : valid.id(parentId, 'parentId');
  if (new Set(ids).size !== ids.length) throw badInput('ids lists a category twice', 'ids');
  return db.transaction(async (trx) => {
    if (parent !== null) await lockOne(trx, parent);
    const children = await writes.lockChildren(trx, parent);
    const current = new Set(children.map((row) => row.id));
    if (ids.length !== current.size || ids.some((id) => !current.has(id))) {
      throw badInput('ids must list every category under this parent exactly once', 'ids');
    }
    return writes.setSortOrders(trx, ids);
  });
}

export async function setCategoryHidden(db: Knex, id: string, hidden: boolean): Promise<CategoryRow> {
  return db.transaction(async (trx) => {
    const category = await lockOne(trx, id);
    return category.hidden === hidden ? category : writes.updateCategory(trx, category.id, { hidden });
  });
}

/** Deletes an empty category: CONFLICT while it has sub-categories or products (off-shelf ones too). */
export async function deleteCategory(db: Knex, id: string): Promise<CategoryRow> {
  return guard(() =>
    db.transaction(async (trx) => {
      const category = await lockOne(trx, id);
      if ((await writes.countChildren(trx, category.id)) > 0) throw conflict('The category has sub-categories: move or delete them first');
      if ((await writes.countProducts(trx, category.id)) > 0) throw conflict('The category has products: move them to another category first');
      await writes.deleteCategory(trx, category.id);
      return category;
    }),
  );
}
