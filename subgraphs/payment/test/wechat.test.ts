/**
 * WeChat Pay v3 through the sandbox: payOrder's signed client parameters, the notify endpoint's checks (each
 * refusal changes nothing), duplicates and late notifications (paid once, or refunded automatically).
 */
import crypto from 'node:crypto';
import { asIdentity, codes, gql } from '../../../test/support/harness';
import { rsaVerify, signedMessage, signPlatformMessage, SIGNTEST_PREFIX, type WechatTransaction } from '../providers/wechat-protocol';
import {
  newOrder,
  newShopper,
  orderStatus,
  payOrder,
  postNotify,
  prepayOf,
  paymentWorldForFile,
  stateOf,
  untilOrder,
  untilRefunds,
  waitFor,
  type PaymentWorld,
} from './support';

let world: PaymentWorld;
paymentWorldForFile((started) => (world = started));

/** An order with an open WeChat payment; returns what a notification for it needs. */
async function openWechatPayment(total = 1000) {
  const shopper = await newShopper(world);
  const orderId = await newOrder(world, { userId: shopper.userId, items: [{ skuId: '1', productId: '1', title: 'T', skuName: 'v', unitPrice: total, quantity: 1 }] });
  const paid = await payOrder(world, shopper.userId, orderId, 'WECHAT');
  expect(paid.errors).toBeUndefined();
  return { shopper, orderId, response: paid, payment: paid.data.payOrder.payment, prepayId: prepayOf(paid) };
}

function transactionFor(payment: { outTradeNo: string; amount: number }, overrides: Partial<WechatTransaction> = {}): WechatTransaction {
  return {
    appid: world.wechat.appId,
    mchid: world.wechat.mchId,
    out_trade_no: payment.outTradeNo,
    transaction_id: `4200${Date.now()}`,
    trade_type: 'JSAPI',
    trade_state: 'SUCCESS',
    success_time: new Date().toISOString(),
    payer: { openid: 'o-test' },
    amount: { total: payment.amount, payer_total: payment.amount, currency: 'CNY', payer_currency: 'CNY' },
    ...overrides,
  };
}

describe('payOrder (WECHAT, sandbox)', () => {
  it('answers wx.requestPayment parameters signed with the merchant key, for the order total; a retry reuses the payment', async () => {
    const { response, payment, orderId, shopper } = await openWechatPayment(2345);
    expect(payment).toMatchObject({ amount: 2345, method: 'WECHAT', status: 'PENDING' });
    const params = response.data.payOrder.wechat;
    expect(params).toMatchObject({ appId: world.wechat.appId, signType: 'RSA' });
    expect(params.package).toMatch(/^prepay_id=wx/);
    const merchantPublic = crypto.createPublicKey(world.wechat.merchant('', 300).merchantPrivateKey).export({ type: 'spki', format: 'pem' }).toString();
    expect(rsaVerify(signedMessage(params.appId, params.timeStamp, params.nonceStr, params.package), params.paySign, merchantPublic)).toBe(true);
    expect(response.data.payOrder.sandboxPayUrl).toContain(`/notify/sandbox/wechat/${prepayOf(response)}`);

    const again = await payOrder(world, shopper.userId, orderId, 'WECHAT');
    expect(again.data.payOrder.payment.id).toBe(payment.id);
    expect(again.data.payOrder.wechat.package).toBe(params.package);
    expect(await world.paymentDb('payments').where({ order_id: orderId }).count<{ count: string }[]>({ count: '*' })).toEqual([{ count: '1' }]);
  });

  it('refuses orders that are not the caller’s (NOT_FOUND) or not waiting for payment (CONFLICT)', async () => {
    const owner = await newShopper(world);
    const stranger = await newShopper(world);
    const pending = await newOrder(world, { userId: owner.userId });
    expect(codes(await payOrder(world, stranger.userId, pending, 'WECHAT'))).toEqual(['NOT_FOUND']);
    const shipped = await newOrder(world, { userId: owner.userId, status: 'SHIPPED' });
    const conflict = await payOrder(world, owner.userId, shipped, 'WECHAT');
    expect(codes(conflict)).toEqual(['CONFLICT']);
    expect(conflict.errors![0].extensions).toMatchObject({ currentStatus: 'SHIPPED' });
    expect(codes(await gql(world.paymentUrl, 'mutation { payOrder(orderId: "1", method: WECHAT) { payment { id } } }', {}, asIdentity({}, 'payment')))).toEqual([
      'UNAUTHENTICATED',
    ]);
  });
});

describe('POST /notify/wechat', () => {
  it('sandbox pay → signed notification → the order is PAID once, with one PaymentSucceeded event', async () => {
    const { orderId, response } = await openWechatPayment();
    const url = new URL(response.data.payOrder.sandboxPayUrl);
    const paid = await fetch(`${world.paymentOrigin}${url.pathname}`, { method: 'POST' });
    expect(await paid.json()).toMatchObject({ paid: true, delivered: true, notifyStatus: 204 });
    await untilOrder(world, orderId, 'PAID');
    const state = await stateOf(world, orderId);
    expect(state.payments).toMatchObject([{ status: 'SUCCEEDED' }]);
    expect(state.events.map((e: { type: string }) => e.type)).toEqual(['PaymentSucceeded']);
    expect(state.history.filter((h: { to_status: string }) => h.to_status === 'PAID')).toHaveLength(1);
  });

  it('the same notification 10 times, concurrently: every one acknowledged, paid once', async () => {
    const { orderId, prepayId } = await openWechatPayment();
    const notification = world.wechat.pay(prepayId)!;
    const answers = await Promise.all(Array.from({ length: 10 }, () => postNotify(world, 'wechat', notification.body, notification.headers)));
    expect(answers.map((a) => a.status)).toEqual(Array(10).fill(204));
    await untilOrder(world, orderId, 'PAID');
    // Ten fresh notifications (new ids, nonces, signatures) for the same transaction: still once.
    const more = await Promise.all(Array.from({ length: 10 }, () => world.wechat.pay(prepayId)!).map((n) => postNotify(world, 'wechat', n.body, n.headers)));
    expect(more.map((a) => a.status)).toEqual(Array(10).fill(204));
    const state = await stateOf(world, orderId);
    expect(state.events).toHaveLength(1);
    expect(state.history.filter((h: { to_status: string }) => h.to_status === 'PAID')).toHaveLength(1);
    expect(await world.paymentDb('jobs').where({ kind: 'payment.settleOrder', key: state.payments[0].id })).toHaveLength(1);
  });

  describe('refuses, changing nothing', () => {
    const cases: [string, (p: { outTradeNo: string; amount: number }) => { body: string; headers: Record<string, string> }, number, string][] = [
      ['a forged signature (another key)', (p) => {
        const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
        return world.wechat.notification(transactionFor(p), { signWith: privateKey });
      }, 401, 'BAD_SIGNATURE'],
      ['a stale timestamp (301 s old)', (p) => world.wechat.notification(transactionFor(p), { now: Date.now() - 301_000 }), 401, 'STALE_TIMESTAMP'],
      ['a timestamp from the future (301 s)', (p) => world.wechat.notification(transactionFor(p), { now: Date.now() + 301_000 }), 401, 'STALE_TIMESTAMP'],
      ['a WECHATPAY/SIGNTEST/ probe', (p) => {
        const n = world.wechat.notification(transactionFor(p));
        return { body: n.body, headers: { ...n.headers, 'wechatpay-signature': `${SIGNTEST_PREFIX}${n.headers['wechatpay-signature']}` } };
      }, 401, 'SIGNTEST'],
      ['an unknown platform serial', (p) => world.wechat.notification(transactionFor(p), { serial: 'DEADBEEF' }), 401, 'UNKNOWN_SERIAL'],
      ['a body changed after signing', (p) => {
        const n = world.wechat.notification(transactionFor(p));
        return { body: n.body.replace('TRANSACTION.SUCCESS', 'TRANSACTION.SUCCESS '), headers: n.headers };
      }, 401, 'BAD_SIGNATURE'],
      ['missing Wechatpay-* headers', (p) => {
        const n = world.wechat.notification(transactionFor(p));
        const { 'wechatpay-nonce': _nonce, ...headers } = n.headers;
        return { body: n.body, headers };
      }, 401, 'MISSING_HEADERS'],
      ['a tampered ciphertext (correctly signed)', (p) => {
        const original = JSON.parse(world.wechat.notification(transactionFor(p)).body);
        const bytes = Buffer.from(original.resource.ciphertext, 'base64');
        bytes[5] ^= 0xff;
        original.resource.ciphertext = bytes.toString('base64');
        return resign(JSON.stringify(original));
      }, 400, 'DECRYPT_FAILED'],
      ['a resource encrypted with another APIv3 key', (p) => world.wechat.notification(transactionFor(p), { apiV3Key: 'x'.repeat(32) }), 400, 'DECRYPT_FAILED'],
      ['a wrong app id', (p) => world.wechat.notification(transactionFor(p, { appid: 'wx0000000000other' })), 400, 'WRONG_MERCHANT'],
      ['a wrong merchant id', (p) => world.wechat.notification(transactionFor(p, { mchid: '1999999999' })), 400, 'WRONG_MERCHANT'],
      ['an unknown out_trade_no', (p) => world.wechat.notification(transactionFor({ ...p, outTradeNo: 'W0000000000000000' })), 404, 'UNKNOWN_ORDER'],
    ];

    /** The body as the platform would sign it (only the platform key can). */
    function resign(body: string) {
      return { body, headers: { ...signPlatformMessage(body, world.wechat.platformSerial, world.wechat.platformPrivateKey), 'content-type': 'application/json' } };
    }

    it.each(cases)('%s', async (_name, build, status, message) => {
      const { orderId, payment } = await openWechatPayment();
      const before = await stateOf(world, orderId);
      const { body, headers } = build(payment);
      const answer = await postNotify(world, 'wechat', body, headers);
      expect(answer.status).toBe(status);
      expect(JSON.parse(answer.text)).toEqual({ code: 'FAIL', message });
      expect(await stateOf(world, orderId)).toEqual(before);
      expect(before.payments).toMatchObject([{ status: 'PENDING' }]);
    });
  });

  it('paid at WeChat just before the order was cancelled: the late notification is acknowledged and refunded automatically; the order stays CANCELLED', async () => {
    const { orderId, prepayId, shopper } = await openWechatPayment(1500);
    // The shopper pays; WeChat's notification is still on its way when the order is cancelled (its trade close then
    // finds the trade paid: either path records the money once, and order refuses it).
    const notification = world.wechat.pay(prepayId)!;
    const cancelled = await gql(
      world.running.subgraphs.order!.url,
      'mutation($id: ID!) { cancelOrder(id: $id) { status } }',
      { id: orderId },
      asIdentity({ userId: shopper.userId }, 'order'),
    );
    expect(cancelled.data.cancelOrder.status).toBe('CANCELLED');
    expect((await postNotify(world, 'wechat', notification.body, notification.headers)).status).toBe(204);
    await untilRefunds(world, orderId, (rows) => rows.length === 1 && rows[0].status === 'SUCCEEDED');
    const state = await stateOf(world, orderId);
    expect(state.refunds).toMatchObject([{ source: 'AUTO', amount: 1500, refund_no: `AR${state.payments[0].id}` }]);
    expect(state.payments).toMatchObject([{ status: 'REFUNDED', refunded_amount: 1500 }]);
    expect(state.events.map((e: { type: string }) => e.type)).toEqual(['PaymentSucceeded', 'PaymentRefunded']);
    expect(await orderStatus(world, orderId)).toBe('CANCELLED');
    // The notification again (WeChat retries): nothing more.
    expect((await postNotify(world, 'wechat', notification.body, notification.headers)).status).toBe(204);
    await waitFor(async () => (await world.paymentDb('jobs').where({ kind: 'payment.settleOrder' }).whereNull('done_at').whereNull('cancelled_at')).length === 0);
    expect((await stateOf(world, orderId)).refunds).toHaveLength(1);
  });

  it('out of order: two channels paid for one order, notifications in reverse order → paid once, the other refunded', async () => {
    const shopper = await newShopper(world);
    const orderId = await newOrder(world, { userId: shopper.userId });
    const wechat = await payOrder(world, shopper.userId, orderId, 'WECHAT');
    const alipay = await payOrder(world, shopper.userId, orderId, 'ALIPAY');
    expect(alipay.errors).toBeUndefined();
    const wechatNotification = world.wechat.pay(prepayOf(wechat))!;
    const alipayPaid = world.alipay.pay(alipay.data.payOrder.alipayOrderString)!;
    // Alipay's notification arrives first, WeChat's after it.
    expect((await postNotify(world, 'alipay', alipayPaid.body, { 'content-type': 'application/x-www-form-urlencoded' })).text).toBe('success');
    await untilOrder(world, orderId, 'PAID');
    expect((await postNotify(world, 'wechat', wechatNotification.body, wechatNotification.headers)).status).toBe(204);
    await untilRefunds(world, orderId, (rows) => rows.length === 1 && rows[0].status === 'SUCCEEDED');
    const state = await stateOf(world, orderId);
    const byMethod = Object.fromEntries(state.payments.map((p: { id: string; method: string }) => [p.method, p]));
    expect(state.order.payment_id).toBe(byMethod.ALIPAY.id);
    expect(byMethod.WECHAT).toMatchObject({ status: 'REFUNDED' });
    expect(state.history.filter((h: { to_status: string }) => h.to_status === 'PAID')).toHaveLength(1);
  });
});
