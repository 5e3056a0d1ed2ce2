/**
 * Product subgraph on its own: browsing (categories, brands, products with keyset pagination and filters),
 * shelf visibility, and the batching proofs (entity references and product lists cost a constant number of statements).
 */
import { countStatements } from '../../../platform/db';
import type { RunningSupergraph } from '../../../app/launcher';
import { anonymousTo, asIdentity, codes, gql, startSupergraph, testConfig, type GraphQLResponse } from '../../../test/support/harness';
import { DEMO_TREE, seedDemoCatalog as seedDemo } from '../data/demo-catalog';
import { createProduct, seededTree, shopper, staff, uniqueToken, type SeededTree } from './helpers';

// Statement counts prove the PostgreSQL path batches; the catalog cache (which makes repeated reads cost none) is
// tested in test/catalog-cache.test.ts.
const uncachedCatalog = testConfig({ CATALOG_CACHE: 'false' });

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
const DEMO_TITLES = DEMO_TREE.flatMap((top) => top.children.flatMap((child) => child.products.map((p) => p.title)));
const sku = (name: string, price = 1000, stock = 5) => ({ name, price, stock });

const PAGE = `query($filter: ProductFilter, $first: Int, $after: String) {
  products(filter: $filter, first: $first, after: $after) { edges { cursor node { id title onShelf } } pageInfo { hasNextPage endCursor } }
}`;

/** Walks every page of `products`, returning the ids in order. */
async function walk(filter: Record<string, unknown>, first: number, headers = shopper()) {
  const ids: string[] = [];
  let after: string | null = null;
  let pages = 0;
  for (;;) {
    const response: GraphQLResponse = await gql(url, PAGE, { filter, first, after }, headers);
    expect(response.errors).toBeUndefined();
    const { edges, pageInfo }: { edges: { cursor: string; node: { id: string } }[]; pageInfo: { hasNextPage: boolean; endCursor: string } } =
      response.data.products;
    pages += 1;
    expect(edges.length).toBeLessThanOrEqual(first);
    ids.push(...edges.map((edge) => edge.node.id));
    if (edges.length) expect(pageInfo.endCursor).toBe(edges.at(-1)!.cursor);
    if (!pageInfo.hasNextPage) break;
    expect(edges.length).toBe(first);
    after = pageInfo.endCursor;
  }
  return { ids, pages };
}

describe('categories and brands', () => {
  it('serves the two-level tree: top level by default, children batched', async () => {
    const counter = countStatements(db());
    const response = await gql(url, '{ categories { id name parentId sortOrder children { id name parentId children { id } } } }', {}, anonymousTo('product'));
    counter.stop();
    expect(response.errors).toBeUndefined();
    const tops = response.data.categories;
    expect(tops.length).toBeGreaterThanOrEqual(4);
    for (const top of tops) {
      expect(top.parentId).toBeNull();
      expect(top.children.length).toBeGreaterThanOrEqual(2);
      for (const child of top.children) {
        expect(child.parentId).toBe(top.id);
        expect(child.children).toEqual([]);
      }
    }
    // Top level, their children, and the (empty) grandchildren: one statement per level, not per category.
    expect(counter.count).toBe(3);
    expect(tops.map((c: { sortOrder: number }) => c.sortOrder)).toEqual([...tops.map((c: { sortOrder: number }) => c.sortOrder)].sort((a, b) => a - b));
  });

  it('lists the children of a parent, and nothing for unknown or malformed ids', async () => {
    const children = await gql(url, 'query($p: ID) { categories(parentId: $p) { id parentId } }', { p: tree.top.id }, anonymousTo('product'));
    expect(children.data.categories.map((c: { id: string }) => c.id)).toEqual(
      expect.arrayContaining(tree.top.childIds),
    );
    expect(children.data.categories.every((c: { parentId: string }) => c.parentId === tree.top.id)).toBe(true);
    expect((await gql(url, '{ categories(parentId: "999999999") { id } }', {}, anonymousTo('product'))).data.categories).toEqual([]);
    expect((await gql(url, '{ categories(parentId: "abc") { id } }', {}, anonymousTo('product'))).data.categories).toEqual([]);
  });

  it('lists brands', async () => {
    const response = await gql(url, '{ brands { id name logoUrl } }', {}, anonymousTo('product'));
    expect(response.data.brands.length).toBeGreaterThanOrEqual(6);
  });
});

describe('demo catalog', () => {
  it('has a two-level tree, 24+ on-shelf products and 200+ on-shelf SKUs in stock; seeding again adds nothing', async () => {
    const counts = async () => {
      const demo = db()('products').whereIn('title', DEMO_TITLES);
      const products = Number((await demo.clone().where('on_shelf', true).count({ n: '*' }))[0].n);
      const skus = Number(
        (await db()('skus').whereIn('product_id', demo.clone().where('on_shelf', true).select('id')).whereNull('deleted_at').where('stock', '>', 0).count({ n: '*' }))[0].n,
      );
      const all = Number((await demo.clone().count({ n: '*' }))[0].n);
      return { products, skus, all };
    };
    const before = await counts();
    expect(before.products).toBeGreaterThanOrEqual(24);
    expect(before.skus).toBeGreaterThanOrEqual(200);
    const grandchildren = await db()('categories as c').join('categories as p', 'c.parent_id', 'p.id').whereNotNull('p.parent_id');
    expect(grandchildren).toEqual([]);
    await seedDemo(db(), testConfig());
    expect(await counts()).toEqual(before);
  });
});

describe('products connection', () => {
  it('walks all pages without duplicates or gaps, newest first', async () => {
    const token = uniqueToken('page');
    const created: string[] = [];
    for (let n = 0; n < 7; n += 1) {
      const product = await createProduct(url, { title: `${token} #${n}`, categoryId: tree.leafA, skus: [sku('默认')], onShelf: true });
      created.push(product.id);
    }
    const { ids, pages } = await walk({ keyword: token }, 3);
    expect(pages).toBe(3);
    expect(ids).toEqual([...created].reverse());

    // The whole catalog: no duplicates, ids strictly descending, and every on-shelf demo product plus ours exactly once
    // (other test files add and hide their own products meanwhile; those may or may not be in the walk).
    const demo = (await db()('products').whereIn('title', DEMO_TITLES).where('on_shelf', true).select('id')).map((row: { id: string }) => row.id);
    expect(demo.length).toBeGreaterThanOrEqual(24);
    const all = await walk({}, 10);
    expect(new Set(all.ids).size).toBe(all.ids.length);
    const descending = all.ids.every((id, index) => index === 0 || BigInt(id) < BigInt(all.ids[index - 1]));
    expect(descending).toBe(true);
    expect(all.ids).toEqual(expect.arrayContaining([...demo, ...created]));
  });

  it('defaults to 20 per page and refuses page sizes outside 1..maxPageSize and malformed cursors', async () => {
    const page = await gql(url, '{ products { edges { node { id } } pageInfo { hasNextPage } } }', {}, anonymousTo('product'));
    expect(page.data.products.edges).toHaveLength(20);
    expect(page.data.products.pageInfo.hasNextPage).toBe(true);
    expect((await gql(url, '{ products(first: 100) { edges { cursor } } }', {}, anonymousTo('product'))).errors).toBeUndefined();
    for (const first of [0, -1, 101]) {
      const response = await gql(url, PAGE, { first }, anonymousTo('product'));
      expect(codes(response)).toEqual(['BAD_USER_INPUT']);
      expect(response.data).toBeNull();
    }
    for (const after of ['not-a-cursor', Buffer.from('{"id":"x"}').toString('base64url'), Buffer.from('[]').toString('base64url'), '']) {
      expect(codes(await gql(url, PAGE, { after }, anonymousTo('product')))).toEqual(['BAD_USER_INPUT']);
    }
  });

  it('filters by category (a top-level one includes its children), brand and keyword', async () => {
    const token = uniqueToken('filter');
    const a = await createProduct(url, { title: `${token} A`, categoryId: tree.leafA, brandId: tree.brandA, skus: [sku('x')], onShelf: true });
    const b = await createProduct(url, { title: `${token} B`, categoryId: tree.leafB, brandId: tree.brandB, skus: [sku('x')], onShelf: true });
    const ids = async (filter: Record<string, unknown>) => (await walk({ keyword: token, ...filter }, 100)).ids;

    expect(await ids({})).toEqual([b.id, a.id]);
    expect(await ids({ categoryId: tree.leafA })).toEqual([a.id]);
    expect(await ids({ categoryId: tree.leafB })).toEqual([b.id]);
    expect(await ids({ categoryId: tree.top.id })).toEqual([b.id, a.id]);
    expect(await ids({ brandId: tree.brandB })).toEqual([b.id]);
    expect(await ids({ categoryId: tree.leafA, brandId: tree.brandB })).toEqual([]);
    expect(await ids({ categoryId: '999999999' })).toEqual([]);
    expect(codes(await gql(url, PAGE, { filter: { categoryId: 'abc' } }, anonymousTo('product')))).toEqual(['BAD_USER_INPUT']);

    // Every product of a top-level category sits in one of its children.
    const top = await walk({ categoryId: tree.top.id }, 100);
    const rows = await db()('products').whereIn('id', top.ids).select('category_id');
    expect(rows.every((row: { category_id: string }) => tree.top.childIds.includes(row.category_id))).toBe(true);
  });

  it('matches keywords case-insensitively, with % and _ taken literally', async () => {
    const token = uniqueToken('kw');
    const percent = await createProduct(url, { title: `${token} 100% Cotton`, categoryId: tree.leafA, skus: [sku('x')], onShelf: true });
    const plain = await createProduct(url, { title: `${token} 1000 Cotton`, categoryId: tree.leafA, skus: [sku('x')], onShelf: true });
    const underscore = await createProduct(url, { title: `${token} a_b`, categoryId: tree.leafA, skus: [sku('x')], onShelf: true });
    const other = await createProduct(url, { title: `${token} axb`, categoryId: tree.leafA, skus: [sku('x')], onShelf: true });

    expect((await walk({ keyword: `${token} 100%` }, 10)).ids).toEqual([percent.id]);
    expect((await walk({ keyword: `${token} 100` }, 10)).ids).toEqual([plain.id, percent.id]);
    expect((await walk({ keyword: `${token} A_B` }, 10)).ids).toEqual([underscore.id]);
    // Words match wherever they are in the title (not only side by side): both are ranked 1, newest first.
    expect((await walk({ keyword: `${token.toUpperCase()} COTTON` }, 10)).ids).toEqual([plain.id, percent.id]);
    expect((await walk({ keyword: `${token} cotton 100%` }, 10)).ids).toEqual([percent.id]);
    expect((await walk({ keyword: `  ${token}  ` }, 10)).ids).toEqual([other.id, underscore.id, plain.id, percent.id]);
    expect(codes(await gql(url, PAGE, { filter: { keyword: 'x'.repeat(101) } }, anonymousTo('product')))).toEqual(['BAD_USER_INPUT']);
  });
});

describe('shelf visibility', () => {
  it('hides off-shelf products and their SKUs from shoppers, not from staff', async () => {
    const token = uniqueToken('shelf');
    const product = await createProduct(url, { title: token, categoryId: tree.leafA, skus: [sku('x')] });
    const byId = 'query($id: ID!) { product(id: $id) { id onShelf } }';
    const skuById = 'query($id: ID!) { sku(id: $id) { id available } }';

    for (const headers of [anonymousTo('product'), shopper()]) {
      expect((await gql(url, byId, { id: product.id }, headers)).data.product).toBeNull();
      expect((await gql(url, skuById, { id: product.skus[0].id }, headers)).data.sku).toBeNull();
      expect((await walk({ keyword: token }, 10, headers)).ids).toEqual([]);
      expect((await walk({ keyword: token, onShelf: false }, 10, headers)).ids).toEqual([]);
    }
    // A signed-in user without catalog:write is a shopper too.
    expect((await gql(url, byId, { id: product.id }, asIdentity({ userId: '3', scopes: ['order:write'] }, 'product'))).data.product).toBeNull();

    expect((await gql(url, byId, { id: product.id }, staff())).data.product).toEqual({ id: product.id, onShelf: false });
    expect((await gql(url, skuById, { id: product.skus[0].id }, staff())).data.sku).toEqual({ id: product.skus[0].id, available: false });
    expect((await walk({ keyword: token }, 10, staff())).ids).toEqual([product.id]);
    expect((await walk({ keyword: token, onShelf: true }, 10, staff())).ids).toEqual([]);
    expect((await walk({ keyword: token, onShelf: false }, 10, staff())).ids).toEqual([product.id]);

    await gql(url, 'mutation($id: ID!) { setProductOnShelf(id: $id, onShelf: true) { id } }', { id: product.id }, staff());
    expect((await gql(url, byId, { id: product.id }, shopper())).data.product).toEqual({ id: product.id, onShelf: true });
    expect((await gql(url, skuById, { id: product.skus[0].id }, anonymousTo('product'))).data.sku).toEqual({ id: product.skus[0].id, available: true });
  });

  it('answers null for unknown and malformed ids', async () => {
    const response = await gql(url, '{ a: product(id: "999999999") { id } b: product(id: "x") { id } c: sku(id: "999999999") { id } d: sku(id: "-1") { id } }', {}, anonymousTo('product'));
    expect(response.errors).toBeUndefined();
    expect(response.data).toEqual({ a: null, b: null, c: null, d: null });
  });
});

describe('entities and batching', () => {
  // Exactly what the cart asks for, through the service client.
  const CART_SELECTION = `query($r: [_Any!]!) { _entities(representations: $r) {
    ... on Sku { id name price stock available product { id title onShelf category { id } } } } }`;
  const cartIdentity = () => asIdentity({ service: 'cart', userId: '5' }, 'product');

  it('resolves deleted SKUs and SKUs of off-shelf products as unavailable; only unknown ids are null', async () => {
    const product = await createProduct(url, { title: uniqueToken('ent'), categoryId: tree.leafA, skus: [sku('a'), sku('b'), sku('c', 500, 0)], onShelf: true });
    const [a, b, c] = product.skus;
    await gql(url, 'mutation($id: ID!) { deleteSku(id: $id) { id } }', { id: b.id }, staff());
    const representations = [a.id, b.id, c.id, '999999999', 'nope'].map((id) => ({ __typename: 'Sku', id }));

    const onShelf = await gql(url, CART_SELECTION, { r: representations }, cartIdentity());
    expect(onShelf.errors).toBeUndefined();
    expect(onShelf.data._entities.map((e: { available: boolean } | null) => e && e.available)).toEqual([true, false, false, null, null]);
    expect(onShelf.data._entities[0]).toMatchObject({ name: 'a', price: 1000, stock: 5, product: { id: product.id, onShelf: true, category: { id: tree.leafA } } });

    await gql(url, 'mutation($id: ID!) { setProductOnShelf(id: $id, onShelf: false) { id } }', { id: product.id }, staff());
    const offShelf = await gql(url, CART_SELECTION, { r: representations }, cartIdentity());
    expect(offShelf.data._entities.map((e: { available: boolean } | null) => e && e.available)).toEqual([false, false, false, null, null]);
    expect(offShelf.data._entities[0].product).toMatchObject({ id: product.id, title: product.title, onShelf: false });
  });

  it('costs the same statements for 1 and 99 SKU references: one for the SKUs, one for their products', async () => {
    const ids = (await db()('skus').whereNull('deleted_at').orderBy('id').limit(99).select('id')).map((row: { id: string }) => row.id);
    expect(ids).toHaveLength(99);
    const cost = async (skuIds: string[]) => {
      const counter = countStatements(db());
      const response = await gql(url, CART_SELECTION, { r: skuIds.map((id) => ({ __typename: 'Sku', id })) }, cartIdentity());
      counter.stop();
      expect(response.errors).toBeUndefined();
      expect(response.data._entities).toHaveLength(skuIds.length);
      expect(response.data._entities.every((e: { product: { title: string } }) => e.product.title)).toBe(true);
      return counter.count;
    };
    const one = await cost(ids.slice(0, 1));
    const many = await cost(ids);
    expect(one).toBe(2);
    expect(many).toBe(one);
  });

  it('reads only the tables a SKU reference selection reaches, one statement each whatever the number of SKUs', async () => {
    const ids = (await db()('skus').whereNull('deleted_at').orderBy('id').limit(99).select('id')).map((row: { id: string }) => row.id);
    const cost = async (selection: string, skuIds: string[]) => {
      const counter = countStatements(db());
      const response = await gql(url, `query($r: [_Any!]!) { _entities(representations: $r) { ... on Sku { ${selection} } } }`, {
        r: skuIds.map((id) => ({ __typename: 'Sku', id })),
      }, cartIdentity());
      counter.stop();
      expect(response.errors).toBeUndefined();
      expect(response.data._entities).toHaveLength(skuIds.length);
      return { count: counter.count, entities: response.data._entities };
    };
    // The SKU alone: its table only.
    expect((await cost('id name price', ids)).count).toBe(1);
    // The SKU facts cart and order read (category with its parent): SKUs, products, categories.
    const facts = 'id available product { id title category { id parentId } }';
    const one = await cost(facts, ids.slice(0, 1));
    const many = await cost(facts, ids);
    expect(one.count).toBe(3);
    expect(many.count).toBe(3);
    for (const entity of many.entities) expect(entity.product.category).toEqual({ id: expect.any(String), parentId: expect.anything() });
  });

  it('resolves product references in one statement', async () => {
    const ids = (await db()('products').orderBy('id').limit(20).select('id')).map((row: { id: string }) => row.id);
    const counter = countStatements(db());
    const response = await gql(url, 'query($r: [_Any!]!) { _entities(representations: $r) { ... on Product { id title onShelf } } }', {
      r: ids.map((id) => ({ __typename: 'Product', id })),
    }, anonymousTo('product'));
    counter.stop();
    expect(response.data._entities.map((e: { id: string }) => e.id)).toEqual(ids);
    expect(counter.count).toBe(1);
  });

  it('costs a constant number of statements for a page of products with prices, SKUs and categories', async () => {
    const query = `query($first: Int) { products(first: $first) { edges { node { id minPrice skus { price } category { name } } } } }`;
    const cost = async (first: number) => {
      const counter = countStatements(db());
      const response = await gql(url, query, { first }, anonymousTo('product'));
      counter.stop();
      expect(response.errors).toBeUndefined();
      expect(response.data.products.edges).toHaveLength(first);
      for (const { node } of response.data.products.edges) {
        expect(node.minPrice).toBe(Math.min(...node.skus.map((s: { price: number }) => s.price)));
        expect(node.category.name).toEqual(expect.any(String));
      }
      return counter.count;
    };
    // Enough on-shelf products for a full page of 50, each with a few SKUs (inserted directly: setup, not under test).
    const onShelf = Number((await db()('products').where('on_shelf', true).count({ n: '*' }))[0].n);
    if (onShelf < 50) {
      const extra = await db()('products')
        .insert(Array.from({ length: 50 - onShelf }, (_, n) => ({ title: `${uniqueToken('bulk')} ${n}`, category_id: tree.leafA, on_shelf: true })))
        .returning('id');
      await db()('skus').insert(
        extra.flatMap(({ id }: { id: string }) => [3000, 2000, 4000].map((price, n) => ({ product_id: id, name: `v${n}`, price, stock: 9, sort_order: n }))),
      );
    }
    const few = await cost(2);
    const many = await cost(50);
    // The page, the SKUs of all its products, their categories.
    expect(many).toBe(3);
    expect(few).toBe(many);
  });
});
