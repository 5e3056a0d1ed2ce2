/**
 * The checkout journey through the router, as a client does it: register, add an address, fill the cart, check its
 * price, preview, create, list, cancel. The created order's numbers equal the cart's price and the preview's; the
 * cart loses the lines bought; cancelling gives the stock and the coupon back.
 */
import crypto from 'node:crypto';
import type { RunningSupergraph } from '../app/launcher';
import { findStockViolations } from '../subgraphs/product/data/stock';
import { countHttpRequests, createTestProduct, giveCoupon, ok, viaRouter } from '../subgraphs/cart/test/fixtures';
import { ADDRESS_INPUT, couponStatus, eventually, skuCounts } from '../subgraphs/order/test/checkout-fixtures';
import { bearer, gql, startSupergraph, uniquePhone } from './support/harness';

let supergraph: RunningSupergraph;
let router: string;

beforeAll(async () => {
  supergraph = await startSupergraph({ router: true });
  router = supergraph.router!.url;
});
afterAll(async () => {
  await supergraph?.stop();
});

it('register → address → cart → preview → createOrder → orders → cancelOrder', async () => {
  const endpoints = viaRouter(router);
  const { skuIds } = await createTestProduct(endpoints, [{ price: 3900, stock: 8 }, { price: 1200, stock: 8 }]);
  const registered = ok(
    await gql(router, 'mutation($input: RegisterInput!) { register(input: $input) { accessToken user { id } } }', {
      input: { phone: uniquePhone(), password: 'checkout123', nickname: 'journey' },
    }),
  ).register;
  const auth = bearer(registered.accessToken);
  const call = (query: string, variables: Record<string, unknown> = {}) => gql(router, query, variables, auth);
  const addressId = ok(await call('mutation($input: AddressInput!) { addAddress(input: $input) { id } }', { input: ADDRESS_INPUT })).addAddress.id;
  const couponId = await giveCoupon(endpoints, registered.user.id, { type: 'CASH', amount: 600, minSpend: 5000 });
  ok(await call('mutation($s: ID!) { addToCart(skuId: $s, quantity: 1) { id } }', { s: skuIds[0] }));
  ok(await call('mutation($s: ID!) { addToCart(skuId: $s, quantity: 2) { id } }', { s: skuIds[1] }));
  const cart = ok(await call('{ cart { items { id sku { id } } price { subtotal discount shippingFee total bestCoupon { id } } } }')).cart;
  expect(cart.price.bestCoupon).toEqual({ id: couponId });

  const input = { cartItemIds: cart.items.map((item: { id: string }) => item.id), couponId, addressId };
  const preview = ok(
    await call(
      `query($input: CheckoutInput!) { previewOrder(input: $input) {
        items { sku { id name price } title quantity unitPrice lineTotal } subtotal discount shippingFee total
        coupon { coupon { id } discount } address { city } } }`,
      { input },
    ),
  ).previewOrder;
  const { bestCoupon, ...price } = cart.price;
  expect(bestCoupon).toEqual(preview.coupon.coupon);
  expect({ subtotal: preview.subtotal, discount: preview.discount, shippingFee: preview.shippingFee, total: preview.total }).toEqual(price);
  expect(preview.items.map((item: { sku: { price: number }; unitPrice: number }) => item.sku.price === item.unitPrice)).toEqual([true, true]);

  const created = ok(
    await call('mutation($input: CheckoutInput!, $key: String!) { createOrder(input: $input, idempotencyKey: $key) { id status total items { quantity } } }', {
      input,
      key: crypto.randomUUID(),
    }),
  ).createOrder;
  expect(created).toMatchObject({ status: 'PENDING_PAYMENT', total: preview.total });
  const product = supergraph.subgraphs.product!.db;
  expect(await skuCounts(product, skuIds[1])).toEqual({ stock: 6, reserved: 2, sold: 0 });
  expect(await couponStatus(supergraph.subgraphs.promote!.db, couponId)).toBe('LOCKED');
  // The cart lines bought are gone by the time createOrder answered.
  expect(ok(await call('{ cart { items { id } } }')).cart.items).toEqual([]);

  const listed = ok(await call('{ orders(first: 5) { edges { node { id status } } } orderCounts { pendingPayment } }'));
  expect(listed.orders.edges).toEqual([{ node: { id: created.id, status: 'PENDING_PAYMENT' } }]);
  expect(listed.orderCounts.pendingPayment).toBe(1);

  expect(ok(await call('mutation($id: ID!) { cancelOrder(id: $id, reason: "换个颜色") { status cancelReason } }', { id: created.id })).cancelOrder).toEqual({
    status: 'CANCELLED',
    cancelReason: '换个颜色',
  });
  // The release is a durable job run at once; when another order instance (here: another test worker's) holds the
  // job, it lands moments later.
  const back = (counts: { reserved: number }) => counts.reserved === 0;
  expect(await eventually(() => skuCounts(product, skuIds[0]), back)).toEqual({ stock: 8, reserved: 0, sold: 0 });
  expect(await eventually(() => skuCounts(product, skuIds[1]), back)).toEqual({ stock: 8, reserved: 0, sold: 0 });
  expect(await eventually(() => couponStatus(supergraph.subgraphs.promote!.db, couponId), (status) => status === 'AVAILABLE')).toBe('AVAILABLE');
  expect(await findStockViolations(product, skuIds)).toEqual([]);
});

it('previews with one product call: the SKU name and price and the product title come with the lines', async () => {
  const endpoints = viaRouter(router);
  const { productId, skuIds } = await createTestProduct(endpoints, [{ price: 2500, stock: 5 }, { price: 700, stock: 5 }]);
  const registered = ok(
    await gql(router, 'mutation($input: RegisterInput!) { register(input: $input) { accessToken } }', {
      input: { phone: uniquePhone(), password: 'preview123', nickname: 'preview' },
    }),
  ).register;
  const auth = bearer(registered.accessToken);
  const addressId = ok(await gql(router, 'mutation($input: AddressInput!) { addAddress(input: $input) { id } }', { input: ADDRESS_INPUT }, auth)).addAddress.id;
  const items = skuIds.map((skuId) => ({ skuId, quantity: 1 }));
  const product = ok(await gql(router, 'query($id: ID!) { product(id: $id) { title skus { id name price } } }', { id: productId })).product;

  const productCalls = countHttpRequests(supergraph.subgraphs.product!.url);
  const preview = ok(
    await gql(router, 'query($input: CheckoutInput!) { previewOrder(input: $input) { items { sku { id name price } product { id title } } } }', { input: { items, addressId } }, auth),
  ).previewOrder;
  productCalls.stop();

  expect(preview.items).toEqual(
    skuIds.map((id) => {
      const sku = product.skus.find((s: { id: string }) => s.id === id);
      return { sku: { id, name: sku.name, price: sku.price }, product: { id: productId, title: product.title } };
    }),
  );
  // The order's own read of the SKU facts (prices and stock for the checks); the router does not ask product again.
  expect(productCalls.count).toBe(1);
});

it('through the router: couponId null (variable or literal) declines the best coupon, left out applies it; PRICE_CHANGED reaches the client', async () => {
  const endpoints = viaRouter(router);
  const { skuIds } = await createTestProduct(endpoints, [{ price: 2000, stock: 5 }]);
  const registered = ok(
    await gql(router, 'mutation($input: RegisterInput!) { register(input: $input) { accessToken user { id } } }', {
      input: { phone: uniquePhone(), password: 'decline123', nickname: 'decline' },
    }),
  ).register;
  const auth = bearer(registered.accessToken);
  const addressId = ok(await gql(router, 'mutation($input: AddressInput!) { addAddress(input: $input) { id } }', { input: ADDRESS_INPUT }, auth)).addAddress.id;
  const couponId = await giveCoupon(endpoints, registered.user.id, { type: 'CASH', amount: 300, minSpend: 1000 });
  const items = [{ skuId: skuIds[0], quantity: 1 }];
  const PREVIEW = 'query($input: CheckoutInput!) { previewOrder(input: $input) { total discount coupon { coupon { id } } } }';

  expect(ok(await gql(router, PREVIEW, { input: { items, addressId } }, auth)).previewOrder).toEqual({ total: 2700, discount: 300, coupon: { coupon: { id: couponId } } });
  expect(ok(await gql(router, PREVIEW, { input: { items, addressId, couponId: null } }, auth)).previewOrder).toEqual({ total: 3000, discount: 0, coupon: null });
  const literal = `query($s: ID!, $a: ID!) { previewOrder(input: { items: [{ skuId: $s, quantity: 1 }], addressId: $a, couponId: null }) { total coupon { coupon { id } } } }`;
  expect(ok(await gql(router, literal, { s: skuIds[0], a: addressId }, auth)).previewOrder).toEqual({ total: 3000, coupon: null });

  const CREATE = 'mutation($input: CheckoutInput!, $key: String!) { createOrder(input: $input, idempotencyKey: $key) { total discount } }';
  const changed = await gql(router, CREATE, { input: { items, addressId, expectedTotal: 3000 }, key: crypto.randomUUID() }, auth);
  expect(changed.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', reason: 'PRICE_CHANGED', expectedTotal: 3000, total: 2700, couponId });
  const declined = ok(await gql(router, CREATE, { input: { items, addressId, couponId: null, expectedTotal: 3000 }, key: crypto.randomUUID() }, auth)).createOrder;
  expect(declined).toEqual({ total: 3000, discount: 0 });
  expect(await couponStatus(supergraph.subgraphs.promote!.db, couponId)).toBe('AVAILABLE');
});
