/**
 * The mini-program kit (clients/miniprogram) against the running supergraph: every subgraph and the router on
 * ephemeral ports (real PostgreSQL, Redis when REDIS_URL is set), WeChat's server API faked at its HTTP boundary
 * (code2session), WeChat Pay by the payment sandbox (its cashier sends the signed notification), and a fake `wx`
 * (test/support/fake-wx.ts) that makes real requests and sockets with WeChat's callback shapes and Referer.
 * The example page (pages/order/order.ts) runs as the `Page({...})` module it is, under a fake `Page`/`getApp`.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RunningSupergraph } from '../app/launcher';
import { signAccessToken } from '../platform/access-token';
import { createShop, type Shop } from '../clients/miniprogram/src/index';
import { createFetcher } from '../clients/miniprogram/src/request';
import type { Session } from '../clients/miniprogram/src/auth';
import {
  AddAddressDocument,
  AddToCartDocument,
  CreateOrderDocument,
  MyCartDocument,
  OrderDetailDocument,
  OrderStatusDocument,
  ProductDetailDocument,
  type OrderViewFragment,
} from '../clients/miniprogram/src/gql/graphql';
import persisted from '../clients/miniprogram/src/gql/persisted-documents.json';
import { placeTestOrder } from '../subgraphs/order/test/fixtures';
import { ADDRESS_INPUT } from '../subgraphs/order/test/checkout-fixtures';
import { createTestProduct, viaRouter } from '../subgraphs/cart/test/fixtures';
import { paymentTestConfig, sharedSandboxes, waitFor } from '../subgraphs/payment/test/support';
import { startFakeWechatApi, type FakeWechatApi } from './support/fake-wechat-api';
import { fakeWx, type FakeWx, type RecordedRequest } from './support/fake-wx';
import { FaultProxy } from './support/faults/proxy';
import { startSupergraph } from './support/harness';

const base = paymentTestConfig();
/** The sandbox's merchant signs the JSAPI parameters for its app id: the fake mini-program is that app. */
const sandbox = sharedSandboxes(base).wechat;
const merchantPublicKey = crypto.createPublicKey(sandbox.merchant('', 300).merchantPrivateKey).export({ type: 'spki', format: 'pem' }).toString();

let wechat: FakeWechatApi;
let config: ReturnType<typeof paymentTestConfig>;
let supergraph: RunningSupergraph;
let router: string;
const shops: Shop[] = [];

/** The shop's public origin (PAYMENT_PUBLIC_URL: notify and sandbox cashier URLs), a proxy in front of the router. */
const publicOrigin = new FaultProxy('public origin');

beforeAll(async () => {
  wechat = await startFakeWechatApi({ appId: sandbox.appId });
  await publicOrigin.listen();
  config = paymentTestConfig({ ...wechat.env, PAYMENT_PUBLIC_URL: `http://127.0.0.1:${publicOrigin.port}` });
  supergraph = await startSupergraph({ config });
  router = supergraph.routerUrl!;
  publicOrigin.retarget({ host: '127.0.0.1', port: Number(new URL(router).port) });
});
afterAll(async () => {
  await Promise.all(shops.map((shop) => shop.close()));
  await supergraph?.stop();
  await publicOrigin.close();
  await wechat?.close();
});

/** A phone with the mini-program: its own `wx` (own WeChat user, own storage) and the kit on it. */
function miniProgram(options: { onSignedOut?: () => void; merchantKey?: string } = {}) {
  const wx = fakeWx({
    appId: sandbox.appId,
    openidSuffix: crypto.randomBytes(6).toString('hex'),
    payment: { merchantPublicKey: options.merchantKey ?? merchantPublicKey, cashierOrigin: new URL(router).origin },
  });
  const shop = createShop({ wx, endpoint: router, onSignedOut: options.onSignedOut });
  shops.push(shop);
  return { wx, shop };
}

const ok = <T>(result: { ok: true; data: T } | { ok: false; error: unknown }): T => {
  if (!result.ok) throw new Error(`kit error: ${JSON.stringify(result.error)}`);
  return result.data;
};
const opName = (request: RecordedRequest) =>
  request.method === 'GET' ? new URL(request.url).searchParams.get('operationName') : (request.data as { operationName?: string }).operationName;
const idOf = (request: RecordedRequest): string =>
  request.method === 'GET'
    ? JSON.parse(new URL(request.url).searchParams.get('extensions')!).persistedQuery.sha256Hash
    : (request.data as { extensions: { persistedQuery: { sha256Hash: string } } }).extensions.persistedQuery.sha256Hash;
const sentText = (request: RecordedRequest) => request.method === 'POST' && typeof (request.data as { query?: unknown }).query === 'string';
/** Calls of an operation: its requests, a retry after PERSISTED_QUERY_NOT_FOUND counting with the request it retries. */
const callsOf = (requests: RecordedRequest[], name: string) => requests.filter((request) => opName(request) === name && codeOf(request) !== 'PERSISTED_QUERY_NOT_FOUND');
const codeOf = (request: RecordedRequest) => (request.response as { errors?: { extensions?: { code?: string } }[] } | undefined)?.errors?.[0]?.extensions?.code;

/** The session as the kit stored it, with an access token that expired a minute ago (same user and session). */
function expireAccessToken(wx: FakeWx, options: { clientKnows: boolean }) {
  const session = wx.getStorageSync('shop.session') as Session;
  const claims = JSON.parse(Buffer.from(session.accessToken.split('.')[1], 'base64url').toString('utf8')) as { sub: string; sid?: string };
  const expired = signAccessToken({ userId: claims.sub, scopes: [], sessionId: claims.sid }, { ...config, accessTokenTtlSeconds: -60 });
  // clientKnows: the stored expiry says so (refresh before sending); otherwise the phone's clock believes it valid.
  wx.setStorageSync('shop.session', { ...session, accessToken: expired, expiresAt: options.clientKnows ? Date.now() - 60_000 : Date.now() + 600_000 });
  return session;
}

/** Loads pages/order/order.ts as the mini-program would: it calls Page({...}); the instance gets data and setData. */
function loadOrderPage(shop: Shop) {
  const registered: Record<string, any>[] = [];
  const globals = globalThis as Record<string, unknown>;
  globals.Page = (options: Record<string, any>) => registered.push(options);
  globals.getApp = () => ({ shop });
  jest.isolateModules(() => {
    require('../clients/miniprogram/pages/order/order');
  });
  // getApp stays: the page calls it when it needs the kit (the test removes it at the end).
  delete globals.Page;
  expect(registered).toHaveLength(1);
  const options = registered[0];
  const page = {
    ...options,
    data: structuredClone(options.data),
    setData(patch: Record<string, unknown>) {
      Object.assign(this.data, patch);
    },
  };
  return page as unknown as {
    onLoad(query: { id?: string }): void;
    onPay(): Promise<void>;
    onUnload(): void;
    data: { order: (OrderViewFragment & { totalText: string; statusText: string }) | null; paying: boolean; message: string; error: string };
  };
}

describe('the shopper journey in the mini-program', () => {
  it('wx.login → browse (GET, persisted) → cart → checkout → pay with wx.requestPayment → PAID arrives over the socket', async () => {
    const { skuIds, productId } = await createTestProduct(viaRouter(router), [{ price: 2500, stock: 5 }]);
    const { wx, shop } = miniProgram();

    // Sign in: wx.login's code → loginWithWechat (code2session at the fake WeChat API) → tokens in storage.
    const session = ok(await shop.auth.login());
    expect(wechat.requests).toContain('/sns/jscode2session');
    expect(wx.getStorageSync('shop.session')).toEqual(session);
    expect(session.expiresAt).toBeGreaterThan(Date.now());

    // Browse: a public read goes as GET, without the token, the persisted id in the URL.
    const product = ok(await shop.request(ProductDetailDocument, { id: productId }, { public: true })).product!;
    expect(product.skus.map((sku) => sku.id)).toEqual(skuIds);
    const again = ok(await shop.request(ProductDetailDocument, { id: productId }, { public: true })).product!;
    expect(again.id).toBe(productId);
    const lastGet = wx.requests.at(-1)!;
    expect(lastGet).toMatchObject({ method: 'GET', statusCode: 200, errMsg: 'request:ok' });
    expect(lastGet.header.authorization).toBeUndefined();
    expect(new URL(lastGet.url).searchParams.has('query')).toBe(false);

    // Cart and checkout.
    const addressId = ok(await shop.request(AddAddressDocument, { input: ADDRESS_INPUT })).addAddress.id;
    const cart = ok(await shop.request(AddToCartDocument, { skuId: skuIds[0], quantity: 2 })).addToCart;
    const order = ok(
      await shop.request(CreateOrderDocument, { input: { cartItemIds: [cart.items[0].id], addressId }, idempotencyKey: crypto.randomUUID() }),
    ).createOrder;
    // 2 × 25.00 + 10.00 shipping (under the free-shipping threshold).
    expect(order).toMatchObject({ status: 'PENDING_PAYMENT', total: 6000 });

    // The order page: its live status, then the pay button.
    const page = loadOrderPage(shop);
    page.onLoad({ id: order.id });
    await waitFor(() => page.data.order?.status === 'PENDING_PAYMENT');
    expect(page.data.order).toMatchObject({ id: order.id, statusText: '待付款', totalText: '¥60.00', items: [{ quantity: 2, unitPrice: 2500 }] });

    // The shopper closes WeChat's cashier first: nothing paid, the order still waits.
    wx.nextPayment = 'cancel';
    await page.onPay();
    expect(page.data).toMatchObject({ paying: false, message: '已取消支付' });
    expect(wx.payments).toEqual([expect.objectContaining({ errMsg: 'requestPayment:fail cancel' })]);

    // Then pays: the fake WeChat checked paySign with the merchant key, the sandbox notified the shop, and the order
    // page learns PAID from the subscription (the only place its order comes from).
    await page.onPay();
    expect(page.data.message).toBe('支付成功');
    expect(wx.payments.at(-1)).toMatchObject({ errMsg: 'requestPayment:ok', params: { signType: 'RSA', package: expect.stringMatching(/^prepay_id=/) } });
    await waitFor(() => page.data.order?.status === 'PAID');
    expect(page.data.order).toMatchObject({ statusText: '已付款，待发货', paidAt: expect.any(String) });
    page.onUnload();
    delete (globalThis as Record<string, unknown>).getApp;

    // Every request carried WeChat's Referer and sent the persisted id; the text went only in a retry right after the
    // router answered PERSISTED_QUERY_NOT_FOUND for that id (APQ), and at most once per id.
    expect(wx.requests.length).toBeGreaterThan(0);
    const retried = new Set<string>();
    wx.requests.forEach((request, index) => {
      expect(request.header.referer).toBe(`https://servicewechat.com/${sandbox.appId}/devtools/page-frame.html`);
      const id = idOf(request);
      expect(persisted).toHaveProperty(`sha256:${id}`);
      if (!sentText(request)) return;
      const previous = wx.requests[index - 1];
      expect({ op: opName(request), previous: codeOf(previous), sameId: idOf(previous) === id }).toEqual({
        op: opName(request),
        previous: 'PERSISTED_QUERY_NOT_FOUND',
        sameId: true,
      });
      expect((request.data as { query: string }).query).toBe(persisted[`sha256:${id}` as keyof typeof persisted]);
      expect(retried.has(id)).toBe(false);
      retried.add(id);
    });
    expect(wx.requests.filter((request) => request.response !== undefined && !codeOf(request)).length).toBeGreaterThanOrEqual(8);
  });
});

it('parameters WeChat cannot verify (signed with another merchant key) are refused at the cashier: FAILED, the order still waits', async () => {
  const otherKey = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const { wx, shop } = miniProgram({ merchantKey: otherKey });
  const session = ok(await shop.auth.login());
  const orderId = await placeTestOrder(supergraph.subgraphs.order!.db, { userId: session.userId });
  const outcome = await shop.pay(orderId, { waitMs: 1000 });
  expect(outcome).toMatchObject({ status: 'FAILED', error: { message: 'requestPayment:fail 支付验证签名失败' } });
  expect(wx.payments).toHaveLength(1);
  const order = ok(await shop.request(OrderDetailDocument, { id: orderId })).order;
  expect(order?.status).toBe('PENDING_PAYMENT');
});

it('development: with sandboxCashier the kit pays at the sandbox cashier (sandboxPayUrl) instead of wx.requestPayment, then waits for PAID', async () => {
  const { wx, shop } = miniProgram();
  const session = ok(await shop.auth.login());
  const orderId = await placeTestOrder(supergraph.subgraphs.order!.db, { userId: session.userId });
  const outcome = await shop.pay(orderId, { sandboxCashier: true });
  expect(outcome).toMatchObject({ status: 'PAID', order: { id: orderId, status: 'PAID' } });
  expect(wx.payments).toHaveLength(0);
  const cashier = wx.requests.find((request) => request.url.includes('/notify/sandbox/wechat/'))!;
  expect(cashier).toMatchObject({ method: 'POST', statusCode: 200, response: { paid: true } });
  expect(new URL(cashier.url).origin).toBe(`http://127.0.0.1:${publicOrigin.port}`);
});

describe('tokens', () => {
  it('an access token the router refuses as expired: N concurrent requests make one refresh, then all succeed', async () => {
    const { wx, shop } = miniProgram();
    ok(await shop.auth.login());
    const before = expireAccessToken(wx, { clientKnows: false });
    const from = wx.requests.length;
    const results = await Promise.all(Array.from({ length: 5 }, () => shop.request(MyCartDocument, {})));
    expect(results.map((result) => result.ok)).toEqual([true, true, true, true, true]);
    const made = wx.requests.slice(from);
    expect(callsOf(made, 'RefreshToken')).toHaveLength(1);
    // All five were refused once (401, UNAUTHENTICATED), then sent again with the new token.
    expect(made.filter((request) => opName(request) === 'MyCart' && request.statusCode === 401)).toHaveLength(5);
    expect(made.filter((request) => opName(request) === 'MyCart' && request.statusCode === 200 && !codeOf(request))).toHaveLength(5);
    const after = wx.getStorageSync('shop.session') as Session;
    expect(after.refreshToken).not.toBe(before.refreshToken);
    expect(after.userId).toBe(before.userId);
  });

  it('a token the phone knows is expiring is refreshed before sending: one refresh for concurrent requests, no 401', async () => {
    const { wx, shop } = miniProgram();
    ok(await shop.auth.login());
    expireAccessToken(wx, { clientKnows: true });
    const from = wx.requests.length;
    const results = await Promise.all(Array.from({ length: 4 }, () => shop.request(MyCartDocument, {})));
    expect(results.every((result) => result.ok)).toBe(true);
    const made = wx.requests.slice(from);
    expect(callsOf(made, 'RefreshToken')).toHaveLength(1);
    expect(made.filter((request) => request.statusCode === 401)).toHaveLength(0);
  });

  it('a refresh the server refuses signs out: storage cleared, onSignedOut once, the request answers UNAUTHENTICATED', async () => {
    const signedOut = jest.fn();
    const { wx, shop } = miniProgram({ onSignedOut: signedOut });
    ok(await shop.auth.login());
    const session = expireAccessToken(wx, { clientKnows: false });
    wx.setStorageSync('shop.session', { ...(wx.getStorageSync('shop.session') as Session), refreshToken: `${session.refreshToken}x` });
    const results = await Promise.all([shop.request(MyCartDocument, {}), shop.request(MyCartDocument, {})]);
    expect(results.map((result) => (result.ok ? 'ok' : result.error.code))).toEqual(['UNAUTHENTICATED', 'UNAUTHENTICATED']);
    expect(wx.getStorageSync('shop.session')).toBe('');
    expect(shop.auth.session()).toBeNull();
    expect(signedOut).toHaveBeenCalledTimes(1);
  });
});

describe('subscriptions', () => {
  it('connect with an expired token the phone knows about: refreshed before the socket signs in', async () => {
    const { wx, shop } = miniProgram();
    const session = ok(await shop.auth.login());
    const orderId = await placeTestOrder(supergraph.subgraphs.order!.db, { userId: session.userId });
    expireAccessToken(wx, { clientKnows: true });
    const seen: string[] = [];
    const stop = shop.subscriptions.subscribe(OrderStatusDocument, { orderId }, { next: (data) => seen.push(data.orderStatusChanged.status) });
    await waitFor(() => seen.length > 0);
    stop();
    expect(seen[0]).toBe('PENDING_PAYMENT');
    expect(callsOf(wx.requests, 'RefreshToken')).toHaveLength(1);
  });

  it('a socket the router closes with 4401 (token expired early): one refresh, subscribed again', async () => {
    const { wx, shop } = miniProgram();
    const session = ok(await shop.auth.login());
    const orderId = await placeTestOrder(supergraph.subgraphs.order!.db, { userId: session.userId });
    expireAccessToken(wx, { clientKnows: false });
    const seen: string[] = [];
    const errors: string[] = [];
    const stop = shop.subscriptions.subscribe(OrderStatusDocument, { orderId }, {
      next: (data) => seen.push(data.orderStatusChanged.status),
      error: (error) => errors.push(error.code),
    });
    await waitFor(() => seen.length > 0 || errors.length > 0);
    stop();
    expect({ seen, errors }).toEqual({ seen: ['PENDING_PAYMENT'], errors: [] });
    expect(callsOf(wx.requests, 'RefreshToken')).toHaveLength(1);
    expect(wx.sockets.length).toBe(2);
  });
});

describe('a release under the safelist (docs/persisted-operations.md)', () => {
  it('with its manifest registered and ENFORCE on, the kit runs on ids alone, the socket too; anything else is refused', async () => {
    const version = `9.${crypto.randomBytes(3).toString('hex')}`;
    const releaseAdmin = { authorization: `Bearer ${signAccessToken({ userId: '1', scopes: ['clients:admin'] }, config)}` };
    const admin = async (query: string, variables: Record<string, unknown>) => {
      const response = await fetch(router, { method: 'POST', headers: { 'content-type': 'application/json', ...releaseAdmin }, body: JSON.stringify({ query, variables }) });
      const body = (await response.json()) as { data?: any; errors?: unknown[] };
      if (body.errors) throw new Error(JSON.stringify(body.errors));
      return body.data;
    };
    // The release step: the manifest `npm run codegen` wrote, registered for this version (npm run register-manifest).
    const manifest = fs.readFileSync(path.join(__dirname, '../clients/miniprogram/persisted-query-manifest.json'), 'utf8');
    await admin('mutation($v: String!, $m: String!) { registerClientManifest(clientName: "miniprogram", version: $v, manifest: $m) { created } }', { v: version, m: manifest });
    const wx = fakeWx({ appId: sandbox.appId, version, openidSuffix: crypto.randomBytes(6).toString('hex'), payment: { merchantPublicKey, cashierOrigin: new URL(router).origin } });
    const shop = createShop({ wx, endpoint: router });
    shops.push(shop);
    const freeForm = () =>
      new Promise<{ statusCode: number; data: any }>((resolve, reject) =>
        wx.request({ url: router, method: 'POST', data: { query: '{ categories { id name parentId } }' }, header: { 'content-type': 'application/json' }, success: resolve, fail: reject }),
      );
    await admin('mutation { setClientSafelistMode(clientName: "miniprogram", mode: ENFORCE) { mode } }', {});
    try {
      await waitFor(async () => (await freeForm()).data?.errors?.[0]?.extensions?.code === 'PERSISTED_QUERY_NOT_IN_LIST');
      const probes = wx.requests.length;
      const session = ok(await shop.auth.login());
      const { productId } = await createTestProduct(viaRouter(router), [{ price: 1200, stock: 3 }]);
      expect(ok(await shop.request(ProductDetailDocument, { id: productId }, { public: true })).product!.id).toBe(productId);
      ok(await shop.request(AddAddressDocument, { input: ADDRESS_INPUT }));
      const orderId = await placeTestOrder(supergraph.subgraphs.order!.db, { userId: session.userId });
      const seen: string[] = [];
      const stop = shop.subscriptions.subscribe(OrderStatusDocument, { orderId }, { next: (data) => seen.push(data.orderStatusChanged.status) });
      await waitFor(() => seen.length > 0);
      stop();
      expect(seen[0]).toBe('PENDING_PAYMENT');
      // Every request went by its id and was answered without a retry with the text (the router knew every id).
      const kit = wx.requests.slice(probes);
      expect(kit.length).toBeGreaterThanOrEqual(3);
      expect(kit.filter(sentText)).toEqual([]);
      expect(kit.filter((request) => request.statusCode !== 200 || codeOf(request))).toEqual([]);
      // A document of no release: refused, over HTTP 400.
      const refused = await freeForm();
      expect(refused.statusCode).toBe(400);
      expect(refused.data.errors[0].extensions.code).toBe('PERSISTED_QUERY_NOT_IN_LIST');
    } finally {
      // Other test files share the database: the mini-program must not stay enforced.
      await admin('mutation { setClientSafelistMode(clientName: "miniprogram", mode: OFF) { mode } }', {});
    }
  });
});

describe('the fetcher', () => {
  it('a request with no answer in time fails as TIMEOUT (wx.request "request:fail timeout"); nothing thrown', async () => {
    const hanging = http.createServer(() => {
      // Never answers.
    });
    await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
    try {
      const wx = fakeWx();
      const fetcher = createFetcher({ wx, endpoint: `http://127.0.0.1:${(hanging.address() as AddressInfo).port}/graphql`, timeoutMs: 200 });
      const result = await fetcher.send(MyCartDocument, {});
      expect(result).toMatchObject({ ok: false, error: { code: 'TIMEOUT', message: 'request:fail timeout' } });
      expect(wx.requests[0].errMsg).toBe('request:fail timeout');
    } finally {
      hanging.closeAllConnections();
      await new Promise((resolve) => hanging.close(resolve));
    }
  });

  it('GraphQL errors become typed results with the server code and extensions', async () => {
    const { shop } = miniProgram();
    ok(await shop.auth.login());
    const result = await shop.request(AddToCartDocument, { skuId: '999999999', quantity: 1 });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(['NOT_FOUND', 'BAD_USER_INPUT', 'CONFLICT']).toContain(result.error.code);
    // Signed out: the same call answers UNAUTHENTICATED (no token, nothing to refresh).
    const anonymous = miniProgram().shop;
    const refused = await anonymous.request(MyCartDocument, {});
    expect(refused).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } });
  });
});

it('every document of the kit carries its persisted id and the normalized text that id hashes (persisted-documents.json)', () => {
  for (const [id, body] of Object.entries(persisted)) {
    expect(crypto.createHash('sha256').update(body).digest('hex')).toBe(id.replace('sha256:', ''));
  }
  for (const document of [MyCartDocument, OrderStatusDocument, ProductDetailDocument]) {
    const meta = (document as unknown as { __meta__: { hash: string; body: string } }).__meta__;
    expect(persisted[meta.hash as keyof typeof persisted]).toBe(meta.body);
  }
});
