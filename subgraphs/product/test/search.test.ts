/**
 * Product search on the product subgraph (docs/search.md): Chinese and Latin keywords over title, brand and category
 * names, ranking (whole keyword in the title, every word in the title, brand/category, newest first within a rank),
 * keyset pages over (rank, id), input normalization and limits, shelf visibility, re-indexing after staff changes,
 * and a constant number of statements per page.
 */
import crypto from 'node:crypto';
import { countStatements } from '../../../platform/db';
import type { RunningSupergraph } from '../../../app/launcher';
import { anonymousTo, codes, gql, startSupergraph, testConfig, type GraphQLResponse } from '../../../test/support/harness';
import { findSearchSources } from '../data/product-search';
import { reindexAll } from '../search-index';
import { gramsOf, normalizeSearchText, parseKeyword, searchDocument } from '../search-text';
import { createProduct, seededTree, shopper, staff, uniqueToken, type SeededTree } from './helpers';

let supergraph: RunningSupergraph;
let url: string;
let tree: SeededTree;

beforeAll(async () => {
  supergraph = await startSupergraph({ subgraphs: ['product'], router: false, config: testConfig({ CATALOG_CACHE: 'false' }) });
  url = supergraph.subgraphs.product!.url;
  tree = await seededTree(supergraph.subgraphs.product!.db);
});
afterAll(async () => {
  // Categories made here are hidden again, so shoppers' category lists (other test files) look as the demo made them.
  if (supergraph) await db()('categories').whereIn('id', createdCategories).update({ hidden: true });
  await supergraph?.stop();
});

const db = () => supergraph.subgraphs.product!.db;
const createdCategories: string[] = [];
const sku = (name = '默认') => ({ name, price: 1000, stock: 5 });

/** Three random CJK characters: a Chinese word no other test (and no demo product) contains. */
const uniqueHan = () =>
  [...crypto.randomBytes(6)].reduce((text, byte, index) => (index % 2 ? text : text + String.fromCodePoint(0x4e00 + ((byte << 6) + crypto.randomInt(64)) % 0x5000)), '');

const SEARCH = `query($filter: ProductFilter, $first: Int, $after: String) {
  products(filter: $filter, first: $first, after: $after) { edges { cursor node { id title } } pageInfo { hasNextPage endCursor } }
}`;

async function walk(keyword: string, first = 100, headers = shopper(), extra: Record<string, unknown> = {}) {
  const ids: string[] = [];
  let after: string | null = null;
  for (;;) {
    const response: GraphQLResponse = await gql(url, SEARCH, { filter: { keyword, ...extra }, first, after }, headers);
    expect(response.errors).toBeUndefined();
    const { edges, pageInfo } = response.data.products as { edges: { cursor: string; node: { id: string } }[]; pageInfo: { hasNextPage: boolean; endCursor: string } };
    ids.push(...edges.map((edge) => edge.node.id));
    if (!pageInfo.hasNextPage) return ids;
    expect(edges).toHaveLength(first);
    after = pageInfo.endCursor;
  }
}

async function newCategory(name: string, parentId?: string) {
  // Top-level ones hidden: other files' shoppers, running meanwhile, see the demo tree only.
  const response = await gql(url, 'mutation($input: CreateCategoryInput!) { createCategory(input: $input) { id } }', { input: { name, parentId, hidden: !parentId } }, staff());
  expect(response.errors).toBeUndefined();
  createdCategories.push(response.data.createCategory.id);
  return response.data.createCategory.id as string;
}

describe('normalizing', () => {
  it('folds width and case, turns control characters and whitespace runs into one space, and counts characters', () => {
    expect(normalizeSearchText('  ＮＩＫＥ\tAir\u0000ＭＡＸ　跑鞋 ')).toBe('nike air max 跑鞋');
    expect(parseKeyword('   ')).toBeUndefined();
    expect(parseKeyword(null)).toBeUndefined();
    expect(parseKeyword('跑鞋 跑鞋 nike')).toEqual({ phrase: '跑鞋 跑鞋 nike', terms: ['跑鞋', 'nike'], grams: ['跑鞋', 'ni', 'ik', 'ke'] });
    expect(parseKeyword('鞋')!.grams).toEqual(['鞋']);
    expect(gramsOf('跑鞋 ab')).toEqual(['跑', '跑鞋', '鞋', 'a', 'ab', 'b']);
    // 100 Chinese characters are 100 characters (not 300 bytes); 101 are too many.
    expect(parseKeyword('鞋'.repeat(100))!.terms).toHaveLength(1);
    expect(() => parseKeyword('鞋'.repeat(101))).toThrow(/longer than 100/);
    expect(() => parseKeyword('a b c d e f g h i')).toThrow(/At most 8 words/);
    const doc = searchDocument({ title: 'Ｔ恤', brandName: 'ACME', categoryNames: ['上衣', '服装'], extra: [] });
    expect(doc).toMatchObject({ title: 't恤', names: 'acme\n上衣\n服装', text: 't恤\nacme\n上衣\n服装' });
  });
});

describe('searching', () => {
  it('ranks a Chinese keyword: whole keyword in the title, every word in the title, then brand or category, newest first within a rank', async () => {
    const han = uniqueHan();
    const top = await newCategory(`测${han}运动`);
    const leaf = await newCategory(`测${han}跑鞋专区`, top);
    const [brand] = await db()('brands').insert({ name: `测${han}牌` }).returning('id');

    const olderTitle = await createProduct(url, { title: `经典${han}跑鞋`, categoryId: tree.leafA, skus: [sku()], onShelf: true });
    const newerTitle = await createProduct(url, { title: `${han}跑鞋 轻量`, categoryId: tree.leafA, skus: [sku()], onShelf: true });
    const wordsApart = await createProduct(url, { title: `跑鞋 ${han}`, categoryId: tree.leafA, skus: [sku()], onShelf: true });
    const byCategory = await createProduct(url, { title: '无关标题', categoryId: leaf, skus: [sku()], onShelf: true });
    const byBrand = await createProduct(url, { title: '另一个标题', categoryId: tree.leafB, brandId: brand.id, skus: [sku()], onShelf: true });
    const offShelf = await createProduct(url, { title: `${han}跑鞋 下架`, categoryId: tree.leafA, skus: [sku()] });

    // One word: contiguous in the title (rank 0) before the category's name (rank 2).
    expect(await walk(`${han}跑鞋`)).toEqual([newerTitle.id, olderTitle.id, byCategory.id]);
    // Two words: both in the title, wherever (rank 1, newest first), then one in the title and one in the category's name.
    expect(await walk(`${han} 跑鞋`)).toEqual([wordsApart.id, newerTitle.id, olderTitle.id, byCategory.id]);
    expect(await walk(`跑鞋 ${han}`)).toEqual([wordsApart.id, newerTitle.id, olderTitle.id, byCategory.id]);
    // Brand and parent-category names; a word in none of them excludes the product.
    expect(await walk(`${han}牌`)).toEqual([byBrand.id]);
    expect(await walk(`${han}运动`)).toEqual([byCategory.id]);
    expect(await walk(`${han} 不存在`)).toEqual([]);
    // Staff see the off-shelf match; filters still apply.
    expect(await walk(`${han}跑鞋`, 100, staff())).toEqual([offShelf.id, newerTitle.id, olderTitle.id, byCategory.id]);
    expect(await walk(`${han}跑鞋`, 100, shopper(), { categoryId: top })).toEqual([byCategory.id]);
    expect(await walk(han, 100, shopper(), { brandId: brand.id })).toEqual([byBrand.id]);
    // One character: found through its unigram.
    expect(await walk([...han][1], 100)).toEqual(expect.arrayContaining([newerTitle.id, olderTitle.id, wordsApart.id, byCategory.id, byBrand.id]));
  });

  it('matches Latin keywords whatever their width and case, with % and _ taken literally', async () => {
    const token = uniqueToken('lat');
    const max = await createProduct(url, { title: `${token} Ｎｉｋｅ Air MAX 跑鞋`, categoryId: tree.leafA, skus: [sku()], onShelf: true });
    const percent = await createProduct(url, { title: `${token} 100%棉`, categoryId: tree.leafA, skus: [sku()], onShelf: true });
    expect(await walk(`${token.toUpperCase()} nike max`)).toEqual([max.id]);
    expect(await walk(`  ${token}\tＮＩＫＥ   air `)).toEqual([max.id]);
    expect(await walk(`${token} 100%`)).toEqual([percent.id]);
    expect(await walk(`${token} 1_0`)).toEqual([]);
  });

  it('pages through ranks with cursors of (rank, id): no duplicates, no gaps, the same order as one page', async () => {
    const han = uniqueHan();
    const top = await newCategory(`测${han}顶`);
    const leaf = await newCategory(`测${han}袜`, top);
    for (let n = 0; n < 3; n += 1) await createProduct(url, { title: `${han}袜 ${n}`, categoryId: tree.leafA, skus: [sku()], onShelf: true });
    for (let n = 0; n < 3; n += 1) await createProduct(url, { title: `${n} 号 ${han} 袜`, categoryId: tree.leafA, skus: [sku()], onShelf: true });
    for (let n = 0; n < 3; n += 1) await createProduct(url, { title: `商品 ${n}`, categoryId: leaf, skus: [sku()], onShelf: true });
    const all = await walk(`${han}袜`, 100);
    expect(all).toHaveLength(6);
    const spaced = await walk(`${han} 袜`, 100);
    expect(spaced).toHaveLength(9);
    for (const first of [1, 2, 4]) expect(await walk(`${han} 袜`, first)).toEqual(spaced);

    // A plain list's cursor is not a search cursor, and the other way round; nor is a made-up rank.
    const plain = await gql(url, SEARCH, { first: 1 }, shopper());
    const plainCursor = plain.data.products.pageInfo.endCursor;
    const searchPage = await gql(url, SEARCH, { filter: { keyword: `${han} 袜` }, first: 1 }, shopper());
    const searchCursor = searchPage.data.products.pageInfo.endCursor;
    expect(Buffer.from(searchCursor, 'base64url').toString()).toMatch(/^ProductSearch:0:\d+$/);
    expect(codes(await gql(url, SEARCH, { filter: { keyword: han }, after: plainCursor }, shopper()))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await gql(url, SEARCH, { after: searchCursor }, shopper()))).toEqual(['BAD_USER_INPUT']);
    const forged = Buffer.from('ProductSearch:7:1').toString('base64url');
    expect(codes(await gql(url, SEARCH, { filter: { keyword: han }, after: forged }, shopper()))).toEqual(['BAD_USER_INPUT']);
  });

  it('refuses keywords over the limits, and treats a blank one as none', async () => {
    for (const keyword of ['鞋'.repeat(101), 'x'.repeat(401), 'a b c d e f g h i']) {
      const response = await gql(url, SEARCH, { filter: { keyword } }, anonymousTo('product'));
      expect(codes(response)).toEqual(['BAD_USER_INPUT']);
      expect(response.data).toBeNull();
    }
    const blank = await gql(url, SEARCH, { filter: { keyword: ' \u3000\t' }, first: 3 }, anonymousTo('product'));
    const none = await gql(url, SEARCH, { first: 3 }, anonymousTo('product'));
    expect(blank.data.products).toEqual(none.data.products);
  });

  it('finds a product by its new title, brand or category after a staff change, and no longer by the old one', async () => {
    const han = uniqueHan();
    const product = await createProduct(url, { title: `${han}旧名`, categoryId: tree.leafA, skus: [sku()], onShelf: true });
    expect(await walk(`${han}旧名`)).toEqual([product.id]);
    const update = 'mutation($id: ID!, $input: UpdateProductInput!) { updateProduct(id: $id, input: $input) { id } }';
    expect((await gql(url, update, { id: product.id, input: { title: `${han}新名` } }, staff())).errors).toBeUndefined();
    expect(await walk(`${han}旧名`)).toEqual([]);
    expect(await walk(`${han}新名`)).toEqual([product.id]);

    const top = await newCategory(`测${han}新类`);
    const leaf = await newCategory(`测${han}新子类`, top);
    expect((await gql(url, update, { id: product.id, input: { categoryId: leaf } }, staff())).errors).toBeUndefined();
    expect(await walk(`${han}新子类`)).toEqual([product.id]);
    expect(await walk(`${han}新类`)).toEqual([product.id]);
  });

  it('costs the same statements for a page of 1 and of 30 results with SKUs, prices and categories', async () => {
    const han = uniqueHan();
    for (let n = 0; n < 30; n += 1) await createProduct(url, { title: `${han} ${n}`, categoryId: n % 2 ? tree.leafA : tree.leafB, skus: [sku('a'), sku('b')], onShelf: true });
    const query = `query($k: String, $first: Int) { products(filter: { keyword: $k }, first: $first) {
      edges { node { id minPrice skus { id price } category { id name parentId } } } } }`;
    const counts: number[] = [];
    for (const first of [1, 30]) {
      const counter = countStatements(db());
      const response = await gql(url, query, { k: han, first }, anonymousTo('product'));
      counter.stop();
      expect(response.errors).toBeUndefined();
      expect(response.data.products.edges).toHaveLength(first);
      counts.push(counter.count);
    }
    // The search, the SKUs of the page, the categories.
    expect(counts).toEqual([3, 3]);
  });

  it('stays in step when a product edit and a category rename race, and the backfill restores missing documents', async () => {
    const han = uniqueHan();
    const top = await newCategory(`测${han}竞`);
    const leaf = await newCategory(`测${han}竞子`, top);
    const product = await createProduct(url, { title: `${han}竞品`, categoryId: leaf, skus: [sku()], onShelf: true });
    const update = 'mutation($id: ID!, $input: UpdateProductInput!) { updateProduct(id: $id, input: $input) { id } }';
    const rename = 'mutation($id: ID!, $name: String!) { renameCategory(id: $id, name: $name) { id } }';
    /** The stored document is the one the product's current rows give. */
    const inStep = async () => {
      const [stored] = await db()('product_search').where('product_id', product.id).select('title', 'names', 'text');
      const { grams: _grams, ...expected } = searchDocument((await findSearchSources(db(), [product.id])).get(product.id)!);
      expect(stored).toEqual(expected);
    };
    for (let round = 0; round < 5; round += 1) {
      const [a, b] = await Promise.all([
        gql(url, update, { id: product.id, input: { title: `${han}竞品${round}` } }, staff()),
        gql(url, rename, { id: leaf, name: `测${han}竞子${round}` }, staff()),
      ]);
      expect([a.errors, b.errors]).toEqual([undefined, undefined]);
      await inStep();
    }
    expect(await walk(`${han}竞品4 竞子4`)).toEqual([product.id]);

    // A product without its document (as before migration 130) is indexed by the backfill.
    await db()('product_search').where('product_id', product.id).delete();
    expect(await walk(`${han}竞品4`)).toEqual([]);
    await reindexAll(db());
    expect(await walk(`${han}竞品4`)).toEqual([product.id]);
  });

  it('finds products by their tags, ranked below title, brand and category, and follows tagging, renames and deletes', async () => {
    // The demo's tags are indexed with the demo (seeded through the home page module).
    expect((await walk('夏季清凉')).length).toBeGreaterThanOrEqual(4);

    const han = uniqueHan();
    const tagged = await createProduct(url, { title: '标签商品', categoryId: tree.leafA, skus: [sku()], onShelf: true });
    const titled = await createProduct(url, { title: `${han}签 标题`, categoryId: tree.leafA, skus: [sku()], onShelf: true });
    const tag = await gql(url, 'mutation($n: String!) { createProductTag(name: $n) { id } }', { n: `${han}签` }, staff());
    expect(tag.errors).toBeUndefined();
    const tagId = tag.data.createProductTag.id;
    const setTags = 'mutation($p: ID!, $t: [ID!]!) { setProductTags(productId: $p, tagIds: $t) { id } }';
    expect(await walk(`${han}签`)).toEqual([titled.id]);
    expect((await gql(url, setTags, { p: tagged.id, t: [tagId] }, staff())).errors).toBeUndefined();
    // The title match first (rank 0), then the tag (rank 3), though the tagged product is older.
    expect(await walk(`${han}签`)).toEqual([titled.id, tagged.id]);

    expect((await gql(url, 'mutation($id: ID!, $n: String) { updateProductTag(id: $id, name: $n) { id } }', { id: tagId, n: `${han}新签` }, staff())).errors).toBeUndefined();
    expect(await walk(`${han}新签`)).toEqual([tagged.id]);
    expect(await walk(`${han}签`)).toEqual([titled.id]);

    expect((await gql(url, 'mutation($id: ID!) { deleteProductTag(id: $id) }', { id: tagId }, staff())).errors).toBeUndefined();
    expect(await walk(`${han}新签`)).toEqual([]);

    const again = (await gql(url, 'mutation($n: String!) { createProductTag(name: $n) { id } }', { n: `${han}再签` }, staff())).data.createProductTag.id;
    await gql(url, setTags, { p: tagged.id, t: [again] }, staff());
    expect(await walk(`${han}再签`)).toEqual([tagged.id]);
    await gql(url, setTags, { p: tagged.id, t: [] }, staff());
    expect(await walk(`${han}再签`)).toEqual([]);
  });
});
