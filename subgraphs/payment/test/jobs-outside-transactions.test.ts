/**
 * Payment jobs call the providers and order outside any transaction (the one job runner, platform/events/jobs.ts):
 * while a WeChat refund call hangs, its payment, refund and job rows stay unlocked, another order's payment settles,
 * and when the provider answers the refund completes once. The runner's counters are served at the signed GET /stats.
 */
import { asIdentity, gql } from '../../../test/support/harness';
import type { ProviderRequest, ProviderResponse } from '../providers/http';
import { requeueDeadJob } from '../../../platform/events/dead-letters';
import {
  newOrder,
  newShopper,
  paymentWorldForFile,
  payOrder,
  postNotify,
  prepayOf,
  STAFF,
  stateOf,
  untilOrder,
  untilRefunds,
  waitFor,
  type PaymentWorld,
} from './support';

let world: PaymentWorld;
// Its own database: it changes what this process's WeChat sandbox answers (see startPaymentWorld).
paymentWorldForFile((started) => (world = started), {}, { isolated: true });

const REFUND = `mutation($o: ID!, $a: Int!, $r: String!, $n: String) { refundOrder(orderId: $o, amount: $a, reason: $r, refundNo: $n) { id status } }`;

async function paidOrder(total: number) {
  const shopper = await newShopper(world);
  const orderId = await newOrder(world, { userId: shopper.userId, items: [{ skuId: '1', productId: '1', title: 'T', skuName: 'v', unitPrice: total, quantity: 1 }] });
  const paid = await payOrder(world, shopper.userId, orderId, 'WECHAT');
  const notification = world.wechat.pay(prepayOf(paid))!;
  expect((await postNotify(world, 'wechat', notification.body, notification.headers)).status).toBe(204);
  await untilOrder(world, orderId, 'PAID');
  return orderId;
}

/** Locks the row at once or fails (NOWAIT): proof that no transaction holds it. */
async function lockable(table: string, where: Record<string, string>): Promise<number> {
  return world.paymentDb.transaction(async (trx) => {
    const columns = Object.keys(where);
    const result = await trx.raw(
      `SELECT 1 FROM ?? WHERE ${columns.map(() => '?? = ?').join(' AND ')} FOR UPDATE NOWAIT`,
      [table, ...columns.flatMap((column) => [column, where[column]])],
    );
    return result.rows.length;
  });
}

it('a hung WeChat refund call holds no row lock and stalls no other payment job; it completes once when WeChat answers', async () => {
  const orderId = await paidOrder(2500);
  const sandbox = world.wechat as unknown as { handle(request: ProviderRequest): Promise<ProviderResponse> };
  const original = sandbox.handle;
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let refundCalls = 0;
  sandbox.handle = async function (this: unknown, request: ProviderRequest) {
    if (request.method === 'POST' && request.url.endsWith('/v3/refund/domestic/refunds')) {
      refundCalls += 1;
      await released; // WeChat is slow to answer
    }
    return original.call(sandbox, request);
  };
  try {
    const refundNo = `HANG${orderId}`;
    const asked = await gql(world.paymentUrl, REFUND, { o: orderId, a: 2500, r: '慢退款', n: refundNo }, STAFF());
    expect(asked.errors).toBeUndefined();
    await untilRefunds(world, orderId, () => refundCalls > 0);

    // The refund job is inside the provider call: nothing of it is locked.
    const payment = (await stateOf(world, orderId)).payments[0];
    expect(await lockable('payments', { id: String(payment.id) })).toBe(1);
    expect(await lockable('refunds', { refund_no: refundNo })).toBe(1);
    expect(await lockable('jobs', { kind: 'payment.refund', key: refundNo })).toBe(1);

    // Another shopper pays meanwhile: settled (order PAID) by its own job while the refund still hangs.
    const other = await paidOrder(1200);
    expect((await stateOf(world, other)).order.status).toBe('PAID');
    expect((await stateOf(world, orderId)).refunds).toMatchObject([{ refund_no: refundNo, status: 'PENDING' }]);
  } finally {
    release();
    sandbox.handle = original;
  }
  await untilOrder(world, orderId, 'REFUNDED');
  const state = await stateOf(world, orderId);
  expect(state.refunds).toMatchObject([{ status: 'SUCCEEDED', amount: 2500 }]);
  expect(state.payments).toMatchObject([{ status: 'REFUNDED', refunded_amount: 2500 }]);
  expect(state.events.map((e: { type: string }) => e.type)).toEqual(['PaymentSucceeded', 'PaymentRefunded']);
});

it('serves the job runner counters at the signed GET /stats', async () => {
  const response = await fetch(`${world.paymentOrigin}/stats`, { headers: asIdentity({}, 'payment') });
  expect(response.status).toBe(200);
  const stats = await response.json();
  expect(stats.jobs).toMatchObject({ deadLettered: 0, running: expect.any(Number), done: expect.any(Number) });
  expect(stats.jobs.done).toBeGreaterThan(0);
  expect((await fetch(`${world.paymentOrigin}/stats`)).status).toBe(401);
});

it('a refund whose provider call the runner gave up on is listed to staff as stuck, with the job to requeue; requeued, it completes once', async () => {
  const orderId = await paidOrder(1800);
  const sandbox = world.wechat as unknown as { handle(request: ProviderRequest): Promise<ProviderResponse> };
  const original = sandbox.handle;
  let down = true;
  sandbox.handle = async function (this: unknown, request: ProviderRequest) {
    if (down && request.method === 'POST' && request.url.endsWith('/v3/refund/domestic/refunds')) {
      return { status: 503, headers: {}, body: Buffer.from(JSON.stringify({ code: 'SYSTEM_ERROR', message: 'busy' })) };
    }
    return original.call(sandbox, request);
  };
  const refundNo = `STUCK${orderId}`;
  const FAILED = `{ failedRefunds(first: 100) { refundNo status failureReason } }`;
  try {
    expect((await gql(world.paymentUrl, REFUND, { o: orderId, a: 1800, r: '退款', n: refundNo }, STAFF())).errors).toBeUndefined();
    const failing = () => world.paymentDb('jobs').where({ kind: 'payment.refund', key: refundNo }).first();
    await waitFor(async () => Boolean((await failing())?.last_error));
    // Retrying: not yet something for staff.
    expect((await gql(world.paymentUrl, FAILED, {}, STAFF())).data.failedRefunds.map((r: { refundNo: string }) => r.refundNo)).not.toContain(refundNo);
    // WeChat stays down for JOB_MAX_ATTEMPTS attempts (a day by default): the runner dead-letters the job. Fast-forwarded
    // here to that state, exactly as the runner writes it.
    const job = await failing();
    await world.paymentDb('jobs').where({ id: job.id }).update({ dead_at: world.paymentDb.fn.now(), locked_until: null, lock_token: null, attempts: 300 });
    const listed = (await gql(world.paymentUrl, FAILED, {}, STAFF())).data.failedRefunds.find((r: { refundNo: string }) => r.refundNo === refundNo);
    expect(listed).toEqual({
      refundNo,
      status: 'PENDING',
      failureReason: expect.stringMatching(new RegExp(`^stuck: its provider call was given up after 300 attempts \\(last error: .*\\); requeue it once the cause is fixed: npm run jobs -- retry payment ${job.id}$`)),
    });
    // WeChat is back; the operator requeues the job: the refund completes once and leaves the list.
    down = false;
    expect(await requeueDeadJob(world.paymentDb, String(job.id))).toBe(true);
    await untilOrder(world, orderId, 'REFUNDED');
    expect((await stateOf(world, orderId)).refunds).toMatchObject([{ refund_no: refundNo, status: 'SUCCEEDED', amount: 1800 }]);
    expect((await gql(world.paymentUrl, FAILED, {}, STAFF())).data.failedRefunds.map((r: { refundNo: string }) => r.refundNo)).not.toContain(refundNo);
  } finally {
    sandbox.handle = original;
  }
});
