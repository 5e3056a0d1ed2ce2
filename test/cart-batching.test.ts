/**
 * No N+1 through the whole supergraph: a cart of 99 lines costs the same SQL statements (cart, product, promote)
 * and the same number of requests to the product and promote subgraphs as a cart of one line — for the cart
 * query and for a mutation returning the fresh cart.
 */
import { countStatements } from '../platform/db';
import type { RunningSupergraph } from '../app/launcher';
import { catalogSkuIds, countHttpRequests, ok, shopper, viaRouter, type Shopper } from '../subgraphs/cart/test/fixtures';
import { asIdentity, startSupergraph, testConfig } from './support/harness';

// Statement counts prove the PostgreSQL path batches; the catalog cache (which makes repeated reads cost none) is
// tested in test/catalog-cache.test.ts.
const uncachedCatalog = testConfig({ CATALOG_CACHE: 'false' });

let supergraph: RunningSupergraph;
let one: Shopper;
let full: Shopper;

beforeAll(async () => {
  supergraph = await startSupergraph({ config: uncachedCatalog });
  const endpoints = viaRouter(supergraph.routerUrl!);
  const skuIds = await catalogSkuIds(endpoints, 99);
  one = shopper(endpoints);
  full = shopper(endpoints);
  ok(await one.add(skuIds[0], 1));
  // Through the real mutation path, all at once (the cart lock serializes them).
  (await Promise.all(skuIds.map((skuId) => full.fill(skuId)))).forEach(ok);
  expect(ok(await full.cart()).cart.items).toHaveLength(99);
});
afterAll(async () => {
  await supergraph?.stop();
});

/** Runs one operation and reports what it cost in every place that matters. */
async function cost(operation: () => Promise<unknown>) {
  const { subgraphs } = supergraph;
  const sql = { cart: countStatements(subgraphs.cart!.db), product: countStatements(subgraphs.product!.db), promote: countStatements(subgraphs.promote!.db) };
  const requests = { product: countHttpRequests(subgraphs.product!.url), promote: countHttpRequests(subgraphs.promote!.url) };
  try {
    await operation();
    return {
      cartStatements: sql.cart.count,
      productStatements: sql.product.count,
      promoteStatements: sql.promote.count,
      productRequests: requests.product.count,
      promoteRequests: requests.promote.count,
    };
  } finally {
    for (const counter of [...Object.values(sql), ...Object.values(requests)]) counter.stop();
  }
}

const CART_QUERY = '{ cart { items { id quantity valid sku { id price product { title } } } totalQuantity price { subtotal discount shippingFee total } } }';

it('reads a cart of 99 lines for the same cost as a cart of 1', async () => {
  const read = (who: Shopper) => async () => {
    const data = ok(await who.call(CART_QUERY));
    expect(data.cart.items.every((item: { sku: { product: { title: string } } }) => typeof item.sku.product.title === 'string')).toBe(true);
  };
  const small = await cost(read(one));
  const large = await cost(read(full));
  expect(large).toEqual(small);
  expect(small.cartStatements).toBe(1);
  // One product call, from the cart (validity, prices): the SKU fields asked for (price, product title) come with
  // the cart's lines (CartItem.sku @provides them), so the router does not ask product again.
  expect(small.productRequests).toBe(1);
  expect(small.promoteRequests).toBe(1);
});

it('returns the fresh cart from a mutation for the same cost with 99 lines as with 1', async () => {
  const toggle = (who: Shopper) => async () => {
    const { cart } = ok(await who.call('{ cart { items { id } } }'));
    const id = cart.items[0].id;
    ok(
      await who.call(
        `mutation($id: ID!) { updateCartItem(id: $id, selected: true) {
          items { id valid sku { price product { title } } } totalQuantity price { total } } }`,
        { id },
      ),
    );
  };
  // The lookup of a line id is part of the measured operation for both, so the comparison stays fair.
  const small = await cost(toggle(one));
  const large = await cost(toggle(full));
  expect(large).toEqual(small);
});

it('still asks product for SKU fields the cart does not provide, once for all lines', async () => {
  const read = (who: Shopper) => async () => {
    const data = ok(await who.call('{ cart { items { id sku { id deleted product { onShelf } } } } }'));
    expect(data.cart.items.every((item: { sku: { deleted: boolean; product: { onShelf: boolean } } }) => item.sku.deleted === false && item.sku.product.onShelf)).toBe(true);
  };
  const small = await cost(read(one));
  const large = await cost(read(full));
  expect(large).toEqual(small);
  // The router's one call for `deleted` and `onShelf`; the cart needs no facts for a selection of ids.
  expect(small.productRequests).toBe(1);
});

it("serves the cart's SKU fact reads at GET /stats, only to signed callers: calls made and SKUs asked", async () => {
  const url = supergraph.subgraphs.cart!.url.replace(/\/graphql$/, '/stats');
  expect((await fetch(url)).status).toBe(401);
  const stats = async () =>
    ((await (await fetch(url, { headers: asIdentity({}, 'cart', testConfig()) })).json()) as { skuFacts: { calls: number; keysAsked: number; keysSent: number } }).skuFacts;
  const before = await stats();
  // Two shoppers' carts at once: at most one product call each, each SKU sent once per call.
  const carts = await Promise.all([one.call(CART_QUERY), full.call(CART_QUERY)].map(async (answer) => ok(await answer)));
  const lines = carts.reduce((sum, data) => sum + data.cart.items.length, 0);
  const after = await stats();
  const calls = after.calls - before.calls;
  expect(calls).toBeGreaterThanOrEqual(1);
  expect(calls).toBeLessThanOrEqual(2);
  expect(after.keysAsked - before.keysAsked).toBe(lines);
  expect(after.keysSent - before.keysSent).toBeLessThanOrEqual(lines);
});
