/** Refunds: staff refundOrder and approved after-sales requests, idempotent by refund number, through the sandbox provider. */
import { asIdentity, codes, gql } from '../../../test/support/harness';
import {
  newOrder,
  newShopper,
  orderStatus,
  payOrder,
  postNotify,
  prepayOf,
  STAFF,
  paymentWorldForFile,
  stateOf,
  untilJobsSettled,
  untilOrder,
  waitFor,
  type PaymentWorld,
} from './support';

let world: PaymentWorld;
paymentWorldForFile((started) => (world = started));

const REFUND = `mutation($o: ID!, $a: Int!, $r: String!, $n: String) { refundOrder(orderId: $o, amount: $a, reason: $r, refundNo: $n) { id refundNo amount status } }`;

/** A shopper's order paid with WeChat through the sandbox, PAID. */
async function paidOrder(total: number, status: 'PAID' | 'SHIPPED' = 'PAID') {
  const shopper = await newShopper(world);
  const orderId = await newOrder(world, { userId: shopper.userId, items: [{ skuId: '1', productId: '1', title: 'T', skuName: 'v', unitPrice: total, quantity: 1 }] });
  const paid = await payOrder(world, shopper.userId, orderId, 'WECHAT');
  const notification = world.wechat.pay(prepayOf(paid))!;
  expect((await postNotify(world, 'wechat', notification.body, notification.headers)).status).toBe(204);
  await untilOrder(world, orderId, 'PAID');
  if (status === 'SHIPPED') {
    const shipped = await gql(world.running.subgraphs.order!.url, 'mutation($id: ID!) { shipOrder(id: $id, carrier: "顺丰速运", trackingNo: "SF1234567890") { status } }', { id: orderId }, asIdentity({ userId: '1', scopes: ['order:write'] }, 'order'));
    expect(shipped.data.shipOrder.status).toBe('SHIPPED');
  }
  return { shopper, orderId, outTradeNo: notification.outTradeNo };
}

describe('refundOrder (staff, payment:refund)', () => {
  it('retried 10 times concurrently with one refund number: refunded once, the order REFUNDING → REFUNDED', async () => {
    const { orderId } = await paidOrder(3000, 'SHIPPED');
    const answers = await Promise.all(Array.from({ length: 10 }, () => gql(world.paymentUrl, REFUND, { o: orderId, a: 3000, r: '质量问题', n: `RF${orderId}` }, STAFF())));
    expect(answers.map((a) => a.errors)).toEqual(Array(10).fill(undefined));
    expect(new Set(answers.map((a) => a.data.refundOrder.id)).size).toBe(1);
    await untilOrder(world, orderId, 'REFUNDED');
    await untilJobsSettled(world);
    const state = await stateOf(world, orderId);
    expect(state.refunds).toMatchObject([{ refund_no: `RF${orderId}`, status: 'SUCCEEDED', amount: 3000, source: 'STAFF' }]);
    expect(state.payments).toMatchObject([{ status: 'REFUNDED', refunded_amount: 3000 }]);
    expect(state.events.map((e: { type: string }) => e.type)).toEqual(['PaymentSucceeded', 'PaymentRefunded']);
    expect(state.history.map((h: { to_status: string }) => h.to_status)).toEqual(['PENDING_PAYMENT', 'PAID', 'SHIPPED', 'REFUNDING', 'REFUNDED']);
    // Once more after completion: the same refund, nothing new.
    const late = await gql(world.paymentUrl, REFUND, { o: orderId, a: 3000, r: '质量问题', n: `RF${orderId}` }, STAFF());
    expect(late.data.refundOrder).toMatchObject({ id: answers[0].data.refundOrder.id, status: 'SUCCEEDED' });
  });

  it('without a refund number or key, every call is a new refund: two concurrent full refunds → one refund, the other refused', async () => {
    // (Before: the number was derived from amount and reason, which merged two genuine identical partial refunds.)
    const { orderId } = await paidOrder(1000);
    const answers = await Promise.all([1, 2].map(() => gql(world.paymentUrl, REFUND, { o: orderId, a: 1000, r: '重复请求' }, STAFF())));
    expect(answers.filter((a) => a.data?.refundOrder)).toHaveLength(1);
    expect(answers.flatMap(codes)).toEqual(['CONFLICT']);
    await untilOrder(world, orderId, 'REFUNDED');
    expect((await stateOf(world, orderId)).refunds).toHaveLength(1);
  });

  it('refuses more than was paid, other shoppers, unpaid orders and a refund number reused for another amount — changing nothing', async () => {
    const { orderId, shopper } = await paidOrder(2000);
    const before = await stateOf(world, orderId);
    expect(codes(await gql(world.paymentUrl, REFUND, { o: orderId, a: 2001, r: '太多' }, STAFF()))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await gql(world.paymentUrl, REFUND, { o: orderId, a: 0, r: '零' }, STAFF()))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await gql(world.paymentUrl, REFUND, { o: orderId, a: 100, r: '自己退' }, asIdentity({ userId: shopper.userId }, 'payment')))).toEqual(['FORBIDDEN']);
    expect(await stateOf(world, orderId)).toEqual(before);
    const unpaid = await newOrder(world, { userId: shopper.userId });
    expect(codes(await gql(world.paymentUrl, REFUND, { o: unpaid, a: 100, r: '未付款' }, STAFF()))).toEqual(['CONFLICT']);

    expect((await gql(world.paymentUrl, REFUND, { o: orderId, a: 500, r: '部分', n: `P${orderId}` }, STAFF())).errors).toBeUndefined();
    expect(codes(await gql(world.paymentUrl, REFUND, { o: orderId, a: 600, r: '部分', n: `P${orderId}` }, STAFF()))).toEqual(['CONFLICT']);
    // A partial refund: the order keeps its status and counts what came back.
    await waitFor(async () => (await world.orderDb('orders').where({ id: orderId }).first()).refunded_amount === 500);
    expect(await orderStatus(world, orderId)).toBe('PAID');
    expect((await stateOf(world, orderId)).payments).toMatchObject([{ status: 'SUCCEEDED', refunded_amount: 500 }]);
  });

  it('refuses an order received longer than the after-sales window ago (COMPLETED): CONFLICT, no money moves', async () => {
    const { orderId, shopper } = await paidOrder(1000, 'SHIPPED');
    await gql(world.running.subgraphs.order!.url, 'mutation($id: ID!) { confirmReceipt(id: $id) { status } }', { id: orderId }, asIdentity({ userId: shopper.userId }, 'order'));
    expect(await orderStatus(world, orderId)).toBe('COMPLETED');
    await world.orderDb('orders').where({ id: orderId }).update({ completed_at: new Date(Date.now() - 8 * 24 * 3600_000) });
    const answer = await gql(world.paymentUrl, REFUND, { o: orderId, a: 1000, r: '已完成' }, STAFF());
    expect(codes(answer)).toEqual(['CONFLICT']);
    expect(answer.errors![0].extensions!.reason).toBe('AFTER_SALES_WINDOW_CLOSED');
    expect((await stateOf(world, orderId)).refunds).toEqual([]);
  });
});

describe('after-sales', () => {
  const REQUEST = `mutation($input: RefundRequestInput!) { requestRefund(input: $input) { id status } }`;
  const APPROVE = `mutation($id: ID!) { approveRefundRequest(id: $id, note: "同意") { status } }`;

  it('approval → payment refunds (AS<request id>), a partial refund keeps the order SHIPPED; a repeat of the internal call is the same refund', async () => {
    const { orderId, shopper } = await paidOrder(5000, 'SHIPPED');
    const orderUrl = world.running.subgraphs.order!.url;
    const requested = await gql(orderUrl, REQUEST, { input: { orderId, reason: '尺码不合适', amount: 4000 } }, asIdentity({ userId: shopper.userId }, 'order'));
    const requestId = requested.data.requestRefund.id;
    const approved = await gql(orderUrl, APPROVE, { id: requestId }, asIdentity({ userId: '1', scopes: ['order:write'] }, 'order'));
    expect(approved.data.approveRefundRequest.status).toBe('APPROVED');
    await waitFor(async () => (await world.orderDb('orders').where({ id: orderId }).first()).refunded_amount === 4000);
    expect(await orderStatus(world, orderId)).toBe('SHIPPED');
    const repeat = await gql(
      world.paymentUrl,
      'mutation($o: ID!, $a: ID!) { refundAfterSale(orderId: $o, afterSaleId: $a, amount: 4000, reason: "again") { refundNo status } }',
      { o: orderId, a: requestId },
      asIdentity({ service: 'order' }, 'payment'),
    );
    expect(repeat.data.refundAfterSale).toEqual({ refundNo: `AS${requestId}`, status: 'SUCCEEDED' });
    await untilJobsSettled(world);
    const state = await stateOf(world, orderId);
    expect(state.refunds).toMatchObject([{ refund_no: `AS${requestId}`, amount: 4000, source: 'AFTER_SALE', status: 'SUCCEEDED' }]);
    expect(state.payments).toMatchObject([{ status: 'SUCCEEDED', refunded_amount: 4000 }]);
  });

  it('the internal refund call is refused to anyone but the order service', async () => {
    const answer = await gql(
      world.paymentUrl,
      'mutation { refundAfterSale(orderId: "1", afterSaleId: "1", amount: 1, reason: "x") { id } }',
      {},
      asIdentity({ userId: '1', scopes: ['payment:refund'] }, 'payment'),
    );
    expect(codes(answer)).toEqual(['FORBIDDEN']);
  });
});
