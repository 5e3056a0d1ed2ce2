/**
 * Subscription edits on the order subgraph against PostgreSQL (docs/subscriptions-purchase.md, "Edits"): a shopper's
 * delivery change racing several runners of the packages job creates every period once and leaves no package created
 * without the change; packages handed to the ERP keep theirs; staff edits and ERP reports follow the package status.
 * (The flow with payment, the scheduler and product: test/subscription-edits.test.ts.)
 */
import type { RunningSupergraph } from '../../../app/launcher';
import { asIdentity, codes, gql, startSupergraph } from '../../../test/support/harness';
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
let nextUser = 880000 + Math.floor(Math.random() * 10000);

/** A paid subscription order whose packages job has not run yet. */
async function paidWithoutPackages(userId: string, periods: number, total = 12000): Promise<string> {
  return db().transaction(async (trx) => {
    const [order] = await trx('orders')
      .insert({ order_no: `SE${Date.now()}${Math.floor(Math.random() * 1e6)}`, user_id: userId, kind: 'SUBSCRIPTION', status: 'PAID', subtotal: total, total, payment_id: `p${Math.random()}`, paid_at: new Date() })
      .returning('id');
    await trx('order_items').insert({ order_id: order.id, sku_id: 1, product_id: 1, title: '鲜奶', sku_name: '一瓶 · 每周', unit_price: total, quantity: 1 });
    await trx('subscriptions').insert({ order_id: order.id, user_id: userId, wares_id: 1, product_id: 1, sku_id: 999999999, title: '每周', cycle: 'WEEKLY', periods, quantity_per_period: 1, start_date: '2099-03-01' });
    return String(order.id);
  });
}

const DELIVERY = `mutation($id: ID!, $note: String) { updateSubscriptionDelivery(orderId: $id, input: { note: $note }) { updated { periodNo deliveryNote } } }`;

it('a delivery change racing three packages runners: every period once, every package with the change', async () => {
  const userId = String(nextUser++);
  const orderId = await paidWithoutPackages(userId, 12);
  const shopper = asIdentity({ userId }, 'order');
  const [, , , edited] = await Promise.all([
    createPackages(db(), { id: orderId, total: 12000 }),
    createPackages(db(), { id: orderId, total: 12000 }),
    createPackages(db(), { id: orderId, total: 12000 }),
    gql(url, DELIVERY, { id: orderId, note: '放门口' }, shopper),
  ]);
  expect(edited.errors).toBeUndefined();
  const rows = await db()('subscription_packages').where({ order_id: orderId }).orderBy('period_no');
  expect(rows.map((row) => row.period_no)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  expect(rows.every((row) => row.delivery_note === '放门口')).toBe(true);
  expect(rows.reduce((sum, row) => sum + row.amount, 0)).toBe(12000);

  // Period 1 handed to the ERP: a second change leaves it alone; someone else's edit is NOT_FOUND.
  await db()('subscription_packages').where({ order_id: orderId, period_no: 1 }).update({ status: 'TO_SHIP' });
  const second = await gql(url, DELIVERY, { id: orderId, note: '' }, shopper);
  expect(second.data.updateSubscriptionDelivery.updated.map((p: any) => p.periodNo)).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  expect(second.data.updateSubscriptionDelivery.updated[0].deliveryNote).toBeNull();
  expect((await db()('subscription_packages').where({ order_id: orderId, period_no: 1 }).first()).delivery_note).toBe('放门口');
  expect(codes(await gql(url, DELIVERY, { id: orderId, note: 'x' }, asIdentity({ userId: String(nextUser++) }, 'order')))).toEqual(['NOT_FOUND']);

  // Staff edits follow the status; the ERP cannot edit, only report.
  const staff = asIdentity({ userId: '1', scopes: ['order:write'] }, 'order');
  const erp = asIdentity({ userId: '2', scopes: ['subscription:erp'] }, 'order');
  const [p1, p2] = rows;
  const EDIT = `mutation($p: ID!) { updateSubscriptionPackage(packageId: $p, input: { quantity: 3 }) { quantity status } }`;
  expect(codes(await gql(url, EDIT, { p: String(p1.id) }, staff))).toEqual(['CONFLICT']);
  expect((await gql(url, EDIT, { p: String(p2.id) }, staff)).data.updateSubscriptionPackage).toEqual({ quantity: 3, status: 'SCHEDULED' });
  expect((await db()('subscription_packages').where({ id: p2.id }).first()).edits).toBe(1);
  expect(codes(await gql(url, EDIT, { p: String(p2.id) }, erp))).toEqual(['FORBIDDEN']);
  const REPORT = `mutation($p: ID!, $s: PackageErpStatus!) { reportPackageErpStatus(packageId: $p, status: $s) { status erpStatus } }`;
  expect((await gql(url, REPORT, { p: String(p1.id), s: 'PACKED' }, erp)).data.reportPackageErpStatus).toEqual({ status: 'TO_SHIP', erpStatus: 'PACKED' });
  expect(codes(await gql(url, REPORT, { p: String(p2.id), s: 'PICKING' }, erp))).toEqual(['CONFLICT']);
  expect(codes(await gql(url, REPORT, { p: String(p1.id), s: 'PICKING' }, asIdentity({ userId }, 'order')))).toEqual(['FORBIDDEN']);
});
