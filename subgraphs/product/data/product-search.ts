/** Data access for product search (table product_search, see docs/search.md). Knows knex, not GraphQL. */
import type { Knex } from 'knex';
import type { SearchDocument, SearchKeyword, SearchSource } from '../search-text';
import { findTagsOfProducts } from './product-tags';
import { escapeLike, type ProductRow } from './products';

/**
 * What each product is found by, read in one statement. The product rows are share-locked: a concurrent staff edit of
 * one of them (which holds its row lock until commit) is waited for and then read, so a category rename re-indexing
 * the product cannot write back the title it read before that edit committed.
 */
export async function findSearchSources(db: Knex, productIds: readonly string[]): Promise<Map<string, SearchSource>> {
  const rows: { id: string; title: string; brand_name: string | null; category_name: string | null; parent_name: string | null }[] = await db('products as p')
    .leftJoin('brands as b', 'b.id', 'p.brand_id')
    .leftJoin('categories as c', 'c.id', 'p.category_id')
    .leftJoin('categories as pc', 'pc.id', 'c.parent_id')
    .whereRaw('p.id = ANY(?::bigint[])', [[...productIds]])
    .select('p.id', 'p.title', 'b.name as brand_name', 'c.name as category_name', 'pc.name as parent_name')
    .orderBy('p.id')
    .forShare('p');
  // The products' tags (home page module) are the extra words, ranked below title, brand and category.
  const tagNames = new Map<string, string[]>();
  for (const tag of rows.length ? await findTagsOfProducts(db, productIds) : []) {
    tagNames.set(tag.product_id, [...(tagNames.get(tag.product_id) ?? []), tag.name]);
  }
  return new Map(
    rows.map((row) => [
      String(row.id),
      {
        title: row.title,
        brandName: row.brand_name,
        categoryNames: [row.category_name, row.parent_name].filter((name): name is string => Boolean(name)),
        extra: tagNames.get(String(row.id)) ?? [],
      },
    ]),
  );
}

/** Writes the documents (insert or replace), one statement. */
export async function upsertSearchDocuments(db: Knex, documents: ReadonlyMap<string, SearchDocument>): Promise<void> {
  if (!documents.size) return;
  await db('product_search')
    .insert(
      [...documents].map(([productId, doc]) => ({
        product_id: productId,
        title: doc.title,
        names: doc.names,
        text: doc.text,
        grams: doc.grams,
        updated_at: db.fn.now(),
      })),
    )
    .onConflict('product_id')
    .merge();
}

/** Products of these categories (or of their children), in id order, `limit` after `afterId`: for re-indexing in batches. */
export async function productIdsInCategories(db: Knex, categoryIds: readonly string[], afterId: string, limit: number): Promise<string[]> {
  const rows: { id: string }[] = await db('products')
    .whereIn('category_id', (sub) =>
      sub.select('id').from('categories').whereRaw('id = ANY(?::bigint[]) OR parent_id = ANY(?::bigint[])', [[...categoryIds], [...categoryIds]]),
    )
    .where('id', '>', afterId)
    .orderBy('id')
    .limit(limit)
    .select('id');
  return rows.map((row) => String(row.id));
}

/** The products carrying a tag, in id order. */
export async function productIdsWithTag(db: Knex, tagId: string): Promise<string[]> {
  const rows: { product_id: string }[] = await db('product_tag_links').where('tag_id', tagId).orderBy('product_id').select('product_id');
  return rows.map((row) => String(row.product_id));
}

/** Every product id after `afterId`, in id order: for the backfill. */
export async function productIdsAfter(db: Knex, afterId: string, limit: number): Promise<string[]> {
  const rows: { id: string }[] = await db('products').where('id', '>', afterId).orderBy('id').limit(limit).select('id');
  return rows.map((row) => String(row.id));
}

export interface SearchPageQuery {
  keyword: SearchKeyword;
  categoryId?: string;
  brandId?: string;
  onShelf?: boolean;
  /** Keyset: rows after (rank, id) in the order rank ascending, id descending. */
  after?: { rank: number; id: string };
  limit: number;
}

export interface RankedProduct {
  product: ProductRow;
  /** 0 title holds the whole keyword, 1 title holds every term, 2 title, brand and categories hold every term, 3 with extra words. */
  rank: number;
}

const contains = (term: string) => `%${escapeLike(term)}%`;

/**
 * One page of matching products, best rank first, newest first within a rank, in one statement. The GIN index on
 * `grams` finds the candidates; LIKE on the normalized text keeps only those holding every term as written.
 */
export async function findSearchPage(db: Knex, query: SearchPageQuery): Promise<RankedProduct[]> {
  const { keyword } = query;
  const allIn = (column: string) => keyword.terms.map(() => `${column} LIKE ? ESCAPE '\\'`).join(' AND ');
  const termPatterns = keyword.terms.map(contains);
  const rank = db.raw(
    `CASE WHEN s.title LIKE ? ESCAPE '\\' THEN 0 WHEN ${allIn('s.title')} THEN 1 WHEN ${allIn("(s.title || E'\\n' || s.names)")} THEN 2 ELSE 3 END AS search_rank`,
    [contains(keyword.phrase), ...termPatterns, ...termPatterns],
  );
  const ranked = db('products as p')
    .join('product_search as s', 's.product_id', 'p.id')
    .select('p.*', rank)
    .whereRaw('s.grams @> ?::text[]', [keyword.grams])
    .whereRaw(allIn('s.text'), termPatterns);
  if (query.categoryId !== undefined) {
    ranked.whereIn('p.category_id', (sub) => sub.select('id').from('categories').where('id', query.categoryId).orWhere('parent_id', query.categoryId));
  }
  if (query.brandId !== undefined) ranked.where('p.brand_id', query.brandId);
  if (query.onShelf !== undefined) ranked.where('p.on_shelf', query.onShelf);

  const page = db.select('*').from(ranked.as('ranked'));
  if (query.after) {
    const { rank: afterRank, id } = query.after;
    page.whereRaw('(search_rank > ? OR (search_rank = ? AND id < ?))', [afterRank, afterRank, id]);
  }
  const rows: (ProductRow & { search_rank: number })[] = await page.orderBy([{ column: 'search_rank' }, { column: 'id', order: 'desc' }]).limit(query.limit);
  return rows.map(({ search_rank, ...product }) => ({ product: { ...product, id: String(product.id) } as ProductRow, rank: Number(search_rank) }));
}
