/**
 * The home page's content on the product subgraph against PostgreSQL (docs/home-page.md): banners and their schedule,
 * product groups and rankings, tags, related products, hot words, "guess you like", the help center, SKU barcodes,
 * the staff mutations (scope, validation, NOT_FOUND, CONFLICT, nothing written when refused), and the proof that
 * `homePage` costs a constant number of SQL statements whatever the number of groups and products.
 */
import { countStatements } from '../../../platform/db';
import type { RunningSupergraph } from '../../../app/launcher';
import { anonymousTo, asIdentity, codes, gql, startSupergraph, testConfig, type GraphQLResponse } from '../../../test/support/harness';
import { dayOf, shuffledFor } from '../home-page/guess';
import { createProduct, seededTree, shopper, staff, uniqueToken, type SeededTree } from './helpers';

// Statement counts prove the PostgreSQL path batches; the caches are tested through the router (test/home-page.test.ts).
const uncachedCatalog = testConfig({ CATALOG_CACHE: 'false' });

/** The statements a request sent, shortened (countStatements leaves the events' background work out, retention too). */
const requestStatements = (statements: readonly string[]) => statements.map((sql) => sql.slice(0, 60));

let supergraph: RunningSupergraph;
let url: string;
let tree: SeededTree;

beforeAll(async () => {
  supergraph = await startSupergraph({ subgraphs: ['product'], router: false, config: uncachedCatalog });
  url = supergraph.subgraphs.product!.url;
  tree = await seededTree(supergraph.subgraphs.product!.db);
});
afterAll(async () => {
  await supergraph?.stop();
});

const db = () => supergraph.subgraphs.product!.db;
const IMAGE = 'https://img.example.com/b.jpg';

function ok<T = any>(response: GraphQLResponse<T>): T {
  if (response.errors) throw new Error(JSON.stringify(response.errors));
  return response.data as T;
}
const asStaff = async (query: string, variables: Record<string, unknown> = {}) => ok(await gql(url, query, variables, staff()));

/** A fresh on-shelf product of one SKU. */
async function product(options: { category?: string; brand?: string | null; onShelf?: boolean; label?: string } = {}) {
  return createProduct(url, {
    title: uniqueToken(options.label ?? 'home'),
    categoryId: options.category ?? tree.leafA,
    brandId: options.brand === undefined ? tree.brandA : options.brand,
    images: ['/images/h.jpg'],
    skus: [{ name: '默认', price: 1990, stock: 5 }],
    onShelf: options.onShelf ?? true,
  });
}

const CREATE_GROUP = `mutation($input: ProductGroupInput!) { createProductGroup(input: $input) { id name kind showOnHome sortOrder } }`;
const SET_MEMBERS = `mutation($id: ID!, $ids: [ID!]!) { setProductGroupProducts(id: $id, productIds: $ids) { id } }`;
const GROUP = `query($id: ID!, $first: Int, $after: String) { productGroup(id: $id) { id name kind
  products(first: $first, after: $after) { edges { cursor rank node { id } } pageInfo { hasNextPage endCursor } } } }`;

async function group(input: Record<string, unknown>, productIds: string[] = []) {
  const created = (await asStaff(CREATE_GROUP, { input })).createProductGroup;
  if (productIds.length) await asStaff(SET_MEMBERS, { id: created.id, ids: productIds });
  return created as { id: string };
}

/** What a refused call could have written for these products / groups / image URLs, to prove it wrote nothing. */
async function contentSnapshot(scope: { productIds?: string[]; groupIds?: string[]; token?: string }) {
  return {
    groupItems: await db()('product_group_items').whereIn('group_id', scope.groupIds ?? []).orderBy(['group_id', 'position']),
    tagLinks: await db()('product_tag_links').whereIn('product_id', scope.productIds ?? []).orderBy(['product_id', 'tag_id']),
    banners: scope.token ? await db()('banners').where('image_url', 'like', `%${scope.token}%`) : [],
    barcodes: await db()('skus').whereIn('product_id', scope.productIds ?? []).select('id', 'barcode').orderBy('id'),
  };
}

describe('homePage', () => {
  const HOME = `{ homePage {
    banners { id title imageUrl linkType linkUrl linkProduct { id title } linkGroup { id name } }
    strips { id linkGroup { id } }
    groups { id name kind products(first: 4) { edges { rank node { id title minPrice images } } pageInfo { hasNextPage } } }
    hotSearchWords { word highlighted }
  } }`;

  it('serves the demo first screen: live banners with their links, the home groups with their first products, hot words', async () => {
    const home = ok(await gql(url, HOME, {}, anonymousTo('product'))).homePage;
    expect(home.banners.length).toBeGreaterThanOrEqual(3);
    const kinds = home.banners.map((b: { linkType: string }) => b.linkType);
    expect(kinds).toEqual(expect.arrayContaining(['GROUP', 'PRODUCT', 'URL']));
    const toProduct = home.banners.find((b: { linkType: string }) => b.linkType === 'PRODUCT');
    expect(toProduct.linkProduct.title).toBe('主动降噪蓝牙耳机');
    expect(home.banners.find((b: { linkType: string }) => b.linkType === 'URL').linkUrl).toMatch(/^https:\/\//);
    expect(home.strips.length).toBeGreaterThanOrEqual(1);
    const names = home.groups.map((g: { name: string }) => g.name);
    expect(names).toEqual(expect.arrayContaining(['新品上市', '热销榜']));
    const ranking = home.groups.find((g: { name: string }) => g.name === '热销榜');
    expect(ranking.kind).toBe('RANKING');
    expect(ranking.products.edges.map((e: { rank: number }) => e.rank)).toEqual([1, 2, 3, 4]);
    expect(ranking.products.edges[0].node.title).toBe('纯棉圆领短袖T恤');
    expect(ranking.products.pageInfo.hasNextPage).toBe(true);
    expect(home.hotSearchWords[0]).toEqual({ word: '羽绒服', highlighted: true });
  });

  it('costs the same SQL statements with 2 groups of a few products as with many groups of many products', async () => {
    const cost = async () => {
      const counter = countStatements(db());
      const response = await gql(url, HOME, {}, anonymousTo('product'));
      counter.stop();
      ok(response);
      const statements = requestStatements(counter.statements);
      return { statements, count: statements.length, groups: response.data.homePage.groups.length, products: response.data.homePage.groups.flatMap((g: { products: { edges: unknown[] } }) => g.products.edges).length };
    };
    await cost(); // warm-up: the subgraph's start-up housekeeping is done by then
    const before = await cost();
    const members = await Promise.all(Array.from({ length: 8 }, () => product()));
    for (let n = 0; n < 5; n += 1) await group({ name: uniqueToken('shelf'), showOnHome: true, sortOrder: 50 + n }, members.map((p) => p.id));
    const after = await cost();
    expect(after.groups).toBeGreaterThanOrEqual(before.groups + 5);
    expect(after.products).toBeGreaterThanOrEqual(before.products + 20);
    // Banners, home groups, hot words; the products banners link to; members of every group; their products; their
    // SKUs (minPrice). The groups banners link to are home groups here, already read.
    expect(after.statements).toEqual(before.statements);
    expect(after.count).toBe(7);
  });
});

describe('banners', () => {
  const BANNERS = `query($p: BannerPosition!, $all: Boolean) { banners(position: $p, includeInactive: $all) { id title startsAt endsAt } }`;
  const CREATE = `mutation($input: BannerInput!) { createBanner(input: $input) { id title imageUrl position linkType linkUrl linkProduct { id } startsAt endsAt sortOrder } }`;

  it('shows a banner within its schedule only; staff list the scheduled and ended ones too', async () => {
    const hour = 3600_000;
    const at = (offset: number) => new Date(Date.now() + offset).toISOString();
    const live = (await asStaff(CREATE, { input: { title: uniqueToken('live'), imageUrl: IMAGE, position: 'CATEGORY_TOP', startsAt: at(-hour), endsAt: at(hour) } })).createBanner;
    const later = (await asStaff(CREATE, { input: { title: uniqueToken('later'), imageUrl: IMAGE, position: 'CATEGORY_TOP', startsAt: at(hour) } })).createBanner;
    const over = (await asStaff(CREATE, { input: { title: uniqueToken('over'), imageUrl: IMAGE, position: 'CATEGORY_TOP', startsAt: at(-2 * hour), endsAt: at(-hour) } })).createBanner;
    const shown = ok(await gql(url, BANNERS, { p: 'CATEGORY_TOP' }, shopper())).banners.map((b: { id: string }) => b.id);
    expect(shown).toContain(live.id);
    expect(shown).not.toContain(later.id);
    expect(shown).not.toContain(over.id);
    const all = (await asStaff(BANNERS, { p: 'CATEGORY_TOP', all: true })).banners.map((b: { id: string }) => b.id);
    expect(all).toEqual(expect.arrayContaining([live.id, later.id, over.id]));
    expect(codes(await gql(url, BANNERS, { p: 'CATEGORY_TOP', all: true }, shopper()))).toEqual(['FORBIDDEN']);
  });

  it('links to a product, which shoppers do not see once it is off the shelf', async () => {
    const target = await product();
    const banner = (await asStaff(CREATE, { input: { imageUrl: IMAGE, position: 'CATEGORY_TOP', linkType: 'PRODUCT', linkProductId: target.id, linkUrl: 'https://ignored.example.com' } })).createBanner;
    expect(banner).toMatchObject({ linkType: 'PRODUCT', linkProduct: { id: target.id }, linkUrl: null, title: '' });
    await asStaff('mutation($id: ID!) { setProductOnShelf(id: $id, onShelf: false) { id } }', { id: target.id });
    const seen = ok(await gql(url, `query { banners(position: CATEGORY_TOP) { id linkProduct { id } } }`, {}, shopper())).banners;
    expect(seen.find((b: { id: string }) => b.id === banner.id).linkProduct).toBeNull();
  });

  it('updates and deletes; unknown ids are NOT_FOUND', async () => {
    const banner = (await asStaff(CREATE, { input: { imageUrl: IMAGE, position: 'HOME_STRIP', sortOrder: 99 } })).createBanner;
    const updated = (await asStaff('mutation($id: ID!, $input: BannerInput!) { updateBanner(id: $id, input: $input) { id title linkType linkUrl sortOrder } }', {
      id: banner.id,
      input: { title: '改', imageUrl: IMAGE, position: 'HOME_STRIP', linkType: 'URL', linkUrl: 'https://shop.example.com/x', sortOrder: 98 },
    })).updateBanner;
    expect(updated).toEqual({ id: banner.id, title: '改', linkType: 'URL', linkUrl: 'https://shop.example.com/x', sortOrder: 98 });
    expect((await asStaff('mutation($id: ID!) { deleteBanner(id: $id) }', { id: banner.id })).deleteBanner).toBe(true);
    expect(codes(await gql(url, 'mutation($id: ID!) { deleteBanner(id: $id) }', { id: banner.id }, staff()))).toEqual(['NOT_FOUND']);
    expect(codes(await gql(url, 'mutation($id: ID!, $input: BannerInput!) { updateBanner(id: $id, input: $input) { id } }', { id: '999999999', input: { imageUrl: IMAGE, position: 'HOME_STRIP' } }, staff()))).toEqual(['NOT_FOUND']);
  });

  it('refuses bad input, other callers and unknown link targets, writing nothing', async () => {
    // Each call's image URL carries a token of its own: no banner with it may exist afterwards.
    const refused = async (code: string, input: Record<string, unknown>, headers = staff()) => {
      const token = uniqueToken('refused');
      const imageUrl = String(input.imageUrl ?? IMAGE).replace('.jpg', `-${token}.jpg`);
      expect(codes(await gql(url, CREATE, { input: { position: 'HOME_CAROUSEL', ...input, imageUrl } }, headers))).toEqual([code]);
      expect((await contentSnapshot({ token })).banners).toEqual([]);
    };
    await refused('BAD_USER_INPUT', { imageUrl: 'http://img.example.com/a.jpg' });
    await refused('BAD_USER_INPUT', { imageUrl: 'javascript:alert(1).jpg' });
    await refused('BAD_USER_INPUT', { imageUrl: '/images/a.jpg' });
    await refused('BAD_USER_INPUT', { imageUrl: 'https://user:pw@img.example.com/a.jpg' });
    await refused('BAD_USER_INPUT', { imageUrl: `https://img.example.com/${'a'.repeat(500)}.jpg` });
    await refused('BAD_USER_INPUT', { imageUrl: IMAGE, title: 'x'.repeat(65) });
    await refused('BAD_USER_INPUT', { imageUrl: IMAGE, title: 'a\u0000b' });
    await refused('BAD_USER_INPUT', { imageUrl: IMAGE, linkType: 'URL', linkUrl: 'http://shop.example.com' });
    await refused('BAD_USER_INPUT', { imageUrl: IMAGE, linkType: 'PRODUCT' });
    await refused('BAD_USER_INPUT', { imageUrl: IMAGE, startsAt: '2027-01-02T00:00:00Z', endsAt: '2027-01-01T00:00:00Z' });
    await refused('BAD_USER_INPUT', { imageUrl: IMAGE, startsAt: 'tomorrow' });
    await refused('NOT_FOUND', { imageUrl: IMAGE, linkType: 'PRODUCT', linkProductId: '999999999' });
    await refused('NOT_FOUND', { imageUrl: IMAGE, linkType: 'GROUP', linkGroupId: '999999999' });
    await refused('FORBIDDEN', { imageUrl: IMAGE }, shopper());
    await refused('UNAUTHENTICATED', { imageUrl: IMAGE }, anonymousTo('product'));
  });
});

describe('product groups and rankings', () => {
  it('ranks members in the order staff gave, pages through them, and hides off-shelf ones from shoppers (ranks recount)', async () => {
    const [a, b, c, d] = [await product(), await product(), await product(), await product()];
    const ranking = await group({ name: uniqueToken('rank'), kind: 'RANKING' }, [c.id, a.id, d.id, b.id]);
    const page1 = ok(await gql(url, GROUP, { id: ranking.id, first: 3 }, shopper())).productGroup;
    expect(page1.kind).toBe('RANKING');
    expect(page1.products.edges.map((e: { rank: number; node: { id: string } }) => [e.rank, e.node.id])).toEqual([[1, c.id], [2, a.id], [3, d.id]]);
    expect(page1.products.pageInfo.hasNextPage).toBe(true);
    const page2 = ok(await gql(url, GROUP, { id: ranking.id, first: 3, after: page1.products.pageInfo.endCursor }, shopper())).productGroup;
    expect(page2.products.edges.map((e: { rank: number; node: { id: string } }) => [e.rank, e.node.id])).toEqual([[4, b.id]]);
    expect(page2.products.pageInfo.hasNextPage).toBe(false);

    await asStaff('mutation($id: ID!) { setProductOnShelf(id: $id, onShelf: false) { id } }', { id: a.id });
    const shown = ok(await gql(url, GROUP, { id: ranking.id }, shopper())).productGroup.products.edges;
    expect(shown.map((e: { rank: number; node: { id: string } }) => [e.rank, e.node.id])).toEqual([[1, c.id], [2, d.id], [3, b.id]]);
    const forStaff = (await asStaff(GROUP, { id: ranking.id })).productGroup.products.edges;
    expect(forStaff.map((e: { node: { id: string } }) => e.node.id)).toEqual([c.id, a.id, d.id, b.id]);

    // A new ranking replaces the old one.
    await asStaff(SET_MEMBERS, { id: ranking.id, ids: [b.id, c.id] });
    const reranked = ok(await gql(url, GROUP, { id: ranking.id }, shopper())).productGroup.products.edges;
    expect(reranked.map((e: { rank: number; node: { id: string } }) => [e.rank, e.node.id])).toEqual([[1, b.id], [2, c.id]]);
  });

  it('serializes concurrent replacements of a group: the members end as one of them, never a mix', async () => {
    const products = await Promise.all(Array.from({ length: 6 }, () => product()));
    const target = await group({ name: uniqueToken('race') });
    const orders = Array.from({ length: 5 }, (_, n) => [...products.slice(n), ...products.slice(0, n)].slice(0, 4 + (n % 3)).map((p) => p.id));
    const results = await Promise.all(orders.map((ids) => gql(url, SET_MEMBERS, { id: target.id, ids }, staff())));
    expect(results.map(codes)).toEqual(orders.map(() => []));
    const members = (await db()('product_group_items').where('group_id', target.id).orderBy('position')).map((row: { product_id: string }) => String(row.product_id));
    expect(orders).toContainEqual(members);
  });

  it('lets one of concurrent creations of the same hot word win; the others are CONFLICT', async () => {
    const word = uniqueToken('并发');
    const results = await Promise.all(Array.from({ length: 5 }, () => gql(url, 'mutation($w: String!) { createHotSearchWord(input: { word: $w }) { id } }', { w: word }, staff())));
    expect(results.map(codes).sort()).toEqual([[], ['CONFLICT'], ['CONFLICT'], ['CONFLICT'], ['CONFLICT']]);
    expect(await db()('hot_search_words').where({ word })).toHaveLength(1);
  });

  it('lists groups in staff order, rankings on their own, a page at a time', async () => {
    const token = uniqueToken('order');
    const second = await group({ name: `${token}-2`, kind: 'RANKING', sortOrder: 900001 });
    const first = await group({ name: `${token}-1`, kind: 'RANKING', sortOrder: 900000 });
    const LIST = `query($kind: ProductGroupKind, $first: Int, $after: String) { productGroups(kind: $kind, first: $first, after: $after) { edges { cursor node { id kind } } pageInfo { hasNextPage endCursor } } }`;
    const ids: string[] = [];
    let after: string | null = null;
    for (;;) {
      const page: { edges: { node: { id: string; kind: string } }[]; pageInfo: { hasNextPage: boolean; endCursor: string } } = ok(await gql(url, LIST, { kind: 'RANKING', first: 2, after }, shopper())).productGroups;
      expect(page.edges.every((e) => e.node.kind === 'RANKING')).toBe(true);
      ids.push(...page.edges.map((e) => e.node.id));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.indexOf(first.id)).toBeLessThan(ids.indexOf(second.id));
    expect(codes(await gql(url, LIST, { after: 'bm9wZQ' }, shopper()))).toEqual(['BAD_USER_INPUT']);

    // Searching by name (case-insensitive, LIKE wildcards taken literally).
    const SEARCH = `query($k: String) { productGroups(keyword: $k, first: 10) { edges { node { id } } } }`;
    const found = ok(await gql(url, SEARCH, { k: token.toUpperCase() }, shopper())).productGroups.edges.map((e: { node: { id: string } }) => e.node.id);
    expect(found).toEqual([first.id, second.id]);
    expect(ok(await gql(url, SEARCH, { k: `${token}%` }, shopper())).productGroups.edges).toEqual([]);
    expect(codes(await gql(url, SEARCH, { k: 'x'.repeat(65) }, shopper()))).toEqual(['BAD_USER_INPUT']);
  });

  it('refuses unknown groups and products, duplicates and too many members, writing nothing', async () => {
    const target = await group({ name: uniqueToken('refuse') });
    const p = await product();
    await asStaff(SET_MEMBERS, { id: target.id, ids: [p.id] });
    const refused = async (code: string, id: string, ids: string[], headers = staff()) => {
      const before = await contentSnapshot({ groupIds: [target.id] });
      expect(codes(await gql(url, SET_MEMBERS, { id, ids }, headers))).toEqual([code]);
      expect(await contentSnapshot({ groupIds: [target.id] })).toEqual(before);
      expect(before.groupItems).toHaveLength(1);
    };
    await refused('NOT_FOUND', '999999999', [p.id]);
    await refused('NOT_FOUND', target.id, [p.id, '999999999']);
    await refused('BAD_USER_INPUT', target.id, [p.id, p.id]);
    await refused('BAD_USER_INPUT', target.id, ['x']);
    await refused('BAD_USER_INPUT', target.id, Array.from({ length: 201 }, (_, n) => String(n + 1)));
    await refused('FORBIDDEN', target.id, [p.id], shopper());
    expect(codes(await gql(url, CREATE_GROUP, { input: { name: ' ' } }, staff()))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await gql(url, CREATE_GROUP, { input: { name: 'x'.repeat(65) } }, staff()))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await gql(url, 'mutation { updateProductGroup(id: "999999999", input: { name: "x" }) { id } }', {}, staff()))).toEqual(['NOT_FOUND']);
    const renamed = await asStaff('mutation($id: ID!) { updateProductGroup(id: $id, input: { name: "改名", showOnHome: false }) { name showOnHome kind } }', { id: target.id });
    expect(renamed.updateProductGroup).toEqual({ name: '改名', showOnHome: false, kind: 'LIST' });
    expect((await asStaff('mutation($id: ID!) { deleteProductGroup(id: $id) }', { id: target.id })).deleteProductGroup).toBe(true);
    expect(ok(await gql(url, GROUP, { id: target.id }, shopper())).productGroup).toBeNull();
  });
});

describe('tags and products by tag', () => {
  const BY_TAG = `query($t: ID!, $first: Int, $after: String) { productsByTag(tagId: $t, first: $first, after: $after) { edges { node { id tags { name } } } pageInfo { hasNextPage endCursor } } }`;

  it('pages through a tag’s on-shelf products newest first; staff see off-shelf ones too', async () => {
    const tag = (await asStaff('mutation($n: String!) { createProductTag(name: $n, sortOrder: 5) { id name sortOrder } }', { n: uniqueToken('tag') })).createProductTag;
    const products = [await product(), await product(), await product(), await product({ onShelf: false })];
    for (const p of products) await asStaff('mutation($p: ID!, $t: [ID!]!) { setProductTags(productId: $p, tagIds: $t) { id tags { id } } }', { p: p.id, t: [tag.id] });
    const ids: string[] = [];
    let after: string | null = null;
    for (;;) {
      const page: any = ok(await gql(url, BY_TAG, { t: tag.id, first: 2, after }, shopper())).productsByTag;
      ids.push(...page.edges.map((e: { node: { id: string; tags: { name: string }[] } }) => {
        expect(e.node.tags.map((t) => t.name)).toContain(tag.name);
        return e.node.id;
      }));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(ids).toEqual(products.slice(0, 3).map((p) => p.id).reverse());
    const forStaff = (await asStaff(BY_TAG, { t: tag.id, first: 10 })).productsByTag.edges.map((e: { node: { id: string } }) => e.node.id);
    expect(forStaff).toEqual(products.map((p) => p.id).reverse());
    expect(ok(await gql(url, '{ productTags { id name } }', {}, shopper())).productTags).toContainEqual({ id: tag.id, name: tag.name });
    const nested = ok(await gql(url, `query { productTags { id products(first: 1) { edges { node { id } } } } }`, {}, shopper())).productTags;
    expect(nested.find((t: { id: string }) => t.id === tag.id).products.edges[0].node.id).toBe(products[2].id);
  });

  it('refuses unknown tags and products, duplicate names, and shoppers', async () => {
    const name = uniqueToken('dup');
    const tag = (await asStaff('mutation($n: String!) { createProductTag(name: $n) { id } }', { n: name })).createProductTag;
    expect(codes(await gql(url, 'mutation($n: String!) { createProductTag(name: $n) { id } }', { n: name }, staff()))).toEqual(['CONFLICT']);
    expect(codes(await gql(url, 'mutation($n: String!) { createProductTag(name: $n) { id } }', { n: 'x'.repeat(33) }, staff()))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await gql(url, BY_TAG, { t: '999999999' }, shopper()))).toEqual(['NOT_FOUND']);
    const p = await product();
    await asStaff('mutation($p: ID!, $t: [ID!]!) { setProductTags(productId: $p, tagIds: $t) { id } }', { p: p.id, t: [tag.id] });
    const before = await contentSnapshot({ productIds: [p.id] });
    expect(before.tagLinks).toHaveLength(1);
    expect(codes(await gql(url, 'mutation($p: ID!, $t: [ID!]!) { setProductTags(productId: $p, tagIds: $t) { id } }', { p: p.id, t: [tag.id, '999999999'] }, staff()))).toEqual(['NOT_FOUND']);
    expect(codes(await gql(url, 'mutation($p: ID!, $t: [ID!]!) { setProductTags(productId: $p, tagIds: $t) { id } }', { p: '999999999', t: [tag.id] }, staff()))).toEqual(['NOT_FOUND']);
    expect(codes(await gql(url, 'mutation($p: ID!, $t: [ID!]!) { setProductTags(productId: $p, tagIds: $t) { id } }', { p: p.id, t: [tag.id] }, shopper()))).toEqual(['FORBIDDEN']);
    expect(await contentSnapshot({ productIds: [p.id] })).toEqual(before);
    expect(codes(await gql(url, 'mutation($id: ID!) { updateProductTag(id: $id, name: "x") { id } }', { id: '999999999' }, staff()))).toEqual(['NOT_FOUND']);
    expect((await asStaff('mutation($id: ID!) { deleteProductTag(id: $id) }', { id: tag.id })).deleteProductTag).toBe(true);
  });
});

describe('related products', () => {
  const RELATED = `query($id: ID!, $first: Int) { product(id: $id) { related(first: $first) { id } } }`;

  it('ranks shared tags, then the same category, then the same brand; never itself, off-shelf ones or strangers', async () => {
    // A category and brand of their own, so the demo catalog does not crowd the ranking.
    const [category] = await db()('categories').insert({ name: uniqueToken('cat'), parent_id: tree.top.id }).returning('id');
    const [brand] = await db()('brands').insert({ name: uniqueToken('brand') }).returning('id');
    const [otherCategory] = await db()('categories').insert({ name: uniqueToken('cat'), parent_id: tree.top.id }).returning('id');
    const source = await product({ category: category.id, brand: brand.id });
    const sameCategory = await product({ category: category.id, brand: null });
    const sameBoth = await product({ category: category.id, brand: brand.id });
    const sameBrand = await product({ category: otherCategory.id, brand: brand.id });
    const tagged = await product({ category: otherCategory.id, brand: null });
    const offShelf = await product({ category: category.id, brand: brand.id, onShelf: false });
    await product({ category: otherCategory.id, brand: null }); // shares nothing
    const tag = (await asStaff('mutation($n: String!) { createProductTag(name: $n) { id } }', { n: uniqueToken('rel') })).createProductTag;
    for (const p of [source, tagged]) await asStaff('mutation($p: ID!, $t: [ID!]!) { setProductTags(productId: $p, tagIds: $t) { id } }', { p: p.id, t: [tag.id] });

    const related = ok(await gql(url, RELATED, { id: source.id, first: 10 }, shopper())).product.related.map((p: { id: string }) => p.id);
    expect(related).toEqual([tagged.id, sameBoth.id, sameCategory.id, sameBrand.id]);
    expect(related).not.toContain(offShelf.id);
    expect(ok(await gql(url, RELATED, { id: source.id, first: 2 }, shopper())).product.related.map((p: { id: string }) => p.id)).toEqual([tagged.id, sameBoth.id]);
    expect(codes(await gql(url, RELATED, { id: source.id, first: 21 }, shopper()))).toEqual(['BAD_USER_INPUT']);
  });

  it('batches the related products and the tags of a whole page: the same statements for 2 products and for 30', async () => {
    const query = `query($first: Int) { products(first: $first) { edges { node { id related(first: 3) { id } tags { name } } } } }`;
    const cost = async (first: number) => {
      const counter = countStatements(db());
      ok(await gql(url, query, { first }, shopper()));
      counter.stop();
      return requestStatements(counter.statements);
    };
    await cost(1); // warm-up: the subgraph's start-up housekeeping is done by then
    const few = await cost(2);
    const many = await cost(30);
    // The page, the related products of all of it, the tag ids of all of it, the tags, the related rows (none when
    // they are all on the page already, whose rows the page primed): each once, whatever the page size.
    expect(few.length).toBeLessThanOrEqual(5);
    expect(many.length).toBeLessThanOrEqual(few.length);
    expect(new Set(many).size).toBe(many.length);
    expect(many.every((sql) => few.includes(sql))).toBe(true);
  });
});

describe('hot search words', () => {
  it('lists staff words in order; duplicates CONFLICT; unknown ids NOT_FOUND', async () => {
    const word = uniqueToken('热');
    const created = (await asStaff('mutation($i: HotSearchWordInput!) { createHotSearchWord(input: $i) { id word highlighted sortOrder } }', { i: { word, sortOrder: -100, highlighted: true } })).createHotSearchWord;
    expect(created).toMatchObject({ word, highlighted: true, sortOrder: -100 });
    expect(ok(await gql(url, '{ hotSearchWords { word } }', {}, anonymousTo('product'))).hotSearchWords[0].word).toBe(word);
    expect(codes(await gql(url, 'mutation($i: HotSearchWordInput!) { createHotSearchWord(input: $i) { id } }', { i: { word } }, staff()))).toEqual(['CONFLICT']);
    expect(codes(await gql(url, 'mutation($i: HotSearchWordInput!) { createHotSearchWord(input: $i) { id } }', { i: { word: 'x'.repeat(33) } }, staff()))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await gql(url, 'mutation($i: HotSearchWordInput!) { createHotSearchWord(input: $i) { id } }', { i: { word: 'ok', sortOrder: 2_000_000 } }, staff()))).toEqual(['BAD_USER_INPUT']);
    const updated = (await asStaff('mutation($id: ID!, $i: HotSearchWordInput!) { updateHotSearchWord(id: $id, input: $i) { word sortOrder } }', { id: created.id, i: { word: `${word}2`, sortOrder: 7 } })).updateHotSearchWord;
    expect(updated).toEqual({ word: `${word}2`, sortOrder: 7 });
    expect((await asStaff('mutation($id: ID!) { deleteHotSearchWord(id: $id) }', { id: created.id })).deleteHotSearchWord).toBe(true);
    expect(codes(await gql(url, 'mutation($id: ID!) { deleteHotSearchWord(id: $id) }', { id: created.id }, staff()))).toEqual(['NOT_FOUND']);
  });
});

describe('guess you like', () => {
  const GUESS = `query($first: Int) { guessYouLike(first: $first) { id onShelf } }`;

  it('shuffles stably per caller and day', () => {
    const ids = Array.from({ length: 30 }, (_, n) => String(n + 1));
    const alice = shuffledFor(ids, 'user:1', '2026-12-05');
    expect(shuffledFor(ids, 'user:1', '2026-12-05')).toEqual(alice);
    expect([...alice].sort()).toEqual([...ids].sort());
    expect(shuffledFor(ids, 'user:2', '2026-12-05')).not.toEqual(alice);
    expect(shuffledFor(ids, 'user:1', '2026-12-06')).not.toEqual(alice);
    expect(dayOf(new Date('2026-12-05T23:59:59Z'))).toBe('2026-12-05');
  });

  /** The ids both lists hold, in each list's order: equal when the lists agree on order (other test files may change the pool meanwhile). */
  const common = (a: { id: string }[], b: { id: string }[]) => {
    const inB = new Set(b.map((p) => p.id));
    const inA = new Set(a.map((p) => p.id));
    return [a.filter((p) => inB.has(p.id)).map((p) => p.id), b.filter((p) => inA.has(p.id)).map((p) => p.id)];
  };

  it('keeps the order of the products that stay when the pool changes', () => {
    const ids = Array.from({ length: 30 }, (_, n) => String(n + 1));
    const before = shuffledFor(ids, 'user:1', '2026-12-05');
    const after = shuffledFor([...ids.slice(3), '100', '101'], 'user:1', '2026-12-05');
    expect(after.filter((id) => before.includes(id))).toEqual(before.filter((id) => after.includes(id)));
  });

  it('gives each signed-in shopper their own stable list of on-shelf products; anonymous callers share one', async () => {
    const alice = asIdentity({ userId: '71' }, 'product');
    const bob = asIdentity({ userId: '72' }, 'product');
    const list = async (headers: Record<string, string>) => ok(await gql(url, GUESS, { first: 10 }, headers)).guessYouLike;
    const first = await list(alice);
    expect(first).toHaveLength(10);
    expect(first.every((p: { onShelf: boolean }) => p.onShelf)).toBe(true);
    const [again, earlier] = common(await list(alice), first);
    expect(again).toEqual(earlier);
    expect(again.length).toBeGreaterThanOrEqual(5);
    expect(await list(bob)).not.toEqual(first);
    const [anonymous, anonymousAgain] = common(await list(anonymousTo('product')), await list(anonymousTo('product')));
    expect(anonymous).toEqual(anonymousAgain);
    expect(codes(await gql(url, GUESS, { first: 51 }, alice))).toEqual(['BAD_USER_INPUT']);
  });
});

describe('help center', () => {
  it('lists topics with their featured questions, serves a question in detail, and lets staff edit them', async () => {
    const topic = (await asStaff('mutation($t: String!) { createHelpTopic(title: $t, sortOrder: -50) { id title } }', { t: uniqueToken('帮助') })).createHelpTopic;
    const CREATE_Q = 'mutation($i: HelpQuestionInput!) { createHelpQuestion(input: $i) { id question featured topic { id } } }';
    const featured = (await asStaff(CREATE_Q, { i: { topicId: topic.id, question: '怎么开发票？', answer: '在订单详情申请。', featured: true } })).createHelpQuestion;
    const plain = (await asStaff(CREATE_Q, { i: { topicId: topic.id, question: '发票抬头可以改吗？', answer: '开票前可以修改。', sortOrder: 1 } })).createHelpQuestion;
    const topics = ok(await gql(url, '{ helpTopics { id title questions(featuredOnly: true) { id } all: questions { id } } }', {}, anonymousTo('product'))).helpTopics;
    expect(topics.find((t: { id: string }) => t.id === topic.id)).toEqual({ id: topic.id, title: topic.title, questions: [{ id: featured.id }], all: [{ id: featured.id }, { id: plain.id }] });
    expect(topics.length).toBeGreaterThanOrEqual(4); // the demo's three too
    const detail = ok(await gql(url, 'query($id: ID!) { helpQuestion(id: $id) { question answer topic { title } } }', { id: plain.id }, anonymousTo('product'))).helpQuestion;
    expect(detail).toEqual({ question: '发票抬头可以改吗？', answer: '开票前可以修改。', topic: { title: topic.title } });

    expect(codes(await gql(url, CREATE_Q, { i: { topicId: '999999999', question: 'q', answer: 'a' } }, staff()))).toEqual(['NOT_FOUND']);
    expect(codes(await gql(url, CREATE_Q, { i: { topicId: topic.id, question: 'q', answer: 'a'.repeat(5001) } }, staff()))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await gql(url, CREATE_Q, { i: { topicId: topic.id, question: 'q', answer: 'a' } }, shopper()))).toEqual(['FORBIDDEN']);
    expect((await asStaff('mutation($id: ID!) { updateHelpTopic(id: $id, title: "改") { title } }', { id: topic.id })).updateHelpTopic.title).toBe('改');
    expect((await asStaff('mutation($id: ID!) { deleteHelpTopic(id: $id) }', { id: topic.id })).deleteHelpTopic).toBe(true);
    expect(ok(await gql(url, 'query($id: ID!) { helpQuestion(id: $id) { id } }', { id: plain.id }, anonymousTo('product'))).helpQuestion).toBeNull();
    expect(codes(await gql(url, 'mutation($id: ID!) { deleteHelpQuestion(id: $id) }', { id: plain.id }, staff()))).toEqual(['NOT_FOUND']);
  });
});

describe('SKU by barcode', () => {
  const BY_CODE = `query($b: String!) { skuByBarcode(barcode: $b) { id barcode product { id } } }`;
  const SET = `mutation($s: ID!, $b: String) { setSkuBarcode(skuId: $s, barcode: $b) { id barcode } }`;
  const code = () => `69${Date.now().toString().slice(-9)}${Math.floor(Math.random() * 100).toString().padStart(2, '0')}`;

  it('finds a live SKU of an on-shelf product by its barcode; a barcode belongs to one live SKU', async () => {
    const p = await product();
    const other = await product();
    const barcode = code();
    expect((await asStaff(SET, { s: p.skus[0].id, b: barcode })).setSkuBarcode).toEqual({ id: p.skus[0].id, barcode });
    expect(ok(await gql(url, BY_CODE, { b: barcode }, shopper())).skuByBarcode).toEqual({ id: p.skus[0].id, barcode, product: { id: p.id } });
    expect(ok(await gql(url, BY_CODE, { b: code() }, shopper())).skuByBarcode).toBeNull();
    expect(codes(await gql(url, SET, { s: other.skus[0].id, b: barcode }, staff()))).toEqual(['CONFLICT']);
    expect(codes(await gql(url, SET, { s: other.skus[0].id, b: 'bad code!' }, staff()))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await gql(url, SET, { s: '999999999', b: code() }, staff()))).toEqual(['NOT_FOUND']);
    expect(codes(await gql(url, SET, { s: other.skus[0].id, b: code() }, shopper()))).toEqual(['FORBIDDEN']);
    expect(codes(await gql(url, BY_CODE, { b: 'x'.repeat(33) }, shopper()))).toEqual(['BAD_USER_INPUT']);

    // Off the shelf: shoppers no longer find it, staff do.
    await asStaff('mutation($id: ID!) { setProductOnShelf(id: $id, onShelf: false) { id } }', { id: p.id });
    expect(ok(await gql(url, BY_CODE, { b: barcode }, shopper())).skuByBarcode).toBeNull();
    expect((await asStaff(BY_CODE, { b: barcode })).skuByBarcode.id).toBe(p.skus[0].id);

    // Cleared, the code can go to another SKU.
    expect((await asStaff(SET, { s: p.skus[0].id, b: null })).setSkuBarcode.barcode).toBeNull();
    expect((await asStaff(SET, { s: other.skus[0].id, b: barcode })).setSkuBarcode.barcode).toBe(barcode);
  });
});
