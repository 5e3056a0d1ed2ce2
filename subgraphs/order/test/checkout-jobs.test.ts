/**
 * The payment timeout and the holds jobs with two order instances on one database (two order subgraph servers,
 * each with its job runner and holds worker): every unpaid order is cancelled once at expiresAt, its stock and
 * coupon are released once; a paid one keeps its holds committed.
 */
import crypto from 'node:crypto';
import type { RunningSupergraph } from '../../../app/launcher';
import { startSupergraph, testConfig } from '../../../test/support/harness';
import { findStockViolations } from '../../product/data/stock';
import { createTestProduct, giveCoupon, ok, viaSubgraphs } from '../../cart/test/fixtures';
import { checkoutClient, couponStatus, dbOf, eventually, newBuyer, skuCounts } from './checkout-fixtures';

const TIMING = { ORDER_PAYMENT_TIMEOUT_SECONDS: '2', EVENTS_JOB_POLL_INTERVAL_MS: '100' };
let first: RunningSupergraph;
let second: RunningSupergraph;

beforeAll(async () => {
  first = await startSupergraph({ subgraphs: ['user', 'product', 'cart', 'promote', 'order'], router: false, config: testConfig(TIMING) });
  const urls = Object.fromEntries(
    (['user', 'product', 'cart', 'promote'] as const).map((name) => [`${name.toUpperCase()}_URL`, first.subgraphs[name]!.url]),
  );
  second = await startSupergraph({ subgraphs: ['order'], router: false, config: testConfig({ ...TIMING, ...urls }) });
});
afterAll(async () => {
  await second?.stop();
  await first?.stop();
});

it('cancels unpaid orders at expiresAt once with two instances, releasing stock and coupons once', async () => {
  const endpoints = viaSubgraphs(first);
  const product = dbOf(first, 'product');
  const promote = dbOf(first, 'promote');
  const orders = dbOf(first, 'order');
  const instances = [checkoutClient(first.subgraphs.order!.url), checkoutClient(second.subgraphs.order!.url)];
  const { skuIds } = await createTestProduct(endpoints, [{ price: 2500, stock: 30 }]);
  const buyers = await Promise.all(Array.from({ length: 6 }, () => newBuyer(first.subgraphs.user!.url)));
  const coupons = await Promise.all(buyers.map((buyer) => giveCoupon(endpoints, buyer.userId, { type: 'CASH', amount: 200, minSpend: 1000 })));
  const placed = await Promise.all(
    buyers.map((buyer, i) =>
      instances[i % 2].create(buyer.userId, { items: [{ skuId: skuIds[0], quantity: 2 }], couponId: coupons[i], addressId: buyer.addressId }, crypto.randomUUID()),
    ),
  );
  const ids: string[] = placed.map((result) => ok(result).createOrder.id);
  expect(await skuCounts(product, skuIds[0])).toEqual({ stock: 18, reserved: 12, sold: 0 });
  // One of them is paid in time: it must stay PAID with its holds committed.
  const paidId = ids[0];
  expect(ok(await instances[1].pay(paidId, placed[0].data!.createOrder.total)).markOrderPaid.status).toBe('PAID');

  const unpaid = ids.slice(1);
  const cancelled = await eventually(
    () => orders('orders').whereIn('id', unpaid).where({ status: 'CANCELLED' }),
    (rows) => rows.length === unpaid.length,
    30_000,
  );
  expect(cancelled.map((row) => row.cancel_reason)).toEqual(Array(unpaid.length).fill('payment timeout'));
  const released = await eventually(() => skuCounts(product, skuIds[0]), (counts) => counts.reserved === 0, 30_000);
  expect(released).toEqual({ stock: 28, reserved: 0, sold: 2 });
  for (let i = 1; i < buyers.length; i += 1) {
    expect(await eventually(() => couponStatus(promote, coupons[i]), (status) => status === 'AVAILABLE')).toBe('AVAILABLE');
  }
  expect(await couponStatus(promote, coupons[0])).toBe('USED');
  expect((await orders('orders').where({ id: paidId }).first()).status).toBe('PAID');

  // Once: one CANCELLED history row per order, each auto-cancel job ran once (one claim), every release done.
  const history = await orders('order_status_history').whereIn('order_id', unpaid).where({ to_status: 'CANCELLED' });
  expect(history.map((row) => [row.actor, row.reason])).toEqual(Array(unpaid.length).fill(['system', 'payment timeout']));
  const autoCancel = await orders('jobs').where({ kind: 'order.autoCancel' }).whereIn('key', unpaid);
  expect(autoCancel.map((job) => [job.attempts, !!job.done_at])).toEqual(Array(unpaid.length).fill([1, true]));
  const releases = await eventually(
    () => orders('jobs').where({ kind: 'order.releaseHolds' }).whereIn('key', unpaid).whereNotNull('done_at'),
    (rows) => rows.length === unpaid.length,
  );
  expect(releases).toHaveLength(unpaid.length);
  expect(await product('stock_reservations').whereIn('order_id', unpaid).pluck('status')).toEqual(Array(unpaid.length).fill('RELEASED'));
  expect(await findStockViolations(product, skuIds)).toEqual([]);
}, 90_000);
