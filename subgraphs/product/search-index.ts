/**
 * Keeps `product_search` in step with the catalog (docs/search.md). Every write that changes what a product is found
 * by calls one of these inside its transaction, so the search sees the change exactly when the rows do (and the
 * cache generation bump after commit then makes every reader see both).
 */
import type { Knex } from 'knex';
import { findSearchSources, productIdsAfter, productIdsInCategories, productIdsWithTag, upsertSearchDocuments } from './data/product-search';
import { searchDocument } from './search-text';

const BATCH = 500;

/** Re-indexes these products (two statements, whatever their number). */
export async function reindexProducts(db: Knex, productIds: readonly string[]): Promise<void> {
  if (!productIds.length) return;
  const sources = await findSearchSources(db, productIds);
  await upsertSearchDocuments(db, new Map([...sources].map(([id, source]) => [id, searchDocument(source)])));
}

/** Re-indexes the products of these categories and of their children (after a rename or a move), in batches. */
export async function reindexCategories(db: Knex, categoryIds: readonly string[]): Promise<void> {
  for (let after = '0'; ; ) {
    const ids = await productIdsInCategories(db, categoryIds, after, BATCH);
    await reindexProducts(db, ids);
    if (ids.length < BATCH) return;
    after = ids[ids.length - 1];
  }
}

/** The products carrying a tag, to re-index after the tag is renamed or deleted (read them before deleting). */
export const productsWithTag = productIdsWithTag;

/** Re-indexes every product (migration backfill, demo seed). */
export async function reindexAll(db: Knex): Promise<void> {
  for (let after = '0'; ; ) {
    const ids = await productIdsAfter(db, after, BATCH);
    await reindexProducts(db, ids);
    if (ids.length < BATCH) return;
    after = ids[ids.length - 1];
  }
}
