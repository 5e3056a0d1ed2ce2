/** Alipay asynchronous notifications: RSA2 (SHA-256 pinned), app id and amount checked, `success` once. */
import crypto from 'node:crypto';
import { fenOf, yuan } from '../providers/alipay';
import {
  newOrder,
  newShopper,
  payOrder,
  postNotify,
  paymentWorldForFile,
  stateOf,
  untilOrder,
  type PaymentWorld,
} from './support';

let world: PaymentWorld;
paymentWorldForFile((started) => (world = started));

const FORM = { 'content-type': 'application/x-www-form-urlencoded;charset=utf-8' };
const form = (params: Record<string, string>) => new URLSearchParams(params).toString();

async function openAlipayPayment(total = 1999) {
  const shopper = await newShopper(world);
  const orderId = await newOrder(world, { userId: shopper.userId, items: [{ skuId: '1', productId: '1', title: 'T', skuName: 'v', unitPrice: total, quantity: 1 }] });
  const paid = await payOrder(world, shopper.userId, orderId, 'ALIPAY');
  expect(paid.errors).toBeUndefined();
  return { orderId, payment: paid.data.payOrder.payment, orderString: paid.data.payOrder.alipayOrderString as string, sandboxPayUrl: paid.data.payOrder.sandboxPayUrl as string };
}

it('yuan strings', () => {
  expect(yuan(1999)).toBe('19.99');
  expect(yuan(5)).toBe('0.05');
  expect(fenOf('19.9')).toBe(1990);
  expect(fenOf('1e3')).toBeNull();
});

it('payOrder answers a signed order string for the total; sandbox pay → notification → success → PAID once, duplicates acknowledged', async () => {
  const { orderId, orderString, sandboxPayUrl } = await openAlipayPayment(1999);
  const params = new URLSearchParams(orderString);
  expect(params.get('sign_type')).toBe('RSA2');
  expect(JSON.parse(params.get('biz_content')!)).toMatchObject({ total_amount: '19.99', product_code: 'QUICK_MSECURITY_PAY' });
  const url = new URL(sandboxPayUrl);
  const paid = await fetch(`${world.paymentOrigin}${url.pathname}${url.search}`, { method: 'POST' });
  expect(await paid.json()).toMatchObject({ paid: true, delivered: true, notifyStatus: 200 });
  await untilOrder(world, orderId, 'PAID');
  const again = world.alipay.pay(orderString)!;
  const answers = await Promise.all(Array.from({ length: 5 }, () => postNotify(world, 'alipay', again.body, FORM)));
  expect(answers.map((a) => a.text)).toEqual(Array(5).fill('success'));
  const state = await stateOf(world, orderId);
  expect(state.events).toHaveLength(1);
  expect(state.history.filter((h: { to_status: string }) => h.to_status === 'PAID')).toHaveLength(1);
});

describe('refuses, changing nothing', () => {
  const otherKey = () => crypto.generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } }).privateKey;
  const cases: [string, (p: { outTradeNo: string; amount: number }) => Record<string, string>][] = [
    ['sign_type=RSA (SHA-1), even correctly signed with Alipay’s key', (p) => world.alipay.notification(p.outTradeNo, 'T1', p.amount, { sign_type: 'RSA' })],
    ['sign_type=RSA with an RSA2 signature', (p) => ({ ...world.alipay.notification(p.outTradeNo, 'T1', p.amount), sign_type: 'RSA' })],
    ['a forged signature', (p) => world.alipay.notification(p.outTradeNo, 'T1', p.amount, {}, otherKey())],
    ['a field changed after signing', (p) => ({ ...world.alipay.notification(p.outTradeNo, 'T1', p.amount), buyer_id: '2088000000000000' })],
    ['a wrong app id', (p) => world.alipay.notification(p.outTradeNo, 'T1', p.amount, { app_id: '2021999999999999' })],
    ['no signature', (p) => {
      const { sign: _sign, ...rest } = world.alipay.notification(p.outTradeNo, 'T1', p.amount);
      return rest;
    }],
  ];
  it.each(cases)('%s', async (_name, build) => {
    const { orderId, payment } = await openAlipayPayment();
    const before = await stateOf(world, orderId);
    const answer = await postNotify(world, 'alipay', form(build(payment)), FORM);
    expect(answer.status).toBeGreaterThanOrEqual(400);
    expect(answer.text).toBe('fail');
    expect(await stateOf(world, orderId)).toEqual(before);
  });
});
