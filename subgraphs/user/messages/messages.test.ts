/**
 * Shopper messages in the user subgraph: template values shaped to WeChat's rules, the configuration, which events
 * trigger which kind, the consumer against real PostgreSQL (one message per event, one acceptance per message, two
 * events racing for the last acceptance), and the WeChat client's shared access token (two instances, one token).
 */
import crypto from 'node:crypto';
import type { Knex } from 'knex';
import { loadConfig } from '../../../platform/config';
import { idempotent, type EventEnvelope } from '../../../platform/events';
import { sharedRedis } from '../../../platform/redis-connection';
import { startFakeWechatApi, type FakeWechatApi } from '../../../test/support/fake-wechat-subscribe';
import { startIsolatedSupergraph, type IsolatedSupergraph } from '../../../test/support/isolated-supergraph';
import { anonymousTo, gql, testConfig, uniquePhone } from '../../../test/support/harness';
import { memoryTokenStore, redisTokenStore, type TokenStore } from './access-token';
import { pruneFinishedMessages } from './data/messages';
import { itemsSummary, templateData, templateValue } from './templates';
import { scheduleMessage, triggerOf } from './triggers';
import { createWechatMessageClient } from './wechat-client';

const envelope = (type: string, payload: Record<string, unknown>): EventEnvelope => ({
  id: crypto.randomUUID(),
  stream: 'shop.order.order',
  type,
  aggregateId: String(payload.orderId),
  payload,
  occurredAt: '2026-12-05T12:00:00.000Z',
});

describe('template values (WeChat subscribe-message rules per key type)', () => {
  it.each([
    ['thing1', '一二三四五六七八九十一二三四五六七八九十', '一二三四五六七八九十一二三四五六七八九十'],
    ['thing1', '一二三四五六七八九十一二三四五六七八九十多', '一二三四五六七八九十一二三四五六七八九…'],
    ['thing2', ' 多个\n空白\u0000 字符 ', '多个 空白 字符'],
    ['character_string1', 'T2026 1205-订单#0001', 'T20261205-#0001'],
    ['character_string1', 'A'.repeat(40), 'A'.repeat(32)],
    ['number3', '12.5件', '12.5'],
    ['letter1', 'ab12cd', 'abcd'],
    ['symbol1', '!!!!!!!', '!!!!!'],
    ['amount2', 123456, '¥1234.56'],
    ['amount2', 5, '¥0.05'],
    ['time4', '2026-12-05T16:07:00.000Z', '2026年12月6日 00:07'],
    ['date4', '2026-12-05T15:59:00.000Z', '2026年12月5日'],
    ['phrase1', '已同意 OK', '已同意'],
    ['phrase1', '一二三四五六', '一二三四五'],
    ['name1', '欧阳一二三四五六七八九', '欧阳一二三四五六七八'],
    ['phone_number1', '+86 138-0013-8000 ext', '+86 138-0013-8000'],
    ['car_number1', '粤B12345X9', '粤B12345X'],
    ['thing5', null, '-'],
    ['amount5', null, '¥0.00'],
    ['phrase5', '', '无'],
  ])('%s ← %j is %j', (key, raw, expected) => {
    expect(templateValue(key, raw as string | number | null)).toBe(expected);
  });

  it('summarises the goods within a thing, keeping the count', () => {
    expect(itemsSummary([{ title: '棉麻衬衫', quantity: 1 }])).toBe('棉麻衬衫');
    expect(itemsSummary([{ title: '棉麻衬衫', quantity: 2 }])).toBe('棉麻衬衫 等2件');
    expect(itemsSummary([{ title: '超长的商品标题一二三四五六七八九十', quantity: 1 }, { title: 'x', quantity: 11 }])).toBe('超长的商品标题一二三四五六七… 等12件');
    expect([...itemsSummary([{ title: '超长的商品标题一二三四五六七八九十', quantity: 100 }])!].length).toBeLessThanOrEqual(20);
    expect(itemsSummary([])).toBeNull();
  });

  it('fills the keys the template configuration maps', () => {
    expect(templateData({ templateId: 't', data: { thing9: 'carrier', character_string2: 'orderNo' } }, { carrier: '顺丰', orderNo: 'N1' })).toEqual({
      thing9: { value: '顺丰' },
      character_string2: { value: 'N1' },
    });
  });
});

describe('configuration', () => {
  const load = (env: Record<string, string>) => loadConfig({ NODE_ENV: 'test', ...env });

  it('offers only kinds with a template id, with the default data keys or those given', () => {
    const config = load({ WECHAT_TEMPLATE_ORDER_PAID: 'abc-DEF_1', WECHAT_TEMPLATE_ORDER_SHIPPED_DATA: '{"thing1":"carrier"}' });
    expect(config.messages.templates).toEqual({
      ORDER_PAID: { templateId: 'abc-DEF_1', data: { character_string1: 'orderNo', amount2: 'amount', thing3: 'items', time4: 'time' } },
    });
    const custom = load({ WECHAT_TEMPLATE_ORDER_SHIPPED: 'x1', WECHAT_TEMPLATE_ORDER_SHIPPED_DATA: '{"thing1":"carrier","character_string7":"trackingNumber"}' });
    expect(custom.messages.templates.ORDER_SHIPPED!.data).toEqual({ thing1: 'carrier', character_string7: 'trackingNumber' });
    expect(custom.messages).toMatchObject({ page: 'pages/order/detail?id={orderId}', miniprogramState: 'formal', lang: 'zh_CN' });
  });

  it.each([
    [{ WECHAT_TEMPLATE_ORDER_PAID: 'has space' }, /not a template id/],
    [{ WECHAT_TEMPLATE_ORDER_PAID: 'a', WECHAT_TEMPLATE_ORDER_PAID_DATA: 'nope' }, /must be JSON/],
    [{ WECHAT_TEMPLATE_ORDER_PAID: 'a', WECHAT_TEMPLATE_ORDER_PAID_DATA: '{"thing":"items"}' }, /not a template data key/],
    [{ WECHAT_TEMPLATE_ORDER_PAID: 'a', WECHAT_TEMPLATE_ORDER_PAID_DATA: '{"thing1":"price"}' }, /not one of/],
    [{ WECHAT_MESSAGE_STATE: 'beta' }, /WECHAT_MESSAGE_STATE/],
    [{ MESSAGES_RETENTION_DAYS: '10' }, /MESSAGES_RETENTION_DAYS must be at least EVENTS_PROCESSED_RETENTION_HOURS/],
  ])('refuses %j', (env, message) => {
    expect(() => load(env)).toThrow(message);
  });
});

describe('triggers: one per business moment', () => {
  const ids = { orderId: '41', userId: '7' };
  it('maps each event to its kind and facts, and nothing else', () => {
    expect(triggerOf(envelope('OrderStatusChanged', { ...ids, from: 'PENDING_PAYMENT', to: 'PAID', at: '2026-12-05T01:00:00.000Z' }))).toEqual({
      ...ids,
      kind: 'ORDER_PAID',
      facts: { time: '2026-12-05T01:00:00.000Z' },
    });
    // Shipping is OrderShipped's moment: the status change would send "shipped" twice.
    expect(triggerOf(envelope('OrderStatusChanged', { ...ids, from: 'PAID', to: 'SHIPPED' }))).toBeNull();
    expect(triggerOf(envelope('OrderStatusChanged', { ...ids, from: 'PAID', to: 'COMPLETED' }))).toBeNull();
    expect(triggerOf(envelope('OrderShipped', { ...ids, shipmentId: 3, carrierCode: 'SF', carrierName: '顺丰速运', trackingNumber: 'SF1', shippedAt: 'x' }))).toMatchObject({
      kind: 'ORDER_SHIPPED',
      facts: { carrier: '顺丰速运', trackingNumber: 'SF1', time: 'x', shipmentId: '3' },
    });
    expect(triggerOf(envelope('ShipmentDelivered', { ...ids, shipmentId: '3', deliveredAt: 'y' }))).toMatchObject({ kind: 'ORDER_DELIVERED', facts: { time: 'y' } });
    expect(triggerOf(envelope('AfterSalesDecided', { ...ids, requestId: '5', kind: 'REFUND', decision: 'REJECTED', refundAmount: 100 }))).toMatchObject({
      kind: 'AFTER_SALES_DECIDED',
      facts: { decision: 'REJECTED', amount: null },
    });
    expect(triggerOf(envelope('AfterSalesDecided', { ...ids, decision: 'MAYBE' }))).toBeNull();
    expect(triggerOf(envelope('OrderStatusChanged', { orderId: 'x; drop', userId: '7', to: 'PAID' }))).toBeNull();
    expect(triggerOf(envelope('OrderPlaced', { ...ids }))).toBeNull();
  });
});

describe('the consumer against PostgreSQL', () => {
  let shop: IsolatedSupergraph;
  let db: Knex;
  beforeAll(async () => {
    // Without WECHAT_APPID: whatever the send job does with these rows is not the point here.
    shop = await startIsolatedSupergraph({ WECHAT_TEMPLATE_ORDER_PAID: 'Paid-1', WECHAT_APPID: '', WECHAT_SECRET: '' }, { subgraphs: ['user'], router: false });
    db = shop.subgraphs.user!.db;
  });
  afterAll(async () => {
    await shop?.stop();
  });

  /** Signed up as a shopper would (WeChat: the development login of this WeChat-less server; else a phone). */
  async function shopper(wechat: boolean, remaining: number) {
    const url = shop.subgraphs.user!.url;
    const answer = wechat
      ? await gql(url, 'mutation($c: String!) { loginWithWechat(code: $c) { user { id } } }', { c: `code${crypto.randomBytes(8).toString('hex')}` }, anonymousTo('user', shop.config))
      : await gql(url, 'mutation($i: RegisterInput!) { register(input: $i) { user { id } } }', { i: { phone: uniquePhone(), password: 'messages123' } }, anonymousTo('user', shop.config));
    const userId = String((answer.data.loginWithWechat ?? answer.data.register).user.id);
    if (remaining) await db('message_consents').insert({ user_id: userId, kind: 'ORDER_PAID', remaining });
    return userId;
  }
  const paid = (userId: string) => envelope('OrderStatusChanged', { orderId: '1001', userId, to: 'PAID', at: new Date().toISOString() });
  const left = async (userId: string) => (await db('message_consents').where({ user_id: userId, kind: 'ORDER_PAID' }).first())?.remaining;

  it('one event → one message and one job, whatever is redelivered; one acceptance used', async () => {
    const userId = await shopper(true, 3);
    const consume = idempotent(db, 'messages', (event, trx) => scheduleMessage(trx, shop.config.messages, event).then(() => undefined));
    const event = paid(userId);
    expect(await consume(event)).toBe(true);
    expect(await consume(event)).toBe(false);
    // Even the effect itself twice (no processed_events in front): the row is unique per event and kind.
    expect(await db.transaction((trx) => scheduleMessage(trx, shop.config.messages, event))).toBeNull();
    const rows = await db('subscribe_messages').where({ user_id: userId });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ kind: 'ORDER_PAID', event_id: event.id, consent: 'COUNT', facts: { time: expect.any(String) } });
    expect(await db('jobs').where({ kind: 'user.sendMessage', key: `${event.id}:ORDER_PAID` }).count('* as n').first()).toEqual({ n: '1' });
    // 3 − 1, or 3 − 1 + 1 if the job (no WeChat here) has already dropped it and given the acceptance back.
    expect([2, 3]).toContain(await left(userId));
  });

  it('two events racing for the last acceptance → one message', async () => {
    const userId = await shopper(true, 1);
    // The job is not run in between: hold the send jobs back by making them due later.
    const results = await Promise.all([paid(userId), paid(userId), paid(userId)].map((event) => db.transaction((trx) => scheduleMessage(trx, shop.config.messages, event))));
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await db('subscribe_messages').where({ user_id: userId }).count('* as n').first()).toEqual({ n: '1' });
  });

  it('a long-term subscription uses no acceptance; no openid, no consent or an unconfigured kind → nothing', async () => {
    const always = await shopper(true, 0);
    await db('message_consents').insert({ user_id: always, kind: 'ORDER_PAID', remaining: 0, always: true });
    for (let i = 0; i < 2; i += 1) expect(await db.transaction((trx) => scheduleMessage(trx, shop.config.messages, paid(always)))).not.toBeNull();
    expect(await left(always)).toBe(0);
    expect((await db('subscribe_messages').where({ user_id: always })).map((r: { consent: string }) => r.consent)).toEqual(['ALWAYS', 'ALWAYS']);

    const noOpenid = await shopper(false, 2);
    const noConsent = await shopper(true, 0);
    for (const userId of [noOpenid, noConsent]) expect(await db.transaction((trx) => scheduleMessage(trx, shop.config.messages, paid(userId)))).toBeNull();
    expect(await left(noOpenid)).toBe(2);
    const shipped = envelope('OrderShipped', { orderId: '1', userId: noConsent, carrierName: 'x', trackingNumber: 'y' });
    expect(await db.transaction((trx) => scheduleMessage(trx, shop.config.messages, shipped))).toBeNull();
    expect(await db('subscribe_messages').whereIn('user_id', [noOpenid, noConsent]).count('* as n').first()).toEqual({ n: '0' });
  });

  it('retention deletes finished messages past MESSAGES_RETENTION_DAYS, never pending or sending ones', async () => {
    const userId = await shopper(true, 0);
    const old = new Date(Date.now() - 91 * 24 * 3600_000);
    const rows = ['SENT', 'DROPPED', 'UNCERTAIN', 'PENDING', 'SENDING', 'SENT'].map((status, i) => ({
      user_id: userId,
      kind: 'ORDER_PAID',
      event_id: crypto.randomUUID(),
      order_id: '1',
      facts: {},
      consent: 'COUNT',
      status,
      created_at: old,
      // The last one ended recently: kept.
      finished_at: ['PENDING', 'SENDING'].includes(status) ? null : i === 5 ? new Date() : old,
    }));
    await db('subscribe_messages').insert(rows);
    expect(await pruneFinishedMessages(db, shop.config.messages.retentionMs)).toBeGreaterThanOrEqual(3);
    expect((await db('subscribe_messages').where({ user_id: userId }).orderBy('id')).map((r: { status: string }) => r.status)).toEqual(['PENDING', 'SENDING', 'SENT']);
  });
});

describe('the access token, shared by instances', () => {
  let wechat: FakeWechatApi;
  const redis = process.env.REDIS_URL ? sharedRedis(process.env.REDIS_URL, { label: 'test', namespace: `msg-test-${crypto.randomBytes(4).toString('hex')}` }) : undefined;
  beforeAll(async () => {
    wechat = await startFakeWechatApi({ templates: ['T1'] });
  });
  afterAll(async () => {
    await wechat?.close();
    await redis?.close();
  });

  const clientWith = (tokens: TokenStore, secret = wechat.secret) =>
    createWechatMessageClient({ appId: wechat.appId, secret, apiBase: wechat.url, timeoutMs: 2000, tokens });
  const message = (touser: string) => ({ touser, template_id: 'T1', page: 'p', data: { thing1: { value: 'x' } }, miniprogram_state: 'formal', lang: 'zh_CN' });

  it('two instances fetch one token (Redis with REDIS_URL) and send with it', async () => {
    const store = () => (redis ? redisTokenStore(redis, wechat.appId) : memoryTokenStore());
    const shared = redis ? undefined : store();
    const [a, b] = [clientWith(shared ?? store()), clientWith(shared ?? store())];
    const openid = wechat.user();
    wechat.accept(openid, 'T1', 2);
    expect(await a.send(message(openid))).toEqual({ kind: 'sent', errcode: 0 });
    expect(await b.send(message(openid))).toEqual({ kind: 'sent', errcode: 0 });
    expect(wechat.tokensIssued()).toBe(1);
    expect(wechat.requests.filter((r) => r.path === '/cgi-bin/stable_token')).toHaveLength(1);
  });

  it('sorts WeChat answers: 43101 refused, 40003 bad recipient, 45009 / 5xx / token refusals not sent, unreachable not sent', async () => {
    const client = clientWith(memoryTokenStore());
    const openid = wechat.user();
    expect(await client.send(message(openid))).toMatchObject({ kind: 'refused', errcode: 43101 });
    expect(await client.send(message('o-not-ours'))).toMatchObject({ kind: 'badRecipient', errcode: 40003 });
    wechat.failNext({ errcode: 45009, errmsg: 'reach max api daily quota limit' });
    expect(await client.send(message(openid))).toMatchObject({ kind: 'notSent', errcode: 45009 });
    wechat.failNext({ status: 503 });
    expect(await client.send(message(openid))).toMatchObject({ kind: 'notSent', error: expect.stringMatching(/HTTP 503/) });
    const wrongSecret = await clientWith(memoryTokenStore(), 'wrong-secret').send(message(openid));
    expect(wrongSecret).toMatchObject({ kind: 'notSent', errcode: 40125 });
    expect(JSON.stringify(wrongSecret)).not.toContain(wechat.secret);
    const unreachable = createWechatMessageClient({ appId: 'a', secret: 's', apiBase: 'http://127.0.0.1:1', timeoutMs: 500, tokens: memoryTokenStore() });
    expect(await unreachable.send(message(openid))).toMatchObject({ kind: 'notSent' });
    expect(wechat.sent.filter((m) => m.touser === openid)).toEqual([]);
  });

  it('a template data value breaking WeChat\'s rule is refused (47003) by the fake, as by WeChat', async () => {
    const client = clientWith(memoryTokenStore());
    const openid = wechat.user();
    wechat.accept(openid, 'T1');
    expect(await client.send({ ...message(openid), data: { thing1: { value: 'x'.repeat(21) } } })).toMatchObject({ kind: 'notSent', errcode: 47003 });
    expect(await client.send({ ...message(openid), data: { thing1: { value: templateValue('thing1', 'x'.repeat(21)) } } })).toEqual({ kind: 'sent', errcode: 0 });
  });
});

// The loaded configuration of the isolated supergraph is the test config with overrides (keeps `testConfig` used).
void testConfig;
