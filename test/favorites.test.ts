/**
 * Favorites through the router: the list's nodes are whole products (federation), `favorited` is per shopper and
 * `favoriteCount` shared, and the router's response cache never serves one shopper's `favorited` to another while a
 * signed-out product page is still kept.
 */
import type { RunningSupergraph } from '../app/launcher';
import { countStatements } from '../platform/db';
import { createTestProduct, ok, setOnShelf, viaRouter, type Endpoints } from '../subgraphs/cart/test/fixtures';
import { bearer, codes, gql, startSupergraph, testConfig, uniquePhone } from './support/harness';

let supergraph: RunningSupergraph;
let router: string;
let endpoints: Endpoints;

beforeAll(async () => {
  // Its own events namespace: other test files' catalog writes bump the shared catalog generation, which would empty
  // the response cache between the reads this file counts.
  const namespace: Record<string, string> = process.env.EVENTS_NAMESPACE ? { EVENTS_NAMESPACE: `${process.env.EVENTS_NAMESPACE}-fav` } : {};
  supergraph = await startSupergraph({ config: testConfig(namespace) });
  router = supergraph.routerUrl!;
  endpoints = viaRouter(router);
});
afterAll(async () => {
  await supergraph?.stop();
});

async function signUp(): Promise<Record<string, string>> {
  const data = ok(
    await gql<{ register: { accessToken: string } }>(router, 'mutation($input: RegisterInput!) { register(input: $input) { accessToken } }', {
      input: { phone: uniquePhone(), password: 'secret123' },
    }),
  );
  return bearer(data.register.accessToken);
}

const PRODUCT = 'query($id: ID!) { product(id: $id) { id title favorited favoriteCount } }';
const PAGE = 'query($id: ID!) { product(id: $id) { id title minPrice } }';
const ADD = 'mutation($id: ID!) { addFavorite(productId: $id) { id title favorited favoriteCount } }';

it('adds a product and lists it with its catalog fields, newest first', async () => {
  const a = await createTestProduct(endpoints, [{ price: 1200, stock: 3 }]);
  const b = await createTestProduct(endpoints, [{ price: 3400, stock: 3 }]);
  const me = await signUp();
  const added = ok(await gql(router, ADD, { id: a.productId }, me)).addFavorite;
  expect(added).toMatchObject({ id: a.productId, title: expect.stringMatching(/^Cart test/), favorited: true, favoriteCount: 1 });
  ok(await gql(router, ADD, { id: b.productId }, me));
  const list = ok(
    await gql(router, '{ me { favorites(first: 10) { edges { node { id title minPrice onShelf favorited favoriteCount } } pageInfo { hasNextPage } } } }', {}, me),
  ).me.favorites;
  expect(list.edges.map((edge: any) => edge.node)).toEqual([
    expect.objectContaining({ id: b.productId, minPrice: 3400, onShelf: true, favorited: true, favoriteCount: 1 }),
    expect.objectContaining({ id: a.productId, minPrice: 1200, onShelf: true, favorited: true, favoriteCount: 1 }),
  ]);
  expect(list.pageInfo.hasNextPage).toBe(false);
  // Taken off the shelf later: still listed, and product says so.
  await setOnShelf(endpoints, a.productId, false);
  const shelved = ok(await gql(router, '{ me { favorites { edges { node { id title onShelf } } } } }', {}, me)).me.favorites.edges;
  expect(shelved.map((edge: any) => [edge.node.id, edge.node.onShelf])).toEqual([[b.productId, true], [a.productId, false]]);
  expect(ok(await gql(router, 'mutation($ids: [ID!]!) { removeFavorites(productIds: $ids) }', { ids: [a.productId] }, me)).removeFavorites).toBe(1);
  expect(ok(await gql(router, 'mutation { clearFavorites }', {}, me)).clearFavorites).toBe(1);
  expect(codes(await gql(router, ADD, { id: a.productId }))).toEqual(['UNAUTHENTICATED']);
  expect(codes(await gql(router, ADD, { id: '999999999999' }, me))).toEqual(['NOT_FOUND']);
});

it('never serves a signed-in answer to another caller, and still keeps the signed-out product page', async () => {
  const { productId } = await createTestProduct(endpoints, [{ price: 500, stock: 3 }]);
  const fan = await signUp();
  const other = await signUp();
  ok(await gql(router, ADD, { id: productId }, fan));
  const stats = supergraph.router!.responseCacheStats!;

  for (let round = 0; round < 2; round++) {
    // Each caller gets their own `favorited`, however often and in whichever order they ask.
    expect(ok(await gql(router, PRODUCT, { id: productId }, fan)).product).toMatchObject({ favorited: true, favoriteCount: 1 });
    expect(ok(await gql(router, PRODUCT, { id: productId }, other)).product).toMatchObject({ favorited: false, favoriteCount: 1 });
    expect(ok(await gql(router, PRODUCT, { id: productId })).product).toMatchObject({ favorited: false, favoriteCount: 1 });
  }
  // An operation reading the user subgraph is never kept (user declares nothing public).
  const stored = stats.stored;
  ok(await gql(router, PRODUCT, { id: productId }, fan));
  expect(stats.stored).toBe(stored);

  // The plain product page is kept and shared by signed-out callers and shoppers, as before.
  const page = ok(await gql(router, PAGE, { id: productId }));
  const hits = stats.hits;
  expect(ok(await gql(router, PAGE, { id: productId }, other))).toEqual(page);
  expect(ok(await gql(router, PAGE, { id: productId }))).toEqual(page);
  expect(stats.hits).toBe(hits + 2);

  // A change shows on the next read for the shopper who made it and in the shared count.
  ok(await gql(router, ADD, { id: productId }, other));
  expect(ok(await gql(router, PRODUCT, { id: productId }, other)).product).toMatchObject({ favorited: true, favoriteCount: 2 });
  expect(ok(await gql(router, PRODUCT, { id: productId })).product).toMatchObject({ favorited: false, favoriteCount: 2 });
});

it('shows favorited and favoriteCount on a product list page', async () => {
  const me = await signUp();
  // A product of this test's own: the newest, so on the page unless 49 more appear meanwhile (other files create some).
  const { productId } = await createTestProduct(endpoints, [{ price: 900, stock: 3 }]);
  const PAGE = '{ products(first: 50) { edges { node { id favorited favoriteCount } } } }';
  const before = ok(await gql(router, PAGE, {}, me)).products.edges.find((edge: any) => edge.node.id === productId).node;
  expect(before).toEqual({ id: productId, favorited: false, favoriteCount: 0 });
  ok(await gql(router, ADD, { id: productId }, me));
  const after = ok(await gql(router, PAGE, {}, me)).products.edges;
  expect(after.find((edge: any) => edge.node.id === productId).node).toEqual({ id: productId, favorited: true, favoriteCount: 1 });
  expect(after.filter((edge: any) => edge.node.favorited).map((edge: any) => edge.node.id)).toEqual([productId]);
  ok(await gql(router, 'mutation($id: ID!) { removeFavorite(productId: $id) { id } }', { id: productId }, me));
});

it('costs the user subgraph the same statements for a product list of 1 and of 20', async () => {
  const me = await signUp();
  const query = 'query($n: Int!) { products(first: $n) { edges { node { id title favorited favoriteCount } } } }';
  // One favorite among the first page: a product of this test's own, the newest.
  const { productId } = await createTestProduct(endpoints, [{ price: 900, stock: 3 }]);
  ok(await gql(router, ADD, { id: productId }, me));
  const counter = countStatements(supergraph.subgraphs.user!.db);
  try {
    const one = ok(await gql(router, query, { n: 1 }, me)).products.edges;
    const forOne = counter.count;
    counter.reset();
    const twenty = ok(await gql(router, query, { n: 20 }, me)).products.edges;
    expect(twenty).toHaveLength(20);
    // Whether our favorite is still on the first page depends on other files creating products; the cost does not.
    expect(typeof one[0].node.favorited).toBe('boolean');
    // The caller's favorites among the page, the page's counts.
    expect(forOne).toBe(2);
    expect(counter.count).toBe(forOne);
  } finally {
    counter.stop();
  }
});
