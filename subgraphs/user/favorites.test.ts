/**
 * Favorites in the user subgraph (with product running for the existence check), against the run's real database:
 * add/remove idempotency, validation, the per-shopper cap, counts under concurrency, privacy of the list, keyset
 * pages, and constant SQL statements for a 20-product list with `favorited` and `favoriteCount`.
 */
import type { Knex } from 'knex';
import type { RunningSupergraph } from '../../app/launcher';
import { countStatements } from '../../platform/db';
import { anonymousTo, asIdentity, codes, gql, startSupergraph, testConfig, uniquePhone, type GraphQLResponse } from '../../test/support/harness';
import { createTestProduct, setOnShelf, type Endpoints } from '../cart/test/fixtures';

const CAP = 4;
let supergraph: RunningSupergraph;
let capped: RunningSupergraph;
let url: string;
let db: Knex;
let catalog: Endpoints;

function endpointsOf(running: RunningSupergraph): Endpoints {
  const config = testConfig();
  const product = running.subgraphs.product!.url;
  return { cart: product, promote: product, product, headersFor: (userId, scopes = []) => asIdentity(userId ? { userId, scopes } : {}, 'product', config) };
}

beforeAll(async () => {
  supergraph = await startSupergraph({ subgraphs: ['user', 'product'], router: false });
  capped = await startSupergraph({ subgraphs: ['user', 'product'], router: false, config: testConfig({ FAVORITES_MAX_PER_USER: String(CAP) }) });
  url = supergraph.subgraphs.user!.url;
  db = supergraph.subgraphs.user!.db;
  catalog = endpointsOf(supergraph);
});
afterAll(async () => {
  await supergraph?.stop();
  await capped?.stop();
});

function ok<T>(response: GraphQLResponse<T>): T {
  if (response.errors?.length || !response.data) throw new Error(`Unexpected errors: ${JSON.stringify(response.errors ?? response)}`);
  return response.data;
}

async function newUser(target = url): Promise<string> {
  const data = ok(
    await gql<{ register: { user: { id: string } } }>(
      target,
      'mutation($input: RegisterInput!) { register(input: $input) { user { id } } }',
      { input: { phone: uniquePhone(), password: 'secret123' } },
      anonymousTo('user'),
    ),
  );
  return data.register.user.id;
}

async function newProducts(count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) ids.push((await createTestProduct(catalog, [{ price: 100, stock: 5 }])).productId);
  return ids;
}

const ADD = 'mutation($id: ID!) { addFavorite(productId: $id) { id favorited favoriteCount } }';
const REMOVE = 'mutation($id: ID!) { removeFavorite(productId: $id) { id favorited favoriteCount } }';
const REMOVE_MANY = 'mutation($ids: [ID!]!) { removeFavorites(productIds: $ids) }';
const CLEAR = 'mutation { clearFavorites }';
const LIST = `query($first: Int, $after: String) { me { favorites(first: $first, after: $after) {
  edges { cursor favoritedAt node { id favorited favoriteCount } } pageInfo { hasNextPage endCursor } } } }`;
const ENTITIES = 'query($r: [_Any!]!) { _entities(representations: $r) { ... on Product { id favorited favoriteCount } } }';

const as = (userId: string) => asIdentity({ userId }, 'user');
const call = <T = any>(userId: string, query: string, variables: Record<string, unknown> = {}, target = url) =>
  gql<T>(target, query, variables, as(userId));
const reps = (ids: string[]) => ids.map((id) => ({ __typename: 'Product', id }));

async function listIds(userId: string, first = 100): Promise<string[]> {
  const data = ok(await call<{ me: { favorites: { edges: { node: { id: string } }[] } } }>(userId, LIST, { first }));
  return data.me.favorites.edges.map((edge) => edge.node.id);
}

/** A product's kept count next to its rows (test products are this file's own, but other files may favorite any). */
async function storedCount(productId: string): Promise<{ kept: number; actual: number }> {
  const kept = await db('product_favorite_counts').where({ product_id: productId }).first('count');
  const actual = await db('favorites').where({ product_id: productId }).count<{ count: string }[]>('* as count').first();
  return { kept: Number(kept?.count ?? 0), actual: Number(actual?.count ?? 0) };
}

it('needs a signed-in shopper to change favorites; signed out nothing is favorited', async () => {
  const [productId] = await newProducts(1);
  for (const query of [ADD, REMOVE]) expect(codes(await gql(url, query, { id: productId }, anonymousTo('user')))).toEqual(['UNAUTHENTICATED']);
  expect(codes(await gql(url, CLEAR, {}, anonymousTo('user')))).toEqual(['UNAUTHENTICATED']);
  expect(codes(await gql(url, REMOVE_MANY, { ids: [productId] }, anonymousTo('user')))).toEqual(['UNAUTHENTICATED']);
  const someone = await newUser();
  ok(await call(someone, ADD, { id: productId }));
  const anonymous = ok(await gql(url, ENTITIES, { r: reps([productId]) }, anonymousTo('user')));
  expect(anonymous._entities).toEqual([{ id: productId, favorited: false, favoriteCount: 1 }]);
});

it('adds and removes idempotently, keeping the count', async () => {
  const [productId] = await newProducts(1);
  const me = await newUser();
  expect(ok(await call(me, ADD, { id: productId })).addFavorite).toEqual({ id: productId, favorited: true, favoriteCount: 1 });
  expect(ok(await call(me, ADD, { id: productId })).addFavorite).toEqual({ id: productId, favorited: true, favoriteCount: 1 });
  const other = await newUser();
  expect(ok(await call(other, ADD, { id: productId })).addFavorite).toEqual({ id: productId, favorited: true, favoriteCount: 2 });
  expect(ok(await call(me, REMOVE, { id: productId })).removeFavorite).toEqual({ id: productId, favorited: false, favoriteCount: 1 });
  expect(ok(await call(me, REMOVE, { id: productId })).removeFavorite).toEqual({ id: productId, favorited: false, favoriteCount: 1 });
  expect(await listIds(me)).toEqual([]);
  expect(await listIds(other)).toEqual([productId]);
  expect(await storedCount(productId)).toEqual({ kept: 1, actual: 1 });
  // Not an id: nothing to remove, no product.
  expect(ok(await call(me, REMOVE, { id: 'nope' })).removeFavorite).toBeNull();
});

it('refuses unknown, malformed and off-shelf products with NOT_FOUND and changes nothing', async () => {
  const [offShelf] = await newProducts(1);
  await setOnShelf(catalog, offShelf, false);
  const me = await newUser();
  for (const id of ['999999999999', 'abc', '0', offShelf]) {
    expect(codes(await call(me, ADD, { id }))).toEqual(['NOT_FOUND']);
  }
  expect(await listIds(me)).toEqual([]);
  expect(await storedCount(offShelf)).toEqual({ kept: 0, actual: 0 });
});

it('lists newest first in keyset pages; a product shelved later stays listed', async () => {
  const products = await newProducts(5);
  const me = await newUser();
  for (const id of products) ok(await call(me, ADD, { id }));
  // Adding again does not move it to the top (idempotent, not "touch").
  ok(await call(me, ADD, { id: products[0] }));
  await setOnShelf(catalog, products[1], false);
  // Already a favorite: adding the shelved product again is the usual no-op, not NOT_FOUND.
  expect(ok(await call(me, ADD, { id: products[1] })).addFavorite).toEqual({ id: products[1], favorited: true, favoriteCount: 1 });
  const first = ok(await call(me, LIST, { first: 2 })).me.favorites;
  expect(first.edges.map((edge: any) => edge.node.id)).toEqual([products[4], products[3]]);
  expect(first.pageInfo.hasNextPage).toBe(true);
  expect(first.edges[0]).toMatchObject({ favoritedAt: expect.stringMatching(/^\d{4}-/), node: { favorited: true, favoriteCount: 1 } });
  const second = ok(await call(me, LIST, { first: 2, after: first.pageInfo.endCursor })).me.favorites;
  expect(second.edges.map((edge: any) => edge.node.id)).toEqual([products[2], products[1]]);
  const third = ok(await call(me, LIST, { first: 2, after: second.pageInfo.endCursor })).me.favorites;
  expect(third.edges.map((edge: any) => edge.node.id)).toEqual([products[0]]);
  expect(third.pageInfo).toEqual({ hasNextPage: false, endCursor: third.edges[0].cursor });
  expect(codes(await call(me, LIST, { first: 0 }))).toEqual(['BAD_USER_INPUT']);
  expect(codes(await call(me, LIST, { first: 2, after: 'bm9wZQ' }))).toEqual(['BAD_USER_INPUT']);
});

it('shows a user’s favorites only to that user', async () => {
  const [productId] = await newProducts(1);
  const owner = await newUser();
  const viewer = await newUser();
  ok(await call(owner, ADD, { id: productId }));
  const query = 'query($r: [_Any!]!) { _entities(representations: $r) { ... on User { id favorites { edges { node { id } } } } } }';
  const seen = ok(await call(viewer, query, { r: [{ __typename: 'User', id: owner }] }));
  expect(seen._entities).toEqual([{ id: owner, favorites: { edges: [] } }]);
  const own = ok(await call(owner, query, { r: [{ __typename: 'User', id: owner }] }));
  expect(own._entities[0].favorites.edges).toEqual([{ node: { id: productId } }]);
});

it('removes selected favorites and clears all, all counts following', async () => {
  const products = await newProducts(4);
  const me = await newUser();
  const other = await newUser();
  for (const id of products) ok(await call(me, ADD, { id }));
  ok(await call(other, ADD, { id: products[0] }));
  // Duplicates, ids that are not favorites and non-ids are skipped.
  expect(ok(await call(me, REMOVE_MANY, { ids: [products[0], products[0], products[1], '999999999999', 'x'] })).removeFavorites).toBe(2);
  expect(await listIds(me)).toEqual([products[3], products[2]]);
  expect(codes(await call(me, REMOVE_MANY, { ids: Array.from({ length: 501 }, (_v, i) => String(i + 1)) }))).toEqual(['BAD_USER_INPUT']);
  expect(ok(await call(me, CLEAR)).clearFavorites).toBe(2);
  expect(ok(await call(me, CLEAR)).clearFavorites).toBe(0);
  expect(await listIds(me)).toEqual([]);
  expect(await listIds(other)).toEqual([products[0]]);
  for (const id of products) {
    const { kept, actual } = await storedCount(id);
    expect(kept).toBe(actual);
  }
  expect((await storedCount(products[0])).kept).toBe(1);
});

describe('cap per shopper', () => {
  it('refuses past FAVORITES_MAX_PER_USER with CONFLICT, but re-adding one already there is fine', async () => {
    const cappedUrl = capped.subgraphs.user!.url;
    const products = await newProducts(CAP + 1);
    const me = await newUser(cappedUrl);
    for (const id of products.slice(0, CAP)) ok(await call(me, ADD, { id }, cappedUrl));
    const refused = await call(me, ADD, { id: products[CAP] }, cappedUrl);
    expect(codes(refused)).toEqual(['CONFLICT']);
    expect(refused.errors![0].extensions).toMatchObject({ reason: 'FAVORITES_FULL', max: CAP });
    ok(await call(me, ADD, { id: products[0] }, cappedUrl));
    ok(await call(me, REMOVE, { id: products[0] }, cappedUrl));
    ok(await call(me, ADD, { id: products[CAP] }, cappedUrl));
  });

  it('holds under concurrent adds of one shopper', async () => {
    const cappedUrl = capped.subgraphs.user!.url;
    const products = await newProducts(CAP + 4);
    const me = await newUser(cappedUrl);
    const results = await Promise.all(products.map((id) => call(me, 'mutation($id: ID!) { addFavorite(productId: $id) { id } }', { id }, cappedUrl)));
    expect(results.filter((result) => !result.errors).length).toBe(CAP);
    expect(results.filter((result) => codes(result)[0] === 'CONFLICT').length).toBe(4);
    expect(await db('favorites').where({ user_id: me }).count<{ count: string }[]>('* as count').first()).toEqual({ count: String(CAP) });
  });
});

it('keeps counts exact under concurrent adds and removes of many shoppers', async () => {
  const products = await newProducts(3);
  const shoppers: string[] = [];
  for (let i = 0; i < 8; i++) shoppers.push(await newUser());
  const ADD_ONLY = 'mutation($id: ID!) { addFavorite(productId: $id) { id } }';
  // Every shopper adds every product twice at once.
  await Promise.all(shoppers.flatMap((me) => products.flatMap((id) => [call(me, ADD_ONLY, { id }), call(me, ADD_ONLY, { id })])).map(async (p) => ok(await p)));
  const ours = async (id: string) => Number((await db('favorites').where({ product_id: id }).whereIn('user_id', shoppers).count<{ count: string }[]>('* as count').first())!.count);
  for (const id of products) {
    const { kept, actual } = await storedCount(id);
    expect(kept).toBe(actual);
    expect(await ours(id)).toBe(8);
  }
  // Half remove overlapping selections in different orders while the other half clear everything, all at once.
  await Promise.all(
    shoppers.map(async (me, index) =>
      ok(await (index % 2 ? call(me, CLEAR) : call(me, REMOVE_MANY, { ids: index % 4 ? [...products].reverse() : products.slice(0, 2) }))),
    ),
  );
  const remaining = shoppers.filter((_me, index) => index % 2 === 0 && index % 4 === 0).length;
  for (const id of products) {
    const { kept, actual } = await storedCount(id);
    expect(kept).toBe(actual);
  }
  expect(await ours(products[0])).toBe(0);
  expect(await ours(products[2])).toBe(remaining);
});

describe('statements', () => {
  it('costs the same statements for 1 and 20 products with favorited and favoriteCount', async () => {
    const products = await newProducts(20);
    const me = await newUser();
    for (const id of products.slice(0, 7)) ok(await call(me, ADD, { id }));
    const counter = countStatements(db);
    try {
      const one = ok(await call(me, ENTITIES, { r: reps(products.slice(0, 1)) }));
      const forOne = counter.count;
      counter.reset();
      const many = ok(await call(me, ENTITIES, { r: reps([...products, '999999999999', 'x']) }));
      expect(counter.count).toBe(forOne);
      // favorites of the caller, counts.
      expect(forOne).toBe(2);
      expect(one._entities).toEqual([{ id: products[0], favorited: true, favoriteCount: 1 }]);
      expect(many._entities.filter((p: any) => p.favorited).map((p: any) => p.id).sort()).toEqual(products.slice(0, 7).sort());
      counter.reset();
      // Signed out: no statement for `favorited`, one for the counts.
      ok(await gql(url, ENTITIES, { r: reps(products) }, anonymousTo('user')));
      expect(counter.count).toBe(1);
      counter.reset();
      // The list of 1 and of 7 favorites with both fields: the user, the page, favorites, counts.
      const shortList = await newUser();
      ok(await call(shortList, ADD, { id: products[0] }));
      counter.reset();
      ok(await call(shortList, LIST, { first: 20 }));
      const listOfOne = counter.count;
      counter.reset();
      expect((await listIds(me, 20)).length).toBe(7);
      counter.reset();
      ok(await call(me, LIST, { first: 20 }));
      expect(counter.count).toBe(listOfOne);
      expect(listOfOne).toBeLessThanOrEqual(4);
    } finally {
      counter.stop();
    }
  });
});

