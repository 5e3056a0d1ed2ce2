/**
 * `products(filter: { keyword })`: ranked search (docs/search.md). Pages are keyset over (rank, id), so the cursor
 * carries both; a cursor of the plain list (id only) is refused here, as this one is refused there.
 * Searches are not kept in product's catalog cache (unbounded keys); the router's response cache may keep a shopper's
 * answer for its max-age, under the catalog generation, so a staff change is found on the very next read.
 */
import { badInput } from '../../platform/errors';
import { isBigintId } from '../../platform/loaders';
import type { PageRequest } from '../../platform/connection';
import type { ProductContext } from './context';
import { findSearchPage, type RankedProduct } from './data/product-search';
import type { SearchKeyword } from './search-text';

const CURSOR_KIND = 'ProductSearch';

const cursorOf = (row: RankedProduct) => Buffer.from(`${CURSOR_KIND}:${row.rank}:${row.product.id}`).toString('base64url');

/** The (rank, id) a search cursor stands for; BAD_USER_INPUT for anything this list did not issue. */
export function searchCursor(after: string | null | undefined): { rank: number; id: string } | undefined {
  if (after === undefined || after === null) return undefined;
  const [kind, rank, id, extra] = Buffer.from(after, 'base64url').toString('utf8').split(':');
  if (kind !== CURSOR_KIND || !/^[0-3]$/.test(rank ?? '') || !isBigintId(id) || extra !== undefined) {
    throw badInput('after is not a cursor of this search', 'after');
  }
  return { rank: Number(rank), id };
}

export interface SearchFilter {
  categoryId?: string;
  brandId?: string;
  onShelf?: boolean;
}

export async function searchProducts(
  context: ProductContext,
  keyword: SearchKeyword,
  filter: SearchFilter,
  page: Pick<PageRequest, 'size' | 'limit'>,
  after: { rank: number; id: string } | undefined,
) {
  const rows = await findSearchPage(context.db, { keyword, ...filter, after, limit: page.limit });
  // The fields after (minPrice, skus, category) load through the loaders: prime them with the rows just read.
  for (const row of rows) context.loaders.productById.prime(row.product.id, row.product);
  const edges = rows.slice(0, page.size).map((row) => ({ cursor: cursorOf(row), node: row.product }));
  return { edges, pageInfo: { hasNextPage: rows.length > page.size, endCursor: edges.at(-1)?.cursor ?? null } };
}
