/**
 * Orders through the router: a registered shopper's orders with real catalog SKUs, the lifecycle as clients
 * and staff drive it, `orders(first: 20)` with items, SKUs and products for the same SQL statements as one
 * order, buyAgain filling the real cart (request id followed across services), and internal fields hidden.
 * Orders are written by the test-only fixture (checkout comes with its own issue).
 */
import diagnostics from 'node:diagnostics_channel';
import type { IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { signAccessToken } from '../platform/access-token';
import { countStatements } from '../platform/db';
import type { RunningSupergraph } from '../app/launcher';
import type { NewOrderItem } from '../subgraphs/order/data/order-items';
import { createTestProduct, viaRouter } from '../subgraphs/cart/test/fixtures';
import { placeTestOrder, registerUser, type RegisteredUser } from '../subgraphs/order/test/fixtures';
import { bearer, codes, gql, startSupergraph, testConfig, type GraphQLResponse } from './support/harness';

// Statement counts prove the PostgreSQL path batches; the catalog cache (which makes repeated reads cost none) is
// tested in test/catalog-cache.test.ts.
const uncachedCatalog = testConfig({ CATALOG_CACHE: 'false' });

interface CatalogProduct {
  id: string;
  title: string;
  skus: { id: string; name: string; price: number; stock: number; available: boolean }[];
}

let supergraph: RunningSupergraph;
let router: string;
let skus: NewOrderItem[];

beforeAll(async () => {
  supergraph = await startSupergraph({ config: uncachedCatalog });
  router = supergraph.routerUrl!;
  // Other test files add (and change) products of their own: the demo catalog's are the oldest, lowest ids.
  const found: (NewOrderItem & { product: number })[] = [];
  let after: string | null = null;
  for (;;) {
    const page: GraphQLResponse = await gql(router, `query($after: String) { products(first: 100, after: $after) {
      edges { node { id title skus { id name price stock available } } } pageInfo { hasNextPage endCursor } } }`, { after });
    for (const { node } of page.data.products.edges as { node: CatalogProduct }[]) {
      for (const sku of node.skus) {
        found.push({ skuId: sku.id, productId: node.id, title: node.title, skuName: sku.name, unitPrice: sku.price, quantity: 1, product: Number(node.id) });
      }
    }
    if (!page.data.products.pageInfo.hasNextPage) break;
    after = page.data.products.pageInfo.endCursor;
  }
  skus = found.sort((a, b) => a.product - b.product).slice(0, 60).map(({ product: _product, ...item }) => item);
  expect(skus.length).toBe(60);
});
afterAll(async () => {
  await supergraph?.stop();
});

const db = () => supergraph.subgraphs.order!.db;
const as = (user: RegisteredUser) => bearer(user.accessToken);
const staff = bearer(signAccessToken({ userId: '999999', scopes: ['order:write'] }, testConfig()));

const ORDER_LIST = `query($first: Int) { orders(first: $first) { edges { node {
  id orderNo status total items { title unitPrice quantity sku { id name price product { title } } } } } } }`;

it('lists 20 orders with items, SKUs and products for the same SQL statements as 1 order', async () => {
  const one = await registerUser(router);
  const many = await registerUser(router);
  await placeTestOrder(db(), { userId: one.userId, items: [skus[0]] });
  for (let n = 0; n < 20; n += 1) {
    await placeTestOrder(db(), { userId: many.userId, items: skus.slice(n * 3, n * 3 + 3), status: n % 2 ? 'PAID' : 'PENDING_PAYMENT' });
  }
  const cost = async (user: RegisteredUser, expected: number) => {
    const counters = { order: countStatements(db()), product: countStatements(supergraph.subgraphs.product!.db) };
    const response = await gql(router, ORDER_LIST, { first: 20 }, as(user));
    Object.values(counters).forEach((counter) => counter.stop());
    expect(response.errors).toBeUndefined();
    const orders = response.data.orders.edges.map((edge: { node: unknown }) => edge.node);
    expect(orders).toHaveLength(expected);
    for (const order of orders) {
      for (const item of order.items) {
        expect(item.sku.name).toEqual(expect.any(String));
        expect(item.sku.product.title).toEqual(expect.any(String));
      }
    }
    // The order subgraph's background work (outbox relay, event consumers, job runners) shares its knex: count only
    // statements on the tables a list reads.
    const requestOnly = (counter: { statements: string[] }) =>
      counter.statements.filter((sql) => /"(orders|order_items|order_status_history|after_sales|skus|products)"|\b(orders|order_items|skus|products)\b/.test(sql)).length;
    return { order: requestOnly(counters.order), product: requestOnly(counters.product) };
  };
  const small = await cost(one, 1);
  const large = await cost(many, 20);
  expect(large).toEqual(small);
  // orders page + items; product: SKUs + their products.
  expect(small).toEqual({ order: 2, product: 2 });
});

it('runs the lifecycle for a registered shopper and staff through the router', async () => {
  const shopper = await registerUser(router);
  const orderId = await placeTestOrder(db(), { userId: shopper.userId, status: 'PAID', items: [skus[0], skus[1]] });
  const read = () => gql(router, `query($id: ID!) { order(id: $id) { status carrier trackingNo shippingAddress { city }
    statusHistory { from to actor } } orderCounts { pendingPayment pendingShipment pendingReceipt } }`, { id: orderId }, as(shopper));
  expect((await read()).data.orderCounts).toEqual({ pendingPayment: 0, pendingShipment: 1, pendingReceipt: 0 });

  expect(codes(await gql(router, `mutation($id: ID!) { shipOrder(id: $id, carrier: "顺丰速运", trackingNo: "SF100200300") { id } }`, { id: orderId }, as(shopper)))).toEqual(['FORBIDDEN']);
  const shipped = await gql(router, `mutation($id: ID!) { shipOrder(id: $id, carrier: "顺丰速运", trackingNo: "SF100200300") { status } }`, { id: orderId }, staff);
  expect(shipped.data.shipOrder.status).toBe('SHIPPED');
  const seen = (await read()).data;
  expect(seen.order).toMatchObject({ status: 'SHIPPED', carrier: '顺丰速运', trackingNo: 'SF100200300', shippingAddress: { city: '上海市' } });
  expect(seen.order.statusHistory.map((change: { to: string }) => change.to)).toEqual(['PENDING_PAYMENT', 'PAID', 'SHIPPED']);
  expect(seen.orderCounts).toEqual({ pendingPayment: 0, pendingShipment: 0, pendingReceipt: 1 });

  const stranger = await registerUser(router);
  expect((await gql(router, `query($id: ID!) { order(id: $id) { id } }`, { id: orderId }, as(stranger))).data).toEqual({ order: null });
  expect(codes(await gql(router, `mutation($id: ID!) { confirmReceipt(id: $id) { id } }`, { id: orderId }, as(stranger)))).toEqual(['NOT_FOUND']);

  const done = await gql(router, `mutation($id: ID!) { confirmReceipt(id: $id) { status completedAt } }`, { id: orderId }, as(shopper));
  expect(done.data.confirmReceipt.status).toBe('COMPLETED');
  expect(codes(await gql(router, `mutation($id: ID!) { confirmReceipt(id: $id) { status } }`, { id: orderId }, as(shopper)))).toEqual(['CONFLICT']);
  expect((await gql(router, `mutation($id: ID!) { deleteOrder(id: $id) }`, { id: orderId }, as(shopper))).data).toEqual({ deleteOrder: true });
  expect((await gql(router, '{ orders { edges { node { id } } } }', {}, as(shopper))).data.orders.edges).toEqual([]);
});

it('keeps the internal payment mutations away from clients', async () => {
  const response = await gql(router, `mutation { markOrderPaid(orderId: "1", paymentId: "p", amount: 1) { id } }`, {}, staff);
  expect(codes(response)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
});

/** Headers of the requests a started server receives (Node's diagnostics channel; no hook in the server). */
function recordHeaders(url: string) {
  const port = Number(new URL(url).port);
  const seen: IncomingMessage['headers'][] = [];
  const listener = (message: unknown) => {
    const { request, server } = message as { request: IncomingMessage; server: Server };
    if ((server.address() as AddressInfo | null)?.port === port && request.method === 'POST') seen.push(request.headers);
  };
  diagnostics.subscribe('http.server.request.start', listener);
  return { seen, stop: () => diagnostics.unsubscribe('http.server.request.start', listener) };
}

it('buys again: the order items go into the real cart, skipping what cannot be bought', async () => {
  const shopper = await registerUser(router);
  // A product of this test's own, so no other test's stock changes can make the cart refuse it.
  const product = await createTestProduct(viaRouter(router), [{ price: 2900, stock: 50 }, { price: 3900, stock: 50 }]);
  const bought = product.skuIds.map((skuId, index) => ({ skuId, productId: product.productId, title: 'Mine', unitPrice: 2900 + index * 1000, quantity: 1 }));
  const gone = { skuId: '987654321', productId: '987654321', title: 'Gone', unitPrice: 100, quantity: 1 };
  const orderId = await placeTestOrder(db(), { userId: shopper.userId, status: 'COMPLETED', items: [{ ...bought[0], quantity: 2 }, gone, bought[1]] });
  const cartCalls = recordHeaders(supergraph.subgraphs.cart!.url);
  const response = await gql(
    router,
    `mutation($id: ID!) { buyAgain(id: $id) { totalQuantity items { quantity sku { id name } } } }`,
    { id: orderId },
    { ...as(shopper), 'x-request-id': 'buy-again-test-1' },
  );
  cartCalls.stop();
  expect(response.errors).toBeUndefined();
  expect(response.data.buyAgain.totalQuantity).toBe(3);
  expect(response.data.buyAgain.items.map((item: { sku: { id: string } }) => item.sku.id).sort()).toEqual([...product.skuIds].sort());
  // Every call the order subgraph made to cart (and the router's read of the cart) carried the client's request id.
  expect(cartCalls.seen.length).toBeGreaterThanOrEqual(4);
  expect(cartCalls.seen.every((headers) => headers['x-request-id'] === 'buy-again-test-1')).toBe(true);

  const onlyGone = await placeTestOrder(db(), { userId: shopper.userId, items: [gone] });
  expect(codes(await gql(router, `mutation($id: ID!) { buyAgain(id: $id) { totalQuantity } }`, { id: onlyGone }, as(shopper)))).toEqual(['CONFLICT']);
  expect((await gql(router, '{ cart { totalQuantity } }', {}, as(shopper))).data.cart.totalQuantity).toBe(3);
});
