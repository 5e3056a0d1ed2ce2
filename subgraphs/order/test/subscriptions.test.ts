/**
 * Subscription orders on the order subgraph against PostgreSQL (docs/subscriptions-purchase.md): a page of orders with
 * their subscriptions and packages costs a constant number of statements, goods-order actions refuse subscription
 * orders, and packages are visible to their owner only (the flow through payment is test/subscription-purchase.test.ts).
 */
import type { RunningSupergraph } from '../../../app/launcher';
import { countStatements } from '../../../platform/db';
import { asIdentity, codes, gql, startSupergraph } from '../../../test/support/harness';
import { findDuePackageIds } from '../data/subscriptions';
import { createPackages } from '../subscription-jobs';

let supergraph: RunningSupergraph;
let url: string;
beforeAll(async () => {
  supergraph = await startSupergraph({ subgraphs: ['order'], router: false });
  url = supergraph.subgraphs.order!.url;
});
afterAll(async () => {
  await supergraph?.stop();
});
const db = () => supergraph.subgraphs.order!.db;
let nextUser = 770000 + Math.floor(Math.random() * 10000);

/** A paid subscription order with its packages, as payment and the packages job leave it. */
async function paidSubscription(userId: string, periods = 4, total = 10001, startDate = '2099-01-31'): Promise<string> {
  const id = await db().transaction(async (trx) => {
    const [order] = await trx('orders')
      .insert({ order_no: `ST${Date.now()}${Math.floor(Math.random() * 1e6)}`, user_id: userId, kind: 'SUBSCRIPTION', status: 'PAID', subtotal: total, total, payment_id: `p${Math.random()}`, paid_at: new Date() })
      .returning('id');
    await trx('order_items').insert({ order_id: order.id, sku_id: 1, product_id: 1, title: '鲜果', sku_name: '一箱 · 每周', unit_price: total, quantity: 1 });
    // A SKU id no product has: should another file's scheduler (same database) take up a due package, product refuses it.
    await trx('subscriptions').insert({ order_id: order.id, user_id: userId, wares_id: 1, product_id: 1, sku_id: 999999999, title: '每周', cycle: 'MONTHLY', periods, quantity_per_period: 1, start_date: startDate });
    return String(order.id);
  });
  await createPackages(db(), { id, total });
  return id;
}

const LIST = `{ orders(first: 20) { edges { node { id kind subscription { periods startDate packages { periodNo dueDate amount status } } } } } }`;

it('reads a page of subscription orders with their packages in a constant number of statements', async () => {
  const userId = String(nextUser++);
  const shopper = asIdentity({ userId }, 'order');
  const first = await paidSubscription(userId);
  const cost = async () => {
    const counter = countStatements(db());
    const response = await gql(url, LIST, {}, shopper);
    counter.stop();
    expect(response.errors).toBeUndefined();
    return { count: counter.statements.filter((sql) => !/to_regclass|dead_events|jobs/.test(sql)).length, orders: response.data.orders.edges };
  };
  const one = await cost();
  expect(one.orders).toHaveLength(1);
  // Monthly from Jan 31: PostgreSQL's month arithmetic clamps to the month's last day.
  expect(one.orders[0].node).toEqual({
    id: first,
    kind: 'SUBSCRIPTION',
    subscription: {
      periods: 4,
      startDate: '2099-01-31',
      packages: [
        { periodNo: 1, dueDate: '2099-01-31', amount: 2500, status: 'SCHEDULED' },
        { periodNo: 2, dueDate: '2099-02-28', amount: 2500, status: 'SCHEDULED' },
        { periodNo: 3, dueDate: '2099-03-31', amount: 2500, status: 'SCHEDULED' },
        { periodNo: 4, dueDate: '2099-04-30', amount: 2501, status: 'SCHEDULED' },
      ],
    },
  });
  for (let n = 0; n < 4; n += 1) await paidSubscription(userId, 6, 6000);
  const five = await cost();
  expect(five.orders).toHaveLength(5);
  expect(five.count).toBe(one.count);
});

it('refuses goods-order actions on a subscription order, and shows packages to their owner only', async () => {
  const userId = String(nextUser++);
  const orderId = await paidSubscription(userId);
  const staff = asIdentity({ userId: '1', scopes: ['order:write'] }, 'order');
  const shipped = await gql(url, `mutation($id: ID!) { shipOrder(id: $id, carrier: "SF", trackingNo: "SF12345678") { id } }`, { id: orderId }, staff);
  expect([codes(shipped), shipped.errors![0].extensions!.reason]).toEqual([['CONFLICT'], 'SUBSCRIPTION_ORDER']);
  const added = await gql(url, `mutation($id: ID!) { addShipment(input: { orderId: $id, carrierCode: "SF", trackingNumber: "SF12345678" }) { id } }`, { id: orderId }, staff);
  expect(codes(added)).toEqual(['CONFLICT']);
  const exchange = await gql(url, `mutation($id: ID!) { requestExchange(input: { orderId: $id, reason: "x", skuId: "1", quantity: 1 }) { id } }`, { id: orderId }, asIdentity({ userId }, 'order'));
  expect(codes(exchange)).toEqual(['CONFLICT']);
  expect((await db()('orders').where({ id: orderId }).first()).status).toBe('PAID');

  const [pkg] = await db()('subscription_packages').where({ order_id: orderId }).orderBy('period_no');
  const ONE = `query($id: ID!) { subscriptionPackage(id: $id) { id periodNo } }`;
  expect((await gql(url, ONE, { id: String(pkg.id) }, asIdentity({ userId }, 'order'))).data.subscriptionPackage).toEqual({ id: String(pkg.id), periodNo: 1 });
  expect((await gql(url, ONE, { id: String(pkg.id) }, asIdentity({ userId: '5' }, 'order'))).data.subscriptionPackage).toBeNull();
  expect((await gql(url, ONE, { id: 'x' }, asIdentity({ userId }, 'order'))).data.subscriptionPackage).toBeNull();
  // Receipt only once shipped.
  const receipt = await gql(url, `mutation($id: ID!) { confirmPackageReceipt(packageId: $id) { id } }`, { id: String(pkg.id) }, asIdentity({ userId }, 'order'));
  expect(codes(receipt)).toEqual(['CONFLICT']);
});

it('the scheduler picks due packages of PAID orders only (a subscription refunded by staff takes no more stock)', async () => {
  const userId = String(nextUser++);
  const live = await paidSubscription(userId, 2, 200, '2000-01-03');
  const refunded = await paidSubscription(userId, 2, 200, '2000-01-03');
  await db()('orders').where({ id: refunded }).update({ status: 'REFUNDED' });
  const due = await findDuePackageIds(db(), '2000-01-05', 10_000);
  const ids = async (orderId: string) => (await db()('subscription_packages').where({ order_id: orderId }).orderBy('period_no').select('id')).map((r) => String(r.id));
  const [liveFirst, liveSecond] = await ids(live);
  expect(due).toContain(liveFirst);
  expect(due).not.toContain(liveSecond); // due 2000-01-10
  for (const id of await ids(refunded)) expect(due).not.toContain(id);
  await db()('subscription_packages').whereIn('order_id', [live, refunded]).update({ status: 'CANCELLED' });
});
