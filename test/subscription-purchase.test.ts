/**
 * Subscription purchase through the router (docs/subscriptions-purchase.md), on real PostgreSQL and Redis: staff make a
 * subscribable wares, a registered shopper reads it on the product, buys it (createSubscriptionOrder), pays with the
 * WeChat Pay sandbox (the existing payOrder), the packages are scheduled (one per period, shares adding up to the
 * total), the scheduler takes the due package's stock, staff ship it (a shipment of the order), the shopper confirms
 * receipt, then cancels: the refund equals the undelivered periods exactly and reaches payment. Also: out of stock →
 * FLAGGED (never oversold); a cancellation before anything shipped refunds everything and returns the stock taken.
 * On a database and events namespace of its own (test/support/isolated-supergraph.ts): the scheduler is one periodic
 * job per database, and another test file's order instance (default interval, its own services) must not run it.
 */
import { signAccessToken } from '../platform/access-token';
import { createTestProduct, ok, viaRouter } from '../subgraphs/cart/test/fixtures';
import { ADDRESS_INPUT, skuCounts } from '../subgraphs/order/test/checkout-fixtures';
import { registerUser, type RegisteredUser } from '../subgraphs/order/test/fixtures';
import { expectMoneyInvariants, paymentTestConfig, waitFor } from '../subgraphs/payment/test/support';
import { chinaDay } from '../subgraphs/order/subscription-jobs';
import { bearer, codes, gql } from './support/harness';
import { startIsolatedSupergraph, type IsolatedSupergraph } from './support/isolated-supergraph';

// The scheduler runs every second and prepares packages due by tomorrow (the default start date).
const overrides = { SUBSCRIPTION_SCHEDULER_INTERVAL_SECONDS: '1', SUBSCRIPTION_PACKAGE_LEAD_DAYS: '1', CATALOG_CACHE: 'false' };
const config = paymentTestConfig(overrides);
let supergraph: IsolatedSupergraph;
let router: string;
let origin: string;
const orders: string[] = [];

beforeAll(async () => {
  supergraph = await startIsolatedSupergraph({ EVENTS_JOB_POLL_INTERVAL_MS: '25', EVENTS_POLL_INTERVAL_MS: '25', PAYMENT_RECONCILE_AFTER_SECONDS: '3600', ...overrides });
  router = supergraph.routerUrl!;
  origin = new URL(router).origin;
});
afterAll(async () => {
  if (supergraph) await expectMoneyInvariants({ paymentDb: supergraph.subgraphs.payment!.db, orderDb: supergraph.subgraphs.order!.db, orders, users: [] });
  await supergraph?.stop();
});

const staff = bearer(signAccessToken({ userId: '999996', scopes: ['order:write', 'catalog:write'] }, config));
const as = (user: RegisteredUser) => bearer(user.accessToken);
const productDb = () => supergraph.subgraphs.product!.db;

const SUBSCRIPTION_ORDER = `query($id: ID!) { order(id: $id) { id kind status total refundedAmount
  subscription { wares { id } title cycle periods quantityPerPeriod startDate cancelledAt
    packages { id periodNo dueDate quantity amount status flagReason shipment { carrier { code } trackingNumber } receivedAt } }
  payment { status refundedAmount refunds { refundNo status amount } } } }`;

async function newWares(skuId: string, input: Record<string, unknown> = {}) {
  const created = await gql(
    router,
    `mutation($input: CreateSubscriptionWaresInput!) { createSubscriptionWares(input: $input) { id price periods } }`,
    { input: { skuId, title: '每周鲜果', cycle: 'WEEKLY', periods: 4, quantityPerPeriod: 2, price: 10001, onShelf: true, ...input } },
    staff,
  );
  return ok(created).createSubscriptionWares;
}

async function shopperWithAddress() {
  const shopper = await registerUser(router);
  const addressId = ok(await gql(router, 'mutation($input: AddressInput!) { addAddress(input: $input) { id } }', { input: ADDRESS_INPUT }, as(shopper))).addAddress.id;
  return { shopper, addressId };
}

async function subscribe(shopper: RegisteredUser, waresId: string, addressId: string) {
  const created = await gql(
    router,
    `mutation($input: CreateSubscriptionOrderInput!) { createSubscriptionOrder(input: $input) { id kind status total items { quantity unitPrice } } }`,
    { input: { waresId, addressId } },
    as(shopper),
  );
  const order = ok(created).createSubscriptionOrder;
  orders.push(order.id);
  return order;
}

async function payInSandbox(shopper: RegisteredUser, orderId: string) {
  const paid = ok(await gql(router, `mutation($id: ID!) { payOrder(orderId: $id, method: WECHAT) { sandboxPayUrl } }`, { id: orderId }, as(shopper)));
  const cashier = await fetch(`${origin}${new URL(paid.payOrder.sandboxPayUrl).pathname}`, { method: 'POST' });
  expect(await cashier.json()).toMatchObject({ paid: true, delivered: true });
}

const readOrder = async (shopper: RegisteredUser, id: string) => ok(await gql(router, SUBSCRIPTION_ORDER, { id }, as(shopper))).order;
async function until(shopper: RegisteredUser, id: string, check: (order: any) => boolean) {
  await waitFor(async () => check(await readOrder(shopper, id)), 50);
  return readOrder(shopper, id);
}

it('register → wares → createSubscriptionOrder → sandbox pay → packages → ship one → receipt → cancel → refund of the undelivered periods', async () => {
  const { productId, skuIds } = await createTestProduct(viaRouter(router), [{ price: 3000, stock: 10 }]);
  const wares = await newWares(skuIds[0]);
  const { shopper, addressId } = await shopperWithAddress();

  // The shopper finds the wares on the product page.
  const listed = ok(await gql(router, `query($id: ID!) { product(id: $id) { subscriptionWares { id title cycle periods quantityPerPeriod price pricePerPeriod } } }`, { id: productId }, as(shopper)));
  expect(listed.product.subscriptionWares).toEqual([{ id: wares.id, title: '每周鲜果', cycle: 'WEEKLY', periods: 4, quantityPerPeriod: 2, price: 10001, pricePerPeriod: 2500 }]);

  const order = await subscribe(shopper, wares.id, addressId);
  expect(order).toEqual({ id: order.id, kind: 'SUBSCRIPTION', status: 'PENDING_PAYMENT', total: 10001, items: [{ quantity: 1, unitPrice: 10001 }] });
  // Nothing scheduled nor taken before payment.
  expect((await readOrder(shopper, order.id)).subscription.packages).toEqual([]);
  expect(await skuCounts(productDb(), skuIds[0])).toEqual({ stock: 10, reserved: 0, sold: 0 });

  await payInSandbox(shopper, order.id);
  // Paid: four packages, a week apart from tomorrow; the shares add up to the total (the last takes the remainder).
  const paid = await until(shopper, order.id, (o) => o.status === 'PAID' && o.subscription.packages.length === 4 && o.subscription.packages[0].status === 'TO_SHIP');
  const start = chinaDay(new Date(), 1);
  const week = (n: number) => new Date(Date.parse(`${start}T00:00:00Z`) + n * 7 * 86_400_000).toISOString().slice(0, 10);
  expect(paid.subscription).toMatchObject({ wares: { id: wares.id }, title: '每周鲜果', cycle: 'WEEKLY', periods: 4, quantityPerPeriod: 2, startDate: start, cancelledAt: null });
  expect(paid.subscription.packages.map((p: any) => [p.periodNo, p.dueDate, p.quantity, p.amount, p.status])).toEqual([
    [1, week(0), 2, 2500, 'TO_SHIP'],
    [2, week(1), 2, 2500, 'SCHEDULED'],
    [3, week(2), 2, 2500, 'SCHEDULED'],
    [4, week(3), 2, 2501, 'SCHEDULED'],
  ]);
  // The due package's pieces were sold at product (reserve + commit), the later ones not yet.
  expect(await skuCounts(productDb(), skuIds[0])).toEqual({ stock: 8, reserved: 0, sold: 2 });

  // Goods-order actions refuse a subscription order.
  const refund = await gql(router, `mutation($input: RefundRequestInput!) { requestRefund(input: $input) { id } }`, { input: { orderId: order.id, reason: '不要了', amount: 100 } }, as(shopper));
  expect([codes(refund), refund.errors![0].extensions!.reason]).toEqual([['CONFLICT'], 'SUBSCRIPTION_ORDER']);

  const [first, second] = paid.subscription.packages;
  const SHIP = `mutation($p: ID!, $c: String!, $t: String!) { shipSubscriptionPackage(packageId: $p, carrierCode: $c, trackingNumber: $t) { id status shippedAt } }`;
  expect(codes(await gql(router, SHIP, { p: first.id, c: 'SF', t: 'SF100200300' }, as(shopper)))).toEqual(['FORBIDDEN']);
  expect(codes(await gql(router, SHIP, { p: second.id, c: 'SF', t: 'SF100200300' }, staff))).toEqual(['CONFLICT']);
  expect(codes(await gql(router, SHIP, { p: first.id, c: 'nope', t: 'SF100200300' }, staff))).toEqual(['BAD_USER_INPUT']);
  expect(ok(await gql(router, SHIP, { p: first.id, c: 'SF', t: 'SF100200300' }, staff)).shipSubscriptionPackage.status).toBe('SHIPPED');

  const RECEIPT = `mutation($p: ID!) { confirmPackageReceipt(packageId: $p) { id status receivedAt } }`;
  const other = await registerUser(router);
  expect(codes(await gql(router, RECEIPT, { p: first.id }, as(other)))).toEqual(['NOT_FOUND']);
  expect(ok(await gql(router, RECEIPT, { p: first.id }, as(shopper))).confirmPackageReceipt.status).toBe('RECEIVED');
  expect(codes(await gql(router, RECEIPT, { p: first.id }, as(shopper)))).toEqual(['CONFLICT']);

  const received = await readOrder(shopper, order.id);
  expect(received.subscription.packages[0]).toMatchObject({ status: 'RECEIVED', shipment: { carrier: { code: 'shunfeng' }, trackingNumber: 'SF100200300' } });

  // Someone else cannot cancel it; the shopper can: periods 2-4 were not shipped, 2500 + 2500 + 2501 back.
  const CANCEL = `mutation($id: ID!) { cancelSubscription(orderId: $id, reason: "出差") { id status } }`;
  expect(codes(await gql(router, CANCEL, { id: order.id }, as(other)))).toEqual(['NOT_FOUND']);
  expect(ok(await gql(router, CANCEL, { id: order.id }, as(shopper))).cancelSubscription.status).toBe('PAID');
  const refunded = await until(shopper, order.id, (o) => o.refundedAmount > 0);
  expect(refunded.refundedAmount).toBe(2500 + 2500 + 2501);
  expect(refunded.status).toBe('PAID');
  expect(refunded.subscription.cancelledAt).not.toBeNull();
  expect(refunded.subscription.packages.map((p: any) => p.status)).toEqual(['RECEIVED', 'CANCELLED', 'CANCELLED', 'CANCELLED']);
  expect(refunded.payment).toEqual({ status: 'SUCCEEDED', refundedAmount: 7501, refunds: [{ refundNo: expect.stringMatching(/^AS\d+$/), status: 'SUCCEEDED', amount: 7501 }] });
  expect(codes(await gql(router, CANCEL, { id: order.id }, as(shopper)))).toEqual(['CONFLICT']);
  // Cancelled packages take no more stock.
  expect(await skuCounts(productDb(), skuIds[0])).toEqual({ stock: 8, reserved: 0, sold: 2 });
});

it('a cancellation before anything shipped refunds the whole total and gives the stock taken back; out of stock → FLAGGED, never oversold', async () => {
  const { skuIds } = await createTestProduct(viaRouter(router), [{ price: 3000, stock: 3 }]);
  const wares = await newWares(skuIds[0], { periods: 3, quantityPerPeriod: 2, price: 9000, cycle: 'MONTHLY' });
  const a = await shopperWithAddress();
  const b = await shopperWithAddress();
  const first = await subscribe(a.shopper, wares.id, a.addressId);
  await payInSandbox(a.shopper, first.id);
  await until(a.shopper, first.id, (o) => o.subscription.packages[0]?.status === 'TO_SHIP');
  expect(await skuCounts(productDb(), skuIds[0])).toEqual({ stock: 1, reserved: 0, sold: 2 });

  // One piece left, two needed: b's first package waits FLAGGED (staff see why), nothing oversold.
  const second = await subscribe(b.shopper, wares.id, b.addressId);
  await payInSandbox(b.shopper, second.id);
  const flagged = await until(b.shopper, second.id, (o) => o.subscription.packages[0]?.status === 'FLAGGED');
  expect(flagged.subscription.packages[0].flagReason).toBeNull();
  const staffView = ok(await gql(router, `query($id: ID!) { subscriptionPackage(id: $id) { status flagReason } }`, { id: flagged.subscription.packages[0].id }, staff));
  expect(staffView.subscriptionPackage.flagReason).toMatch(/^stock: /);
  const list = ok(await gql(router, `query { subscriptionPackages(status: FLAGGED, first: 100) { edges { node { id } } } }`, {}, staff));
  expect(list.subscriptionPackages.edges.map((e: any) => e.node.id)).toContain(flagged.subscription.packages[0].id);
  expect(await skuCounts(productDb(), skuIds[0])).toEqual({ stock: 1, reserved: 0, sold: 2 });

  // a cancels: everything back (3000 × 3), the two pieces taken for the first package back on the shelf.
  ok(await gql(router, `mutation($id: ID!) { cancelSubscription(orderId: $id) { id } }`, { id: first.id }, as(a.shopper)));
  const done = await until(a.shopper, first.id, (o) => o.status === 'REFUNDED');
  expect(done.refundedAmount).toBe(9000);
  expect(done.subscription.packages.map((p: any) => [p.amount, p.status])).toEqual([[3000, 'CANCELLED'], [3000, 'CANCELLED'], [3000, 'CANCELLED']]);
  await waitFor(async () => (await skuCounts(productDb(), skuIds[0])).stock === 3, 50);
  // …and b's flagged package gets them on the scheduler's next run.
  await until(b.shopper, second.id, (o) => o.subscription.packages[0].status === 'TO_SHIP');
  expect(await skuCounts(productDb(), skuIds[0])).toEqual({ stock: 1, reserved: 0, sold: 2 });
});

it('refuses bad input, hidden wares, other users and staff-only lists', async () => {
  const { skuIds } = await createTestProduct(viaRouter(router), [{ price: 3000, stock: 3 }]);
  const hidden = await newWares(skuIds[0], { onShelf: false });
  const shown = await newWares(skuIds[0]);
  const { shopper, addressId } = await shopperWithAddress();
  const CREATE = `mutation($input: CreateSubscriptionOrderInput!) { createSubscriptionOrder(input: $input) { id } }`;
  const before = await supergraph.subgraphs.order!.db('orders').where({ user_id: shopper.userId }).count<{ count: string }[]>('* as count');
  for (const input of [
    { waresId: hidden.id, addressId },
    { waresId: '999999999', addressId },
    { waresId: shown.id, addressId: '999999999' },
    { waresId: shown.id, addressId, startDate: chinaDay(new Date()) },
    { waresId: shown.id, addressId, startDate: '2026-02-30' },
    { waresId: shown.id, addressId, startDate: chinaDay(new Date(), 61) },
  ]) {
    expect([input, codes(await gql(router, CREATE, { input }, as(shopper)))]).toEqual([input, ['BAD_USER_INPUT']]);
  }
  expect(codes(await gql(router, CREATE, { input: { waresId: shown.id, addressId } }))).toEqual(['UNAUTHENTICATED']);
  const after = await supergraph.subgraphs.order!.db('orders').where({ user_id: shopper.userId }).count<{ count: string }[]>('* as count');
  expect(after).toEqual(before);
  expect(codes(await gql(router, `query { subscriptionPackages { edges { node { id } } } }`, {}, as(shopper)))).toEqual(['FORBIDDEN']);

  // An unpaid subscription is simply cancelled.
  const order = await subscribe(shopper, shown.id, addressId);
  const cancelled = ok(await gql(router, `mutation($id: ID!) { cancelSubscription(orderId: $id) { status } }`, { id: order.id }, as(shopper)));
  expect(cancelled.cancelSubscription.status).toBe('CANCELLED');
});

it('the ERP account (subscription:erp only) lists due packages and ships them, and has no other order powers', async () => {
  const erp = bearer(signAccessToken({ userId: '999995', scopes: ['subscription:erp'] }, config));
  const { skuIds } = await createTestProduct(viaRouter(router), [{ price: 3000, stock: 10 }]);
  const wares = await newWares(skuIds[0], { periods: 2, price: 5000 });
  const { shopper, addressId } = await shopperWithAddress();
  const order = await subscribe(shopper, wares.id, addressId);
  await payInSandbox(shopper, order.id);
  const paid = await until(shopper, order.id, (o) => o.subscription.packages[0]?.status === 'TO_SHIP');
  const packageId = paid.subscription.packages[0].id;

  const due = chinaDay(new Date(), 1);
  const WEEK = `query($from: String, $to: String, $after: String) { subscriptionPackages(status: TO_SHIP, dueFrom: $from, dueTo: $to, first: 100, after: $after) {
    edges { node { id dueDate order { id } } } pageInfo { hasNextPage endCursor } } }`;
  let listed: string[] = [];
  let after: string | null = null;
  do {
    const page: any = ok(await gql(router, WEEK, { from: due, to: due, after }, erp)).subscriptionPackages;
    listed = listed.concat(page.edges.map((e: any) => e.node.id));
    expect(page.edges.every((e: any) => e.node.dueDate === due)).toBe(true);
    after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
  } while (after);
  expect(listed).toContain(packageId);
  expect(codes(await gql(router, WEEK, { from: 'x' }, erp))).toEqual(['BAD_USER_INPUT']);

  const shipped = await gql(router, `mutation($p: ID!) { shipSubscriptionPackage(packageId: $p, carrierCode: "zhongtong", trackingNumber: "ZT7788990011") { status } }`, { p: packageId }, erp);
  expect(ok(shipped).shipSubscriptionPackage.status).toBe('SHIPPED');
  // Nothing else of order staff: orders stay invisible, goods orders cannot be shipped, subscriptions not cancelled.
  expect(ok(await gql(router, `query($id: ID!) { order(id: $id) { id } }`, { id: order.id }, erp)).order).toBeNull();
  expect(codes(await gql(router, `mutation($id: ID!) { shipOrder(id: $id, carrier: "SF", trackingNo: "SF99887766") { id } }`, { id: order.id }, erp))).toEqual(['FORBIDDEN']);
  expect(codes(await gql(router, `mutation($id: ID!) { cancelSubscription(orderId: $id) { id } }`, { id: order.id }, erp))).toEqual(['NOT_FOUND']);
  const seen = await readOrder(shopper, order.id);
  expect(seen.subscription.packages[0]).toMatchObject({ status: 'SHIPPED', shipment: { carrier: { code: 'zhongtong' }, trackingNumber: 'ZT7788990011' } });
});
