/**
 * The catalog caches through the router (docs/catalog-cache.md): a repeated public read is answered by the router
 * alone, and a read the router has not kept costs the product subgraph no statement; a staff change is visible on the
 * very next read; stock a public read shows lags by at most CATALOG_STOCK_MAX_AGE_MS + CATALOG_RESPONSE_MAX_AGE_SECONDS,
 * while adding to the cart and checking out read the truth, so a sold-out SKU is never bought; what only staff may see,
 * and anything per user, never reaches another caller through a cache.
 */
import crypto from 'node:crypto';
import { signAccessToken } from '../platform/access-token';
import { countStatements } from '../platform/db';
import { IDENTITY_HEADER, signIdentity } from '../platform/identity';
import { PUBLIC_CATALOG_CACHE, SharedGeneration } from '../platform/read-cache';
import type { RunningSupergraph } from '../app/launcher';
import { countHttpRequests, createTestProduct, ok, viaRouter } from '../subgraphs/cart/test/fixtures';
import { ADDRESS_INPUT, skuCounts } from '../subgraphs/order/test/checkout-fixtures';
import { asIdentity, bearer, codes, gql, startSupergraph, testConfig, uniquePhone } from './support/harness';

const STOCK_MAX_AGE_MS = 500;
const RESPONSE_MAX_AGE_S = 1;
/** The documented bound on the stock a public read through the router shows. */
const STOCK_LAG_MS = STOCK_MAX_AGE_MS + RESPONSE_MAX_AGE_S * 1000;
const config = testConfig({ CATALOG_STOCK_MAX_AGE_MS: String(STOCK_MAX_AGE_MS), CATALOG_RESPONSE_MAX_AGE_SECONDS: String(RESPONSE_MAX_AGE_S) });
let supergraph: RunningSupergraph;
let router: string;

beforeAll(async () => {
  supergraph = await startSupergraph({ config });
  router = supergraph.routerUrl!;
});
afterAll(async () => {
  await generation.close();
  await supergraph?.stop();
});

// Other test files running at the same time write the catalog too, and the generation is shared through Redis: a
// measurement that such a write fell into (everything cached is dropped) is made again.
const generation = new SharedGeneration({ name: PUBLIC_CATALOG_CACHE, redisUrl: config.redisUrl, namespace: config.events.namespace });
async function currentGeneration(): Promise<number> {
  for (let tries = 0; tries < 100; tries += 1) {
    const current = await generation.current();
    if (current !== null) return current;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error('The catalog generation cannot be read');
}
async function unlessCatalogChanged(measure: () => Promise<void>): Promise<void> {
  for (let attempt = 1; ; attempt += 1) {
    const before = await currentGeneration();
    try {
      await measure();
      return;
    } catch (error) {
      if (attempt >= 5 || (await currentGeneration()) === before) throw error;
    }
  }
}

const staff = bearer(signAccessToken({ userId: '999997', scopes: ['catalog:write'] }, config));
const DETAIL = `query($id: ID!) { product(id: $id) { id title minPrice category { id name } skus { id name price stock available } } }`;
const detail = async (id: string, headers?: Record<string, string>) => ok(await gql(router, DETAIL, { id }, headers)).product;
const productDb = () => supergraph.subgraphs.product!.db;

const statsUrl = (graphqlUrl: string) => graphqlUrl.replace(/\/graphql$/, '/stats');
async function cacheStats(): Promise<{ kinds: Record<string, { memoryHits: number; sharedHits: number; misses: number }> }> {
  const response = await fetch(statsUrl(supergraph.subgraphs.product!.url), { headers: asIdentity({}, 'product', config) });
  expect(response.status).toBe(200);
  return ((await response.json()) as { catalogCache: never }).catalogCache;
}
const hits = (stats: Awaited<ReturnType<typeof cacheStats>>, kind: string) =>
  (stats.kinds[kind]?.memoryHits ?? 0) + (stats.kinds[kind]?.sharedHits ?? 0);

async function newShopper() {
  const registered = ok(
    await gql(router, 'mutation($input: RegisterInput!) { register(input: $input) { accessToken } }', {
      input: { phone: uniquePhone(), password: 'cache1234', nickname: 'cache' },
    }),
  ).register;
  return bearer(registered.accessToken);
}

it('answers a repeated public read at the router alone, and a new one from product’s cache without a statement', async () => {
  const { productId } = await createTestProduct(viaRouter(router), [{ price: 1000, stock: 5 }, { price: 2000, stock: 5 }]);
  const another = await newShopper();
  await unlessCatalogChanged(async () => {
    const first = await detail(productId);
    const productCalls = countHttpRequests(supergraph.subgraphs.product!.url);
    const kept = supergraph.router!.responseCacheStats!.hits;
    try {
      // The same operation from another shopper, within the answer's max-age: kept by the router, product is not asked.
      expect(await detail(productId, another)).toEqual(first);
      expect(productCalls.count).toBe(0);
      expect(supergraph.router!.responseCacheStats!.hits).toBe(kept + 1);
    } finally {
      productCalls.stop();
    }

    // Another selection of the same product: the router has not kept it; product answers from its own cache.
    const before = await cacheStats();
    const counter = countStatements(productDb());
    const other = ok(await gql(router, 'query($id: ID!) { product(id: $id) { title skus { id price } } }', { id: productId })).product;
    counter.stop();
    expect(other).toEqual({ title: first.title, skus: first.skus.map(({ id, price }: { id: string; price: number }) => ({ id, price })) });
    expect(counter.statements).toEqual([]);
    const after = await cacheStats();
    expect(hits(after, 'product')).toBeGreaterThan(hits(before, 'product'));
    expect(hits(after, 'sku')).toBeGreaterThanOrEqual(hits(before, 'sku') + 2);
    expect(hits(after, 'product-skus')).toBeGreaterThan(hits(before, 'product-skus'));
  });
});

it('never keeps an answer that also holds per-user data: each shopper sees their own cart', async () => {
  const { productId, skuIds } = await createTestProduct(viaRouter(router), [{ price: 1000, stock: 50 }]);
  const MIXED = 'query($id: ID!) { product(id: $id) { title } cart { totalQuantity } }';
  const [alice, bob] = [await newShopper(), await newShopper()];
  ok(await gql(router, 'mutation($s: ID!) { addToCart(skuId: $s, quantity: 3) { id } }', { s: skuIds[0] }, alice));
  const stored = supergraph.router!.responseCacheStats!.stored;
  expect(ok(await gql(router, MIXED, { id: productId }, alice)).cart.totalQuantity).toBe(3);
  expect(ok(await gql(router, MIXED, { id: productId }, bob)).cart.totalQuantity).toBe(0);
  expect(ok(await gql(router, MIXED, { id: productId }, alice)).cart.totalQuantity).toBe(3);
  expect(supergraph.router!.responseCacheStats!.stored).toBe(stored);
});

it('shows a staff change on the very next read: price, title, shelf state, in the detail and in list pages', async () => {
  const { productId, skuIds } = await createTestProduct(viaRouter(router), [{ price: 1000, stock: 5 }]);
  const warm = await detail(productId);
  const PAGE = `query($c: ID!) { products(filter: { categoryId: $c }, first: 100) { edges { node { id title minPrice } } } }`;
  const page = async () => ok(await gql(router, PAGE, { c: warm.category.id })).products.edges.map((e: { node: unknown }) => e.node);
  expect(await page()).toContainEqual({ id: productId, title: warm.title, minPrice: 1000 });
  await detail(productId); // now certainly cached

  ok(await gql(router, 'mutation($id: ID!) { updateSku(id: $id, input: { price: 1234 }) { price } }', { id: skuIds[0] }, staff));
  expect((await detail(productId)).skus[0].price).toBe(1234);
  expect(await page()).toContainEqual({ id: productId, title: warm.title, minPrice: 1234 });

  ok(await gql(router, 'mutation($id: ID!) { updateProduct(id: $id, input: { title: "改过的标题" }) { title } }', { id: productId }, staff));
  expect((await detail(productId)).title).toBe('改过的标题');

  ok(await gql(router, 'mutation($id: ID!) { setProductOnShelf(id: $id, onShelf: false) { onShelf } }', { id: productId }, staff));
  // Staff see it (and that read fills the cache); shoppers, whose reads share that cache, do not.
  expect((await detail(productId, staff)).title).toBe('改过的标题');
  expect(await detail(productId)).toBeNull();
  expect(await detail(productId, await newShopper())).toBeNull();
  expect((await page()).map((p: { id: string }) => p.id)).not.toContain(productId);

  ok(await gql(router, 'mutation($id: ID!) { addSku(productId: $id, input: { name: "加大", price: 900, stock: 3 }) { id } }', { id: productId }, staff));
  const skus = (await detail(productId, staff)).skus;
  expect(skus.map((s: { name: string }) => s.name)).toContain('加大');
  expect((await detail(productId, staff)).minPrice).toBe(900);
});

it('never sells a sold-out SKU, whatever a public read still shows; the shown stock catches up within the lag bound', async () => {
  const { productId, skuIds } = await createTestProduct(viaRouter(router), [{ price: 1500, stock: 1 }]);
  const buyer = await newShopper();
  const call = (query: string, variables: Record<string, unknown> = {}) => gql(router, query, variables, buyer);
  const addressId = ok(await call('mutation($input: AddressInput!) { addAddress(input: $input) { id } }', { input: ADDRESS_INPUT })).addAddress.id;
  ok(await call('mutation($s: ID!) { addToCart(skuId: $s, quantity: 1) { id } }', { s: skuIds[0] }));
  expect((await detail(productId)).skus[0]).toMatchObject({ stock: 1, available: true });

  // Sold elsewhere (stock + reserved + sold unchanged): another instance's checkout, whose invalidation never reaches
  // this process's memory.
  await productDb()('skus').where({ id: skuIds[0] }).update({ stock: 0, sold: 1 });
  expect((await detail(productId)).skus[0]).toMatchObject({ stock: 1, available: true }); // the cache still says 1

  const again = await gql(router, 'mutation($s: ID!) { addToCart(skuId: $s, quantity: 1) { id } }', { s: skuIds[0] }, await newShopper());
  expect(codes(again)).toEqual(['CONFLICT']);
  const items = ok(await call('{ cart { items { id valid invalidReason } } }')).cart.items;
  expect(items).toEqual([{ id: items[0].id, valid: false, invalidReason: 'OUT_OF_STOCK' }]);
  const order = await call('mutation($input: CheckoutInput!, $key: String!) { createOrder(input: $input, idempotencyKey: $key) { id } }', {
    input: { cartItemIds: [items[0].id], addressId },
    key: crypto.randomUUID(),
  });
  expect(codes(order)).toEqual(['CONFLICT']);
  expect(await skuCounts(productDb(), skuIds[0])).toEqual({ stock: 0, reserved: 0, sold: 1 });
  expect(ok(await call('{ orders(first: 5) { edges { node { id } } } }')).orders.edges).toEqual([]);

  await new Promise((resolve) => setTimeout(resolve, STOCK_LAG_MS + 50));
  expect((await detail(productId)).skus[0]).toMatchObject({ stock: 0, available: false });
});

it('shows a checkout’s reservation and its release within the lag bound', async () => {
  const { productId, skuIds } = await createTestProduct(viaRouter(router), [{ price: 800, stock: 5 }]);
  const buyer = await newShopper();
  const call = (query: string, variables: Record<string, unknown> = {}) => gql(router, query, variables, buyer);
  const addressId = ok(await call('mutation($input: AddressInput!) { addAddress(input: $input) { id } }', { input: ADDRESS_INPUT })).addAddress.id;
  const line = ok(await call('mutation($s: ID!) { addToCart(skuId: $s, quantity: 2) { items { id } } }', { s: skuIds[0] })).addToCart.items[0];
  expect((await detail(productId)).skus[0].stock).toBe(5);
  const shownStock = async (expected: number, timeoutMs: number) => {
    const deadline = Date.now() + timeoutMs;
    while ((await detail(productId)).skus[0].stock !== expected) {
      if (Date.now() > deadline) throw new Error(`the stock never showed ${expected}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  const created = ok(
    await call('mutation($input: CheckoutInput!, $key: String!) { createOrder(input: $input, idempotencyKey: $key) { id } }', {
      input: { cartItemIds: [line.id], addressId },
      key: crypto.randomUUID(),
    }),
  ).createOrder;
  // Product dropped the SKU from its cache at once; the router may keep the answer for its max age (the deadline
  // leaves room for a slow machine: it bounds the wait, it is not the measure).
  await shownStock(3, STOCK_LAG_MS + 5000);
  ok(await call('mutation($id: ID!) { cancelOrder(id: $id) { status } }', { id: created.id }));
  // The release is a durable job: it may run moments later, or on another instance.
  await shownStock(5, 10_000);
});

it('shows its counters only to callers that sign with INTERNAL_SECRET for that service', async () => {
  const signedFor = (audience: string) => ({ [IDENTITY_HEADER]: signIdentity({ scopes: [], audience }, config.serviceKeys) });
  for (const [url, audience, other] of [[supergraph.subgraphs.product!.url, 'product', 'cart'], [router, 'router', 'product']]) {
    expect((await fetch(statsUrl(url))).status).toBe(401);
    expect((await fetch(statsUrl(url), { headers: signedFor(other) })).status).toBe(401);
    expect((await fetch(statsUrl(url), { headers: signedFor(audience) })).status).toBe(200);
  }
  const routerStats = await fetch(statsUrl(router), { headers: signedFor('router') });
  expect(await routerStats.json()).toMatchObject({ responseCache: { enabled: true, hits: expect.any(Number), stored: expect.any(Number) } });
});
