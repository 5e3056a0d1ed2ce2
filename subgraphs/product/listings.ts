/**
 * The catalog's whole-list reads (top categories, brands, a product list page), through the catalog cache when the
 * request has one (catalog-cache.ts), else straight from PostgreSQL. Rows by id go through the loaders.
 */
import { productPageKey } from './catalog-cache';
import type { ProductContext } from './context';
import { listBrands, type BrandRow } from './data/brands';
import { findTopCategories, type CategoryRow } from './data/categories';
import { findProductPage, type ProductPageQuery, type ProductRow } from './data/products';

export async function topCategories(context: ProductContext): Promise<CategoryRow[]> {
  const { catalog, db } = context;
  if (!catalog) return findTopCategories(db);
  return catalog.view.get(catalog.kinds.categoryChildren, 'top', () => findTopCategories(db));
}

export async function allBrands(context: ProductContext): Promise<BrandRow[]> {
  const { catalog, db } = context;
  if (!catalog) return listBrands(db);
  return catalog.view.get(catalog.kinds.brands, 'all', () => listBrands(db));
}

/** One page of products; the rows are also primed into this request's loader (and cached) for the fields after. */
export async function productPage(context: ProductContext, query: ProductPageQuery): Promise<ProductRow[]> {
  const { catalog, db, loaders } = context;
  const key = catalog && productPageKey(query);
  if (!catalog || key === undefined) {
    const rows = await findProductPage(db, query);
    for (const product of rows) loaders.productById.prime(product.id, product);
    return rows;
  }
  const ids = await catalog.view.get(catalog.kinds.productPage, key, async () => {
    const readAt = catalog.view.now();
    const rows = await findProductPage(db, query);
    void catalog.view.put(catalog.kinds.product, new Map(rows.map((row) => [row.id, row])), readAt);
    for (const product of rows) loaders.productById.prime(product.id, product);
    return rows.map((row) => row.id);
  });
  const rows = await loaders.productById.loadMany(ids);
  // A product gone since the page was cached would be a catalog write (new generation): the filter is a guard.
  return rows.filter((row): row is ProductRow => row !== null && !(row instanceof Error));
}
