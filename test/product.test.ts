/**
 * The product subgraph through the router: shoppers browse anonymously (categories, paged products, a product and
 * its SKUs), staff with catalog:write manage the catalog with an access token, everyone else is refused, and a
 * page of products with prices, SKUs and categories costs the product subgraph a constant number of statements.
 */
import { signAccessToken } from '../platform/access-token';
import { countStatements } from '../platform/db';
import type { RunningSupergraph } from '../app/launcher';
import { bearer, codes, gql, startSupergraph, testConfig } from './support/harness';

// Statement counts prove the PostgreSQL path batches; the catalog cache (which makes repeated reads cost none) is
// tested in test/catalog-cache.test.ts.
const uncachedCatalog = testConfig({ CATALOG_CACHE: 'false' });

let supergraph: RunningSupergraph;
let router: string;
// The user subgraph issues real tokens; here a token is signed directly for a staff user that needs no account.
const staff = () => bearer(signAccessToken({ userId: '999999', scopes: ['catalog:write'] }, testConfig()));
const shopper = () => bearer(signAccessToken({ userId: '999998', scopes: [] }, testConfig()));

beforeAll(async () => {
  supergraph = await startSupergraph({ config: uncachedCatalog });
  router = supergraph.routerUrl!;
});
afterAll(async () => {
  await supergraph?.stop();
});

const token = () => `rt${Math.random().toString(36).slice(2, 10)}`;

async function leafCategory(): Promise<{ id: string; parentId: string }> {
  const response = await gql(router, '{ categories { id children { id parentId } } }');
  expect(response.errors).toBeUndefined();
  return response.data.categories[0].children[0];
}

const CREATE = `mutation($input: CreateProductInput!) { createProduct(input: $input) { id title onShelf minPrice skus { id name price stock available } } }`;

it('lets shoppers browse the demo catalog: category tree, pages of products, a product and a SKU', async () => {
  const tree = await gql(router, '{ categories { id name parentId children { id name parentId } } brands { id name } }');
  expect(tree.errors).toBeUndefined();
  expect(tree.data.categories.length).toBeGreaterThanOrEqual(4);
  expect(tree.data.categories.every((c: { children: unknown[] }) => c.children.length >= 2)).toBe(true);
  expect(tree.data.brands.length).toBeGreaterThanOrEqual(6);

  const PAGE = `query($after: String) { products(first: 10, after: $after) {
    edges { cursor node { id title images minPrice onShelf category { id name } brand { name } skus { id name price stock available } } }
    pageInfo { hasNextPage endCursor } } }`;
  const seen = new Set<string>();
  let skuCount = 0;
  let after: string | null = null;
  for (;;) {
    const page: { errors?: unknown; data?: any } = await gql(router, PAGE, { after });
    expect(page.errors).toBeUndefined();
    for (const { node } of page.data.products.edges) {
      expect(seen.has(node.id)).toBe(false);
      seen.add(node.id);
      expect(node.onShelf).toBe(true);
      skuCount += node.skus.filter((s: { available: boolean }) => s.available).length;
    }
    if (!page.data.products.pageInfo.hasNextPage) break;
    after = page.data.products.pageInfo.endCursor;
  }
  expect(seen.size).toBeGreaterThanOrEqual(24);
  expect(skuCount).toBeGreaterThanOrEqual(200);

  const [firstId] = [...seen];
  const product = await gql(router, 'query($id: ID!) { product(id: $id) { id title skus { id } } }', { id: firstId });
  expect(product.data.product.id).toBe(firstId);
  const sku = await gql(router, 'query($id: ID!) { sku(id: $id) { id price available product { id } } }', { id: product.data.product.skus[0].id });
  expect(sku.data.sku).toMatchObject({ available: expect.any(Boolean), product: { id: firstId } });
});

it('refuses page sizes over the limit and malformed cursors', async () => {
  expect(codes(await gql(router, '{ products(first: 101) { edges { cursor } } }'))).toEqual(['BAD_USER_INPUT']);
  expect(codes(await gql(router, '{ products(first: 0) { edges { cursor } } }'))).toEqual(['BAD_USER_INPUT']);
  expect(codes(await gql(router, '{ products(after: "%%%") { edges { cursor } } }'))).toEqual(['BAD_USER_INPUT']);
});

it('lets staff with catalog:write create and publish a product; shoppers see it only once on the shelf', async () => {
  const category = await leafCategory();
  const title = token();
  const created = await gql(
    router,
    CREATE,
    { input: { title, categoryId: category.id, images: ['/images/rt.jpg'], skus: [{ name: '标准', price: 1990, stock: 3 }, { name: '加大', price: 2990, stock: 1 }] } },
    staff(),
  );
  expect(created.errors).toBeUndefined();
  const { id } = created.data.createProduct;
  expect(created.data.createProduct).toMatchObject({ title, onShelf: false, minPrice: 1990 });

  const byId = 'query($id: ID!) { product(id: $id) { id onShelf } }';
  expect((await gql(router, byId, { id })).data.product).toBeNull();
  expect((await gql(router, byId, { id }, shopper())).data.product).toBeNull();
  expect((await gql(router, byId, { id }, staff())).data.product).toEqual({ id, onShelf: false });
  const search = `query($k: String) { products(filter: { keyword: $k }) { edges { node { id } } } }`;
  expect((await gql(router, search, { k: title })).data.products.edges).toEqual([]);

  const published = await gql(router, 'mutation($id: ID!) { setProductOnShelf(id: $id, onShelf: true) { id onShelf } }', { id }, staff());
  expect(published.data.setProductOnShelf).toEqual({ id, onShelf: true });
  expect((await gql(router, byId, { id })).data.product).toEqual({ id, onShelf: true });
  expect((await gql(router, search, { k: title })).data.products.edges).toEqual([{ node: { id } }]);
  expect((await gql(router, `query($c: ID) { products(filter: { categoryId: $c, keyword: "${title}" }) { edges { node { id } } } }`, { c: category.parentId })).data.products.edges).toEqual([{ node: { id } }]);

  const skuId = created.data.createProduct.skus[0].id;
  const updated = await gql(router, 'mutation($id: ID!) { updateSku(id: $id, input: { price: 1590, stock: 0 }) { price stock available product { minPrice } } }', { id: skuId }, staff());
  expect(updated.data.updateSku).toEqual({ price: 1590, stock: 0, available: false, product: { minPrice: 1590 } });
});

it('refuses staff mutations without a token (UNAUTHENTICATED) or without catalog:write (FORBIDDEN), changing nothing', async () => {
  const category = await leafCategory();
  const title = token();
  const input = { title, categoryId: category.id, skus: [{ name: 'x', price: 100, stock: 1 }] };
  expect(codes(await gql(router, CREATE, { input }))).toEqual(['UNAUTHENTICATED']);
  expect(codes(await gql(router, CREATE, { input }, shopper()))).toEqual(['FORBIDDEN']);
  const staffSearch = `query($k: String) { products(filter: { keyword: $k }) { edges { node { id } } } }`;
  expect((await gql(router, staffSearch, { k: title }, staff())).data.products.edges).toEqual([]);

  // A demo product (not one another test is changing meanwhile).
  const demo = await gql(router, '{ products(first: 1, filter: { keyword: "纯棉圆领短袖T恤" }) { edges { node { id title skus { id price } } } } }');
  const product = demo.data.products.edges[0].node;
  const sku = product.skus[0];
  expect(codes(await gql(router, 'mutation($id: ID!) { updateProduct(id: $id, input: { title: "hacked" }) { id } }', { id: product.id }, shopper()))).toEqual(['FORBIDDEN']);
  expect(codes(await gql(router, 'mutation($id: ID!) { updateSku(id: $id, input: { price: 1 }) { id } }', { id: sku.id }))).toEqual(['UNAUTHENTICATED']);
  expect(codes(await gql(router, 'mutation($id: ID!) { setProductOnShelf(id: $id, onShelf: false) { id } }', { id: product.id }, shopper()))).toEqual(['FORBIDDEN']);
  const after = await gql(router, 'query($id: ID!) { product(id: $id) { id title onShelf skus { id price } } }', { id: product.id });
  expect(after.data.product).toEqual({ ...product, onShelf: true });
});

it('reports staff input errors as BAD_USER_INPUT and unknown ids as NOT_FOUND', async () => {
  const tree = await gql(router, '{ categories { id } }');
  const top = tree.data.categories[0].id;
  expect(codes(await gql(router, CREATE, { input: { title: 'x', categoryId: top, skus: [{ name: 'x', price: 100, stock: 1 }] } }, staff()))).toEqual(['BAD_USER_INPUT']);
  expect(codes(await gql(router, CREATE, { input: { title: 'x', categoryId: top, skus: [] } }, staff()))).toEqual(['BAD_USER_INPUT']);
  expect(codes(await gql(router, 'mutation { updateSku(id: "999999999", input: { price: 1 }) { id } }', {}, staff()))).toEqual(['NOT_FOUND']);
});

it('costs the product subgraph the same statements for a page of 50 products with prices, SKUs and categories as for 5', async () => {
  const query = `query($first: Int) { products(first: $first) { edges { node { minPrice skus { price } category { name } } } } }`;
  const db = supergraph.subgraphs.product!.db;
  const cost = async (first: number) => {
    const counter = countStatements(db);
    const response = await gql(router, query, { first });
    counter.stop();
    expect(response.errors).toBeUndefined();
    return { count: counter.count, size: response.data.products.edges.length };
  };
  const few = await cost(5);
  const many = await cost(50);
  expect(many.size).toBeGreaterThan(few.size);
  expect(many.count).toBe(3);
  expect(few.count).toBe(many.count);
});
