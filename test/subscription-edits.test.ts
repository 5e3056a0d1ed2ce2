/**
 * Subscription edits after purchase and the ERP's statuses through the router (docs/subscriptions-purchase.md), on
 * real PostgreSQL and Redis, on a database of its own (the scheduler is one periodic job per database): the shopper
 * changes the delivery of the packages not handed to the ERP (the TO_SHIP one keeps its address), also while the
 * packages job is creating them (every period once, every one created edited); staff edit a package, racing the
 * scheduler without the pieces sold ever differing from what the packages hold; the ERP reports PICKING → PACKED →
 * (shipped) → DELIVERED, never backwards, EXCEPTION with a note.
 */
import { signAccessToken } from '../platform/access-token';
import { createTestProduct, ok, viaRouter } from '../subgraphs/cart/test/fixtures';
import { ADDRESS_INPUT, skuCounts } from '../subgraphs/order/test/checkout-fixtures';
import { registerUser, type RegisteredUser } from '../subgraphs/order/test/fixtures';
import { paymentTestConfig, waitFor } from '../subgraphs/payment/test/support';
import { chinaDay } from '../subgraphs/order/subscription-jobs';
import { bearer, codes, gql } from './support/harness';
import { startIsolatedSupergraph, type IsolatedSupergraph } from './support/isolated-supergraph';

const overrides = { SUBSCRIPTION_SCHEDULER_INTERVAL_SECONDS: '1', SUBSCRIPTION_PACKAGE_LEAD_DAYS: '1', CATALOG_CACHE: 'false' };
const config = paymentTestConfig(overrides);
let supergraph: IsolatedSupergraph;
let router: string;
let origin: string;

beforeAll(async () => {
  supergraph = await startIsolatedSupergraph({ EVENTS_JOB_POLL_INTERVAL_MS: '25', EVENTS_POLL_INTERVAL_MS: '25', PAYMENT_RECONCILE_AFTER_SECONDS: '3600', ...overrides });
  router = supergraph.routerUrl!;
  origin = new URL(router).origin;
});
afterAll(async () => {
  await supergraph?.stop();
});

const staff = bearer(signAccessToken({ userId: '999994', scopes: ['order:write', 'catalog:write'] }, config));
const erp = bearer(signAccessToken({ userId: '999993', scopes: ['subscription:erp'] }, config));
const as = (user: RegisteredUser) => bearer(user.accessToken);
const NEW_ADDRESS = { contactName: '王五', phone: '13700137000', province: '浙江省', city: '杭州市', district: '西湖区', detail: '文三路 8 号' };

const PACKAGES = `query($id: ID!) { order(id: $id) { status subscription { packages { id periodNo dueDate quantity status deliveryAddress { contactName city } deliveryNote erpStatus erpNote } } } }`;
const DELIVERY = `mutation($id: ID!, $input: SubscriptionDeliveryInput!) { updateSubscriptionDelivery(orderId: $id, input: $input) { order { id } updated { periodNo deliveryAddress { contactName } deliveryNote } } }`;
const EDIT = `mutation($p: ID!, $input: SubscriptionPackageUpdateInput!) { updateSubscriptionPackage(packageId: $p, input: $input) { id dueDate quantity deliveryNote status } }`;
const REPORT = `mutation($p: ID!, $s: PackageErpStatus!, $n: String) { reportPackageErpStatus(packageId: $p, status: $s, note: $n) { id status erpStatus erpNote receivedAt } }`;

async function paidSubscription(periods = 4) {
  const { skuIds } = await createTestProduct(viaRouter(router), [{ price: 3000, stock: 50 }]);
  const wares = ok(
    await gql(router, `mutation($input: CreateSubscriptionWaresInput!) { createSubscriptionWares(input: $input) { id } }`, {
      input: { skuId: skuIds[0], title: '每周鲜奶', cycle: 'WEEKLY', periods, quantityPerPeriod: 2, price: 1000 * periods, onShelf: true },
    }, staff),
  ).createSubscriptionWares;
  const shopper = await registerUser(router);
  const addAddress = 'mutation($input: AddressInput!) { addAddress(input: $input) { id } }';
  const addressId = ok(await gql(router, addAddress, { input: ADDRESS_INPUT }, as(shopper))).addAddress.id;
  const otherAddressId = ok(await gql(router, addAddress, { input: NEW_ADDRESS }, as(shopper))).addAddress.id;
  const order = ok(
    await gql(router, `mutation($input: CreateSubscriptionOrderInput!) { createSubscriptionOrder(input: $input) { id } }`, { input: { waresId: wares.id, addressId } }, as(shopper)),
  ).createSubscriptionOrder;
  const paid = ok(await gql(router, `mutation($id: ID!) { payOrder(orderId: $id, method: WECHAT) { sandboxPayUrl } }`, { id: order.id }, as(shopper)));
  const pay = () => fetch(`${origin}${new URL(paid.payOrder.sandboxPayUrl).pathname}`, { method: 'POST' });
  return { shopper, orderId: order.id as string, skuId: skuIds[0], otherAddressId, pay };
}

const read = async (shopper: RegisteredUser, id: string) => ok(await gql(router, PACKAGES, { id }, as(shopper))).order;
async function until(shopper: RegisteredUser, id: string, check: (order: any) => boolean) {
  await waitFor(async () => check(await read(shopper, id)), 50);
  return read(shopper, id);
}

it('the shopper changes the delivery of packages not handed to the ERP, also while the packages are being created', async () => {
  const { shopper, orderId, otherAddressId, pay } = await paidSubscription(8);
  // Paid and edited at once: the edit makes every period exist itself, racing the packages job.
  const [paidAnswer, edited] = await Promise.all([pay(), gql(router, DELIVERY, { id: orderId, input: { addressId: otherAddressId, note: '放门口' } }, as(shopper))]);
  expect(await paidAnswer.json()).toMatchObject({ paid: true });
  // The edit either ran before payment (PENDING_PAYMENT: nothing to update yet, kept on the subscription) or after.
  ok(edited);
  const order = await until(shopper, orderId, (o) => o.subscription.packages.length === 8 && o.subscription.packages[0].status === 'TO_SHIP');
  expect(order.subscription.packages.map((p: any) => p.periodNo)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  // Every package not handed over carries the new delivery, whichever won the race.
  for (const p of order.subscription.packages.slice(1)) expect(p).toMatchObject({ status: 'SCHEDULED', deliveryAddress: { contactName: '王五', city: '杭州市' }, deliveryNote: '放门口' });

  // A second change once package 1 is TO_SHIP: only 2-8 change; package 1 keeps what it had.
  const before = order.subscription.packages[0];
  const second = ok(await gql(router, DELIVERY, { id: orderId, input: { note: '电话联系' } }, as(shopper))).updateSubscriptionDelivery;
  expect(second.updated.map((p: any) => p.periodNo)).toEqual([2, 3, 4, 5, 6, 7, 8]);
  expect(second.updated[0]).toMatchObject({ deliveryAddress: { contactName: '王五' }, deliveryNote: '电话联系' });
  expect((await read(shopper, orderId)).subscription.packages[0]).toEqual(before);

  // Refusals change nothing.
  const other = await registerUser(router);
  expect(codes(await gql(router, DELIVERY, { id: orderId, input: { note: 'x' } }, as(other)))).toEqual(['NOT_FOUND']);
  expect(codes(await gql(router, DELIVERY, { id: orderId, input: { addressId: '987654321' } }, as(shopper)))).toEqual(['BAD_USER_INPUT']);
  expect(codes(await gql(router, DELIVERY, { id: orderId, input: { note: 'x'.repeat(201) } }, as(shopper)))).toEqual(['BAD_USER_INPUT']);
  expect(codes(await gql(router, DELIVERY, { id: orderId, input: {} }, as(shopper)))).toEqual(['BAD_USER_INPUT']);
  expect((await read(shopper, orderId)).subscription.packages[1].deliveryNote).toBe('电话联系');
});

it('staff edit a package racing the scheduler: the pieces sold always equal what the prepared packages hold', async () => {
  const { shopper, orderId, skuId, pay } = await paidSubscription(4);
  await pay();
  const order = await until(shopper, orderId, (o) => o.subscription.packages.length === 4 && o.subscription.packages[0].status === 'TO_SHIP');
  const [first, second] = order.subscription.packages;
  expect(codes(await gql(router, EDIT, { p: first.id, input: { quantity: 5 } }, staff))).toEqual(['CONFLICT']);
  expect(codes(await gql(router, EDIT, { p: second.id, input: { quantity: 5 } }, as(shopper)))).toEqual(['FORBIDDEN']);
  expect(codes(await gql(router, EDIT, { p: second.id, input: { quantity: 100 } }, staff))).toEqual(['BAD_USER_INPUT']);
  expect(codes(await gql(router, EDIT, { p: second.id, input: { dueDate: '2020-01-01' } }, staff))).toEqual(['BAD_USER_INPUT']);

  // Package 2 is moved to tomorrow (so the scheduler, every second, takes its stock) while staff change its quantity
  // again and again: whatever the interleaving, what product sold is what the prepared packages hold.
  const tomorrow = chinaDay(new Date(), 1);
  ok(await gql(router, EDIT, { p: second.id, input: { dueDate: tomorrow, quantity: 3, note: '加量' } }, staff));
  for (let quantity = 4; quantity <= 9; quantity++) {
    const answer = await gql(router, EDIT, { p: second.id, input: { quantity } }, staff);
    if (answer.errors) {
      expect(codes(answer)).toEqual(['CONFLICT']); // the scheduler took it first: TO_SHIP, no more edits
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
  const prepared = await until(shopper, orderId, (o) => o.subscription.packages[1].status === 'TO_SHIP');
  const held = prepared.subscription.packages.filter((p: any) => p.status === 'TO_SHIP').reduce((sum: number, p: any) => sum + p.quantity, 0);
  await waitFor(async () => (await skuCounts(supergraph.subgraphs.product!.db, skuId)).sold === held, 50);
  expect(await skuCounts(supergraph.subgraphs.product!.db, skuId)).toEqual({ stock: 50 - held, reserved: 0, sold: held });
  expect(prepared.subscription.packages[1]).toMatchObject({ dueDate: tomorrow, deliveryNote: '加量' });
});

it('the ERP reports PICKING → PACKED → shipped → DELIVERED, never backwards; EXCEPTION needs a note', async () => {
  const { shopper, orderId, pay } = await paidSubscription(2);
  await pay();
  const order = await until(shopper, orderId, (o) => o.subscription.packages.length === 2 && o.subscription.packages[0].status === 'TO_SHIP');
  const [first, second] = order.subscription.packages;
  expect(codes(await gql(router, REPORT, { p: second.id, s: 'PICKING' }, erp))).toEqual(['CONFLICT']); // not due yet
  expect(codes(await gql(router, REPORT, { p: first.id, s: 'PICKING' }, as(shopper)))).toEqual(['FORBIDDEN']);
  expect(ok(await gql(router, REPORT, { p: first.id, s: 'PICKING' }, erp)).reportPackageErpStatus).toMatchObject({ status: 'TO_SHIP', erpStatus: 'PICKING' });
  expect(ok(await gql(router, REPORT, { p: first.id, s: 'PACKED', n: '3号台' }, erp)).reportPackageErpStatus).toMatchObject({ erpStatus: 'PACKED', erpNote: '3号台' });
  expect(ok(await gql(router, REPORT, { p: first.id, s: 'PACKED' }, erp)).reportPackageErpStatus.erpStatus).toBe('PACKED'); // a repeat
  expect(codes(await gql(router, REPORT, { p: first.id, s: 'PICKING' }, erp))).toEqual(['CONFLICT']);
  expect(codes(await gql(router, REPORT, { p: first.id, s: 'DELIVERED' }, erp))).toEqual(['CONFLICT']); // not shipped
  expect(codes(await gql(router, REPORT, { p: first.id, s: 'EXCEPTION' }, erp))).toEqual(['BAD_USER_INPUT']);
  // Handed to the ERP: the shopper's delivery change leaves it alone.
  expect(ok(await gql(router, DELIVERY, { id: orderId, input: { note: '晚上送' } }, as(shopper))).updateSubscriptionDelivery.updated.map((p: any) => p.periodNo)).toEqual([2]);

  ok(await gql(router, `mutation($p: ID!) { shipSubscriptionPackage(packageId: $p, carrierCode: "SF", trackingNumber: "SF5566778899") { status } }`, { p: first.id }, erp));
  expect(ok(await gql(router, REPORT, { p: first.id, s: 'EXCEPTION', n: '包装破损' }, erp)).reportPackageErpStatus).toMatchObject({ status: 'SHIPPED', erpStatus: 'EXCEPTION' });
  const delivered = ok(await gql(router, REPORT, { p: first.id, s: 'DELIVERED' }, erp)).reportPackageErpStatus;
  expect(delivered).toMatchObject({ status: 'RECEIVED', erpStatus: 'DELIVERED', receivedAt: expect.any(String) });
  expect(ok(await gql(router, REPORT, { p: first.id, s: 'DELIVERED' }, erp)).reportPackageErpStatus).toEqual(delivered);
  // The shopper sees the status, not the warehouse's notes.
  const seen = (await read(shopper, orderId)).subscription.packages[0];
  expect(seen).toMatchObject({ status: 'RECEIVED', erpStatus: 'DELIVERED', erpNote: null });
});
