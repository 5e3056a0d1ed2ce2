/**
 * Issue 15 finding 1, the forgotten NODE_ENV: a deployment outside production whose HOST is not loopback, without
 * PAYMENT_SANDBOX / WECHAT_DEV_LOGIN and without merchant keys. Before, the sandbox cashier was mounted and forwarded
 * by the router (free orders) and any WeChat code signed in. Now: WECHAT and ALIPAY are unavailable (paymentMethods
 * says so, payOrder refuses with reason PAYMENT_METHOD_UNAVAILABLE), the wallet still pays, no sandbox route exists on
 * payment nor is one forwarded by the router (which decides from its own config), and WeChat sign-in is refused
 * (FORBIDDEN, WECHAT_LOGIN_NOT_CONFIGURED) with nobody created.
 */
import { asIdentity, codes, gql, uniquePhone } from '../../../test/support/harness';
import type { RunningSupergraph } from '../../../app/launcher';
import { startSupergraph } from '../../../test/support/harness';
import { placeTestOrder } from '../../order/test/fixtures';
import { paymentTestConfig } from './support';

// Loaded as the non-loopback deployment would load it; the servers of the test then listen on loopback anyway.
const loaded = paymentTestConfig({
  HOST: '0.0.0.0',
  JWT_SECRET: 'modes-test-jwt-secret-0123456789',
  INTERNAL_SECRET: 'modes-test-internal-secret-0123456789',
  WECHAT_APPID: '',
  WECHAT_SECRET: '',
  PAYMENT_SANDBOX: '',
  WECHAT_DEV_LOGIN: '',
});
const config = { ...loaded, host: '127.0.0.1' };

let running: RunningSupergraph;
beforeAll(async () => {
  running = await startSupergraph({ subgraphs: ['user', 'order', 'payment'], router: true, config });
});
afterAll(async () => {
  await running?.stop();
});

const as = (userId: string) => asIdentity({ userId }, 'payment', config);

it('loads with both stand-ins off', () => {
  expect(loaded.payment.sandbox).toBe(false);
  expect(loaded.wechat.devLogin).toBe(false);
});

it('WECHAT and ALIPAY are unavailable and say why; payOrder refuses them clearly; the wallet pays', async () => {
  const userId = String(900_000_000 + Math.floor(Math.random() * 1_000_000));
  const orderId = await placeTestOrder(running.subgraphs.order!.db, { userId, items: [{ skuId: '1', productId: '1', title: 'T', skuName: 'v', unitPrice: 1000, quantity: 1 }] });
  const payment = running.subgraphs.payment!.url;
  const methods = await gql(payment, `query($o: ID!) { paymentMethods(orderId: $o) { type available unavailableReason sandbox } }`, { o: orderId }, as(userId));
  expect(methods.data.paymentMethods).toEqual([
    { type: 'WECHAT', available: false, unavailableReason: 'WeChat Pay is not configured on this server', sandbox: false },
    { type: 'ALIPAY', available: false, unavailableReason: 'Alipay is not configured on this server', sandbox: false },
    { type: 'BALANCE', available: false, unavailableReason: 'Insufficient wallet balance', sandbox: false },
    { type: 'FAMILY_BALANCE', available: false, unavailableReason: 'Choose a family to pay from (familyId)', sandbox: false },
  ]);
  const PAY = `mutation($o: ID!, $m: PaymentMethodType!) { payOrder(orderId: $o, method: $m) { sandboxPayUrl payment { status } } }`;
  for (const method of ['WECHAT', 'ALIPAY']) {
    const answer = await gql(payment, PAY, { o: orderId, m: method }, as(userId));
    expect(codes(answer)).toEqual(['BAD_USER_INPUT']);
    expect(answer.errors![0].extensions).toMatchObject({ field: 'method', reason: 'PAYMENT_METHOD_UNAVAILABLE' });
    expect(answer.errors![0].message).toMatch(/not configured on this server: .* needs its merchant keys \(the payment sandbox is off\)/);
  }
  const staff = asIdentity({ userId: '1', scopes: ['payment:refund'] }, 'payment', config);
  const credited = await gql(payment, `mutation($u: ID!) { creditWallet(userId: $u, amount: 1000, note: "top up", idempotencyKey: "modes-${userId}") { balanceAfter } }`, { u: userId }, staff);
  expect(credited.errors).toBeUndefined();
  const paid = await gql(payment, PAY, { o: orderId, m: 'BALANCE' }, as(userId));
  expect(paid.errors).toBeUndefined();
  expect(paid.data.payOrder).toEqual({ sandboxPayUrl: null, payment: { status: 'SUCCEEDED' } });
});

it('no sandbox cashier on payment, none forwarded by the router; the real notification paths still are', async () => {
  const paymentOrigin = new URL(running.subgraphs.payment!.url).origin;
  const routerOrigin = new URL(running.routerUrl!).origin;
  for (const path of ['/notify/sandbox/wechat/wx1234567890', '/notify/sandbox/alipay?app_id=1&sign=x']) {
    const direct = await fetch(`${paymentOrigin}${path}`, { method: 'POST' });
    expect(direct.status).toBe(404);
    const routed = await fetch(`${routerOrigin}${path}`, { method: 'POST' });
    expect(routed.status).toBe(404);
    // The router's own unknown-route answer: the request never went to payment.
    expect(await routed.json()).toEqual({ errors: [{ message: `Nothing at POST ${path.split('?')[0]}`, extensions: { code: 'NOT_FOUND' } }] });
  }
  // /notify/wechat is forwarded; payment answers that WeChat Pay is not configured.
  const wechat = await fetch(`${routerOrigin}/notify/wechat`, { method: 'POST', body: '{}' });
  expect(wechat.status).toBe(404);
  expect(await wechat.json()).toEqual({ code: 'FAIL', message: 'WeChat Pay is not configured' });
});

it('loginWithWechat is refused clearly (FORBIDDEN, WECHAT_LOGIN_NOT_CONFIGURED), not signed in by a stand-in', async () => {
  const user = running.subgraphs.user!.url;
  const answer = await gql(user, 'mutation($c: String!) { loginWithWechat(code: $c) { accessToken } }', { c: `code-${Date.now()}` }, asIdentity({}, 'user', config));
  expect(codes(answer)).toEqual(['FORBIDDEN']);
  expect(answer.errors![0].extensions).toMatchObject({ reason: 'WECHAT_LOGIN_NOT_CONFIGURED' });
  expect(answer.errors![0].message).toMatch(/WeChat sign-in is not available on this server/);
  // Password sign-up is untouched.
  const registered = await gql(user, 'mutation($i: RegisterInput!) { register(input: $i) { accessToken } }', { i: { phone: uniquePhone(), password: 'modes123', nickname: 'm' } }, asIdentity({}, 'user', config));
  expect(registered.errors).toBeUndefined();
});
