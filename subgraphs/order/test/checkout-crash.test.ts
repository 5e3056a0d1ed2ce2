/**
 * Crash recovery of the checkout saga: the order subgraph runs as a separate process (`node --import tsx
 * scripts/start-subgraph.ts order`) with the test-only ORDER_SAGA_CRASH_AFTER, which makes it exit in the middle of
 * createOrder (after the stock reservation, or after the coupon lock). A normal order instance started afterwards
 * runs the order's recovery job: the reservation and the coupon are released, the order is CANCELLED (saga_step
 * FAILED, hidden from the shopper's list), and the stock invariant holds.
 */
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import path from 'node:path';
import type { RunningSupergraph } from '../../../app/launcher';
import { asIdentity, gql, startSupergraph, testConfig } from '../../../test/support/harness';
import { findStockViolations } from '../../product/data/stock';
import { createTestProduct, giveCoupon, ok, viaSubgraphs } from '../../cart/test/fixtures';
import { checkoutClient, couponStatus, dbOf, eventually, newBuyer, reservationStatus, skuCounts } from './checkout-fixtures';

const root = path.resolve(__dirname, '..', '..', '..');
let others: RunningSupergraph;
let urls: Record<string, string>;
const children: ReturnType<typeof spawn>[] = [];

beforeAll(async () => {
  others = await startSupergraph({ subgraphs: ['user', 'product', 'cart', 'promote'], router: false });
  urls = Object.fromEntries((['user', 'product', 'cart', 'promote'] as const).map((name) => [`${name.toUpperCase()}_URL`, others.subgraphs[name]!.url]));
});
afterAll(async () => {
  children.forEach((child) => child.kill('SIGKILL'));
  await others?.stop();
});

/** An order subgraph process that exits after `step`; resolves with its URL once it is ready. */
async function crashingOrderProcess(step: string): Promise<{ url: string; exited: Promise<number | null>; output: () => string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/start-subgraph.ts', 'order'], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NODE_ENV: 'test', ORDER_PORT: '0', ORDER_SAGA_CRASH_AFTER: step, ORDER_SAGA_TIMEOUT_SECONDS: '1', ...urls },
  });
  children.push(child);
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setInterval(() => {
      const match = output.match(/order\s+(http:\/\/\S+)[\s\S]*Ready in/);
      if (match) {
        clearInterval(timer);
        resolve(match[1]);
      }
    }, 50);
    void exited.then((code) => {
      clearInterval(timer);
      reject(new Error(`order exited (${code}) during start-up:\n${output}`));
    });
  });
  return { url, exited, output: () => output };
}

it.each(['reserve', 'coupon'])('releases what a saga killed after "%s" held, once a normal order instance runs', async (step) => {
  const endpoints = viaSubgraphs(others);
  const product = dbOf(others, 'product');
  const promote = dbOf(others, 'promote');
  const buyer = await newBuyer(others.subgraphs.user!.url);
  const { skuIds } = await createTestProduct(endpoints, [{ price: 3000, stock: 10 }]);
  const couponId = await giveCoupon(endpoints, buyer.userId, { type: 'CASH', amount: 500, minSpend: 1000 });

  const crashing = await crashingOrderProcess(step);
  const input = { items: [{ skuId: skuIds[0], quantity: 3 }], couponId, addressId: buyer.addressId };
  const attempt = await checkoutClient(crashing.url).create(buyer.userId, input, crypto.randomUUID()).catch((error: Error) => error);
  // The connection dropped (fetch's TypeError): the process died mid-saga.
  expect((attempt as Error).message).toBe('fetch failed');
  expect(await crashing.exited).toBe(86);
  expect(crashing.output()).toContain(`ORDER_SAGA_CRASH_AFTER=${step}`);

  // Left behind: the reservation, and (after "coupon") the coupon lock; nothing runs recovery yet.
  expect(await skuCounts(product, skuIds[0])).toEqual({ stock: 7, reserved: 3, sold: 0 });
  expect(await couponStatus(promote, couponId)).toBe(step === 'coupon' ? 'LOCKED' : 'AVAILABLE');
  const recovering = await startSupergraph({ subgraphs: ['order'], router: false, config: testConfig({ ...urls, EVENTS_JOB_POLL_INTERVAL_MS: '100' }) });
  try {
    const orders = dbOf(recovering, 'order');
    const [order] = await orders('orders').where({ user_id: buyer.userId });
    expect(await reservationStatus(product, order.id)).not.toBeNull();
    expect(order.saga_step).not.toBe('PLACED');
    const failed = await eventually(() => orders('orders').where({ id: order.id }).first(), (row) => row.status === 'CANCELLED', 30_000);
    expect(failed).toMatchObject({ status: 'CANCELLED', saga_step: 'FAILED', cancel_reason: 'checkout interrupted', deleted_at: expect.any(Date) });
    expect(await eventually(() => reservationStatus(product, order.id), (status) => status === 'RELEASED', 30_000)).toBe('RELEASED');
    expect(await eventually(() => couponStatus(promote, couponId), (status) => status === 'AVAILABLE')).toBe('AVAILABLE');
    expect(await skuCounts(product, skuIds[0])).toEqual({ stock: 10, reserved: 0, sold: 0 });
    // Not a real order for the shopper: not in their list.
    const list = await gql(recovering.subgraphs.order!.url, '{ orders { edges { node { id } } } }', {}, asIdentity({ userId: buyer.userId }, 'order'));
    expect(ok(list).orders.edges).toEqual([]);
    expect(await findStockViolations(product, skuIds)).toEqual([]);
  } finally {
    await recovering.stop();
  }
}, 120_000);
