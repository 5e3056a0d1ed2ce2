/**
 * The provider trade lifecycle (docs/payment.md, "Trade lifecycle"): time_expire at prepay, closing the trades of a
 * cancelled order, a payment made just before the close, reconciliation stopping at final states, amount mismatches
 * flagged for staff, refund notifications. Providers are the sandboxes, speaking the real protocols; provider
 * requests are counted from the sandboxes' logs.
 */
import crypto from 'node:crypto';
import type { Knex } from 'knex';
import { asIdentity, codes, gql } from '../../../test/support/harness';
import { cancelUnpaid } from '../../order/auto-cancel';
import { WechatPayClient, rfc3339Beijing } from '../providers/wechat';
import { AlipayClient, formatTime } from '../providers/alipay';
import {
  newOrder,
  newShopper,
  orderStatus,
  payOrder,
  postNotify,
  prepayOf,
  paymentWorldForFile,
  STAFF,
  stateOf,
  untilOrder,
  untilRefunds,
  waitFor,
  type PaymentWorld,
} from './support';

let world: PaymentWorld;
// Open payments are first queried one second after they open (then with backoff).
paymentWorldForFile((started) => (world = started), { PAYMENT_RECONCILE_AFTER_SECONDS: '1' });

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const ITEM = (total: number) => [{ skuId: '1', productId: '1', title: 'T', skuName: 'v', unitPrice: total, quantity: 1 }];

async function order(options: { total?: number; expiresAt?: Date } = {}) {
  const shopper = await newShopper(world);
  const orderId = await newOrder(world, { userId: shopper.userId, items: ITEM(options.total ?? 1000), expiresAt: options.expiresAt });
  return { shopper, orderId };
}

async function pay(shopperId: string, orderId: string, method: 'WECHAT' | 'ALIPAY') {
  const answer = await payOrder(world, shopperId, orderId, method);
  expect(answer.errors).toBeUndefined();
  return answer;
}

async function cancelAsShopper(shopperId: string, orderId: string) {
  const cancelled = await gql(world.running.subgraphs.order!.url, 'mutation($id: ID!) { cancelOrder(id: $id) { status } }', { id: orderId }, asIdentity({ userId: shopperId }, 'order'));
  expect(cancelled.data.cancelOrder.status).toBe('CANCELLED');
}

const payment = (id: string) => world.paymentDb('payments').where({ id }).first();
const untilPayment = (id: string, status: string) => waitFor(async () => (await payment(id)).status === status);
/** The sandbox cashier (as the shopper's phone): HTTP status and answer. */
async function cashier(sandboxPayUrl: string, extra = '') {
  const url = new URL(sandboxPayUrl);
  const response = await fetch(`${world.paymentOrigin}${url.pathname}${url.search}${extra}`, { method: 'POST' });
  return { status: response.status, body: await response.json() };
}
/** Trade queries (GET …/out-trade-no/{no}) the WeChat sandbox answered for this trade since `since`. */
const wechatQueries = (outTradeNo: string, since = 0) => world.wechat.requestsFor(outTradeNo, since).filter((r) => r.method === 'GET');
const wechatCloses = (outTradeNo: string) => world.wechat.requestsFor(outTradeNo).filter((r) => r.path.endsWith('/close'));

describe('time_expire', () => {
  it('is the order’s payment deadline at prepay: WeChat RFC 3339 in +08:00, Alipay "yyyy-MM-dd HH:mm:ss" Beijing time', async () => {
    const expiresAt = new Date(Date.now() + 20 * 60_000 + 123);
    const { shopper, orderId } = await order({ expiresAt });
    const wechat = await pay(shopper.userId, orderId, 'WECHAT');
    const outTradeNo = wechat.data.payOrder.payment.outTradeNo;
    const prepay = world.wechat.requestsFor(outTradeNo).find((r) => r.path === '/v3/pay/transactions/jsapi')!;
    const sent = JSON.parse(prepay.body);
    expect(sent.time_expire).toBe(rfc3339Beijing(expiresAt));
    expect(sent.time_expire).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$/);
    expect(Date.parse(sent.time_expire)).toBe(Math.floor(expiresAt.getTime() / 1000) * 1000);

    const alipay = await pay(shopper.userId, orderId, 'ALIPAY');
    const biz = JSON.parse(new URLSearchParams(alipay.data.payOrder.alipayOrderString).get('biz_content')!);
    expect(biz.time_expire).toBe(formatTime(expiresAt));
    expect(Date.parse(`${biz.time_expire.replace(' ', 'T')}+08:00`)).toBe(Math.floor(expiresAt.getTime() / 1000) * 1000);

    const stored = await world.paymentDb('payments').where({ order_id: orderId }).orderBy('id');
    expect(stored.map((p: { expires_at: Date }) => p.expires_at.getTime())).toEqual([expiresAt.getTime(), expiresAt.getTime()]);
    // A retry sends the same content and gets the same prepay.
    expect(prepayOf(await pay(shopper.userId, orderId, 'WECHAT'))).toBe(prepayOf(wechat));
  });

  it('after it the sandboxes refuse to take the money (as the providers do), payOrder refuses, and reconciliation closes the trades', async () => {
    const expiresAt = new Date(Date.now() + 6000);
    const { shopper, orderId } = await order({ expiresAt });
    const wechat = await pay(shopper.userId, orderId, 'WECHAT');
    const alipay = await pay(shopper.userId, orderId, 'ALIPAY');
    await sleep(expiresAt.getTime() - Date.now() + 300);
    // Expired, or already closed by reconciliation at the deadline: either way WeChat does not take the money.
    const refused = await cashier(wechat.data.payOrder.sandboxPayUrl);
    expect(refused.status).toBe(409);
    expect(['ORDER_EXPIRED', 'ORDER_CLOSED']).toContain(refused.body.message);
    expect(await cashier(alipay.data.payOrder.sandboxPayUrl)).toEqual({ status: 409, body: { code: 'FAIL', message: 'TRADE_EXPIRED' } });
    const late = await payOrder(world, shopper.userId, orderId, 'WECHAT');
    expect(codes(late)).toEqual(['CONFLICT']);
    expect(late.errors![0].extensions).toMatchObject({ reason: 'PAYMENT_DEADLINE_PASSED' });
    // Past the deadline the next reconciliation round closes each trade at its provider: CLOSED.
    await untilPayment(wechat.data.payOrder.payment.id, 'CLOSED');
    await untilPayment(alipay.data.payOrder.payment.id, 'CLOSED');
    expect(await payment(wechat.data.payOrder.payment.id)).toMatchObject({ close_reason: 'payment deadline passed' });
    expect(wechatCloses(wechat.data.payOrder.payment.outTradeNo)).toHaveLength(1);
  });

  it('the WeChat sandbox itself: a prepay past its time_expire cannot be paid (ORDER_EXPIRED)', async () => {
    const merchant = new WechatPayClient(world.wechat.merchant('https://api.mch.weixin.qq.com', 300), world.wechat.transport);
    const outTradeNo = `W${Date.now()}${crypto.randomInt(0, 1e6)}`;
    // time_expire goes to WeChat in whole seconds: 4 s ahead leaves at least 3.
    const timeExpire = new Date(Date.now() + 4000);
    const prepayId = await merchant.jsapiPrepay({ outTradeNo, description: 't', total: 100, notifyUrl: 'https://example.com/notify/wechat', openid: 'o', timeExpire });
    expect(world.wechat.cashierRefusal(prepayId)).toBeNull();
    await sleep(timeExpire.getTime() - Date.now() + 300);
    expect(world.wechat.cashierRefusal(prepayId)).toBe('ORDER_EXPIRED');
    expect(world.wechat.pay(prepayId)).toBeNull();
    expect((await merchant.queryByOutTradeNo(outTradeNo))!.trade_state).toBe('NOTPAY');
    // Closing it: 204, and still not payable.
    expect(await merchant.close(outTradeNo)).toEqual({ closed: true });
    expect(world.wechat.cashierRefusal(prepayId)).toBe('ORDER_CLOSED');
  });
});

describe('cancelling an order closes its open trades', () => {
  it('shopper cancels: the WeChat trade is closed at WeChat and the cashier refuses it; the Alipay trade is closed at Alipay', async () => {
    const { shopper, orderId } = await order();
    const wechat = await pay(shopper.userId, orderId, 'WECHAT');
    const alipay = await pay(shopper.userId, orderId, 'ALIPAY');
    // The shopper opened Alipay's cashier without paying: Alipay has the trade (WAIT_BUYER_PAY).
    expect(world.alipay.open(alipay.data.payOrder.alipayOrderString)).toBe(alipay.data.payOrder.payment.outTradeNo);
    const cancelledAt = Date.now();
    await cancelAsShopper(shopper.userId, orderId);
    await untilPayment(wechat.data.payOrder.payment.id, 'CLOSED');
    await untilPayment(alipay.data.payOrder.payment.id, 'CLOSED');
    console.info(`[trades.test] cancel → both trades closed at the providers in ${Date.now() - cancelledAt} ms`);
    expect(await payment(wechat.data.payOrder.payment.id)).toMatchObject({ close_reason: 'order cancelled: cancelled by the shopper' });
    expect(wechatCloses(wechat.data.payOrder.payment.outTradeNo)).toHaveLength(1);
    expect(world.alipay.requestsFor(alipay.data.payOrder.payment.outTradeNo).map((r) => r.method)).toContain('alipay.trade.close');
    expect(await cashier(wechat.data.payOrder.sandboxPayUrl)).toEqual({ status: 409, body: { code: 'FAIL', message: 'ORDER_CLOSED' } });
    expect(await cashier(alipay.data.payOrder.sandboxPayUrl)).toEqual({ status: 409, body: { code: 'FAIL', message: 'TRADE_CLOSED' } });
    const state = await stateOf(world, orderId);
    expect(state.order.status).toBe('CANCELLED');
    expect(state.refunds).toEqual([]);
    expect(state.events).toEqual([]);
  });

  it('the payment timeout (order.autoCancel’s cancellation) and order staff cancelling close the trade too', async () => {
    const { shopper, orderId } = await order();
    const wechat = await pay(shopper.userId, orderId, 'WECHAT');
    expect(await world.orderDb.transaction((trx: Knex.Transaction) => cancelUnpaid(trx, orderId))).toBe(true);
    await untilPayment(wechat.data.payOrder.payment.id, 'CLOSED');
    expect(await payment(wechat.data.payOrder.payment.id)).toMatchObject({ close_reason: 'order cancelled: payment timeout' });
    expect(await cashier(wechat.data.payOrder.sandboxPayUrl)).toMatchObject({ status: 409 });

    const other = await order();
    const alipay = await pay(other.shopper.userId, other.orderId, 'ALIPAY');
    world.alipay.open(alipay.data.payOrder.alipayOrderString);
    const byStaff = await gql(
      world.running.subgraphs.order!.url,
      'mutation($id: ID!) { cancelOrder(id: $id, reason: "out of stock") { status } }',
      { id: other.orderId },
      asIdentity({ userId: '1', scopes: ['order:write'] }, 'order'),
    );
    expect(byStaff.data.cancelOrder.status).toBe('CANCELLED');
    await untilPayment(alipay.data.payOrder.payment.id, 'CLOSED');
    expect(await payment(alipay.data.payOrder.payment.id)).toMatchObject({ close_reason: 'order cancelled: out of stock' });
    expect(await cashier(alipay.data.payOrder.sandboxPayUrl)).toEqual({ status: 409, body: { code: 'FAIL', message: 'TRADE_CLOSED' } });
  });

  it('paid at WeChat just before the cancel, notification lost: the close finds it paid, the money is recorded once, order refuses, refunded automatically', async () => {
    const { shopper, orderId } = await order({ total: 2100 });
    const wechat = await pay(shopper.userId, orderId, 'WECHAT');
    expect((await cashier(wechat.data.payOrder.sandboxPayUrl, '?deliver=false')).body).toMatchObject({ paid: true, delivered: false });
    await cancelAsShopper(shopper.userId, orderId);
    await untilRefunds(world, orderId, (rows) => rows.length === 1 && rows[0].status === 'SUCCEEDED');
    const state = await stateOf(world, orderId);
    expect(state.payments).toMatchObject([{ status: 'REFUNDED', refunded_amount: 2100 }]);
    expect(state.refunds).toMatchObject([{ source: 'AUTO', amount: 2100, refund_no: `AR${state.payments[0].id}` }]);
    expect(state.events.map((e: { type: string }) => e.type)).toEqual(['PaymentSucceeded', 'PaymentRefunded']);
    expect(await orderStatus(world, orderId)).toBe('CANCELLED');
  });
});

describe('reconciliation stops at final states', () => {
  it('never queries a trade once it succeeded, was closed by us, or was reported CLOSED by the provider', async () => {
    // Paid, notification delivered.
    const paid = await order();
    const paidAnswer = await pay(paid.shopper.userId, paid.orderId, 'WECHAT');
    expect((await cashier(paidAnswer.data.payOrder.sandboxPayUrl)).body).toMatchObject({ delivered: true });
    await untilOrder(world, paid.orderId, 'PAID');
    // Closed by us (the order was cancelled).
    const cancelled = await order();
    const cancelledAnswer = await pay(cancelled.shopper.userId, cancelled.orderId, 'WECHAT');
    await cancelAsShopper(cancelled.shopper.userId, cancelled.orderId);
    await untilPayment(cancelledAnswer.data.payOrder.payment.id, 'CLOSED');
    // Closed at WeChat by someone else (e.g. on the merchant platform): the first query sees CLOSED.
    const elsewhere = await order();
    const elsewhereAnswer = await pay(elsewhere.shopper.userId, elsewhere.orderId, 'WECHAT');
    const merchant = new WechatPayClient(world.wechat.merchant('https://api.mch.weixin.qq.com', 300), world.wechat.transport);
    expect(await merchant.close(elsewhereAnswer.data.payOrder.payment.outTradeNo)).toEqual({ closed: true });
    await untilPayment(elsewhereAnswer.data.payOrder.payment.id, 'CLOSED');
    expect(await payment(elsewhereAnswer.data.payOrder.payment.id)).toMatchObject({ close_reason: 'closed at the provider' });
    expect(wechatQueries(elsewhereAnswer.data.payOrder.payment.outTradeNo)).toHaveLength(1);

    const since = Date.now();
    // Several reconciliation intervals (1 s, then 2 s, 4 s …) later: not one more request about any of them.
    await sleep(4500);
    for (const answer of [paidAnswer, cancelledAnswer, elsewhereAnswer]) {
      expect({ trade: answer.data.payOrder.payment.outTradeNo, requests: world.wechat.requestsFor(answer.data.payOrder.payment.outTradeNo, since) }).toEqual({
        trade: answer.data.payOrder.payment.outTradeNo,
        requests: [],
      });
    }
    expect(wechatQueries(paidAnswer.data.payOrder.payment.outTradeNo)).toEqual([]);
    // Their reconciliation jobs ran and scheduled no further round.
    const ids = [paidAnswer, cancelledAnswer, elsewhereAnswer].map((a) => a.data.payOrder.payment.id);
    const open = await world.paymentDb('jobs').where({ kind: 'payment.reconcile' }).whereNull('done_at').whereNull('cancelled_at').whereRaw("split_part(key, ':', 1) = ANY(?)", [ids]);
    expect(open).toEqual([]);
  });

  it('an unpaid trade is asked with backoff until its deadline, then closed, then never again', async () => {
    const { shopper, orderId } = await order({ expiresAt: new Date(Date.now() + 5000) });
    const answer = await pay(shopper.userId, orderId, 'WECHAT');
    const outTradeNo = answer.data.payOrder.payment.outTradeNo;
    await untilPayment(answer.data.payOrder.payment.id, 'CLOSED');
    const closedAt = Date.now();
    // Queried at ~1 s (NOTPAY), next due at 1 + 2 s, then the deadline: close (204, no query needed).
    expect(wechatQueries(outTradeNo).length).toBeGreaterThanOrEqual(1);
    expect(wechatQueries(outTradeNo).length).toBeLessThanOrEqual(2);
    expect(wechatCloses(outTradeNo)).toHaveLength(1);
    await sleep(3000);
    expect(world.wechat.requestsFor(outTradeNo, closedAt)).toEqual([]);
  });
});

describe('amount mismatch', () => {
  const LIST = `query($first: Int) { flaggedPayments(first: $first) { id status amount providerAmount flagReason flaggedAt outTradeNo method } }`;

  it('a verified notification paying another amount: FLAGGED for staff, not credited, listed in flaggedPayments, never queried again, resolved by staff', async () => {
    const { shopper, orderId } = await order({ total: 3000 });
    const answer = await pay(shopper.userId, orderId, 'WECHAT');
    const { id, outTradeNo } = answer.data.payOrder.payment;
    const notification = world.wechat.notification({
      appid: world.wechat.appId,
      mchid: world.wechat.mchId,
      out_trade_no: outTradeNo,
      transaction_id: `4200${Date.now()}`,
      trade_state: 'SUCCESS',
      success_time: new Date().toISOString(),
      amount: { total: 1, payer_total: 1, currency: 'CNY' },
    });
    expect((await postNotify(world, 'wechat', notification.body, notification.headers)).status).toBe(204);
    const flagged = await payment(id);
    expect(flagged).toMatchObject({ status: 'FLAGGED', flag_reason: 'AMOUNT_MISMATCH', provider_amount: 1, amount: 3000 });
    const since = Date.now();
    // WeChat retries: acknowledged, nothing changes.
    expect((await postNotify(world, 'wechat', notification.body, notification.headers)).status).toBe(204);
    const state = await stateOf(world, orderId);
    expect(state.payments).toEqual([flagged]);
    expect(state.events).toEqual([]);
    expect(state.order.status).toBe('PENDING_PAYMENT');
    expect(await world.paymentDb('jobs').where({ kind: 'payment.settleOrder', key: id })).toEqual([]);

    const listed = await gql(world.paymentUrl, LIST, { first: 100 }, STAFF());
    expect(listed.errors).toBeUndefined();
    expect(listed.data.flaggedPayments).toContainEqual(
      expect.objectContaining({ id, status: 'FLAGGED', amount: 3000, providerAmount: 1, flagReason: 'AMOUNT_MISMATCH', outTradeNo, method: 'WECHAT' }),
    );
    expect(codes(await gql(world.paymentUrl, LIST, {}, asIdentity({ userId: shopper.userId }, 'payment')))).toEqual(['FORBIDDEN']);
    expect(codes(await gql(world.paymentUrl, LIST, { first: 0 }, STAFF()))).toEqual(['BAD_USER_INPUT']);
    await sleep(2500);
    expect(wechatQueries(outTradeNo, since)).toEqual([]);

    // Staff refund it in the merchant console, then record that: it stays FLAGGED, off the default list.
    const RESOLVE = `mutation($p: ID!, $n: String!) { resolveFlaggedPayment(paymentId: $p, note: $n) { id status flagResolution flagResolvedAt flagResolvedBy } }`;
    expect(codes(await gql(world.paymentUrl, RESOLVE, { p: id, n: 'x' }, asIdentity({ userId: shopper.userId }, 'payment')))).toEqual(['FORBIDDEN']);
    const resolved = await gql(world.paymentUrl, RESOLVE, { p: id, n: '已在商户平台退款 0.01 元' }, STAFF('7'));
    expect(resolved.data.resolveFlaggedPayment).toMatchObject({ id, status: 'FLAGGED', flagResolution: '已在商户平台退款 0.01 元', flagResolvedBy: 'staff:7' });
    const again = await gql(world.paymentUrl, RESOLVE, { p: id, n: 'another note' }, STAFF('8'));
    expect(again.data.resolveFlaggedPayment).toEqual(resolved.data.resolveFlaggedPayment);
    expect((await gql(world.paymentUrl, LIST, { first: 100 }, STAFF())).data.flaggedPayments.map((p: { id: string }) => p.id)).not.toContain(id);
    const all = await gql(world.paymentUrl, `{ flaggedPayments(first: 100, includeResolved: true) { id } }`, {}, STAFF());
    expect(all.data.flaggedPayments.map((p: { id: string }) => p.id)).toContain(id);
    const notFlagged = await order();
    const open = await pay(notFlagged.shopper.userId, notFlagged.orderId, 'WECHAT');
    expect(codes(await gql(world.paymentUrl, RESOLVE, { p: open.data.payOrder.payment.id, n: 'x' }, STAFF()))).toEqual(['NOT_FOUND']);
  });

  it('a query answering paid with another amount (notification lost) flags it the same way', async () => {
    const { shopper, orderId } = await order({ total: 1999 });
    const answer = await pay(shopper.userId, orderId, 'ALIPAY');
    const { id, outTradeNo } = answer.data.payOrder.payment;
    // Alipay took 1.00 for this trade (an order string for the same out_trade_no with another amount); its
    // notification never arrives: reconciliation's alipay.trade.query finds the trade paid with 100 fen.
    const client = new AlipayClient(world.alipay.app('https://openapi.alipay.com/gateway.do'), world.alipay.transport);
    const other = client.appPayOrderString({ outTradeNo, total: 100, subject: 't', notifyUrl: 'https://example.com/notify/alipay', timeExpire: new Date(Date.now() + 60_000) });
    expect(world.alipay.pay(other)).not.toBeNull();
    await untilPayment(id, 'FLAGGED');
    expect(await payment(id)).toMatchObject({ flag_reason: 'AMOUNT_MISMATCH', provider_amount: 100, amount: 1999 });
    expect(await orderStatus(world, orderId)).toBe('PENDING_PAYMENT');
    expect((await stateOf(world, orderId)).events).toEqual([]);
  });

  it('Alipay too', async () => {
    const { shopper, orderId } = await order({ total: 1999 });
    const answer = await pay(shopper.userId, orderId, 'ALIPAY');
    const { id, outTradeNo } = answer.data.payOrder.payment;
    const params = world.alipay.notification(outTradeNo, `2026${Date.now()}`, 999);
    const posted = await postNotify(world, 'alipay', new URLSearchParams(params).toString(), { 'content-type': 'application/x-www-form-urlencoded' });
    expect(posted.text).toBe('success');
    expect(await payment(id)).toMatchObject({ status: 'FLAGGED', provider_amount: 999 });
    expect(await orderStatus(world, orderId)).toBe('PENDING_PAYMENT');
  });
});

describe('WeChat refund notifications', () => {
  const REFUND = `mutation($o: ID!, $a: Int!, $n: String) { refundOrder(orderId: $o, amount: $a, reason: "缺货", refundNo: $n) { refundNo status } }`;

  async function paidOrder(total: number) {
    const { shopper, orderId } = await order({ total });
    const answer = await pay(shopper.userId, orderId, 'WECHAT');
    expect((await cashier(answer.data.payOrder.sandboxPayUrl)).body).toMatchObject({ delivered: true });
    await untilOrder(world, orderId, 'PAID');
    return { shopper, orderId, outTradeNo: answer.data.payOrder.payment.outTradeNo as string, paymentId: answer.data.payOrder.payment.id as string };
  }

  it('its notification lost: the refund query (GET /v3/refund/domestic/refunds/{no}) finds it SUCCESS and finishes it', async () => {
    const { orderId, outTradeNo } = await paidOrder(3300);
    // Whichever process's sandbox takes the refund: PROCESSING for half a second, then SUCCESS with no notification.
    world.wechat.scenario(outTradeNo, { refundDelayMs: 500, refundNotifications: false });
    expect((await gql(world.paymentUrl, REFUND, { o: orderId, a: 3300, n: `RQ${orderId}` }, STAFF())).errors).toBeUndefined();
    // The refund job (any payment instance sharing this database: test files run side by side, each with its own
    // PAYMENT_RECONCILE_AFTER_SECONDS) schedules the query; bring it forward, as if that interval had passed.
    await waitFor(async () => !!(await world.paymentDb('jobs').where({ kind: 'payment.refundQuery', key: `RQ${orderId}` }).first()));
    await sleep(600);
    await world.paymentDb('jobs').where({ kind: 'payment.refundQuery' }).where('key', 'like', `RQ${orderId}%`).whereNull('done_at').update({ run_at: new Date() });
    await untilOrder(world, orderId, 'REFUNDED');
    const queries = world.wechat.requestsFor(`RQ${orderId}`).filter((r) => r.method === 'GET');
    expect(queries.length).toBeGreaterThanOrEqual(1);
    expect(await world.paymentDb('refunds').where({ refund_no: `RQ${orderId}` }).first()).toMatchObject({ status: 'SUCCEEDED' });
    expect((await stateOf(world, orderId)).events.map((e: { type: string }) => e.type)).toEqual(['PaymentSucceeded', 'PaymentRefunded']);
  });

  it('WeChat answers PROCESSING; its REFUND.SUCCESS notification completes the refund once (a duplicate is ignored)', async () => {
    const { orderId, paymentId, outTradeNo } = await paidOrder(4000);
    const refunded = await gql(world.paymentUrl, REFUND, { o: orderId, a: 4000, n: `RN${orderId}` }, STAFF());
    expect(refunded.errors).toBeUndefined();
    await untilOrder(world, orderId, 'REFUNDED');
    const refund = await world.paymentDb('refunds').where({ refund_no: `RN${orderId}` }).first();
    expect(refund).toMatchObject({ status: 'SUCCEEDED', amount: 4000 });
    // The refund call answered PROCESSING (so the refund query was scheduled), yet no refund query reached WeChat
    // before the refund was done: the notification did it.
    expect(await world.paymentDb('jobs').where({ kind: 'payment.refundQuery', key: `RN${orderId}` }).first()).toBeTruthy();
    const queries = world.wechat.requestsFor(`RN${orderId}`).filter((r) => r.method === 'GET');
    expect(queries.filter((r) => r.at <= refund.completed_at.getTime())).toEqual([]);
    expect(refund.provider_refund_id).toMatch(/^50/);
    const before = await stateOf(world, orderId);
    expect(before.payments).toMatchObject([{ id: paymentId, status: 'REFUNDED', refunded_amount: 4000 }]);
    expect(before.events.map((e: { type: string }) => e.type)).toEqual(['PaymentSucceeded', 'PaymentRefunded']);
    // WeChat notifies it again (fresh ids, nonces and signatures; three at once): acknowledged, nothing more.
    const again = await Promise.all(
      [1, 2, 3].map(() => {
        const notification = world.wechat.refundNotification({
          mchid: world.wechat.mchId,
          out_trade_no: outTradeNo,
          out_refund_no: `RN${orderId}`,
          refund_id: refund.provider_refund_id,
          refund_status: 'SUCCESS',
          amount: { total: 4000, refund: 4000, payer_total: 4000, payer_refund: 4000 },
        });
        return postNotify(world, 'wechat', notification.body, notification.headers);
      }),
    );
    expect(again.map((a) => a.status)).toEqual([204, 204, 204]);
    expect(await stateOf(world, orderId)).toEqual(before);
  });

  it('refused with nothing changed: bad signature, tampered body, another refund amount, an unknown refund; REFUND.ABNORMAL fails it', async () => {
    const { orderId, outTradeNo } = await paidOrder(2500);
    world.wechat.scenario(outTradeNo, { refundDelayMs: 3_600_000 }); // the bank is still processing: it stays PENDING
    expect((await gql(world.paymentUrl, REFUND, { o: orderId, a: 2500, n: `RA${orderId}` }, STAFF())).errors).toBeUndefined();
    await waitFor(async () => !!(await world.paymentDb('jobs').where({ kind: 'payment.refundQuery', key: `RA${orderId}` }).first()));
    const notice = (overrides: Record<string, unknown> = {}) => ({
      mchid: world.wechat.mchId,
      out_trade_no: outTradeNo,
      out_refund_no: `RA${orderId}`,
      refund_id: `50${Date.now()}`,
      refund_status: 'SUCCESS' as const,
      amount: { total: 2500, refund: 2500, payer_total: 2500, payer_refund: 2500 },
      ...overrides,
    });
    const before = await stateOf(world, orderId);
    expect(before.refunds).toMatchObject([{ status: 'PENDING' }]);

    const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
    const forged = world.wechat.refundNotification(notice(), { signWith: privateKey });
    expect(await postNotify(world, 'wechat', forged.body, forged.headers)).toEqual({ status: 401, text: JSON.stringify({ code: 'FAIL', message: 'BAD_SIGNATURE' }) });
    const genuine = world.wechat.refundNotification(notice());
    expect((await postNotify(world, 'wechat', genuine.body.replace('REFUND.SUCCESS', 'REFUND.SUCCESS '), genuine.headers)).status).toBe(401);
    const stale = world.wechat.refundNotification(notice(), { now: Date.now() - 301_000 });
    expect(JSON.parse((await postNotify(world, 'wechat', stale.body, stale.headers)).text)).toEqual({ code: 'FAIL', message: 'STALE_TIMESTAMP' });
    const otherKey = world.wechat.refundNotification(notice(), { apiV3Key: 'y'.repeat(32) });
    expect(JSON.parse((await postNotify(world, 'wechat', otherKey.body, otherKey.headers)).text)).toEqual({ code: 'FAIL', message: 'DECRYPT_FAILED' });
    const otherMerchant = world.wechat.refundNotification(notice({ mchid: '1999999999' }));
    expect(JSON.parse((await postNotify(world, 'wechat', otherMerchant.body, otherMerchant.headers)).text)).toEqual({ code: 'FAIL', message: 'WRONG_MERCHANT' });
    const amount = world.wechat.refundNotification(notice({ amount: { total: 2500, refund: 2400 } }));
    expect(await postNotify(world, 'wechat', amount.body, amount.headers)).toEqual({ status: 400, text: JSON.stringify({ code: 'FAIL', message: 'AMOUNT_MISMATCH' }) });
    const unknown = world.wechat.refundNotification(notice({ out_refund_no: 'NOSUCHREFUND' }));
    expect(await postNotify(world, 'wechat', unknown.body, unknown.headers)).toEqual({ status: 404, text: JSON.stringify({ code: 'FAIL', message: 'UNKNOWN_REFUND' }) });
    const otherTrade = world.wechat.refundNotification(notice({ out_trade_no: 'W0000000000000000' }));
    expect((await postNotify(world, 'wechat', otherTrade.body, otherTrade.headers)).status).toBe(404);
    // Resigned by the platform but with a body another event type claims: the refund status must agree with it.
    const mismatched = world.wechat.refundNotification(notice({ refund_status: 'SUCCESS' }), { eventType: 'REFUND.CLOSED' });
    expect((await postNotify(world, 'wechat', mismatched.body, mismatched.headers)).status).toBe(400);
    expect(await stateOf(world, orderId)).toEqual(before);

    const abnormal = world.wechat.refundNotification(notice({ refund_status: 'ABNORMAL' }));
    expect((await postNotify(world, 'wechat', abnormal.body, abnormal.headers)).status).toBe(204);
    expect(await world.paymentDb('refunds').where({ refund_no: `RA${orderId}` }).first()).toMatchObject({ status: 'FAILED' });
    expect((await payment((await stateOf(world, orderId)).payments[0].id)).refunded_amount).toBe(0);
    // A SUCCESS arriving after it ended changes nothing either.
    const late = world.wechat.refundNotification(notice());
    expect((await postNotify(world, 'wechat', late.body, late.headers)).status).toBe(204);
    expect(await world.paymentDb('refunds').where({ refund_no: `RA${orderId}` }).first()).toMatchObject({ status: 'FAILED' });
  });
});
