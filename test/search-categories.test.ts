/**
 * Search and category management through the router, with both catalog caches on (docs/search.md,
 * docs/categories.md, docs/catalog-cache.md): a repeated search is answered by the router alone, yet a product staff
 * just created, renamed or re-categorized is found (and no longer found by its old words) on the very next read;
 * category changes show in shoppers' lists on the next read; staff scope and CONFLICT rules hold at the public edge.
 */
import crypto from 'node:crypto';
import { signAccessToken } from '../platform/access-token';
import { PUBLIC_CATALOG_CACHE, SharedGeneration } from '../platform/read-cache';
import type { RunningSupergraph } from '../app/launcher';
import { countHttpRequests } from '../subgraphs/cart/test/fixtures';
import { bearer, codes, gql, startSupergraph, testConfig } from './support/harness';

const config = testConfig({ CATALOG_RESPONSE_MAX_AGE_SECONDS: '30' });
let supergraph: RunningSupergraph;
let router: string;
const staff = () => bearer(signAccessToken({ userId: '999996', scopes: ['catalog:write'] }, config));
const shopper = () => bearer(signAccessToken({ userId: '999995', scopes: [] }, config));
const created: string[] = [];

beforeAll(async () => {
  supergraph = await startSupergraph({ config });
  router = supergraph.routerUrl!;
});
afterAll(async () => {
  await generation.close();
  if (supergraph) await supergraph.subgraphs.product!.db('categories').whereIn('id', created).update({ hidden: true });
  await supergraph?.stop();
});

// Other test files running at the same time write the catalog too (the generation is shared through Redis): the
// one measurement that needs the router's cache to hold is made again if such a write fell into it.
const generation = new SharedGeneration({ name: PUBLIC_CATALOG_CACHE, redisUrl: config.redisUrl, namespace: config.events.namespace });
async function currentGeneration(): Promise<number> {
  for (let tries = 0; tries < 100; tries += 1) {
    const current = await generation.current();
    if (current !== null) return current;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error('The catalog generation cannot be read');
}

/** Three random CJK characters no other product contains. */
const uniqueHan = () => [0, 1, 2].map(() => String.fromCodePoint(0x4e00 + crypto.randomInt(0x5000))).join('');

async function staffDo(query: string, variables: Record<string, unknown>) {
  const response = await gql(router, query, variables, staff());
  expect(response.errors).toBeUndefined();
  return response.data;
}
async function newCategory(name: string, parentId?: string) {
  const data = await staffDo('mutation($input: CreateCategoryInput!) { createCategory(input: $input) { id } }', { input: { name, parentId, hidden: !parentId } });
  created.push(data.createCategory.id);
  return data.createCategory.id as string;
}
async function newProduct(title: string, categoryId: string) {
  const data = await staffDo('mutation($input: CreateProductInput!) { createProduct(input: $input) { id } }', {
    input: { title, categoryId, onShelf: true, skus: [{ name: '默认', price: 1990, stock: 3 }] },
  });
  return data.createProduct.id as string;
}

const SEARCH = 'query($k: String) { products(filter: { keyword: $k }, first: 20) { edges { node { id title category { name } } } } }';
/** A shopper's search (the same operation text each time, so the router may keep it). */
const search = async (keyword: string) => {
  const response = await gql(router, SEARCH, { k: keyword }, shopper());
  expect(response.errors).toBeUndefined();
  return response.data.products.edges.map((edge: { node: { id: string } }) => edge.node.id) as string[];
};

it('keeps a repeated search at the router, and finds a new, renamed or moved product on the very next read', async () => {
  const han = uniqueHan();
  const top = await newCategory(`路由${han}顶`);
  const leaf = await newCategory(`${han}茶具`, top);
  const other = await newCategory(`${han}餐具`, top);

  // Kept: the same search again costs product no request.
  for (let attempt = 1; ; attempt += 1) {
    const before = await currentGeneration();
    expect(await search(`${han}壶`)).toEqual([]);
    const calls = countHttpRequests(supergraph.subgraphs.product!.url);
    expect(await search(`${han}壶`)).toEqual([]);
    calls.stop();
    if (calls.count === 0) break;
    expect(attempt < 5 && (await currentGeneration()) !== before).toBe(true);
  }

  const teapot = await newProduct(`紫砂${han}壶`, leaf);
  expect(await search(`${han}壶`)).toEqual([teapot]);
  // By its category's name (rank below a title match).
  const cup = await newProduct(`${han}壶 配套杯`, other);
  expect(await search(`${han}茶具`)).toEqual([teapot]);
  expect(await search(`${han}壶`)).toEqual([cup, teapot]);

  await staffDo('mutation($id: ID!, $input: UpdateProductInput!) { updateProduct(id: $id, input: $input) { id } }', { id: teapot, input: { title: `紫砂${han}杯` } });
  expect(await search(`${han}壶`)).toEqual([cup]);
  expect(await search(`${han}杯`)).toEqual([teapot]);
  // Both words in both titles: same rank, newest first.
  expect(await search(`${han} 杯`)).toEqual([cup, teapot]);

  await staffDo('mutation($id: ID!, $name: String!) { renameCategory(id: $id, name: $name) { id } }', { id: leaf, name: `${han}茶器` });
  expect(await search(`${han}茶具`)).toEqual([]);
  expect(await search(`${han}茶器`)).toEqual([teapot]);

  // Latin words, in any width and case, found in the title and in the category's name.
  const latin = `tok${crypto.randomBytes(4).toString('hex')}`;
  const kettle = await newProduct(`${latin} Ｓｔｅｅｌ Kettle`, other);
  expect(await search(`KETTLE ${latin.toUpperCase()} steel`)).toEqual([kettle]);
  expect(await search(`${latin} ${han}餐具`)).toEqual([kettle]);

  // The teapot's category moves under another top: found by the new parent's name.
  const newTop = await newCategory(`路由${han}新顶`);
  await newCategory(`${han}占位`, newTop);
  await staffDo('mutation($id: ID!, $p: ID) { moveCategory(id: $id, parentId: $p) { id } }', { id: leaf, p: newTop });
  expect(await search(`路由${han}新顶`)).toEqual([teapot]);
});

it('shows category changes in shoppers’ lists on the next read, behind catalog:write, with CONFLICT for what is in use', async () => {
  const han = uniqueHan();
  const top = await newCategory(`分类${han}`);
  const a = await newCategory(`${han}甲`, top);
  const b = await newCategory(`${han}乙`, top);
  const CHILDREN = 'query($p: ID) { categories(parentId: $p) { id name parent { id } siblings { id } } }';
  const children = async () => (await gql(router, CHILDREN, { p: top }, shopper())).data.categories;
  expect((await children()).map((c: { id: string }) => c.id)).toEqual([a, b]);
  expect((await children())[0]).toEqual({ id: a, name: `${han}甲`, parent: { id: top }, siblings: [{ id: b }] });

  await staffDo('mutation($p: ID, $ids: [ID!]!) { reorderCategories(parentId: $p, ids: $ids) { id } }', { p: top, ids: [b, a] });
  expect((await children()).map((c: { id: string }) => c.id)).toEqual([b, a]);
  await staffDo('mutation($id: ID!) { setCategoryHidden(id: $id, hidden: true) { id } }', { id: b });
  expect((await children()).map((c: { id: string }) => c.id)).toEqual([a]);
  await staffDo('mutation($id: ID!, $n: String!) { renameCategory(id: $id, name: $n) { id } }', { id: a, n: `${han}丙` });
  expect((await children())[0].name).toBe(`${han}丙`);

  const refused = await gql(router, 'mutation($input: CreateCategoryInput!) { createCategory(input: $input) { id } }', { input: { name: `${han}丁` } }, shopper());
  expect(codes(refused)).toEqual(['FORBIDDEN']);
  expect(codes(await gql(router, 'mutation($id: ID!) { deleteCategory(id: $id) { id } }', { id: top }))).toEqual(['UNAUTHENTICATED']);

  await newProduct(`${han}货品`, a);
  const DELETE = 'mutation($id: ID!) { deleteCategory(id: $id) { id } }';
  expect(codes(await gql(router, DELETE, { id: a }, staff()))).toEqual(['CONFLICT']);
  expect(codes(await gql(router, DELETE, { id: top }, staff()))).toEqual(['CONFLICT']);
  expect(await staffDo(DELETE, { id: b })).toEqual({ deleteCategory: { id: b } });
  expect((await children()).map((c: { id: string }) => c.id)).toEqual([a]);
});
