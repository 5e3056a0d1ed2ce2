/**
 * Payment through the router (one public origin for clients and providers): a shopper pays an order with the
 * WeChat Pay sandbox (the notification comes back through the router's /notify/*), the order is PAID, staff ship,
 * an after-sales refund is approved and paid back, the order ends REFUNDED; a second order is received (COMPLETED).
 * The first journey starts at checkout (cart → createOrder, stock reserved and coupon-free); the others place their
 * orders with the order subgraph's fixture, as PENDING_PAYMENT.
 */
import crypto from 'node:crypto';
import { signAccessToken } from '../platform/access-token';
import type { RunningSupergraph } from '../app/launcher';
import { placeTestOrder, registerUser, type RegisteredUser } from '../subgraphs/order/test/fixtures';
import { expectMoneyInvariants, paymentTestConfig, sharedSandboxes, waitFor } from '../subgraphs/payment/test/support';
import { createTestProduct, ok, viaRouter } from '../subgraphs/cart/test/fixtures';
import { ADDRESS_INPUT, skuCounts } from '../subgraphs/order/test/checkout-fixtures';
import { findStockViolations } from '../subgraphs/product/data/stock';
import { asIdentity, bearer, codes, gql, startSupergraph } from './support/harness';

let supergraph: RunningSupergraph;
let router: string;
let origin: string;
const config = paymentTestConfig();
const orders: string[] = [];
beforeAll(async () => {
  supergraph = await startSupergraph({ config });
  router = supergraph.routerUrl!;
  origin = new URL(router).origin;
});
afterAll(async () => {
  if (supergraph) {
    await expectMoneyInvariants({ paymentDb: supergraph.subgraphs.payment!.db, orderDb: supergraph.subgraphs.order!.db, orders, users: [] });
  }
  await supergraph?.stop();
});

const staff = bearer(signAccessToken({ userId: '999999', scopes: ['order:write', 'payment:refund'] }, config));
const as = (user: RegisteredUser) => bearer(user.accessToken);
const ORDER = `query($id: ID!) { order(id: $id) { status total payment { method status amount refundedAmount refunds { refundNo status amount } } } }`;

async function untilStatus(user: RegisteredUser, orderId: string, status: string) {
  await waitFor(async () => (await gql(router, ORDER, { id: orderId }, as(user))).data?.order?.status === status);
}

async function payWithWechatSandbox(user: RegisteredUser, orderId: string, amount = 3000) {
  const methods = await gql(router, `query($id: ID!) { paymentMethods(orderId: $id) { type title available sandbox } }`, { id: orderId }, as(user));
  expect(methods.data.paymentMethods).toEqual([
    { type: 'WECHAT', title: '微信支付', available: true, sandbox: true },
    { type: 'ALIPAY', title: '支付宝', available: true, sandbox: true },
    { type: 'BALANCE', title: '余额支付', available: false, sandbox: false },
    // Without a familyId nothing says which family's wallet: listed, not available (docs/family-wallets.md).
    { type: 'FAMILY_BALANCE', title: '家庭余额支付', available: false, sandbox: false },
  ]);
  const paid = await gql(
    router,
    `mutation($id: ID!) { payOrder(orderId: $id, method: WECHAT) { payment { status amount } wechat { timeStamp nonceStr package signType paySign } sandboxPayUrl } }`,
    { id: orderId },
    as(user),
  );
  expect(paid.errors).toBeUndefined();
  expect(paid.data.payOrder.payment).toEqual({ status: 'PENDING', amount });
  // The client POSTs the sandbox URL; the path goes through the router to payment, which delivers the notification.
  const url = new URL(paid.data.payOrder.sandboxPayUrl);
  const cashier = await fetch(`${origin}${url.pathname}`, { method: 'POST' });
  expect(await cashier.json()).toMatchObject({ paid: true, delivered: true });
  await untilStatus(user, orderId, 'PAID');
}

it('register → cart → createOrder → pay (sandbox WeChat) → PAID (stock sold) → ship → confirm receipt → COMPLETED', async () => {
  const { skuIds } = await createTestProduct(viaRouter(router), [{ price: 2500, stock: 5 }]);
  const shopper = await registerUser(router);
  const call = (query: string, variables: Record<string, unknown> = {}) => gql(router, query, variables, as(shopper));
  const addressId = ok(await call('mutation($input: AddressInput!) { addAddress(input: $input) { id } }', { input: ADDRESS_INPUT })).addAddress.id;
  const line = ok(await call('mutation($s: ID!) { addToCart(skuId: $s, quantity: 2) { items { id } } }', { s: skuIds[0] })).addToCart.items[0];
  const created = ok(
    await call('mutation($input: CheckoutInput!, $key: String!) { createOrder(input: $input, idempotencyKey: $key) { id status total } }', {
      input: { cartItemIds: [line.id], addressId },
      key: crypto.randomUUID(),
    }),
  ).createOrder;
  // 2 × 2500 = 5000 fen is under the free-shipping threshold: 1000 fen shipping, all server-side.
  expect(created).toMatchObject({ status: 'PENDING_PAYMENT', total: 6000 });
  orders.push(created.id);
  const product = supergraph.subgraphs.product!.db;
  expect(await skuCounts(product, skuIds[0])).toEqual({ stock: 3, reserved: 2, sold: 0 });

  await payWithWechatSandbox(shopper, created.id, 6000);
  // Paid: the reservation is committed (reserved → sold) by the order's durable commit job.
  await waitFor(async () => (await skuCounts(product, skuIds[0])).sold === 2);
  expect(await skuCounts(product, skuIds[0])).toEqual({ stock: 3, reserved: 0, sold: 2 });
  expect(await findStockViolations(product, [skuIds[0]])).toEqual([]);

  ok(await gql(router, `mutation($id: ID!) { shipOrder(id: $id, carrier: "顺丰速运", trackingNo: "SF1234567892") { status } }`, { id: created.id }, staff));
  expect(ok(await call(`mutation($id: ID!) { confirmReceipt(id: $id) { status } }`, { id: created.id })).confirmReceipt.status).toBe('COMPLETED');
  const final = ok(await call(ORDER, { id: created.id })).order;
  expect(final).toMatchObject({ status: 'COMPLETED', total: 6000, payment: { method: 'WECHAT', status: 'SUCCEEDED', amount: 6000, refundedAmount: 0 } });
});

it('create (fixture) → pay (sandbox WeChat) → PAID → ship → after-sales refund → REFUNDED', async () => {
  const shopper = await registerUser(router);
  const orderId = await placeTestOrder(supergraph.subgraphs.order!.db, { userId: shopper.userId, items: [{ skuId: '1', productId: '1', title: '测试商品', skuName: '默认', unitPrice: 3000, quantity: 1 }] });
  orders.push(orderId);
  await payWithWechatSandbox(shopper, orderId);

  const shipped = await gql(router, `mutation($id: ID!) { shipOrder(id: $id, carrier: "顺丰速运", trackingNo: "SF1234567890") { status } }`, { id: orderId }, staff);
  expect(shipped.data.shipOrder.status).toBe('SHIPPED');
  const requested = await gql(router, `mutation($input: RefundRequestInput!) { requestRefund(input: $input) { id } }`, { input: { orderId, reason: '不合适', amount: 3000 } }, as(shopper));
  const requestId = requested.data.requestRefund.id;
  const approved = await gql(router, `mutation($id: ID!) { approveRefundRequest(id: $id, note: "同意退款") { status order { status } } }`, { id: requestId }, staff);
  expect(approved.data.approveRefundRequest).toMatchObject({ status: 'APPROVED' });
  await untilStatus(shopper, orderId, 'REFUNDED');
  const final = await gql(router, ORDER, { id: orderId }, as(shopper));
  expect(final.data.order).toEqual({
    status: 'REFUNDED',
    total: 3000,
    payment: { method: 'WECHAT', status: 'REFUNDED', amount: 3000, refundedAmount: 3000, refunds: [{ refundNo: `AS${requestId}`, status: 'SUCCEEDED', amount: 3000 }] },
  });
});

it('pay → ship → confirm receipt → COMPLETED; refunds within the after-sales window only', async () => {
  const shopper = await registerUser(router);
  const orderId = await placeTestOrder(supergraph.subgraphs.order!.db, { userId: shopper.userId, items: [{ skuId: '1', productId: '1', title: '测试商品', skuName: '默认', unitPrice: 3000, quantity: 1 }] });
  orders.push(orderId);
  await payWithWechatSandbox(shopper, orderId);
  await gql(router, `mutation($id: ID!) { shipOrder(id: $id, carrier: "顺丰速运", trackingNo: "SF1234567891") { status } }`, { id: orderId }, staff);
  const received = await gql(router, `mutation($id: ID!) { confirmReceipt(id: $id) { status } }`, { id: orderId }, as(shopper));
  expect(received.data.confirmReceipt.status).toBe('COMPLETED');
  // Within AFTER_SALES_WINDOW_DAYS of receipt: refundable (partly: the order stays COMPLETED).
  ok(await gql(router, `mutation($id: ID!) { refundOrder(orderId: $id, amount: 100, reason: "x", idempotencyKey: "late-1") { id } }`, { id: orderId }, staff));
  await waitFor(async () => (await gql(router, `query($id: ID!) { order(id: $id) { refundedAmount } }`, { id: orderId }, as(shopper))).data.order.refundedAmount === 100);
  expect((await gql(router, ORDER, { id: orderId }, as(shopper))).data.order.status).toBe('COMPLETED');
  // After it: refused.
  await supergraph.subgraphs.order!.db('orders').where({ id: orderId }).update({ completed_at: new Date(Date.now() - 8 * 24 * 3600_000) });
  const late = await gql(router, `mutation($id: ID!) { refundOrder(orderId: $id, amount: 100, reason: "x", idempotencyKey: "late-2") { id } }`, { id: orderId }, staff);
  expect(codes(late)).toEqual(['CONFLICT']);
  expect(late.errors![0].extensions!.reason).toBe('AFTER_SALES_WINDOW_CLOSED');
});

it('checkout → pay → ship → return 1 of 2 pieces (after-sales, restocked) → refunded, the piece back in available stock, the rest still shipped', async () => {
  const { skuIds } = await createTestProduct(viaRouter(router), [{ price: 2500, stock: 5 }]);
  const shopper = await registerUser(router);
  const call = (query: string, variables: Record<string, unknown> = {}) => gql(router, query, variables, as(shopper));
  const addressId = ok(await call('mutation($input: AddressInput!) { addAddress(input: $input) { id } }', { input: ADDRESS_INPUT })).addAddress.id;
  const line = ok(await call('mutation($s: ID!) { addToCart(skuId: $s, quantity: 2) { items { id } } }', { s: skuIds[0] })).addToCart.items[0];
  const created = ok(
    await call('mutation($input: CheckoutInput!, $key: String!) { createOrder(input: $input, idempotencyKey: $key) { id total } }', {
      input: { cartItemIds: [line.id], addressId },
      key: crypto.randomUUID(),
    }),
  ).createOrder;
  orders.push(created.id);
  const product = supergraph.subgraphs.product!.db;
  await payWithWechatSandbox(shopper, created.id, 6000);
  await waitFor(async () => (await skuCounts(product, skuIds[0])).sold === 2);
  ok(await gql(router, `mutation($id: ID!) { shipOrder(id: $id, carrier: "顺丰速运", trackingNo: "SF1234567893") { status } }`, { id: created.id }, staff));

  const requested = ok(
    await call(`mutation($input: RefundRequestInput!) { requestRefund(input: $input) { id } }`, {
      input: { orderId: created.id, reason: '七天无理由退货', amount: 2500, items: [{ skuId: skuIds[0], quantity: 1 }] },
    }),
  ).requestRefund;
  ok(await gql(router, `mutation($id: ID!, $s: [ID!]) { approveRefundRequest(id: $id, restockSkuIds: $s) { status } }`, { id: requested.id, s: [skuIds[0]] }, staff));
  // Refunded, then the returned piece goes back: sold → available.
  await waitFor(async () => (await skuCounts(product, skuIds[0])).sold === 1);
  expect(await skuCounts(product, skuIds[0])).toEqual({ stock: 4, reserved: 0, sold: 1 });
  expect(await findStockViolations(product, [skuIds[0]])).toEqual([]);
  const view = ok(await call(`query($id: ID!) { order(id: $id) { status refundedAmount refunds { status lines { quantity restock } } } }`, { id: created.id })).order;
  expect(view).toEqual({ status: 'SHIPPED', refundedAmount: 2500, refunds: [{ status: 'SUCCEEDED', lines: [{ quantity: 1, restock: true }] }] });
  const returns = await product('stock_returns').where({ order_id: created.id });
  expect(returns).toMatchObject([{ key: `AS${requested.id}`, lines: [{ skuId: skuIds[0], quantity: 1 }] }]);

  // product's returnStock itself: the same key again is the same return; more than was bought and kept is refused.
  const RETURN = 'mutation($o: ID!, $k: String!, $l: [StockLineInput!]!) { returnStock(orderId: $o, key: $k, lines: $l) { key } }';
  const asOrder = asIdentity({ service: 'order' }, 'product', config);
  const productUrl = supergraph.subgraphs.product!.url;
  ok(await gql(productUrl, RETURN, { o: created.id, k: `AS${requested.id}`, l: [{ skuId: skuIds[0], quantity: 1 }] }, asOrder));
  expect(codes(await gql(productUrl, RETURN, { o: created.id, k: 'another', l: [{ skuId: skuIds[0], quantity: 2 }] }, asOrder))).toEqual(['CONFLICT']);
  expect(codes(await gql(productUrl, RETURN, { o: created.id, k: 'x', l: [{ skuId: skuIds[0], quantity: 1 }] }, asIdentity({ userId: shopper.userId }, 'product', config)))).toEqual(['FORBIDDEN']);
  expect(await skuCounts(product, skuIds[0])).toEqual({ stock: 4, reserved: 0, sold: 1 });
  expect(await findStockViolations(product, [skuIds[0]])).toEqual([]);
});

it('checkout → pay → ship → exchange 1 piece → received: the returned piece back in available stock (EXR key), the replacement taken; restock false keeps it out', async () => {
  const { skuIds } = await createTestProduct(viaRouter(router), [{ price: 1000, stock: 5 }]);
  const shopper = await registerUser(router);
  const call = (query: string, variables: Record<string, unknown> = {}) => gql(router, query, variables, as(shopper));
  const addressId = ok(await call('mutation($input: AddressInput!) { addAddress(input: $input) { id } }', { input: ADDRESS_INPUT })).addAddress.id;
  const line = ok(await call('mutation($s: ID!) { addToCart(skuId: $s, quantity: 3) { items { id } } }', { s: skuIds[0] })).addToCart.items[0];
  const created = ok(
    await call('mutation($input: CheckoutInput!, $key: String!) { createOrder(input: $input, idempotencyKey: $key) { id total } }', {
      input: { cartItemIds: [line.id], addressId },
      key: crypto.randomUUID(),
    }),
  ).createOrder;
  orders.push(created.id);
  const product = supergraph.subgraphs.product!.db;
  await payWithWechatSandbox(shopper, created.id, created.total);
  await waitFor(async () => (await skuCounts(product, skuIds[0])).sold === 3);
  ok(await gql(router, `mutation($id: ID!) { shipOrder(id: $id, carrier: "顺丰速运", trackingNo: "SF1234567894") { status } }`, { id: created.id }, staff));

  /** One piece exchanged for the same SKU, up to the parcel received (with `restock` as given). */
  const exchangeOne = async (restock?: boolean) => {
    const request = ok(await call(`mutation($input: ExchangeRequestInput!) { requestExchange(input: $input) { id } }`, { input: { orderId: created.id, reason: '有瑕疵', skuId: skuIds[0], quantity: 1 } })).requestExchange;
    ok(await gql(router, `mutation($id: ID!) { approveRefundRequest(id: $id) { status } }`, { id: request.id }, staff));
    ok(await call(`mutation($input: ReturnShipmentInput!) { submitReturnShipment(input: $input) { status } }`, { input: { requestId: request.id, carrierCode: 'jtexpress', trackingNumber: `JT${Date.now()}${restock ?? ''}` } }));
    const received = ok(await gql(router, `mutation($id: ID!, $r: Boolean) { markReturnReceived(id: $id, restock: $r) { status returnRestocked } }`, { id: request.id, r: restock }, staff));
    return { id: request.id as string, received: received.markReturnReceived };
  };
  const first = await exchangeOne();
  expect(first.received).toEqual({ status: 'RECEIVED', returnRestocked: true });
  // The returned piece goes back on sale: sold → available, once, under the exchange's own key.
  await waitFor(async () => (await skuCounts(product, skuIds[0])).sold === 2);
  expect(await skuCounts(product, skuIds[0])).toEqual({ stock: 3, reserved: 0, sold: 2 });
  expect(await product('stock_returns').where({ order_id: created.id })).toMatchObject([{ key: `EXR${first.id}`, lines: [{ skuId: skuIds[0], quantity: 1 }] }]);
  // The replacement is taken from stock as before.
  ok(await gql(router, `mutation($input: ExchangeShipmentInput!) { shipExchangeReplacement(input: $input) { id } }`, { input: { requestId: first.id, carrierCode: 'shunfeng', trackingNumber: 'SF9876543210' } }, staff));
  expect(await skuCounts(product, skuIds[0])).toEqual({ stock: 2, reserved: 0, sold: 3 });

  // A damaged piece stays out of stock.
  const second = await exchangeOne(false);
  expect(second.received).toEqual({ status: 'RECEIVED', returnRestocked: false });
  await new Promise((resolve) => setTimeout(resolve, 1500));
  expect(await skuCounts(product, skuIds[0])).toEqual({ stock: 2, reserved: 0, sold: 3 });
  expect(await product('stock_returns').where({ order_id: created.id })).toHaveLength(1);
  expect(await findStockViolations(product, [skuIds[0]])).toEqual([]);
});

it('the router forwards /notify/* untouched and unauthenticated; internal operations stay hidden', async () => {
  const { wechat } = sharedSandboxes(config);
  const forged = wechat.notification({ appid: wechat.appId, mchid: wechat.mchId, out_trade_no: 'W0000000000000001', trade_state: 'SUCCESS', amount: { total: 1, currency: 'CNY' } });
  const tampered = await fetch(`${origin}/notify/wechat`, { method: 'POST', headers: forged.headers, body: `${forged.body} ` });
  expect(tampered.status).toBe(401);
  expect(await tampered.json()).toEqual({ code: 'FAIL', message: 'BAD_SIGNATURE' });
  // The same bytes, untouched: the signature holds through the router (an unknown order is then refused as such).
  const intact = await fetch(`${origin}/notify/wechat`, { method: 'POST', headers: forged.headers, body: forged.body });
  expect(await intact.json()).toEqual({ code: 'FAIL', message: 'UNKNOWN_ORDER' });
  const alipay = await fetch(`${origin}/notify/alipay`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'sign_type=RSA&sign=x&out_trade_no=1&trade_status=TRADE_SUCCESS' });
  expect(await alipay.text()).toBe('fail');
  const hidden = await gql(router, 'mutation { refundAfterSale(orderId: "1", afterSaleId: "1", amount: 1, reason: "x") { id } }', {}, staff);
  expect(hidden.errors?.[0].message).toMatch(/refundAfterSale/);
  const buyer = await gql(router, '{ order(id: "1") { buyerId } }', {}, staff);
  expect(buyer.errors?.[0].message).toMatch(/buyerId/);
});
