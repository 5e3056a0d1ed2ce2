/**
 * The cart subgraph on its own (with the product and promote subgraphs it calls), against the run's database:
 * the write rules, their limits under concurrent requests, and what one cart read costs.
 */
import { countStatements } from '../../../platform/db';
import type { RunningSupergraph } from '../../../app/launcher';
import { codes, gql, startSupergraph } from '../../../test/support/harness';
import {
  catalogSkuIds,
  countHttpRequests,
  createTestProduct,
  ok,
  shopper,
  viaSubgraphs,
  type Endpoints,
} from './fixtures';

let supergraph: RunningSupergraph;
let endpoints: Endpoints;
let catalog: string[];

beforeAll(async () => {
  supergraph = await startSupergraph({ subgraphs: ['cart', 'product', 'promote'], router: false });
  endpoints = viaSubgraphs(supergraph);
  catalog = await catalogSkuIds(endpoints, 110);
});
afterAll(async () => {
  await supergraph?.stop();
});

describe('without a signed-in user', () => {
  it.each([
    ['cart', '{ cart { id } }'],
    ['addToCart', `mutation { addToCart(skuId: "1", quantity: 1) { id } }`],
    ['updateCartItem', `mutation { updateCartItem(id: "1", selected: false) { id } }`],
    ['removeCartItems', `mutation { removeCartItems(ids: ["1"]) { id } }`],
    ['clearInvalidCartItems', `mutation { clearInvalidCartItems { id } }`],
  ])('%s is UNAUTHENTICATED', async (_name, query) => {
    // Anonymous, but signed as the router would (unsigned callers get 401 before GraphQL).
    const response = await gql(endpoints.cart, query, {}, endpoints.headersFor(undefined));
    expect(codes(response)).toEqual(['UNAUTHENTICATED']);
  });
});

describe('addToCart', () => {
  it('starts empty, then adds a line; the same SKU again adds to that line', async () => {
    const me = shopper(endpoints);
    expect(ok(await me.cart()).cart).toEqual({ id: me.userId, totalQuantity: 0, selectedQuantity: 0, items: [] });
    const first = ok(await me.add(catalog[0], 2)).addToCart;
    expect(first.items).toHaveLength(1);
    expect(first.items[0]).toMatchObject({ quantity: 2, selected: true, valid: true, invalidReason: null, sku: { id: catalog[0] } });
    const second = ok(await me.add(catalog[0], 3)).addToCart;
    expect(second.items).toHaveLength(1);
    expect(second.items[0]).toMatchObject({ id: first.items[0].id, quantity: 5 });
    expect(second.totalQuantity).toBe(5);
  });

  it('merges concurrent adds of one SKU into one line with every piece counted', async () => {
    const me = shopper(endpoints);
    const results = await Promise.all(Array.from({ length: 8 }, () => me.add(catalog[1], 1)));
    results.forEach(ok);
    const cart = ok(await me.cart()).cart;
    expect(cart.items.map((item) => [item.sku.id, item.quantity])).toEqual([[catalog[1], 8]]);
  });

  it('refuses a quantity outside 1..999, and a line that would pass 999, leaving the cart unchanged', async () => {
    const me = shopper(endpoints);
    const { skuIds } = await createTestProduct(endpoints, [{ price: 100, stock: 5000 }]);
    for (const quantity of [0, -1, 1000]) {
      const response = await me.add(skuIds[0], quantity);
      expect(codes(response)).toEqual(['BAD_USER_INPUT']);
      expect(response.errors![0].message).toMatch(/between 1 and 999/);
    }
    ok(await me.add(skuIds[0], 999));
    const over = await me.add(skuIds[0], 1);
    expect(codes(over)).toEqual(['BAD_USER_INPUT']);
    expect(over.errors![0].message).toMatch(/at most 999 .* already holds 999/i);
    expect(ok(await me.cart()).cart.items.map((item) => item.quantity)).toEqual([999]);
  });

  it('refuses more than the stock (counting what the line already holds), leaving the cart unchanged', async () => {
    const me = shopper(endpoints);
    const { skuIds } = await createTestProduct(endpoints, [{ price: 100, stock: 5 }]);
    expect(codes(await me.add(skuIds[0], 6))).toEqual(['CONFLICT']);
    expect(ok(await me.cart()).cart.items).toEqual([]);
    ok(await me.add(skuIds[0], 4));
    const over = await me.add(skuIds[0], 2);
    expect(codes(over)).toEqual(['CONFLICT']);
    expect(over.errors![0].message).toMatch(/Only 5 .* left in stock \(your cart already holds 4\)/);
    expect(ok(await me.cart()).cart.items.map((item) => item.quantity)).toEqual([4]);
  });

  it('refuses a SKU that does not exist', async () => {
    const me = shopper(endpoints);
    for (const skuId of ['999999999999', 'not-an-id', '0']) {
      const response = await me.add(skuId, 1);
      expect(codes(response)).toEqual(['BAD_USER_INPUT']);
      expect(response.errors![0].message).toBe('This item does not exist');
    }
    expect(ok(await me.cart()).cart.items).toEqual([]);
  });

  it('holds at most 99 different SKUs, also when the adds race each other', async () => {
    const me = shopper(endpoints);
    // 97 lines, then 6 different SKUs at once: exactly two fit.
    const filled = await Promise.all(catalog.slice(0, 97).map((skuId) => me.fill(skuId)));
    filled.forEach(ok);
    const racing = await Promise.all(catalog.slice(97, 103).map((skuId) => me.fill(skuId)));
    expect(racing.filter((response) => !response.errors).length).toBe(2);
    for (const refused of racing.filter((response) => response.errors)) {
      expect(codes(refused)).toEqual(['CONFLICT']);
      expect(refused.errors![0].message).toMatch(/cart is full: it holds at most 99 different items/);
    }
    const cart = ok(await me.cart()).cart;
    expect(cart.items).toHaveLength(99);
    // The 100th line is refused; adding to a line already there still works.
    expect(codes(await me.add(catalog[105], 1))).toEqual(['CONFLICT']);
    expect(ok(await me.add(catalog[0], 1)).addToCart.totalQuantity).toBe(100);
  });
});

describe('updateCartItem and removeCartItems', () => {
  it("changes quantity and selection of the shopper's own lines only", async () => {
    const me = shopper(endpoints);
    const other = shopper(endpoints);
    const { skuIds } = await createTestProduct(endpoints, [{ price: 100, stock: 10 }]);
    const line = ok(await me.add(skuIds[0], 2)).addToCart.items[0];

    const updated = ok(await me.update(line.id, { quantity: 7, selected: false })).updateCartItem;
    expect(updated.items[0]).toMatchObject({ id: line.id, quantity: 7, selected: false });
    expect(updated.selectedQuantity).toBe(0);

    expect(codes(await me.update(line.id, { quantity: 11 }))).toEqual(['CONFLICT']);
    expect(codes(await me.update(line.id, { quantity: 1000 }))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await other.update(line.id, { selected: true }))).toEqual(['NOT_FOUND']);
    expect(codes(await other.update('not-an-id', { selected: true }))).toEqual(['NOT_FOUND']);
    expect(codes(await other.remove([line.id]))).toEqual(['NOT_FOUND']);
    expect(ok(await me.cart()).cart.items[0]).toMatchObject({ quantity: 7, selected: false });
  });

  it("removes all the given lines or, when one is not the shopper's, none", async () => {
    const me = shopper(endpoints);
    const other = shopper(endpoints);
    ok(await me.add(catalog[10], 1));
    const mine = ok(await me.add(catalog[11], 1)).addToCart.items.map((item) => item.id);
    const theirs = ok(await other.add(catalog[12], 1)).addToCart.items[0].id;

    expect(codes(await me.remove([mine[0], theirs]))).toEqual(['NOT_FOUND']);
    expect(ok(await me.cart()).cart.items).toHaveLength(2);
    expect(ok(await other.cart()).cart.items).toHaveLength(1);

    expect(ok(await me.remove(mine)).removeCartItems.items).toEqual([]);
    expect(ok(await me.remove([])).removeCartItems.items).toEqual([]);
  });
});

describe('what a cart read costs', () => {
  it('is one SQL statement and one product call, whatever the number of lines', async () => {
    const small = shopper(endpoints);
    const large = shopper(endpoints);
    ok(await small.add(catalog[20], 1));
    (await Promise.all(catalog.slice(0, 20).map((skuId) => large.fill(skuId)))).forEach(ok);

    const query = '{ cart { items { id quantity valid exceedsStock sku { id } } totalQuantity selectedQuantity price { subtotal total } } }';
    const measure = async (who: typeof small) => {
      const sql = countStatements(supergraph.subgraphs.cart!.db);
      const productCalls = countHttpRequests(endpoints.product);
      const promoteCalls = countHttpRequests(endpoints.promote);
      try {
        ok(await who.call(query));
        return { sql: sql.count, product: productCalls.count, promote: promoteCalls.count };
      } finally {
        sql.stop();
        productCalls.stop();
        promoteCalls.stop();
      }
    };
    const one = await measure(small);
    const twenty = await measure(large);
    expect(one).toEqual({ sql: 1, product: 1, promote: 1 });
    expect(twenty).toEqual(one);
  });
});
