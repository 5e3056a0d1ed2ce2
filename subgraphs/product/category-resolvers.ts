/** Category fields and staff category management (docs/categories.md); spread into resolvers.ts. */
import { requireScope } from '../../platform/context';
import { mapKnown } from '../../platform/loaders';
import * as admin from './categories-admin';
import { catalogChanged } from './catalog-cache';
import type { ProductContext } from './context';
import type { CategoryRef, CategoryRow } from './data/categories';
import type { CategoryResolvers, MutationResolvers } from './generated/resolvers-types';
import { topCategories } from './listings';
import { CATALOG_WRITE, seesOffShelf } from './visibility';

/** Staff who edit the catalog see hidden categories; shoppers do not. */
export const visibleCategories = (rows: CategoryRow[], context: ProductContext) => (seesOffShelf(context) ? rows : rows.filter((row) => !row.hidden));

/**
 * A category that may be known by id only (Product.category): load the row when a field needs more. Synchronous
 * when this request already has the row.
 */
export function categoryRow(category: CategoryRef, context: ProductContext): CategoryRow | Promise<CategoryRow> {
  if ('name' in category) return category;
  const known = context.loaders.categoryById.peek(category.id);
  if (known) return known;
  return context.loaders.categoryById.load(category.id).then((row) => {
    if (!row) throw new Error(`Category ${category.id} is missing`);
    return row;
  });
}

/** The top level, read once per request however many top-level categories ask for their siblings. */
const topLevelOf = new WeakMap<ProductContext, Promise<CategoryRow[]>>();
export function topLevel(context: ProductContext): Promise<CategoryRow[]> {
  let level = topLevelOf.get(context);
  if (!level) topLevelOf.set(context, (level = topCategories(context)));
  return level;
}

/** After a committed change: every reader's next request sees it; this one reads PostgreSQL from now on. */
async function afterCategoryWrite(context: ProductContext, changed: CategoryRow[]) {
  await catalogChanged(context.catalogCache);
  topLevelOf.delete(context);
  context.catalog?.view.bypass();
  context.loaders.categoriesByParentId.clearAll();
  for (const row of changed) context.loaders.categoryById.clear(row.id).prime(row.id, row);
}

export const categoryFields: Pick<CategoryResolvers<ProductContext>, 'parent' | 'siblings' | 'hidden' | 'children'> = {
  async children(category, _args, context) {
    return visibleCategories(await context.loaders.categoriesByParentId.load(category.id), context);
  },
  parent: (category, _args, context) =>
    mapKnown(categoryRow(category, context), (row) => (row.parent_id === null ? null : { id: row.parent_id })),
  async siblings(category, _args, context) {
    const row = await categoryRow(category, context);
    const level = row.parent_id === null ? await topLevel(context) : await context.loaders.categoriesByParentId.load(row.parent_id);
    return visibleCategories(level, context).filter((other) => other.id !== row.id);
  },
  hidden: (category, _args, context) => mapKnown(categoryRow(category, context), (row) => row.hidden),
};

type CategoryMutations = 'createCategory' | 'renameCategory' | 'moveCategory' | 'reorderCategories' | 'setCategoryHidden' | 'deleteCategory';

export const categoryMutations: Pick<MutationResolvers<ProductContext>, CategoryMutations> = {
  async createCategory(_parent, { input }, context) {
    requireScope(context, CATALOG_WRITE);
    const created = await admin.createCategory(context.db, input);
    await afterCategoryWrite(context, [created]);
    return created;
  },
  async renameCategory(_parent, { id, name }, context) {
    requireScope(context, CATALOG_WRITE);
    const renamed = await admin.renameCategory(context.db, id, name);
    await afterCategoryWrite(context, [renamed]);
    return renamed;
  },
  async moveCategory(_parent, { id, parentId }, context) {
    requireScope(context, CATALOG_WRITE);
    const moved = await admin.moveCategory(context.db, id, parentId ?? null);
    await afterCategoryWrite(context, [moved]);
    return moved;
  },
  async reorderCategories(_parent, { parentId, ids }, context) {
    requireScope(context, CATALOG_WRITE);
    const ordered = await admin.reorderCategories(context.db, parentId ?? null, ids);
    await afterCategoryWrite(context, ordered);
    return ordered;
  },
  async setCategoryHidden(_parent, { id, hidden }, context) {
    requireScope(context, CATALOG_WRITE);
    const changed = await admin.setCategoryHidden(context.db, id, hidden);
    await afterCategoryWrite(context, [changed]);
    return changed;
  },
  async deleteCategory(_parent, { id }, context) {
    requireScope(context, CATALOG_WRITE);
    const deleted = await admin.deleteCategory(context.db, id);
    await afterCategoryWrite(context, []);
    context.loaders.categoryById.clear(deleted.id);
    return deleted;
  },
};
