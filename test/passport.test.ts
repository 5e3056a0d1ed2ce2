/**
 * Passport through the router (the whole supergraph): a HALF mini-program account binding the phone of an existing
 * account is folded into it only when order and payment say it holds nothing (the old session ends at the router,
 * the WeChat login then signs in the existing account); with money it is refused with CONFLICT and nothing changes.
 * SMS quick login end to end with the fake Tencent Cloud SMS, and the internal order/payment fields' allow-lists.
 */
import crypto from 'node:crypto';
import http from 'node:http';
import type { Knex } from 'knex';
import type { RunningSupergraph } from '../app/launcher';
import { startFakeTencentSms, lastCodeTo, type FakeTencentSms } from './support/fake-tencent-sms';
import { startFakeWechatApi, type FakeWechatApi } from './support/fake-wechat-api';
import { asIdentity, bearer, codes, gql, startSupergraph, testConfig, uniquePhone, type GraphQLResponse } from './support/harness';
import type { Config } from '../platform/config';
import { ADDRESS_INPUT } from '../subgraphs/order/test/checkout-fixtures';
import { createTestProduct, viaRouter } from '../subgraphs/cart/test/fixtures';

const AUTH = 'accessToken refreshToken user { id phone accountState linkedIdentities { platform } }';
const LOGIN_WECHAT = `mutation($code: String!) { loginWithWechat(code: $code) { ${AUTH} } }`;
const REGISTER = `mutation($input: RegisterInput!) { register(input: $input) { ${AUTH} } }`;
const BIND_PHONE = `mutation($input: BindWechatPhoneInput!) { bindWechatPhone(input: $input) { user { id phone accountState } merged auth { ${AUTH} } } }`;
const SEND = 'mutation($phone: String!, $purpose: SmsCodePurpose!) { sendSmsCode(phone: $phone, purpose: $purpose) { expiresInSeconds } }';
const SMS_LOGIN = `mutation($phone: String!, $code: String!) { loginWithSmsCode(phone: $phone, code: $code) { ${AUTH} } }`;
const ME = '{ me { id phone accountState linkedIdentities { platform } } }';

function ok<T = any>(response: GraphQLResponse<T>): T {
  if (response.errors) throw new Error(`Unexpected errors: ${JSON.stringify(response.errors)}`);
  return response.data as T;
}

async function within(ms: number, check: () => Promise<boolean>): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
}

/** POST an operation from `localAddress` (any 127.x.y.z reaches the router), as throttling.test.ts does. */
function postFrom(url: string, localAddress: string, query: string, variables: Record<string, unknown>): Promise<GraphQLResponse> {
  const body = JSON.stringify({ query, variables });
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const request = http.request(
      { hostname: target.hostname, port: target.port, path: target.pathname, method: 'POST', localAddress, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, ...(JSON.parse(text) as object) }));
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}
/** A loopback address no other test (or earlier run, within the window) uses: per-address counts never mix. */
const freshLoopback = () => `127.${crypto.randomInt(1, 255)}.${crypto.randomInt(0, 256)}.${crypto.randomInt(1, 255)}`;

let wechat: FakeWechatApi;
let sms: FakeTencentSms;
let supergraph: RunningSupergraph;
let config: Config;
let router: string;
let userDb: Knex;
let paymentDb: Knex;

beforeAll(async () => {
  [wechat, sms] = await Promise.all([startFakeWechatApi(), startFakeTencentSms()]);
  config = testConfig({ ...wechat.env, ...sms.env, SMS_SEND_MAX_PER_IP: '2' });
  supergraph = await startSupergraph({ config });
  router = supergraph.routerUrl!;
  userDb = supergraph.subgraphs.user!.db;
  paymentDb = supergraph.subgraphs.payment!.db;
});
afterAll(async () => {
  await supergraph?.stop();
  await Promise.all([wechat?.close(), sms?.close()]);
});

const newSuffix = () => `n${crypto.randomBytes(6).toString('hex')}`;
const phonePayload = (phone: string) => ({ phoneNumber: phone, purePhoneNumber: phone, countryCode: '86' });

describe('binding the phone of an existing account from a HALF mini-program account', () => {
  it('folds an empty HALF account into the existing one: identities move, the old session ends, WeChat then signs in the existing account', async () => {
    const phone = uniquePhone();
    const existing = ok(await gql(router, REGISTER, { input: { phone, password: 'secret123' } })).register;
    const suffix = newSuffix();
    const half = ok(await gql(router, LOGIN_WECHAT, { code: `good-${suffix}` })).loginWithWechat;
    expect(half.user.accountState).toBe('HALF');

    const bound = ok(await gql(router, BIND_PHONE, { input: wechat.encryptFor(`o-${suffix}`, phonePayload(phone)) }, bearer(half.accessToken))).bindWechatPhone;
    expect(bound).toMatchObject({ user: { id: existing.user.id, phone, accountState: 'FULL' }, merged: true });
    expect(bound.auth.user).toMatchObject({ id: existing.user.id, linkedIdentities: [{ platform: 'WECHAT_MINI_PROGRAM' }] });
    expect(ok(await gql(router, ME, {}, bearer(bound.auth.accessToken))).me.id).toBe(existing.user.id);

    // The folded account's session is over at the router too.
    expect(await within(8000, async () => (await gql(router, ME, {}, bearer(half.accessToken))).status === 401)).toBe(true);
    expect((await userDb('users').where({ id: half.user.id }).first()).merged_into_user_id).toBe(existing.user.id);
    // The next mini-program login of that WeChat user is the existing account.
    const again = ok(await gql(router, LOGIN_WECHAT, { code: `good-${suffix}` })).loginWithWechat;
    expect(again.user).toMatchObject({ id: existing.user.id, phone, accountState: 'FULL' });
  });

  it('refuses when the HALF account holds money (payment says so): CONFLICT, ACCOUNT_EXISTS, nothing changed', async () => {
    const phone = uniquePhone();
    const existing = ok(await gql(router, REGISTER, { input: { phone, password: 'secret123' } })).register;
    const suffix = newSuffix();
    const half = ok(await gql(router, LOGIN_WECHAT, { code: `good-${suffix}` })).loginWithWechat;
    await paymentDb('wallet_accounts').insert({ user_id: half.user.id, balance: 500 });
    await paymentDb('wallet_entries').insert({ user_id: half.user.id, amount: 500, balance_after: 500, kind: 'TOPUP', ref: `test-${crypto.randomUUID()}` });

    const response = await gql(router, BIND_PHONE, { input: wechat.encryptFor(`o-${suffix}`, phonePayload(phone)) }, bearer(half.accessToken));
    expect(codes(response)).toEqual(['CONFLICT']);
    expect(response.errors![0].extensions!.reason).toBe('ACCOUNT_EXISTS');
    expect((await userDb('users').where({ id: half.user.id }).first()).merged_into_user_id).toBeNull();
    expect(await userDb('account_platforms').where({ user_id: existing.user.id })).toEqual([]);
    expect(ok(await gql(router, ME, {}, bearer(half.accessToken))).me).toMatchObject({ id: half.user.id, phone: null, accountState: 'HALF' });
    expect(ok(await gql(router, LOGIN_WECHAT, { code: `good-${suffix}` })).loginWithWechat.user.id).toBe(half.user.id);
  });
});

describe('a HALF account shops like any other, and its orders keep it from being folded', () => {
  it('checks out as HALF; binding an existing account’s phone is then refused (order says it has orders), nothing changed', async () => {
    const phone = uniquePhone();
    const existing = ok(await gql(router, REGISTER, { input: { phone, password: 'secret123' } })).register;
    const suffix = newSuffix();
    const half = ok(await gql(router, LOGIN_WECHAT, { code: `good-${suffix}` })).loginWithWechat;
    const as = bearer(half.accessToken);
    // A product of its own: the newest products of the shared test database may all be sold out by other files.
    const sku = { id: (await createTestProduct(viaRouter(router), [{ price: 1000, stock: 20 }])).skuIds[0] };
    const addressId = ok(await gql(router, 'mutation($input: AddressInput!) { addAddress(input: $input) { id } }', { input: ADDRESS_INPUT }, as)).addAddress.id;
    const order = ok(
      await gql(router, 'mutation($input: CheckoutInput!, $key: String!) { createOrder(input: $input, idempotencyKey: $key) { id status } }', { input: { items: [{ skuId: sku.id, quantity: 1 }], addressId }, key: crypto.randomUUID() }, as),
    ).createOrder;
    expect(order.status).toBe('PENDING_PAYMENT');

    const response = await gql(router, BIND_PHONE, { input: wechat.encryptFor(`o-${suffix}`, phonePayload(phone)) }, as);
    expect(codes(response)).toEqual(['CONFLICT']);
    expect(response.errors![0].extensions!.reason).toBe('ACCOUNT_EXISTS');
    expect((await userDb('users').where({ id: half.user.id }).first()).merged_into_user_id).toBeNull();
    expect(await userDb('account_platforms').where({ user_id: existing.user.id })).toEqual([]);
    expect(ok(await gql(router, '{ orders(first: 5) { edges { node { id } } } }', {}, as)).orders.edges).toEqual([{ node: { id: order.id } }]);
    await gql(router, 'mutation($id: ID!) { cancelOrder(id: $id) { status } }', { id: order.id }, as);
  });
});

describe('SMS quick login through the router', () => {
  it('sends a code, signs in (creating a FULL account), and refuses the same code again', async () => {
    const phone = uniquePhone();
    ok(await postFrom(router, freshLoopback(), SEND, { phone, purpose: 'LOGIN' }));
    const code = lastCodeTo(sms, phone);
    const auth = ok(await gql(router, SMS_LOGIN, { phone, code })).loginWithSmsCode;
    expect(ok(await gql(router, ME, {}, bearer(auth.accessToken))).me).toEqual({ id: auth.user.id, phone, accountState: 'FULL', linkedIdentities: [] });
    expect(codes(await gql(router, SMS_LOGIN, { phone, code }))).toEqual(['BAD_USER_INPUT']);
  });
});

describe('SMS throttles through the router', () => {
  it('counts codes per client address as the router saw it (RATE_LIMITED with retryAfterSeconds), another address unaffected', async () => {
    const address = freshLoopback();
    for (let i = 0; i < 2; i++) ok(await postFrom(router, address, SEND, { phone: uniquePhone(), purpose: 'LOGIN' }));
    const sentBefore = sms.sent.length;
    const over = await postFrom(router, address, SEND, { phone: uniquePhone(), purpose: 'LOGIN' });
    expect(codes(over)).toEqual(['RATE_LIMITED']);
    expect(over.errors![0].extensions!.retryAfterSeconds).toBeGreaterThan(0);
    expect(sms.sent.length).toBe(sentBefore);
    ok(await postFrom(router, freshLoopback(), SEND, { phone: uniquePhone(), purpose: 'LOGIN' }));
  });

  it('counts codes per phone across addresses (one per purpose per cooldown)', async () => {
    const phone = uniquePhone();
    ok(await postFrom(router, freshLoopback(), SEND, { phone, purpose: 'LOGIN' }));
    expect(codes(await postFrom(router, freshLoopback(), SEND, { phone, purpose: 'LOGIN' }))).toEqual(['RATE_LIMITED']);
  });
});

describe('the internal fields passport asks', () => {
  it('answers user only; the router and other services get FORBIDDEN or no such field', async () => {
    const userId = String(crypto.randomInt(1_000_000_000, 2_000_000_000));
    const orderUrl = supergraph.subgraphs.order!.url;
    const paymentUrl = supergraph.subgraphs.payment!.url;
    const asks = 'query($u: ID!) { shopperHasOrders(userId: $u) }';
    const money = 'query($u: ID!) { shopperHoldsMoney(userId: $u) }';
    expect(ok(await gql(orderUrl, asks, { u: userId }, asIdentity({ service: 'user' }, 'order', config)))).toEqual({ shopperHasOrders: false });
    expect(ok(await gql(paymentUrl, money, { u: userId }, asIdentity({ service: 'user' }, 'payment', config)))).toEqual({ shopperHoldsMoney: false });
    expect(codes(await gql(orderUrl, asks, { u: userId }, asIdentity({ service: 'cart' }, 'order', config)))).toEqual(['FORBIDDEN']);
    expect(codes(await gql(paymentUrl, money, { u: userId }, asIdentity({ userId }, 'payment', config)))).toEqual(['FORBIDDEN']);
    // Not in the public schema at all.
    expect(codes(await gql(router, asks, { u: userId }))).toEqual(['GRAPHQL_VALIDATION_FAILED']);
  });
});
