/**
 * Money limits through the router (platform/money.ts): staff cannot set prices or coupon amounts above the maximums,
 * a cart change that would take the selected subtotal above the order maximum is refused with nothing changed, and
 * a cart whose prices rose after items were added answers a clean CONFLICT on `price` — never GraphQL's
 * "Int cannot represent non 32-bit signed integer value".
 */
import type { RunningSupergraph } from '../app/launcher';
import { DEFAULT_MONEY_LIMITS, GRAPHQL_INT_MAX, ORDER_TOTAL_TOO_LARGE } from '../platform/money';
import { createTestProduct, ok, setSku, shopper, viaRouter, type Endpoints } from '../subgraphs/cart/test/fixtures';
import { anonymousTo, gql, startSupergraph, testConfig, type GraphQLResponse } from './support/harness';

let supergraph: RunningSupergraph;
let endpoints: Endpoints;
let router: string;
const { maxUnitPriceFen, maxOrderTotalFen } = testConfig().money;
const STAFF = '999998';

beforeAll(async () => {
  supergraph = await startSupergraph();
  router = supergraph.routerUrl!;
  endpoints = viaRouter(router);
});
afterAll(async () => {
  await supergraph?.stop();
});

const staff = (scope: string) => (query: string, variables: Record<string, unknown>) =>
  gql(router, query, variables, endpoints.headersFor(STAFF, [scope]));
const catalog = staff('catalog:write');
const promote = staff('promote:write');

/** The one error of a response, with no data leaking an overflowed number. */
function onlyError(response: GraphQLResponse) {
  expect(response.errors).toHaveLength(1);
  const [error] = response.errors!;
  expect(error.message).not.toMatch(/cannot represent/i);
  return error;
}

it('keeps the documented defaults inside GraphQL Int', () => {
  expect(DEFAULT_MONEY_LIMITS).toEqual({ maxUnitPriceFen: 10_000_000, maxOrderTotalFen: 100_000_000 });
  const { feeFen } = testConfig().shipping;
  expect(maxOrderTotalFen + feeFen).toBeLessThanOrEqual(GRAPHQL_INT_MAX);
  expect(() => testConfig({ MAX_ORDER_TOTAL_FEN: String(GRAPHQL_INT_MAX) })).toThrow(/GraphQL Int/);
  expect(() => testConfig({ MAX_UNIT_PRICE_FEN: '200000000' })).toThrow(/at least MAX_UNIT_PRICE_FEN/);
});

describe('staff amounts', () => {
  it('updateSku refuses a price of 2,000,000,000 fen (BAD_USER_INPUT on price) and changes nothing', async () => {
    const { skuIds } = await createTestProduct(endpoints, [{ price: 1234, stock: 5 }]);
    const response = await catalog('mutation($id: ID!, $input: UpdateSkuInput!) { updateSku(id: $id, input: $input) { id price } }', {
      id: skuIds[0],
      input: { price: 2_000_000_000, stock: 7 },
    });
    expect(onlyError(response)).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'price' } });
    expect(response.errors![0].message).toMatch(/must not exceed 10000000 fen \(¥100,000\.00\)/);
    const sku = ok(await gql(router, `{ product(id: "${(await productOf(skuIds[0]))}") { skus { id price stock } } }`)).product.skus[0];
    expect(sku).toMatchObject({ price: 1234, stock: 5 });
    // The maximum itself is fine.
    ok(await catalog('mutation($id: ID!, $input: UpdateSkuInput!) { updateSku(id: $id, input: $input) { id } }', { id: skuIds[0], input: { price: maxUnitPriceFen } }));
  });

  it('createProduct and addSku refuse a price above the maximum, naming the field', async () => {
    const created = await catalog('mutation($input: CreateProductInput!) { createProduct(input: $input) { id } }', {
      input: { title: 'Too dear', categoryId: '1', images: [], skus: [{ name: 'a', price: 100, stock: 1 }, { name: 'b', price: maxUnitPriceFen + 1, stock: 1 }] },
    });
    expect(onlyError(created)).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'skus.1.price' } });
    const { productId } = await createTestProduct(endpoints, [{ price: 100, stock: 1 }]);
    const added = await catalog('mutation($productId: ID!, $input: SkuInput!) { addSku(productId: $productId, input: $input) { id } }', {
      productId,
      input: { name: 'gold', price: maxUnitPriceFen + 1, stock: 1 },
    });
    expect(onlyError(added)).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'price' } });
  });

  it('coupon templates refuse an amount or minSpend above the order maximum', async () => {
    const create = (input: Record<string, unknown>) =>
      promote('mutation($input: CouponTemplateInput!) { createCouponTemplate(input: $input) { id } }', {
        input: { name: 'Huge', type: 'CASH', perUserLimit: 1, validDays: 7, ...input },
      });
    expect(onlyError(await create({ amount: maxOrderTotalFen + 1, minSpend: maxOrderTotalFen + 1 }))).toMatchObject({
      extensions: { code: 'BAD_USER_INPUT', field: 'amount' },
    });
    expect(onlyError(await create({ amount: 100, minSpend: maxOrderTotalFen + 1 }))).toMatchObject({
      extensions: { code: 'BAD_USER_INPUT', field: 'minSpend' },
    });
    expect((await create({ amount: 100, minSpend: maxOrderTotalFen })).errors).toBeUndefined();
  });
});

async function productOf(skuId: string): Promise<string> {
  const data = ok(await gql(supergraph.subgraphs.product!.url, 'query($id: ID!) { _entities(representations: [{ __typename: "Sku", id: $id }]) { ... on Sku { product { id } } } }', { id: skuId }, anonymousTo('product')));
  return data._entities[0].product.id;
}

describe('the cart', () => {
  it('refuses 999 × a ¥50,000 SKU (subtotal ¥49,950,000) cleanly and changes nothing', async () => {
    const me = shopper(endpoints);
    const { skuIds } = await createTestProduct(endpoints, [{ price: 5_000_000, stock: 5000 }, { price: 100, stock: 10 }]);
    ok(await me.add(skuIds[1], 1));
    const refused = await me.add(skuIds[0], 999);
    expect(onlyError(refused)).toMatchObject({
      extensions: { code: 'CONFLICT', reason: ORDER_TOTAL_TOO_LARGE, maxOrderTotalFen },
    });
    expect(refused.errors![0].message).toMatch(/¥49,950,001\.00, more than the ¥1,000,000\.00/);
    expect(ok(await me.cart()).cart.items.map((item) => item.sku.id)).toEqual([skuIds[1]]);

    // Up to the maximum exactly is fine; one more piece is not (adding to the line, or raising its quantity).
    const cheapLine = ok(await me.cart()).cart.items[0].id;
    ok(await me.update(cheapLine, { selected: false }));
    const added = ok(await me.add(skuIds[0], 20)).addToCart;
    expect(ok(await me.price()).cart.price.subtotal).toBe(100_000_000);
    expect(codes(await me.add(skuIds[0], 1))).toEqual(['CONFLICT']);
    const line = added.items.find((item) => item.sku.id === skuIds[0])!;
    expect(codes(await me.update(line.id, { quantity: 21 }))).toEqual(['CONFLICT']);
    // Selecting the cheap line again would also go over.
    expect(codes(await me.update(cheapLine, { selected: true }))).toEqual(['CONFLICT']);
    const after = ok(await me.cart()).cart;
    expect(after.items.map((item) => [item.quantity, item.selected])).toEqual([
      [20, true],
      [1, false],
    ]);
  });

  it('answers CONFLICT on price, not an Int overflow, when prices rose after items were added; lowering is allowed', async () => {
    const me = shopper(endpoints);
    const { skuIds } = await createTestProduct(endpoints, [{ price: 100, stock: 1000 }]);
    const line = ok(await me.add(skuIds[0], 999)).addToCart.items[0];
    await setSku(endpoints, skuIds[0], { price: maxUnitPriceFen }); // 999 × ¥100,000 = 9,990,000,000 fen > Int

    const priced = await me.call('{ cart { id price { subtotal total } } }');
    const error = onlyError(priced);
    expect(error).toMatchObject({ path: ['cart', 'price'], extensions: { code: 'CONFLICT', reason: ORDER_TOTAL_TOO_LARGE } });
    expect(error.message).toMatch(/¥99,900,000\.00/);
    // The items stay readable, so the shopper can fix the cart.
    expect(ok(await me.cart()).cart.items).toHaveLength(1);
    expect(codes(await me.add(skuIds[0], 1))).toEqual(['CONFLICT']);
    // Still above the maximum after lowering, but lower: allowed (the shopper is on the way back).
    ok(await me.update(line.id, { quantity: 500 }));
    ok(await me.update(line.id, { quantity: 10 }));
    expect(ok(await me.price()).cart.price).toMatchObject({ subtotal: 100_000_000, total: 100_000_000 });
  });
});

const codes = (response: GraphQLResponse) => (response.errors ?? []).map((error) => error.extensions?.code);
