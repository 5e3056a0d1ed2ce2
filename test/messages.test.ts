/**
 * Shopper messages through the router (docs/messages.md): a shopper signs in with WeChat (the fake WeChat API's
 * jscode2session), accepts subscribe messages, pays an order with the WeChat Pay sandbox, and the fake WeChat API
 * receives exactly one "paid" subscribe message with the order's data — through order's outbox, the user
 * subgraph's consumer and its durable send job. Also: no consent → nothing; a redelivered event → still one;
 * WeChat 5xx, an expired token, a lost answer, 43101, a dead letter requeued by the operators' tool. The whole journey
 * with the logistics module: staff ship (OrderShipped), a signed Kuaidi100 push (ShipmentDelivered), a refund
 * rejected (AfterSalesDecided); and those events' payloads appended to order's outbox directly (their data).
 */
import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Knex } from 'knex';
import { signAccessToken } from '../platform/access-token';
import { appendEvent } from '../platform/events';
import { kuaidi100Sign } from '../subgraphs/order/kuaidi100';
import { placeTestOrder } from '../subgraphs/order/test/fixtures';
import { bearer, codes, gql, uniquePhone, type GraphQLResponse } from './support/harness';
import { startFakeWechatApi, type FakeWechatApi } from './support/fake-wechat-subscribe';
import { startIsolatedSupergraph, type IsolatedSupergraph } from './support/isolated-supergraph';
import { waitFor } from './support/events-db';

const TEMPLATES = {
  ORDER_PAID: 'Paid-9cT0eQKpB3a7Xy_0001',
  ORDER_SHIPPED: 'Ship-9cT0eQKpB3a7Xy_0002',
  ORDER_DELIVERED: 'Sign-9cT0eQKpB3a7Xy_0003',
  AFTER_SALES_DECIDED: 'Refd-9cT0eQKpB3a7Xy_0004',
};

const KUAIDI100_SALT = 'messages-test-kuaidi100-salt';
let wechat: FakeWechatApi;
let shop: IsolatedSupergraph;
let router: string;
let origin: string;
let userDb: Knex;
let orderDb: Knex;

beforeAll(async () => {
  wechat = await startFakeWechatApi({ templates: Object.values(TEMPLATES) });
  shop = await startIsolatedSupergraph({
    WECHAT_APPID: wechat.appId,
    WECHAT_SECRET: wechat.secret,
    WECHAT_API_BASE: wechat.url,
    WECHAT_MESSAGE_TIMEOUT_MS: '3000',
    KUAIDI100_SALT,
    ...Object.fromEntries(Object.entries(TEMPLATES).map(([kind, id]) => [`WECHAT_TEMPLATE_${kind}`, id])),
    EVENTS_POLL_INTERVAL_MS: '25',
    EVENTS_JOB_POLL_INTERVAL_MS: '25',
    PAYMENT_RECONCILE_AFTER_SECONDS: '3600',
    // Dead letters within seconds (1 + 2 + 4 s of backoff) for the operators' case; every other job succeeds at once.
    JOB_MAX_ATTEMPTS: '4',
  });
  router = shop.routerUrl!;
  origin = new URL(router).origin;
  userDb = shop.subgraphs.user!.db;
  orderDb = shop.subgraphs.order!.db;
});
afterAll(async () => {
  await shop?.stop();
  await wechat?.close();
});

function ok<T = any>(response: GraphQLResponse<T>): T {
  if (response.errors) throw new Error(`Unexpected errors: ${JSON.stringify(response.errors)}`);
  return response.data as T;
}

interface Shopper {
  userId: string;
  openid: string;
  headers: Record<string, string>;
}

async function wechatShopper(): Promise<Shopper> {
  const openid = `o${crypto.randomBytes(14).toString('base64url').slice(0, 27)}`;
  const auth = ok(await gql(router, 'mutation($c: String!) { loginWithWechat(code: $c) { accessToken user { id } } }', { c: wechat.code(openid) })).loginWithWechat;
  return { userId: auth.user.id, openid, headers: bearer(auth.accessToken) };
}

const CONSENT = `mutation($a: [MessageKind!]!, $r: [MessageKind!], $al: [MessageKind!]) {
  reportMessageConsent(accepted: $a, rejected: $r, always: $al) { kind templateId remaining always } }`;
const SETTINGS = '{ me { messageConsents { kind templateId remaining always } } }';

/** The dialog: the shopper accepts at WeChat (the fake counts it) and the mini-program reports it to us. */
async function consent(shopper: Shopper, kinds: (keyof typeof TEMPLATES)[], options: { atWechat?: boolean } = {}) {
  if (options.atWechat !== false) for (const kind of kinds) wechat.accept(shopper.openid, TEMPLATES[kind]);
  return ok(await gql(router, CONSENT, { a: kinds }, shopper.headers)).reportMessageConsent;
}

async function remaining(shopper: Shopper, kind: string): Promise<number> {
  const settings = ok(await gql(router, SETTINGS, {}, shopper.headers)).me.messageConsents as { kind: string; remaining: number }[];
  return settings.find((entry) => entry.kind === kind)!.remaining;
}

async function newOrder(shopper: Shopper, title = '测试商品'): Promise<{ id: string; orderNo: string }> {
  const id = await placeTestOrder(orderDb, { userId: shopper.userId, items: [{ skuId: '1', productId: '1', title, skuName: '默认', unitPrice: 3000, quantity: 1 }] });
  const row = await orderDb('orders').where({ id }).first('order_no');
  return { id, orderNo: row.order_no };
}

async function pay(shopper: Shopper, orderId: string) {
  const paid = ok(await gql(router, 'mutation($id: ID!) { payOrder(orderId: $id, method: WECHAT) { sandboxPayUrl } }', { id: orderId }, shopper.headers));
  const cashier = await fetch(`${origin}${new URL(paid.payOrder.sandboxPayUrl).pathname}`, { method: 'POST' });
  expect(await cashier.json()).toMatchObject({ paid: true });
  await waitFor(async () => (await orderDb('orders').where({ id: orderId }).first('status')).status === 'PAID');
}

/** The PAID event of an order in order's outbox, once user's message consumer has handled it. */
async function handledPaidEvent(orderId: string): Promise<string> {
  let eventId = '';
  await waitFor(async () => {
    const row = await orderDb('outbox').where({ type: 'OrderStatusChanged', aggregate_id: orderId }).whereRaw("payload->>'to' = 'PAID'").first('event_id');
    eventId = row?.event_id ?? '';
    return Boolean(eventId) && Boolean(await userDb('processed_events').where({ consumer: 'messages', event_id: eventId }).first());
  });
  return eventId;
}

const messagesOf = (shopper: Shopper) => userDb('subscribe_messages').where({ user_id: shopper.userId }).orderBy('id');
const sentTo = (shopper: Shopper) => wechat.sent.filter((m) => m.touser === shopper.openid);

async function settled(shopper: Shopper, count = 1) {
  await waitFor(async () => {
    const rows = await messagesOf(shopper);
    return rows.length >= count && rows.every((row: { status: string }) => !['PENDING', 'SENDING'].includes(row.status));
  });
  return messagesOf(shopper);
}

describe('consent', () => {
  it('offers the configured templates, counts acceptances per kind, withdraws on reject, shows them in me', async () => {
    const shopper = await wechatShopper();
    expect(ok(await gql(router, '{ messageTemplates { kind templateId } }')).messageTemplates).toEqual(
      Object.entries(TEMPLATES).map(([kind, templateId]) => ({ kind, templateId })),
    );
    const empty = ok(await gql(router, SETTINGS, {}, shopper.headers)).me.messageConsents;
    expect(empty.map((c: { remaining: number }) => c.remaining)).toEqual([0, 0, 0, 0]);

    await gql(router, CONSENT, { a: ['ORDER_PAID', 'ORDER_SHIPPED'] }, shopper.headers);
    const after = ok(await gql(router, CONSENT, { a: ['ORDER_PAID', 'ORDER_DELIVERED'], al: ['ORDER_DELIVERED'] }, shopper.headers)).reportMessageConsent;
    expect(after).toEqual([
      { kind: 'ORDER_PAID', templateId: TEMPLATES.ORDER_PAID, remaining: 2, always: false },
      { kind: 'ORDER_SHIPPED', templateId: TEMPLATES.ORDER_SHIPPED, remaining: 1, always: false },
      { kind: 'ORDER_DELIVERED', templateId: TEMPLATES.ORDER_DELIVERED, remaining: 1, always: true },
      { kind: 'AFTER_SALES_DECIDED', templateId: TEMPLATES.AFTER_SALES_DECIDED, remaining: 0, always: false },
    ]);
    const rejected = ok(await gql(router, CONSENT, { a: [], r: ['ORDER_PAID', 'ORDER_DELIVERED'] }, shopper.headers)).reportMessageConsent;
    expect(rejected.map((c: { remaining: number; always: boolean }) => [c.remaining, c.always])).toEqual([[0, false], [1, false], [0, false], [0, false]]);
    expect(ok(await gql(router, SETTINGS, {}, shopper.headers)).me.messageConsents).toEqual(rejected);
  });

  it('refuses bad answers with BAD_USER_INPUT and changes nothing; needs a signed-in WeChat shopper', async () => {
    const shopper = await wechatShopper();
    await gql(router, CONSENT, { a: ['ORDER_PAID'] }, shopper.headers);
    for (const variables of [
      { a: ['ORDER_PAID'], r: ['ORDER_PAID'] },
      { a: ['ORDER_SHIPPED'], al: ['ORDER_PAID'] },
      { a: Array(21).fill('ORDER_PAID') },
    ]) {
      expect(codes(await gql(router, CONSENT, variables, shopper.headers))).toEqual(['BAD_USER_INPUT']);
    }
    expect(codes(await gql(router, CONSENT, { a: ['NOT_A_KIND'] }, shopper.headers))).toEqual(['BAD_USER_INPUT']);
    expect(await remaining(shopper, 'ORDER_PAID')).toBe(1);
    expect(await remaining(shopper, 'ORDER_SHIPPED')).toBe(0);

    expect(codes(await gql(router, CONSENT, { a: ['ORDER_PAID'] }))).toEqual(['UNAUTHENTICATED']);
    const registered = ok(
      await gql(router, 'mutation($i: RegisterInput!) { register(input: $i) { accessToken } }', { i: { phone: uniquePhone(), password: 'messages123' } }),
    ).register;
    const refused = await gql(router, CONSENT, { a: ['ORDER_PAID'] }, bearer(registered.accessToken));
    expect(codes(refused)).toEqual(['FORBIDDEN']);
    expect(refused.errors![0].extensions!.reason).toBe('WECHAT_NOT_LINKED');
  });

  it('caps the acceptances kept per kind at 50', async () => {
    const shopper = await wechatShopper();
    for (let i = 0; i < 3; i += 1) await gql(router, CONSENT, { a: Array(20).fill('ORDER_PAID') }, shopper.headers);
    expect(await remaining(shopper, 'ORDER_PAID')).toBe(50);
  });
});

describe('the paid message', () => {
  it('login with WeChat → consent → pay (sandbox) → exactly one "paid" message with the order\'s data; the acceptance is used', async () => {
    const shopper = await wechatShopper();
    await consent(shopper, ['ORDER_PAID']);
    expect(await remaining(shopper, 'ORDER_PAID')).toBe(1);
    const order = await newOrder(shopper, '超长的商品标题一二三四五六七八九十甲乙丙丁戊己庚辛');
    await pay(shopper, order.id);

    const [row] = await settled(shopper);
    expect(row).toMatchObject({ kind: 'ORDER_PAID', status: 'SENT', errcode: 0, attempts: 1, template_id: TEMPLATES.ORDER_PAID });
    expect(sentTo(shopper)).toHaveLength(1);
    const [message] = sentTo(shopper);
    expect(message).toMatchObject({
      touser: shopper.openid,
      template_id: TEMPLATES.ORDER_PAID,
      page: `pages/order/detail?id=${order.id}`,
      miniprogram_state: 'formal',
      lang: 'zh_CN',
    });
    expect(message.data).toEqual({
      character_string1: { value: order.orderNo },
      amount2: { value: '¥30.00' },
      // 20 characters at most (thing): cut with an ellipsis.
      thing3: { value: '超长的商品标题一二三四五六七八九十甲乙…' },
      time4: { value: expect.stringMatching(/^\d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2}$/) },
    });
    expect(await remaining(shopper, 'ORDER_PAID')).toBe(0);
    // One token for everything so far: it is cached (in Redis with REDIS_URL).
    expect(wechat.requests.filter((r) => r.path === '/cgi-bin/stable_token').every((r) => (r.body as { appid: string }).appid === wechat.appId)).toBe(true);
  });

  it('no consent → no message', async () => {
    const shopper = await wechatShopper();
    wechat.accept(shopper.openid, TEMPLATES.ORDER_PAID); // accepted at WeChat, but never reported to us
    const order = await newOrder(shopper);
    await pay(shopper, order.id);
    await handledPaidEvent(order.id);
    expect(await messagesOf(shopper)).toEqual([]);
    expect(sentTo(shopper)).toEqual([]);
  });

  it('a redelivered event (the relay publishes it again) → still one message, one acceptance used', async () => {
    const shopper = await wechatShopper();
    await consent(shopper, ['ORDER_PAID']);
    await consent(shopper, ['ORDER_PAID']);
    const order = await newOrder(shopper);
    await pay(shopper, order.id);
    await settled(shopper);
    const eventId = await handledPaidEvent(order.id);
    // At-least-once delivery: a relay that died before marking its batch publishes it again.
    await orderDb('outbox').where({ event_id: eventId }).update({ published_at: null });
    await waitFor(async () => Boolean((await orderDb('outbox').where({ event_id: eventId }).first('published_at')).published_at));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await messagesOf(shopper)).toHaveLength(1);
    expect(sentTo(shopper)).toHaveLength(1);
    expect(await remaining(shopper, 'ORDER_PAID')).toBe(1);
  });

  it('WeChat answers 5xx, then busy (-1), then OK → one message, sent by the third run', async () => {
    const shopper = await wechatShopper();
    await consent(shopper, ['ORDER_PAID']);
    wechat.failNext({ status: 502 }, { errcode: -1 });
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      const order = await newOrder(shopper);
      await pay(shopper, order.id);
      const [row] = await settled(shopper);
      expect(row).toMatchObject({ status: 'SENT', errcode: 0, attempts: 3 });
    } finally {
      warn.mockRestore();
    }
    expect(sentTo(shopper)).toHaveLength(1);
  });

  it('an expired access token (42001) is refreshed once and the message sent', async () => {
    const shopper = await wechatShopper();
    await consent(shopper, ['ORDER_PAID']);
    const issued = wechat.tokensIssued();
    wechat.expireTokens();
    const order = await newOrder(shopper);
    await pay(shopper, order.id);
    const [row] = await settled(shopper);
    expect(row).toMatchObject({ status: 'SENT', attempts: 1 });
    expect(sentTo(shopper)).toHaveLength(1);
    expect(wechat.tokensIssued()).toBe(issued + 1);
    expect(wechat.requests.filter((r) => r.path === '/cgi-bin/stable_token').at(-1)!.body).toMatchObject({ force_refresh: true });
  });

  it('43101 (the shopper turned the messages off at WeChat) → dropped, not retried, our acceptances withdrawn', async () => {
    const shopper = await wechatShopper();
    await consent(shopper, ['ORDER_PAID'], { atWechat: false });
    await consent(shopper, ['ORDER_PAID'], { atWechat: false });
    const order = await newOrder(shopper);
    await pay(shopper, order.id);
    const [row] = await settled(shopper);
    expect(row).toMatchObject({ status: 'DROPPED', errcode: 43101, attempts: 1 });
    const job = await userDb('jobs').where({ kind: 'user.sendMessage' }).whereRaw('key LIKE ?', [`%:ORDER_PAID`]).whereRaw("payload->>'messageId' = ?", [String(row.id)]).first();
    expect(job).toMatchObject({ attempts: 1, dead_at: null });
    expect(job.done_at).not.toBeNull();
    expect(sentTo(shopper)).toEqual([]);
    expect(await remaining(shopper, 'ORDER_PAID')).toBe(0);
  });

  it('an answer lost to a timeout → UNCERTAIN, never sent again (WeChat had sent it once)', async () => {
    const shopper = await wechatShopper();
    await consent(shopper, ['ORDER_PAID']);
    wechat.failNext({ hangMs: 4500 });
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      const order = await newOrder(shopper);
      await pay(shopper, order.id);
      const [row] = await settled(shopper);
      expect(row).toMatchObject({ status: 'UNCERTAIN', attempts: 1 });
      expect(row.error).toMatch(/no answer within 3000 ms/);
    } finally {
      warn.mockRestore();
    }
    await new Promise((resolve) => setTimeout(resolve, 1800));
    expect(sentTo(shopper)).toHaveLength(1);
  });

  it('a shopper without a WeChat identity gets nothing', async () => {
    const registered = ok(
      await gql(router, 'mutation($i: RegisterInput!) { register(input: $i) { accessToken user { id } } }', { i: { phone: uniquePhone(), password: 'messages123' } }),
    ).register;
    const shopper: Shopper = { userId: registered.user.id, openid: 'none', headers: bearer(registered.accessToken) };
    // Consent rows cannot be reported without WeChat; even one written by hand is not used.
    await userDb('message_consents').insert({ user_id: shopper.userId, kind: 'ORDER_PAID', remaining: 1 });
    const order = await newOrder(shopper);
    await pay(shopper, order.id);
    await handledPaidEvent(order.id);
    expect(await messagesOf(shopper)).toEqual([]);
    expect(await remaining(shopper, 'ORDER_PAID')).toBe(1);
  });
});

describe('operators', () => {
  /** The operators' tool, as they run it (`npm run jobs -- …`), on this shop's database. */
  async function jobsTool(...args: string[]): Promise<string> {
    const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: 'test', DB_SEPARATE_ROLES: 'false' };
    if (shop.config.databaseUrl) env.DATABASE_URL = shop.config.databaseUrl;
    const root = path.resolve(__dirname, '..');
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', path.join(root, 'scripts/jobs.ts'), ...args], { env, cwd: root });
    return stdout;
  }

  it('a message WeChat keeps refusing (40037: the template id) is dead-lettered, listed by `npm run jobs -- dead user`, and sent once when requeued', async () => {
    const shopper = await wechatShopper();
    await consent(shopper, ['ORDER_PAID']);
    wechat.failNext(...Array.from({ length: 4 }, () => ({ errcode: 40037, errmsg: 'invalid template_id' })));
    const quiet = [jest.spyOn(console, 'warn').mockImplementation(() => undefined), jest.spyOn(console, 'error').mockImplementation(() => undefined)];
    let job: { id: string; dead_at: Date | null; attempts: number };
    try {
      const order = await newOrder(shopper);
      await pay(shopper, order.id);
      await waitFor(async () => {
        job = await userDb('jobs').where({ kind: 'user.sendMessage' }).whereNotNull('dead_at').whereRaw("payload->>'messageId' IN (SELECT id::text FROM subscribe_messages WHERE user_id = ?)", [shopper.userId]).first();
        return Boolean(job);
      }, 100);
    } finally {
      quiet.forEach((spy) => spy.mockRestore());
    }
    expect(job!.attempts).toBe(4);
    const [row] = await messagesOf(shopper);
    expect(row).toMatchObject({ status: 'PENDING', errcode: 40037, attempts: 4 });
    expect(sentTo(shopper)).toEqual([]);

    const listed = await jobsTool('dead', 'user');
    expect(listed).toMatch(new RegExp(`${job!.id}\\tuser\\.sendMessage/[0-9a-f-]+:ORDER_PAID\\t4 attempts\\t.*errcode 40037`));
    expect(await jobsTool('retry', 'user', String(job!.id))).toMatch(/requeued/);
    const [sent] = await settled(shopper);
    expect(sent).toMatchObject({ status: 'SENT', attempts: 5 });
    expect(sentTo(shopper)).toHaveLength(1);
  });
});

describe('with the logistics module: real shipments, Kuaidi100 pushes and after-sales decisions', () => {
  const staff = () => bearer(signAccessToken({ userId: '999999', scopes: ['order:write'] }, shop.config));

  async function kuaidi100Push(com: string, nu: string, state: string, data: { time: string; context: string; status: string }[]) {
    const text = JSON.stringify({
      status: 'polling',
      message: '',
      lastResult: { message: 'ok', state, status: '200', ischeck: state === '3' ? '1' : '0', com, nu, data: data.map((d) => ({ ...d, ftime: d.time })) },
    });
    const response = await fetch(`${origin}/notify/kuaidi100`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ param: text, sign: kuaidi100Sign(text, KUAIDI100_SALT) }).toString(),
    });
    expect(response.status).toBe(200);
  }

  it('pay → ship (one "shipped", not two: the SHIPPED status change is no trigger) → signed → refund rejected: one message each', async () => {
    const shopper = await wechatShopper();
    await consent(shopper, ['ORDER_PAID', 'ORDER_SHIPPED', 'ORDER_DELIVERED', 'AFTER_SALES_DECIDED']);
    const order = await newOrder(shopper, '羊毛围巾');
    await pay(shopper, order.id);
    await settled(shopper, 1);

    const tracking = `SF${crypto.randomInt(10 ** 9, 10 ** 10)}`;
    ok(await gql(router, 'mutation($id: ID!, $t: String!) { shipOrder(id: $id, carrier: "顺丰速运", trackingNo: $t) { status } }', { id: order.id, t: tracking }, staff()));
    await settled(shopper, 2);
    // Both shipping events were handled (the status change and the shipment) and gave one message.
    await waitFor(async () => {
      const rows = await orderDb('outbox').where({ aggregate_id: order.id }).whereIn('type', ['OrderShipped', 'OrderStatusChanged']).whereRaw("(type = 'OrderShipped' OR payload->>'to' = 'SHIPPED')").select('event_id');
      const handled = await userDb('processed_events').where({ consumer: 'messages' }).whereIn('event_id', rows.map((r: { event_id: string }) => r.event_id));
      return rows.length === 2 && handled.length === 2;
    });
    await kuaidi100Push('shunfeng', tracking, '3', [
      { time: '2026-12-06 18:30:00', context: '【深圳市】已签收，签收人：本人', status: '签收' },
      { time: '2026-12-05 12:05:00', context: '【深圳市】已揽收', status: '揽收' },
    ]);
    await settled(shopper, 3);
    const requested = ok(await gql(router, 'mutation($i: RefundRequestInput!) { requestRefund(input: $i) { id } }', { i: { orderId: order.id, reason: '不想要了', amount: 3000 } }, shopper.headers)).requestRefund;
    ok(await gql(router, 'mutation($id: ID!) { rejectRefundRequest(id: $id, note: "已超出退货条件") { status } }', { id: requested.id }, staff()));
    await settled(shopper, 4);
    await new Promise((resolve) => setTimeout(resolve, 300));

    expect((await messagesOf(shopper)).map((row: { kind: string; status: string }) => [row.kind, row.status])).toEqual([
      ['ORDER_PAID', 'SENT'],
      ['ORDER_SHIPPED', 'SENT'],
      ['ORDER_DELIVERED', 'SENT'],
      ['AFTER_SALES_DECIDED', 'SENT'],
    ]);
    const byTemplate = Object.fromEntries(sentTo(shopper).map((m) => [m.template_id, m.data]));
    expect(sentTo(shopper)).toHaveLength(4);
    expect(byTemplate[TEMPLATES.ORDER_SHIPPED]).toMatchObject({ thing2: { value: '顺丰速运' }, character_string3: { value: tracking } });
    expect(byTemplate[TEMPLATES.ORDER_DELIVERED]).toMatchObject({ character_string1: { value: order.orderNo }, thing2: { value: '羊毛围巾' }, phrase4: { value: '已签收' } });
    expect(byTemplate[TEMPLATES.AFTER_SALES_DECIDED]).toMatchObject({ phrase2: { value: '已拒绝' }, amount3: { value: '¥0.00' } });
  });
});

describe('logistics and after-sales events (appended to order\'s outbox per the event contract)', () => {
  async function publish(type: string, orderId: string, payload: Record<string, unknown>) {
    await orderDb.transaction((trx) => appendEvent(trx, { stream: 'shop.order.order', type, aggregateId: orderId, payload }));
  }

  it('OrderShipped, ShipmentDelivered, AfterSalesDecided → one message each with their data; a kind without acceptance → none', async () => {
    const shopper = await wechatShopper();
    await consent(shopper, ['ORDER_SHIPPED', 'ORDER_DELIVERED', 'AFTER_SALES_DECIDED']);
    const order = await newOrder(shopper, '棉麻衬衫');
    await orderDb('order_items').where({ order_id: order.id }).update({ quantity: 3 });
    const base = { orderId: order.id, userId: shopper.userId };
    await publish('OrderShipped', order.id, { ...base, shipmentId: '7', carrierCode: 'SF', carrierName: '顺丰速运', trackingNumber: 'SF1234567890123', shippedAt: '2026-12-05T04:05:00.000Z' });
    await publish('ShipmentDelivered', order.id, { ...base, shipmentId: '7', deliveredAt: '2026-12-06T10:30:00.000Z' });
    await publish('AfterSalesDecided', order.id, { ...base, requestId: '9', kind: 'REFUND', decision: 'APPROVED', refundAmount: 1250 });
    // A second delivery of the same shipment has no acceptance left: nothing.
    await publish('ShipmentDelivered', order.id, { ...base, shipmentId: '8', deliveredAt: '2026-12-06T11:00:00.000Z' });
    await settled(shopper, 3);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await messagesOf(shopper)).map((row: { kind: string; status: string }) => [row.kind, row.status])).toEqual([
      ['ORDER_SHIPPED', 'SENT'],
      ['ORDER_DELIVERED', 'SENT'],
      ['AFTER_SALES_DECIDED', 'SENT'],
    ]);
    const byTemplate = Object.fromEntries(sentTo(shopper).map((m) => [m.template_id, m.data]));
    expect(byTemplate[TEMPLATES.ORDER_SHIPPED]).toEqual({
      character_string1: { value: order.orderNo },
      thing2: { value: '顺丰速运' },
      character_string3: { value: 'SF1234567890123' },
      time4: { value: '2026年12月5日 12:05' },
    });
    expect(byTemplate[TEMPLATES.ORDER_DELIVERED]).toEqual({
      character_string1: { value: order.orderNo },
      thing2: { value: '棉麻衬衫 等3件' },
      time3: { value: '2026年12月6日 18:30' },
      phrase4: { value: '已签收' },
    });
    expect(byTemplate[TEMPLATES.AFTER_SALES_DECIDED]).toEqual({
      character_string1: { value: order.orderNo },
      phrase2: { value: '已同意' },
      amount3: { value: '¥12.50' },
      time4: { value: expect.stringMatching(/^\d{4}年/) },
    });
    expect(sentTo(shopper)).toHaveLength(3);
  });
});
