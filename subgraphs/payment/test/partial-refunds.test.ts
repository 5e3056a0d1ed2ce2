/**
 * Refunds that never dead-end (issue 15, findings 3 and 7): per line and quantity, several per order, each of the
 * order's own payment with the caller's idempotency key; the order keeps its status while partly refunded, shows
 * refundedAmount, becomes REFUNDED only when everything paid is refunded; a FAILED refund returns the order to where
 * it was and is visible to staff; after-sales stays open AFTER_SALES_WINDOW_DAYS after receipt; SHIPPED confirms
 * itself after ORDER_AUTO_CONFIRM_DAYS. Real order and payment subgraphs, WeChat/Alipay sandboxes.
 */
import path from 'node:path';
import { asIdentity, codes, gql, type GraphQLResponse } from '../../../test/support/harness';
import { SandboxStore } from '../providers/sandbox-store';
import { staffRefundNo } from '../refunds';
import {
  newOrder,
  newShopper,
  orderStatus,
  payOrder,
  paymentTestConfig,
  postNotify,
  prepayOf,
  STAFF,
  paymentWorldForFile,
  stateOf,
  untilOrder,
  untilRefunds,
  waitFor,
  type PaymentWorld,
} from './support';

let world: PaymentWorld;
paymentWorldForFile((started) => (world = started));

const REFUND = `mutation($o: ID!, $a: Int!, $r: String!, $k: String, $l: [RefundLineInput!]) {
  refundOrder(orderId: $o, amount: $a, reason: $r, idempotencyKey: $k, lines: $l) { id refundNo amount status source lines { skuId quantity restock } } }`;
const ORDER = `query($id: ID!) { order(id: $id) { status total refundedAmount afterSalesDeadline autoConfirmAt
  refunds { refundNo amount status failureReason lines { sku { id } quantity restock } }
  statusHistory { from to reason actor } } }`;
const ORDER_STAFF = () => asIdentity({ userId: '1', scopes: ['order:write'] }, 'order');
const orderUrl = () => world.running.subgraphs.order!.url;
const ok = (response: GraphQLResponse) => {
  expect(response.errors).toBeUndefined();
  return response.data;
};

const TWO_ITEMS = [
  { skuId: '1', productId: '1', title: 'T恤', skuName: '白 / M', unitPrice: 3000, quantity: 1 },
  { skuId: '2', productId: '1', title: 'T恤', skuName: '黑 / L', unitPrice: 2000, quantity: 1 },
];

/** A shopper's order paid with the WeChat sandbox: PAID (or SHIPPED). */
async function paidOrder(items = TWO_ITEMS, status: 'PAID' | 'SHIPPED' = 'PAID') {
  const shopper = await newShopper(world);
  const orderId = await newOrder(world, { userId: shopper.userId, items });
  const paid = await payOrder(world, shopper.userId, orderId, 'WECHAT');
  const notification = world.wechat.pay(prepayOf(paid))!;
  expect((await postNotify(world, 'wechat', notification.body, notification.headers)).status).toBe(204);
  await untilOrder(world, orderId, 'PAID');
  if (status === 'SHIPPED') await ship(orderId);
  return { shopper, orderId, outTradeNo: notification.outTradeNo };
}

async function ship(orderId: string) {
  const shipped = await gql(orderUrl(), 'mutation($id: ID!) { shipOrder(id: $id, carrier: "顺丰速运", trackingNo: "SF1234567890") { status } }', { id: orderId }, ORDER_STAFF());
  return shipped;
}

const orderView = async (orderId: string) => ok(await gql(orderUrl(), ORDER, { id: orderId }, ORDER_STAFF())).order;
const untilRefunded = (orderId: string, amount: number) =>
  waitFor(async () => (await world.orderDb('orders').where({ id: orderId }).first()).refunded_amount === amount);
const untilNoRefundInFlight = (orderId: string) =>
  waitFor(async () => (await world.orderDb('order_refunds').where({ order_id: orderId, status: 'PENDING' })).length === 0);

describe('partial refunds per line', () => {
  it('1 of 2 items: the order stays PAID, shows refundedAmount, still ships, the rest is refundable; all of it → REFUNDED', async () => {
    const { orderId } = await paidOrder();
    const first = ok(await gql(world.paymentUrl, REFUND, { o: orderId, a: 3000, r: '白色缺货', k: `line1-${orderId}`, l: [{ skuId: '1', quantity: 1 }] }, STAFF()));
    expect(first.refundOrder).toMatchObject({ amount: 3000, source: 'STAFF', lines: [{ skuId: '1', quantity: 1, restock: null }] });
    await untilRefunded(orderId, 3000);
    await untilNoRefundInFlight(orderId);
    let view = await orderView(orderId);
    expect(view).toMatchObject({ status: 'PAID', refundedAmount: 3000 });
    // Not shipped yet: the refunded piece goes back to stock by default.
    expect(view.refunds).toEqual([
      { refundNo: first.refundOrder.refundNo, amount: 3000, status: 'SUCCEEDED', failureReason: null, lines: [{ sku: { id: '1' }, quantity: 1, restock: true }] },
    ]);

    // The same piece again: refused, nothing changes.
    const again = await gql(world.paymentUrl, REFUND, { o: orderId, a: 100, r: '再退一次', k: `line1b-${orderId}`, l: [{ skuId: '1', quantity: 1 }] }, STAFF());
    expect(codes(again)).toEqual(['BAD_USER_INPUT']);
    expect(again.errors![0].extensions!.refundable).toBe(0);
    // More than is left: refused.
    expect(codes(await gql(world.paymentUrl, REFUND, { o: orderId, a: 2001, r: '太多', k: `over-${orderId}` }, STAFF()))).toEqual(['BAD_USER_INPUT']);

    // The rest of the order still ships.
    expect(ok(await ship(orderId)).shipOrder.status).toBe('SHIPPED');
    ok(await gql(world.paymentUrl, REFUND, { o: orderId, a: 2000, r: '黑色也退', k: `line2-${orderId}`, l: [{ skuId: '2', quantity: 1, restock: true }] }, STAFF()));
    await untilOrder(world, orderId, 'REFUNDED');
    view = await orderView(orderId);
    expect(view.refundedAmount).toBe(5000);
    expect(view.statusHistory.map((h: { to: string }) => h.to)).toEqual(['PENDING_PAYMENT', 'PAID', 'SHIPPED', 'REFUNDING', 'REFUNDED']);
    const state = await stateOf(world, orderId);
    expect(state.payments).toMatchObject([{ status: 'REFUNDED', refunded_amount: 5000 }]);
  });

  it('two identical partial refunds with different keys are two refunds; the same key (sent 3 times at once) is one', async () => {
    const { orderId } = await paidOrder([{ skuId: '1', productId: '1', title: 'T', skuName: 'v', unitPrice: 1000, quantity: 3 }]);
    const vars = (key: string) => ({ o: orderId, a: 1000, r: '一件有瑕疵', k: key, l: [{ skuId: '1', quantity: 1 }] });
    const a = ok(await gql(world.paymentUrl, REFUND, vars(`a-${orderId}`), STAFF())).refundOrder;
    const b = ok(await gql(world.paymentUrl, REFUND, vars(`b-${orderId}`), STAFF())).refundOrder;
    expect(a.refundNo).not.toBe(b.refundNo);
    const repeats = await Promise.all([1, 2, 3].map(() => gql(world.paymentUrl, REFUND, vars(`a-${orderId}`), STAFF())));
    expect(repeats.map((r) => r.data?.refundOrder.id)).toEqual([a.id, a.id, a.id]);
    expect(a.refundNo).toBe(staffRefundNo(orderId, `a-${orderId}`));
    await untilRefunded(orderId, 2000);
    await untilNoRefundInFlight(orderId);
    expect(await orderStatus(world, orderId)).toBe('PAID');
    expect((await stateOf(world, orderId)).refunds.map((r: { status: string; amount: number }) => [r.status, r.amount])).toEqual([
      ['SUCCEEDED', 1000],
      ['SUCCEEDED', 1000],
    ]);
  });

  it('10 concurrent refunds of 300 on a 1000 order: exactly 3 go through, never more than was paid', async () => {
    const { orderId } = await paidOrder([{ skuId: '1', productId: '1', title: 'T', skuName: 'v', unitPrice: 1000, quantity: 1 }]);
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) => gql(world.paymentUrl, REFUND, { o: orderId, a: 300, r: '并发', k: `c${i}-${orderId}` }, STAFF())),
    );
    expect(answers.filter((a) => a.data?.refundOrder)).toHaveLength(3);
    expect(answers.flatMap(codes).every((code) => code === 'BAD_USER_INPUT' || code === 'CONFLICT')).toBe(true);
    await untilRefunded(orderId, 900);
    await untilNoRefundInFlight(orderId);
    const state = await stateOf(world, orderId);
    expect(state.payments).toMatchObject([{ status: 'SUCCEEDED', refunded_amount: 900 }]);
    expect(state.refunds.filter((r: { status: string }) => r.status !== 'FAILED')).toHaveLength(3);
    expect(await orderStatus(world, orderId)).toBe('PAID');
    // The last 100: REFUNDED.
    ok(await gql(world.paymentUrl, REFUND, { o: orderId, a: 100, r: '余款', k: `rest-${orderId}` }, STAFF()));
    await untilOrder(world, orderId, 'REFUNDED');
  });

  it("a refund goes to the order's own payment, not the latest one (two channels paid, the later one auto-refunded)", async () => {
    const shopper = await newShopper(world);
    const orderId = await newOrder(world, { userId: shopper.userId, items: [{ skuId: '1', productId: '1', title: 'T', skuName: 'v', unitPrice: 1000, quantity: 1 }] });
    const wechat = await payOrder(world, shopper.userId, orderId, 'WECHAT');
    const alipay = await payOrder(world, shopper.userId, orderId, 'ALIPAY');
    const wechatPaid = world.wechat.pay(prepayOf(wechat))!;
    const alipayPaid = world.alipay.pay(alipay.data.payOrder.alipayOrderString)!;
    expect((await postNotify(world, 'wechat', wechatPaid.body, wechatPaid.headers)).status).toBe(204);
    await untilOrder(world, orderId, 'PAID');
    expect((await postNotify(world, 'alipay', alipayPaid.body, { 'content-type': 'application/x-www-form-urlencoded' })).text).toBe('success');
    await untilRefunds(world, orderId, (rows) => rows.length === 1 && rows[0].status === 'SUCCEEDED');
    const before = await stateOf(world, orderId);
    const byMethod = Object.fromEntries(before.payments.map((p: { id: string; method: string }) => [p.method, p]));
    expect(before.order.payment_id).toBe(byMethod.WECHAT.id);
    expect(Number(byMethod.ALIPAY.id)).toBeGreaterThan(Number(byMethod.WECHAT.id));

    ok(await gql(world.paymentUrl, REFUND, { o: orderId, a: 1000, r: '退款', k: `own-${orderId}` }, STAFF()));
    await untilOrder(world, orderId, 'REFUNDED');
    const after = await stateOf(world, orderId);
    const staffRefund = after.refunds.find((r: { source: string }) => r.source === 'STAFF');
    expect(staffRefund).toMatchObject({ payment_id: byMethod.WECHAT.id, status: 'SUCCEEDED', amount: 1000 });
  });
});

describe('a FAILED refund', () => {
  it('returns the order to where it was (history says why), shows to staff, and the order can still be refunded', async () => {
    const { orderId, outTradeNo } = await paidOrder(TWO_ITEMS, 'SHIPPED');
    const key = `fail-${orderId}`;
    // WeChat will refuse this refund number (the sandbox already knows it with another amount: 400 INVALID_REQUEST).
    new SandboxStore(path.join(paymentTestConfig().dataDir, 'payment-sandbox')).putIfAbsent('wechat-refunds', `${outTradeNo}-${staffRefundNo(orderId, key)}`, {
      refundId: 'sandbox-refusal',
      amount: 1,
      outTradeNo,
    });
    const refund = ok(await gql(world.paymentUrl, REFUND, { o: orderId, a: 5000, r: '整单退款', k: key }, STAFF())).refundOrder;
    await untilRefunds(world, orderId, (rows) => rows[0]?.status === 'FAILED');
    await untilOrder(world, orderId, 'SHIPPED');
    await untilNoRefundInFlight(orderId);
    const view = await orderView(orderId);
    expect(view.refundedAmount).toBe(0);
    expect(view.refunds).toEqual([expect.objectContaining({ refundNo: refund.refundNo, status: 'FAILED', failureReason: expect.stringMatching(/INVALID_REQUEST/) })]);
    const history = view.statusHistory.slice(-2);
    expect(history[0]).toMatchObject({ from: 'SHIPPED', to: 'REFUNDING' });
    expect(history[1]).toMatchObject({ from: 'REFUNDING', to: 'SHIPPED', actor: 'SYSTEM', reason: expect.stringMatching(new RegExp(`refund ${refund.refundNo} failed`)) });

    const failed = ok(await gql(world.paymentUrl, `{ failedRefunds(first: 100) { refundNo orderId status failureReason amount } }`, {}, STAFF())).failedRefunds;
    expect(failed).toContainEqual({ refundNo: refund.refundNo, orderId, status: 'FAILED', failureReason: expect.stringMatching(/INVALID_REQUEST/), amount: 5000 });
    expect(codes(await gql(world.paymentUrl, `{ failedRefunds { refundNo } }`, {}, asIdentity({ userId: '5' }, 'payment')))).toEqual(['FORBIDDEN']);

    // Not a dead end: a new refund (new key) goes through.
    ok(await gql(world.paymentUrl, REFUND, { o: orderId, a: 5000, r: '整单退款', k: `${key}-2` }, STAFF()));
    await untilOrder(world, orderId, 'REFUNDED');
  });
});

describe('a staff refund whose request died between order and payment', () => {
  it('is settled FAILED by the watch job (payment fences the number off), and the order is refundable again', async () => {
    const { orderId } = await paidOrder(TWO_ITEMS, 'SHIPPED');
    const refundNo = staffRefundNo(orderId, `died-${orderId}`);
    // What refundOrder does first — then the request dies before payment records the refund.
    const registered = await gql(
      orderUrl(),
      `mutation($o: ID!, $n: String!) { registerOrderRefund(orderId: $o, refundNo: $n, amount: 5000, reason: "整单", requestedBy: "staff:1") { status } }`,
      { o: orderId, n: refundNo },
      asIdentity({ service: 'payment' }, 'order'),
    );
    expect(registered.data.registerOrderRefund.status).toBe('REFUNDING');
    const watch = await world.orderDb('jobs').where({ kind: 'order.refundWatch', key: refundNo }).first();
    expect(watch.run_at.getTime()).toBeGreaterThan(Date.now() + 500_000); // ORDER_REFUND_WATCH_SECONDS (600) later
    await world.orderDb('jobs').where({ id: watch.id }).update({ run_at: new Date() });
    await untilOrder(world, orderId, 'SHIPPED');
    expect(await world.orderDb('order_refunds').where({ refund_no: refundNo })).toMatchObject([{ status: 'FAILED', failure_reason: expect.stringMatching(/never recorded/) }]);
    expect(await world.paymentDb('refunds').where({ refund_no: refundNo })).toMatchObject([{ status: 'FAILED' }]);
    // The same key can never move money now; a new key can.
    const retried = await gql(world.paymentUrl, REFUND, { o: orderId, a: 5000, r: '整单', k: `died-${orderId}` }, STAFF());
    expect(retried.data.refundOrder.status).toBe('FAILED');
    ok(await gql(world.paymentUrl, REFUND, { o: orderId, a: 5000, r: '整单', k: `again-${orderId}` }, STAFF()));
    await untilOrder(world, orderId, 'REFUNDED');
  });
});

describe('receipt and returns', () => {
  const REQUEST = `mutation($input: RefundRequestInput!) { requestRefund(input: $input) { id status } }`;

  it('after-sales stays open AFTER_SALES_WINDOW_DAYS (7) after receipt, then CONFLICT AFTER_SALES_WINDOW_CLOSED', async () => {
    const { orderId, shopper } = await paidOrder(TWO_ITEMS, 'SHIPPED');
    const asShopper = asIdentity({ userId: shopper.userId }, 'order');
    ok(await gql(orderUrl(), 'mutation($id: ID!) { confirmReceipt(id: $id) { status } }', { id: orderId }, asShopper));
    const order = await world.orderDb('orders').where({ id: orderId }).first();
    const view = await orderView(orderId);
    expect(Date.parse(view.afterSalesDeadline)).toBe(order.completed_at.getTime() + 7 * 24 * 3600_000);
    // Within the window: a return of one item, approved with the piece back in stock.
    const requested = ok(await gql(orderUrl(), REQUEST, { input: { orderId, reason: '七天无理由', amount: 2000, items: [{ skuId: '2', quantity: 1 }] } }, asShopper));
    ok(await gql(orderUrl(), 'mutation($id: ID!) { approveRefundRequest(id: $id, restockSkuIds: ["2"]) { status } }', { id: requested.requestRefund.id }, ORDER_STAFF()));
    await untilRefunded(orderId, 2000);
    expect(await orderStatus(world, orderId)).toBe('COMPLETED');
    expect((await orderView(orderId)).refunds).toEqual([expect.objectContaining({ status: 'SUCCEEDED', lines: [{ sku: { id: '2' }, quantity: 1, restock: true }] })]);

    // Eight days after receipt: refused with a clear reason, nothing changes.
    await world.orderDb('orders').where({ id: orderId }).update({ completed_at: new Date(Date.now() - 8 * 24 * 3600_000) });
    const late = await gql(orderUrl(), REQUEST, { input: { orderId, reason: '太晚了', amount: 100 } }, asShopper);
    expect(codes(late)).toEqual(['CONFLICT']);
    expect(late.errors![0].extensions).toMatchObject({ reason: 'AFTER_SALES_WINDOW_CLOSED', currentStatus: 'COMPLETED' });
    expect(await world.orderDb('after_sales').where({ order_id: orderId })).toHaveLength(1);
  });

  it('SHIPPED confirms itself: the durable job is scheduled at shipping for shippedAt + 10 days and completes the order (system)', async () => {
    const { orderId } = await paidOrder(TWO_ITEMS, 'SHIPPED');
    const order = await world.orderDb('orders').where({ id: orderId }).first();
    const job = await world.orderDb('jobs').where({ kind: 'order.autoConfirm', key: orderId }).first();
    expect(job.run_at.getTime()).toBe(order.shipped_at.getTime() + 10 * 24 * 3600_000);
    expect(Date.parse((await orderView(orderId)).autoConfirmAt)).toBe(job.run_at.getTime());
    // Ten days pass.
    await world.orderDb('jobs').where({ id: job.id }).update({ run_at: new Date() });
    await untilOrder(world, orderId, 'COMPLETED');
    const last = (await orderView(orderId)).statusHistory.at(-1);
    expect(last).toMatchObject({ from: 'SHIPPED', to: 'COMPLETED', actor: 'SYSTEM', reason: expect.stringMatching(/automatically/) });
    expect((await world.orderDb('orders').where({ id: orderId }).first()).completed_at).not.toBeNull();

    // A shopper's own confirmation cancels the timer.
    const other = await paidOrder(TWO_ITEMS, 'SHIPPED');
    ok(await gql(orderUrl(), 'mutation($id: ID!) { confirmReceipt(id: $id) { status } }', { id: other.orderId }, asIdentity({ userId: other.shopper.userId }, 'order')));
    expect((await world.orderDb('jobs').where({ kind: 'order.autoConfirm', key: other.orderId }).first()).cancelled_at).not.toBeNull();
  });
});
