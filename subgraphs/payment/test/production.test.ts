/** NODE_ENV=production without merchant keys: no sandbox — WECHAT/ALIPAY refused with a clear error, sandbox routes absent. */
import { loadConfig } from '../../../platform/config';
import { asIdentity, codes, gql, startSupergraph } from '../../../test/support/harness';
import type { RunningSupergraph } from '../../../app/launcher';
import { placeTestOrder, registerUser } from '../../order/test/fixtures';
import { createProviders } from '../providers';
import { SERVICE_KEYS } from '../../../test/support/processes';

const config = loadConfig({
  ...process.env,
  NODE_ENV: 'production',
  JWT_SECRET: 'production-test-jwt-secret-0123456789abcdef',
  INTERNAL_SECRET: 'production-test-internal-secret-0123456789',
  ...SERVICE_KEYS,
  EVENTS_JOB_POLL_INTERVAL_MS: '50',
});

let running: RunningSupergraph;
beforeAll(async () => {
  running = await startSupergraph({ subgraphs: ['user', 'order', 'payment'], router: false, config });
});
afterAll(async () => {
  await running?.stop();
});

it('has no provider without keys', () => {
  expect(createProviders(config).mode).toEqual({ wechat: 'off', alipay: 'off' });
});

it('payOrder refuses WECHAT and ALIPAY with a clear error; paymentMethods says why; the sandbox cashier is not mounted', async () => {
  const user = await registerUser(running.subgraphs.user!.url).catch(() => null);
  // Registration may be closed in this mode for other reasons; the order only needs an owner id.
  const userId = user?.userId ?? '424242';
  const orderId = await placeTestOrder(running.subgraphs.order!.db, { userId });
  const payment = running.subgraphs.payment!.url;
  for (const method of ['WECHAT', 'ALIPAY']) {
    const answer = await gql(payment, `mutation($o: ID!, $m: PaymentMethodType!) { payOrder(orderId: $o, method: $m) { sandboxPayUrl } }`, { o: orderId, m: method }, asIdentity({ userId }, 'payment', config));
    expect(codes(answer)).toEqual(['BAD_USER_INPUT']);
    expect(answer.errors![0].extensions).toMatchObject({ field: 'method', reason: 'PAYMENT_METHOD_UNAVAILABLE' });
    expect(answer.errors![0].message).toMatch(/not configured on this server: .* needs its merchant keys/);
  }
  const methods = await gql(payment, `query($o: ID!) { paymentMethods(orderId: $o) { type available unavailableReason sandbox } }`, { o: orderId }, asIdentity({ userId }, 'payment', config));
  expect(methods.data.paymentMethods.slice(0, 2)).toEqual([
    { type: 'WECHAT', available: false, unavailableReason: 'WeChat Pay is not configured on this server', sandbox: false },
    { type: 'ALIPAY', available: false, unavailableReason: 'Alipay is not configured on this server', sandbox: false },
  ]);
  const origin = new URL(payment).origin;
  expect((await fetch(`${origin}/notify/sandbox/wechat/wx123`, { method: 'POST' })).status).toBe(404);
  expect((await fetch(`${origin}/notify/sandbox/alipay?x=1`, { method: 'POST' })).status).toBe(404);
  const notify = await fetch(`${origin}/notify/wechat`, { method: 'POST', body: '{}' });
  expect(notify.status).toBe(404);
  expect(await notify.json()).toEqual({ code: 'FAIL', message: 'WeChat Pay is not configured' });
});
