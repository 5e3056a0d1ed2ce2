/**
 * Logistics against the order subgraph and real PostgreSQL (docs/logistics.md): shipments from shipOrder / addShipment
 * with the carrier list, OrderShipped / ShipmentDelivered / AfterSalesDecided in the outbox, Kuaidi100's subscription
 * (a fake Kuaidi100 at its HTTP boundary) and its signed pushes (bad signature, replay, out of order, terminal
 * delivery, unknown parcel, abort), staff events, return addresses, exchanges with stock taken at product, and the
 * statement count of an order list with shipments and events.
 */
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Knex } from 'knex';
import type { RunningSupergraph } from '../../../app/launcher';
import { countStatements } from '../../../platform/db';
import { asIdentity, codes, gql, startSupergraph, testConfig, type GraphQLResponse } from '../../../test/support/harness';
import { createTestProduct, type Endpoints } from '../../cart/test/fixtures';
import { chinaTime, kuaidi100Sign, kuaidi100Status } from '../kuaidi100';
import { SUBSCRIBE_TRACKING, trackingSubscriptionJobs } from '../tracking-subscription';
import { eventually, skuCounts } from './checkout-fixtures';
import { placeTestOrder, registerUser, type RegisteredUser } from './fixtures';

const SALT = 'test-kuaidi100-salt';
let supergraph: RunningSupergraph;
let db: Knex;
let url: string;
let orderOrigin: string;
let endpoints: Endpoints;
let alice: RegisteredUser;
let bob: RegisteredUser;
let fakeKuaidi100: http.Server;
const subscriptions: Record<string, string>[] = [];
const STAFF = '999998';

beforeAll(async () => {
  // Kuaidi100's subscription endpoint, speaking its protocol: form fields schema + param, JSON answer.
  fakeKuaidi100 = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      const form = Object.fromEntries(new URLSearchParams(body));
      subscriptions.push({ path: req.url ?? '', contentType: req.headers['content-type'] ?? '', ...form });
      const number = (JSON.parse(form.param ?? '{}') as { number?: string }).number ?? '';
      res.setHeader('content-type', 'application/json;charset=UTF-8');
      // Numbers starting with F are refused for good (Kuaidi100's 700); with B the service is busy the first time.
      if (number.startsWith('F')) return void res.end(JSON.stringify({ result: false, returnCode: '700', message: '拒绝订阅的快递公司' }));
      if (number.startsWith('B') && subscriptions.filter((s) => s.param?.includes(number)).length === 1) {
        res.statusCode = 503;
        return void res.end('busy');
      }
      res.end(JSON.stringify({ result: true, returnCode: '200', message: '提交成功' }));
    });
  });
  await new Promise<void>((resolve) => fakeKuaidi100.listen(0, '127.0.0.1', resolve));
  const pollUrl = `http://127.0.0.1:${(fakeKuaidi100.address() as AddressInfo).port}/poll`;
  const config = testConfig({
    IDENTITY_MAX_AGE_SECONDS: '3600',
    KUAIDI100_SALT: SALT,
    KUAIDI100_KEY: 'test-key',
    KUAIDI100_POLL_URL: pollUrl,
    KUAIDI100_CALLBACK_URL: 'https://shop.example.com/notify/kuaidi100',
    CATALOG_CACHE: 'false',
  });
  supergraph = await startSupergraph({ subgraphs: ['user', 'product', 'order'], router: false, config });
  db = supergraph.subgraphs.order!.db;
  url = supergraph.subgraphs.order!.url;
  orderOrigin = new URL(url).origin;
  endpoints = {
    cart: '',
    promote: '',
    product: supergraph.subgraphs.product!.url,
    headersFor: (userId, scopes = [], target = 'cart') => asIdentity(userId ? { userId, scopes } : {}, target, config),
  };
  alice = await registerUser(supergraph.subgraphs.user!.url);
  bob = await registerUser(supergraph.subgraphs.user!.url);
});
afterAll(async () => {
  await supergraph?.stop();
  fakeKuaidi100?.closeAllConnections();
  await new Promise((resolve) => fakeKuaidi100?.close(resolve));
});

const as = (userId: string, scopes: string[] = []) => asIdentity({ userId, scopes }, 'order');
const staff = as(STAFF, ['order:write']);
const call = <T = any>(query: string, variables: Record<string, unknown>, headers: Record<string, string>) => gql<T>(url, query, variables, headers);
const trackingNo = () => `T${crypto.randomInt(10 ** 9, 10 ** 10)}`;
const reasonOf = (response: GraphQLResponse) => response.errors?.[0]?.extensions?.reason;

const SHIPMENTS = 'shipments { id kind carrier { code name } trackingNumber status deliveredAt trackingNote lines { sku { id } quantity } events { at status description location } }';
const ship = (id: string, carrier: string, tracking: string, headers = staff) =>
  call(`mutation($id: ID!, $c: String!, $t: String!) { shipOrder(id: $id, carrier: $c, trackingNo: $t) { id status carrier trackingNo ${SHIPMENTS} } }`, { id, c: carrier, t: tracking }, headers);
const readOrder = (id: string, headers: Record<string, string>) => call(`query($id: ID!) { order(id: $id) { status ${SHIPMENTS} } }`, { id }, headers);
const outbox = (type: string, orderId: string) =>
  db('outbox').where({ type, aggregate_id: String(orderId) }).orderBy('id').select('payload').then((rows) => rows.map((row) => row.payload));

/** Kuaidi100's push: form fields `param` (JSON) and `sign` = upper(md5(param + salt)). */
async function push(param: object | string, options: { salt?: string; sign?: string; via?: string } = {}) {
  const text = typeof param === 'string' ? param : JSON.stringify(param);
  const sign = options.sign ?? kuaidi100Sign(text, options.salt ?? SALT);
  const response = await fetch(`${options.via ?? orderOrigin}/notify/kuaidi100`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ param: text, sign }).toString(),
  });
  return { status: response.status, body: (await response.json()) as { result: boolean; returnCode: string; message: string } };
}

/** A push as Kuaidi100 sends it: data newest first, China time. */
function pushParam(com: string, nu: string, state: string, data: { time: string; context: string; status?: string; areaName?: string }[], status = 'polling') {
  return {
    status,
    billstatus: 'got',
    message: '',
    autoCheck: '0',
    comOld: '',
    comNew: '',
    lastResult: {
      message: 'ok',
      state,
      status: '200',
      condition: 'F00',
      ischeck: state === '3' ? '1' : '0',
      com,
      nu,
      data: [...data].reverse().map((event) => ({ time: event.time, ftime: event.time, context: event.context, status: event.status ?? '在途', areaName: event.areaName })),
    },
  };
}

describe('carriers and shipping', () => {
  it('lists the carrier codes (Kuaidi100 com codes) with names', async () => {
    const response = await call('{ carriers { code name } }', {}, as(alice.userId));
    expect(response.data.carriers).toEqual(
      expect.arrayContaining([
        { code: 'shunfeng', name: '顺丰速运' },
        { code: 'zhongtong', name: '中通快递' },
        { code: 'yuantong', name: '圆通速递' },
        { code: 'shentong', name: '申通快递' },
        { code: 'yunda', name: '韵达快递' },
        { code: 'jd', name: '京东物流' },
        { code: 'ems', name: 'EMS' },
        { code: 'jtexpress', name: '极兔速递' },
      ]),
    );
  });

  it('shipOrder creates a shipment (validated carrier), publishes OrderShipped and subscribes the parcel at Kuaidi100', async () => {
    const orderId = await placeTestOrder(db, { userId: alice.userId, status: 'PAID' });
    const tracking = trackingNo();
    const unknown = await ship(orderId, 'Pigeon Post', tracking);
    expect(codes(unknown)).toEqual(['BAD_USER_INPUT']);
    expect(reasonOf(unknown)).toBe('UNKNOWN_CARRIER');
    expect((await db('orders').where({ id: orderId }).first()).status).toBe('PAID');
    expect(await db('shipments').where({ order_id: orderId })).toHaveLength(0);
    // The original contract: a carrier name (or code, or alias) and trackingNo.
    const shipped = await ship(orderId, '顺丰', tracking);
    expect(shipped.errors).toBeUndefined();
    expect(shipped.data.shipOrder).toMatchObject({
      status: 'SHIPPED',
      carrier: '顺丰速运',
      trackingNo: tracking,
      shipments: [{ kind: 'OUTBOUND', carrier: { code: 'shunfeng', name: '顺丰速运' }, trackingNumber: tracking, status: 'PENDING', lines: null, events: [] }],
    });
    const [event] = await outbox('OrderShipped', orderId);
    expect(event).toEqual({
      orderId,
      userId: alice.userId,
      shipmentId: shipped.data.shipOrder.shipments[0].id,
      carrierCode: 'shunfeng',
      carrierName: '顺丰速运',
      trackingNumber: tracking,
      shippedAt: expect.any(String),
      kind: 'OUTBOUND',
    });
    // The durable subscription job reached Kuaidi100 with its real form fields.
    const sent = await eventually(async () => subscriptions.find((s) => s.param?.includes(tracking)), Boolean);
    expect(sent).toMatchObject({ path: '/poll', contentType: 'application/x-www-form-urlencoded', schema: 'json' });
    expect(JSON.parse(sent!.param)).toEqual({
      company: 'shunfeng',
      number: tracking,
      key: 'test-key',
      parameters: { callbackurl: 'https://shop.example.com/notify/kuaidi100', salt: SALT, resultv2: '1' },
    });
    // Staff only; the shopper sees the shipment, another shopper does not see the order.
    expect((await readOrder(orderId, as(alice.userId))).data.order.shipments).toHaveLength(1);
    expect((await readOrder(orderId, as(bob.userId))).data.order).toBeNull();
  });

  it('addShipment adds parcels with lines to a shipped order; refuses bad lines and unpaid orders', async () => {
    const items = [
      { skuId: '11', productId: '1', title: 'A', skuName: 'a', unitPrice: 500, quantity: 2 },
      { skuId: '12', productId: '1', title: 'B', skuName: 'b', unitPrice: 700, quantity: 1 },
    ];
    const orderId = await placeTestOrder(db, { userId: alice.userId, status: 'PAID', items });
    const add = (input: Record<string, unknown>, headers = staff) =>
      call(`mutation($input: AddShipmentInput!) { addShipment(input: $input) { id kind carrier { code } trackingNumber lines { sku { id } quantity } } }`, { input }, headers);
    const first = { orderId, carrierCode: 'zhongtong', trackingNumber: trackingNo(), lines: [{ skuId: '11', quantity: 2 }] };
    expect(codes(await add(first, as(alice.userId)))).toEqual(['FORBIDDEN']);
    expect(codes(await add({ ...first, lines: [{ skuId: '11', quantity: 3 }] }))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await add({ ...first, lines: [{ skuId: '99', quantity: 1 }] }))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await add({ ...first, trackingNumber: 'no spaces allowed' }))).toEqual(['BAD_USER_INPUT']);
    const one = await add(first);
    expect(one.data.addShipment).toMatchObject({ kind: 'OUTBOUND', carrier: { code: 'zhongtong' }, lines: [{ sku: { id: '11' }, quantity: 2 }] });
    expect((await db('orders').where({ id: orderId }).first()).status).toBe('SHIPPED');
    // The same parcel twice for one order is a CONFLICT; a second parcel is fine.
    expect(reasonOf(await add(first))).toBe('TRACKING_NUMBER_TAKEN');
    expect((await add({ orderId, carrierCode: 'yunda', trackingNumber: trackingNo(), lines: [{ skuId: '12', quantity: 1 }] })).errors).toBeUndefined();
    expect((await readOrder(orderId, staff)).data.order.shipments.map((s: { carrier: { code: string } }) => s.carrier.code)).toEqual(['zhongtong', 'yunda']);
    expect(await outbox('OrderShipped', orderId)).toHaveLength(2);
    const unpaid = await placeTestOrder(db, { userId: alice.userId });
    expect(codes(await add({ orderId: unpaid, carrierCode: 'yunda', trackingNumber: trackingNo() }))).toEqual(['CONFLICT']);
  });
});

describe('Kuaidi100 subscriptions (durable job)', () => {
  it('keeps a final refusal as the tracking note', async () => {
    const refused = `F${crypto.randomInt(10 ** 9, 10 ** 10)}`;
    const orderId = await placeTestOrder(db, { userId: alice.userId, status: 'PAID' });
    expect((await ship(orderId, 'yunda', refused)).errors).toBeUndefined();
    const note = await eventually(async () => (await readOrder(orderId, staff)).data.order.shipments[0].trackingNote, Boolean);
    expect(note).toBe('订阅失败 700: 拒绝订阅的快递公司');
    expect(subscriptions.filter((s) => s.param?.includes(refused))).toHaveLength(1);
  });

  it('throws (retry later) while Kuaidi100 is busy or on an instance without the key, and finishes once accepted', async () => {
    // The handler as the job runner calls it (other test files' order instances share this database, so the runner's
    // timing is not this test's to control).
    const busy = `B${crypto.randomInt(10 ** 9, 10 ** 10)}`;
    const job = { id: '1', kind: SUBSCRIBE_TRACKING, key: `yunda:${busy}`, runAt: new Date(), attempts: 1, payload: { carrierCode: 'yunda', trackingNumber: busy } };
    let fencedCalls = 0;
    const ctx = { db, fenced: async () => void fencedCalls++ } as never;
    const configured = testConfig({ KUAIDI100_KEY: 'test-key', KUAIDI100_SALT: SALT, KUAIDI100_POLL_URL: `http://127.0.0.1:${(fakeKuaidi100.address() as AddressInfo).port}/poll` });
    const handler = trackingSubscriptionJobs(configured.logistics)[SUBSCRIBE_TRACKING];
    await expect(handler(job, ctx)).rejects.toThrow(/503/);
    await expect(trackingSubscriptionJobs(testConfig().logistics)[SUBSCRIBE_TRACKING](job, ctx)).rejects.toThrow(/KUAIDI100_KEY/);
    await expect(handler({ ...job, attempts: 2 }, ctx)).resolves.toBeUndefined();
    expect(subscriptions.filter((s) => s.param?.includes(busy))).toHaveLength(2);
    expect(fencedCalls).toBe(0);
  });
});

describe('Kuaidi100 protocol details', () => {
  it('maps state codes (resultv2 sub-states by leading digits) and China time', () => {
    expect(['0', '1', '2', '3', '4', '5', '6', '7', '8', '14'].map(kuaidi100Status)).toEqual([
      'IN_TRANSIT', 'COLLECTED', 'TROUBLE', 'DELIVERED', 'RETURNED', 'DISPATCHING', 'RETURNING', 'TRANSFERRED', 'CUSTOMS', 'REJECTED',
    ]);
    expect(['101', '301', '501', '1001', '1401', '99', 'x', ''].map(kuaidi100Status)).toEqual(['COLLECTED', 'DELIVERED', 'DISPATCHING', 'IN_TRANSIT', 'REJECTED', null, null, null]);
    expect(chinaTime('2026-12-05 08:00:00')?.toISOString()).toBe('2026-12-05T00:00:00.000Z');
    expect(chinaTime('2026-12-05T08:00:00')).toBeNull();
  });
});

describe('Kuaidi100 pushes', () => {
  async function shippedParcel() {
    const orderId = await placeTestOrder(db, { userId: alice.userId, status: 'PAID' });
    const tracking = trackingNo();
    expect((await ship(orderId, 'yuantong', tracking)).errors).toBeUndefined();
    return { orderId, tracking };
  }
  const E1 = { time: '2026-12-01 09:00:00', context: '【上海市】快件已揽收', status: '揽收', areaName: '上海市' };
  const E2 = { time: '2026-12-01 20:15:00', context: '【上海市】快件已发往 北京转运中心', status: '在途' };
  const E3 = { time: '2026-12-02 08:30:00', context: '【北京市】快递员正在派件', status: '派件' };
  const E4 = { time: '2026-12-02 11:05:00', context: '【北京市】已签收，签收人：本人', status: '签收' };

  it('refuses a bad signature and stores nothing', async () => {
    const { orderId, tracking } = await shippedParcel();
    const param = pushParam('yuantong', tracking, '0', [E1, E2]);
    const bad = await push(param, { salt: 'not-the-salt' });
    expect(bad).toEqual({ status: 400, body: { result: false, returnCode: '400', message: expect.stringContaining('签名') } });
    expect((await push(param, { sign: '' })).body.result).toBe(false);
    // The param changed after signing (a forged state): refused too.
    const signed = JSON.stringify(param);
    const forged = await fetch(`${orderOrigin}/notify/kuaidi100`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ param: signed.replace('"state":"0"', '"state":"3"'), sign: kuaidi100Sign(signed, SALT) }).toString(),
    });
    expect(forged.status).toBe(400);
    const order = (await readOrder(orderId, staff)).data.order;
    expect(order.shipments[0]).toMatchObject({ status: 'PENDING', events: [] });
  });

  it('stores a push once (replay), keeps the newest state against an older push, and publishes ShipmentDelivered once', async () => {
    const { orderId, tracking } = await shippedParcel();
    const first = await push(pushParam('yuantong', tracking, '0', [E1, E2]));
    expect(first).toEqual({ status: 200, body: { result: true, returnCode: '200', message: '成功' } });
    let shipment = (await readOrder(orderId, as(alice.userId))).data.order.shipments[0];
    expect(shipment.status).toBe('IN_TRANSIT');
    expect(shipment.events).toEqual([
      { at: '2026-12-01T12:15:00.000Z', status: 'IN_TRANSIT', description: E2.context, location: null },
      { at: '2026-12-01T01:00:00.000Z', status: 'COLLECTED', description: E1.context, location: '上海市' },
    ]);
    // The same push again: acknowledged, nothing new.
    expect((await push(pushParam('yuantong', tracking, '0', [E1, E2]))).body.result).toBe(true);
    expect(await db('shipment_events').where({ shipment_id: shipment.id })).toHaveLength(2);
    // Delivered: the whole history again plus the new events.
    expect((await push(pushParam('yuantong', tracking, '3', [E1, E2, E3, E4], 'shutdown'))).body.result).toBe(true);
    shipment = (await readOrder(orderId, as(alice.userId))).data.order.shipments[0];
    expect(shipment).toMatchObject({ status: 'DELIVERED', deliveredAt: '2026-12-02T03:05:00.000Z' });
    expect(shipment.events).toHaveLength(4);
    // An older push arriving late (it was sent before the delivery): its events are known, the state does not regress.
    expect((await push(pushParam('yuantong', tracking, '5', [E1, E2, E3]))).body.result).toBe(true);
    // And a late push with an event never seen, still older than the delivery: stored, state kept.
    const lost = { time: '2026-12-02 01:00:00', context: '【北京市】到达 北京转运中心', status: '在途' };
    expect((await push(pushParam('yuantong', tracking, '0', [E1, E2, lost]))).body.result).toBe(true);
    shipment = (await readOrder(orderId, as(alice.userId))).data.order.shipments[0];
    expect(shipment.status).toBe('DELIVERED');
    expect(shipment.events.map((e: { description: string }) => e.description)).toEqual([E4.context, E3.context, lost.context, E2.context, E1.context]);
    // The delivery replayed: no second event.
    expect((await push(pushParam('yuantong', tracking, '3', [E1, E2, E3, E4], 'shutdown'))).body.result).toBe(true);
    expect(await outbox('ShipmentDelivered', orderId)).toEqual([
      { orderId, userId: alice.userId, shipmentId: shipment.id, deliveredAt: '2026-12-02T03:05:00.000Z', kind: 'OUTBOUND' },
    ]);
    // A later event does move a delivered parcel on (refused after signing and sent back: 退签).
    const refused = { time: '2026-12-03 10:00:00', context: '【北京市】收件人拒收，退回寄件人', status: '退签' };
    expect((await push(pushParam('yuantong', tracking, '4', [E1, E2, E3, E4, refused]))).body.result).toBe(true);
    shipment = (await readOrder(orderId, as(alice.userId))).data.order.shipments[0];
    expect(shipment).toMatchObject({ status: 'RETURNED', deliveredAt: '2026-12-02T03:05:00.000Z' });
    expect(await outbox('ShipmentDelivered', orderId)).toHaveLength(1);
  });

  it('acknowledges a parcel it does not know, refuses a signed malformed param, and keeps an abort message', async () => {
    // Kuaidi100 corrected the company (autoCheck): the push names the new one, comOld the one we subscribed with.
    const corrected = await shippedParcel();
    const autoChecked = { ...pushParam('zhongtong', corrected.tracking, '0', [E1]), autoCheck: '1', comOld: 'yuantong', comNew: 'zhongtong' };
    expect((await push(autoChecked)).body.result).toBe(true);
    expect((await readOrder(corrected.orderId, staff)).data.order.shipments[0]).toMatchObject({ status: 'IN_TRANSIT', events: [{ description: E1.context }] });
    const stranger = await push(pushParam('yuantong', 'UNKNOWN123456', '0', [E1]));
    expect(stranger).toEqual({ status: 200, body: { result: true, returnCode: '200', message: '成功' } });
    expect((await push('{"lastResult":')).status).toBe(400);
    expect((await push({ lastResult: { com: 'yuantong', nu: 'X', data: [{ time: 'yesterday', context: 'x' }] } })).status).toBe(400);
    const { orderId, tracking } = await shippedParcel();
    const aborted = { ...pushParam('yuantong', tracking, '0', []), status: 'abort', message: '3天查询无记录' };
    expect((await push(aborted)).body.result).toBe(true);
    expect((await readOrder(orderId, staff)).data.order.shipments[0]).toMatchObject({ status: 'PENDING', trackingNote: '3天查询无记录' });
  });

  it('stores concurrent duplicate pushes once and publishes one ShipmentDelivered', async () => {
    const { orderId, tracking } = await shippedParcel();
    const delivered = pushParam('yuantong', tracking, '3', [E1, E2, E3, E4], 'shutdown');
    const answers = await Promise.all(Array.from({ length: 6 }, () => push(delivered)));
    expect(answers.every((a) => a.status === 200 && a.body.result === true)).toBe(true);
    const shipment = (await readOrder(orderId, staff)).data.order.shipments[0];
    expect(shipment.status).toBe('DELIVERED');
    expect(await db('shipment_events').where({ shipment_id: shipment.id })).toHaveLength(4);
    expect(await outbox('ShipmentDelivered', orderId)).toHaveLength(1);
  });

  it('updates every order shipped in one parcel', async () => {
    const first = await placeTestOrder(db, { userId: alice.userId, status: 'PAID' });
    const second = await placeTestOrder(db, { userId: alice.userId, status: 'PAID' });
    const tracking = trackingNo();
    expect((await ship(first, 'yuantong', tracking)).errors).toBeUndefined();
    expect((await ship(second, 'yuantong', tracking)).errors).toBeUndefined();
    expect((await push(pushParam('yuantong', tracking, '3', [E1, E4]))).body.result).toBe(true);
    for (const id of [first, second]) {
      expect((await readOrder(id, staff)).data.order.shipments[0].status).toBe('DELIVERED');
      expect(await outbox('ShipmentDelivered', id)).toHaveLength(1);
    }
  });

  it('lets staff enter events by hand (merged by the same rules)', async () => {
    const { orderId } = await shippedParcel();
    const shipmentId = (await readOrder(orderId, staff)).data.order.shipments[0].id;
    const add = (input: Record<string, unknown>, headers = staff) =>
      call(`mutation($input: ShipmentEventInput!) { addShipmentEvent(input: $input) { status events { status description location } } }`, { input }, headers);
    const input = { shipmentId, at: '2026-12-01T02:00:00Z', status: 'COLLECTED', description: '仓库已交付快递员', location: '上海仓' };
    expect(codes(await add(input, as(alice.userId)))).toEqual(['FORBIDDEN']);
    expect(codes(await add({ ...input, description: '' }))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await add({ ...input, at: '2999-01-01T00:00:00Z' }))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await add({ ...input, shipmentId: '987654321' }))).toEqual(['NOT_FOUND']);
    const added = await add(input);
    expect(added.data.addShipmentEvent).toEqual({ status: 'COLLECTED', events: [{ status: 'COLLECTED', description: '仓库已交付快递员', location: '上海仓' }] });
    expect((await add(input)).data.addShipmentEvent.events).toHaveLength(1);
  });
});

describe('return addresses', () => {
  const FIELDS = 'id label contactName phone province city district detail isDefault';
  const input = { label: '上海仓', contactName: '售后部', phone: '021-12345678', province: '上海市', city: '上海市', district: '嘉定区', detail: '仓库路 1 号' };
  const create = (value: Record<string, unknown>, headers = staff) =>
    call(`mutation($input: ReturnAddressInput!) { createReturnAddress(input: $input) { ${FIELDS} } }`, { input: value }, headers);

  it('staff create, list, update, default and delete them; validation; shoppers may not', async () => {
    expect(codes(await create(input, as(alice.userId)))).toEqual(['FORBIDDEN']);
    expect(codes(await call(`{ returnAddresses { id } }`, {}, as(alice.userId)))).toEqual(['FORBIDDEN']);
    expect(codes(await create({ ...input, phone: 'call me' }))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await create({ ...input, detail: 'x'.repeat(201) }))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await create({ ...input, label: undefined }))).toEqual(['BAD_USER_INPUT']);
    const before = (await call(`{ returnAddresses { id isDefault } }`, {}, staff)).data.returnAddresses as { id: string; isDefault: boolean }[];
    const a = (await create(input)).data.createReturnAddress;
    expect(a.isDefault).toBe(before.length === 0);
    const b = (await create({ ...input, label: '北京仓', isDefault: true })).data.createReturnAddress;
    expect(b.isDefault).toBe(true);
    // (Another test file may add a default of its own meanwhile: the database is shared.)
    const listed = (await call(`{ returnAddresses { id isDefault } }`, {}, staff)).data.returnAddresses as { id: string; isDefault: boolean }[];
    expect(listed.filter((row) => row.isDefault)).toHaveLength(1);
    expect(listed.find((row) => row.id === a.id)).toEqual({ id: a.id, isDefault: false });
    const updated = await call(`mutation($id: ID!, $input: ReturnAddressInput!) { updateReturnAddress(id: $id, input: $input) { ${FIELDS} } }`, { id: a.id, input: { detail: '仓库路 2 号', isDefault: true } }, staff);
    expect(updated.data.updateReturnAddress).toMatchObject({ detail: '仓库路 2 号', isDefault: true, label: '上海仓' });
    expect((await call(`mutation($id: ID!) { deleteReturnAddress(id: $id) }`, { id: b.id }, staff)).data.deleteReturnAddress).toBe(true);
    expect(codes(await call(`mutation($id: ID!) { deleteReturnAddress(id: $id) }`, { id: b.id }, staff))).toEqual(['NOT_FOUND']);
    // Deleting the default hands the flag on: there is always one default while any address is left.
    expect((await call(`mutation($id: ID!) { deleteReturnAddress(id: $id) }`, { id: a.id }, staff)).data.deleteReturnAddress).toBe(true);
    const left = (await call(`{ returnAddresses { id isDefault } }`, {}, staff)).data.returnAddresses as { id: string; isDefault: boolean }[];
    expect(left.filter((row) => row.isDefault)).toHaveLength(left.length ? 1 : 0);
  });
});

describe('after-sales decisions and exchanges', () => {
  const REQUEST = `id kind status amount photos replacementSku { id } items { sku { id } quantity } receivedAt
    returnAddress { label contactName phone province city district detail }
    returnShipment { kind carrier { code } trackingNumber status } replacementShipment { kind carrier { code } trackingNumber status lines { sku { id } quantity } }`;
  const requestExchange = (input: Record<string, unknown>, userId = alice.userId) =>
    call(`mutation($input: ExchangeRequestInput!) { requestExchange(input: $input) { ${REQUEST} } }`, { input }, as(userId));

  async function exchangeFixture(stock: number) {
    const product = await createTestProduct(endpoints, [{ price: 3000, stock }, { price: 3000, stock }]);
    const other = await createTestProduct(endpoints, [{ price: 3000, stock: 5 }]);
    const items = [{ skuId: product.skuIds[0], productId: product.productId, title: 'T-shirt', skuName: 'v0', unitPrice: 3000, quantity: 2 }];
    const orderId = await placeTestOrder(db, { userId: alice.userId, status: 'SHIPPED', items });
    const address = await call(`mutation($input: ReturnAddressInput!) { createReturnAddress(input: $input) { id } }`, {
      input: { label: '退货仓', contactName: '售后', phone: '4008001234', province: '浙江省', city: '杭州市', district: '余杭区', detail: '仓前街道 8 号', isDefault: true },
    }, staff);
    return { orderId, skuIds: product.skuIds, otherSku: other.skuIds[0], addressId: address.data.createReturnAddress.id as string };
  }

  it('runs an exchange: request with photos → approve → return parcel → received → replacement shipped (stock taken once) → delivered', async () => {
    const { orderId, skuIds, otherSku, addressId } = await exchangeFixture(3);
    const base = { orderId, reason: '尺码不合适', skuId: skuIds[0], quantity: 1, replacementSkuId: skuIds[1] };
    // Validation: photos, other products, quantities, other shoppers.
    expect(codes(await requestExchange({ ...base, photos: ['http://img.example.com/a.jpg'] }))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await requestExchange({ ...base, photos: Array.from({ length: 10 }, (_v, i) => `https://img.example.com/${i}.jpg`) }))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await requestExchange({ ...base, photos: [`https://img.example.com/${'x'.repeat(500)}.jpg`] }))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await requestExchange({ ...base, replacementSkuId: otherSku }))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await requestExchange({ ...base, quantity: 3 }))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await requestExchange(base, bob.userId))).toEqual(['NOT_FOUND']);
    const requested = await requestExchange({ ...base, photos: ['https://img.example.com/a.jpg'] });
    expect(requested.errors).toBeUndefined();
    const request = requested.data.requestExchange;
    expect(request).toMatchObject({ kind: 'EXCHANGE', status: 'REQUESTED', amount: 0, photos: ['https://img.example.com/a.jpg'], replacementSku: { id: skuIds[1] }, returnAddress: null });
    expect(codes(await requestExchange(base))).toEqual(['CONFLICT']);

    // The shopper cannot send the parcel before approval.
    const sendBack = (userId: string, tracking = trackingNo()) =>
      call(`mutation($input: ReturnShipmentInput!) { submitReturnShipment(input: $input) { ${REQUEST} } }`, { input: { requestId: request.id, carrierCode: 'jtexpress', trackingNumber: tracking } }, as(userId));
    expect(codes(await sendBack(alice.userId))).toEqual(['CONFLICT']);
    const approved = await call(`mutation($id: ID!, $a: ID) { approveRefundRequest(id: $id, note: "请寄回", returnAddressId: $a) { ${REQUEST} } }`, { id: request.id, a: addressId }, staff);
    expect(approved.data.approveRefundRequest).toMatchObject({ status: 'APPROVED', returnAddress: { label: '退货仓', city: '杭州市', detail: '仓前街道 8 号' } });
    // One of the two pieces is being exchanged: only the other one can be, meanwhile.
    expect(codes(await requestExchange({ ...base, quantity: 2 }))).toEqual(['BAD_USER_INPUT']);
    expect(await outbox('AfterSalesDecided', orderId)).toEqual([
      { orderId, userId: alice.userId, requestId: request.id, kind: 'EXCHANGE', decision: 'APPROVED', refundAmount: 0 },
    ]);
    // No refund was registered for an exchange.
    expect(await db('order_refunds').where({ order_id: orderId })).toHaveLength(0);

    expect(codes(await sendBack(bob.userId))).toEqual(['NOT_FOUND']);
    const returnTracking = trackingNo();
    const sent = await sendBack(alice.userId, returnTracking);
    expect(sent.data.submitReturnShipment).toMatchObject({ status: 'RETURNING', returnShipment: { kind: 'RETURN', carrier: { code: 'jtexpress' }, trackingNumber: returnTracking, status: 'PENDING' } });
    expect(codes(await sendBack(alice.userId))).toEqual(['CONFLICT']);
    // A return parcel is not "the order shipped".
    expect((await outbox('OrderShipped', orderId)).filter((e: { kind: string }) => e.kind !== 'OUTBOUND')).toEqual([]);

    const shipReplacement = (tracking: string) =>
      call(`mutation($input: ExchangeShipmentInput!) { shipExchangeReplacement(input: $input) { kind carrier { code } trackingNumber lines { sku { id } quantity } } }`, { input: { requestId: request.id, carrierCode: 'shunfeng', trackingNumber: tracking } }, staff);
    expect(codes(await shipReplacement(trackingNo()))).toEqual(['CONFLICT']);
    const received = await call(`mutation($id: ID!) { markReturnReceived(id: $id) { status receivedAt } }`, { id: request.id }, staff);
    expect(received.data.markReturnReceived).toEqual({ status: 'RECEIVED', receivedAt: expect.any(String) });
    expect(codes(await call(`mutation($id: ID!) { markReturnReceived(id: $id) { status } }`, { id: request.id }, as(alice.userId)))).toEqual(['FORBIDDEN']);

    const product = supergraph.subgraphs.product!.db;
    const before = await skuCounts(product, skuIds[1]);
    const replacementTracking = trackingNo();
    const shipped = await shipReplacement(replacementTracking);
    expect(shipped.data.shipExchangeReplacement).toEqual({ kind: 'EXCHANGE', carrier: { code: 'shunfeng' }, trackingNumber: replacementTracking, lines: [{ sku: { id: skuIds[1] }, quantity: 1 }] });
    expect(await skuCounts(product, skuIds[1])).toEqual({ stock: before.stock - 1, reserved: before.reserved, sold: before.sold + 1 });
    // A second click: CONFLICT, and no second unit taken.
    expect(codes(await shipReplacement(trackingNo()))).toEqual(['CONFLICT']);
    expect(await skuCounts(product, skuIds[1])).toEqual({ stock: before.stock - 1, reserved: before.reserved, sold: before.sold + 1 });
    expect((await outbox('OrderShipped', orderId)).map((e: { kind: string }) => e.kind)).toEqual(['EXCHANGE']);

    // The carrier reports the replacement signed: the exchange is complete.
    const signed = pushParam('shunfeng', replacementTracking, '3', [{ time: '2026-12-04 15:00:00', context: '已签收', status: '签收' }]);
    expect((await push(signed)).body.result).toBe(true);
    const done = await call(`query($id: ID!) { order(id: $id) { afterSales { ${REQUEST} } } }`, { id: orderId }, as(alice.userId));
    expect(done.data.order.afterSales[0]).toMatchObject({ status: 'COMPLETED', replacementShipment: { status: 'DELIVERED' }, returnShipment: { trackingNumber: returnTracking } });
    expect((await outbox('ShipmentDelivered', orderId)).map((e: { kind: string }) => e.kind)).toEqual(['EXCHANGE']);
  });

  it('ships one replacement and takes one unit when staff click twice at once', async () => {
    const { orderId, skuIds } = await exchangeFixture(5);
    const request = (await requestExchange({ orderId, reason: '颜色不对', skuId: skuIds[0], quantity: 2 })).data.requestExchange;
    await call(`mutation($id: ID!) { approveRefundRequest(id: $id) { id } }`, { id: request.id }, staff);
    await call(`mutation($id: ID!) { markReturnReceived(id: $id) { id } }`, { id: request.id }, staff);
    const product = supergraph.subgraphs.product!.db;
    const before = await skuCounts(product, skuIds[0]);
    const clicks = await Promise.all(
      [trackingNo(), trackingNo()].map((tracking) =>
        call(`mutation($input: ExchangeShipmentInput!) { shipExchangeReplacement(input: $input) { id } }`, { input: { requestId: request.id, carrierCode: 'sf', trackingNumber: tracking } }, staff),
      ),
    );
    expect(clicks.map((click) => codes(click).join()).sort()).toEqual(['', 'CONFLICT']);
    expect(await db('shipments').where({ after_sale_id: request.id, kind: 'EXCHANGE' })).toHaveLength(1);
    expect(await skuCounts(product, skuIds[0])).toEqual({ stock: before.stock - 2, reserved: before.reserved, sold: before.sold + 2 });
  });

  it('refuses to ship a replacement that is out of stock, changing nothing', async () => {
    const { orderId, skuIds } = await exchangeFixture(0);
    const request = (await requestExchange({ orderId, reason: '有瑕疵', skuId: skuIds[0], quantity: 1 })).data.requestExchange;
    await call(`mutation($id: ID!) { approveRefundRequest(id: $id) { id } }`, { id: request.id }, staff);
    await call(`mutation($id: ID!) { markReturnReceived(id: $id) { id } }`, { id: request.id }, staff);
    const response = await call(`mutation($input: ExchangeShipmentInput!) { shipExchangeReplacement(input: $input) { id } }`, { input: { requestId: request.id, carrierCode: 'ems', trackingNumber: trackingNo() } }, staff);
    expect(codes(response)).toEqual(['CONFLICT']);
    expect(reasonOf(response)).toBe('OUT_OF_STOCK');
    expect((await db('after_sales').where({ id: request.id }).first()).status).toBe('RECEIVED');
    expect(await db('shipments').where({ after_sale_id: request.id, kind: 'EXCHANGE' })).toHaveLength(0);
    expect(await skuCounts(supergraph.subgraphs.product!.db, skuIds[0])).toMatchObject({ stock: 0, sold: 0 });
  });

  it('markReturnReceived: restock is for exchanges (a refund\'s return refuses it); a fixture order (no stock at product) schedules no restock', async () => {
    const { orderId, skuIds } = await exchangeFixture(3);
    const refund = (await call(`mutation($input: RefundRequestInput!) { requestRefund(input: $input) { id } }`, { input: { orderId, reason: '退货', amount: 3000, items: [{ skuId: skuIds[0], quantity: 1 }] } }, as(alice.userId))).data.requestRefund;
    await call(`mutation($id: ID!) { approveRefundRequest(id: $id) { id } }`, { id: refund.id }, staff);
    const receive = (id: string, restock?: boolean) => call(`mutation($id: ID!, $r: Boolean) { markReturnReceived(id: $id, restock: $r) { status receivedAt returnRestocked } }`, { id, r: restock }, staff);
    expect(codes(await receive(refund.id, true))).toEqual(['BAD_USER_INPUT']);
    expect((await db('after_sales').where({ id: refund.id }).first()).received_at).toBeNull();
    expect((await receive(refund.id)).data.markReturnReceived).toEqual({ status: 'APPROVED', receivedAt: expect.any(String), returnRestocked: null });

    const exchange = (await requestExchange({ orderId, reason: '换色', skuId: skuIds[0], quantity: 1 })).data.requestExchange;
    await call(`mutation($id: ID!) { approveRefundRequest(id: $id) { id } }`, { id: exchange.id }, staff);
    expect((await receive(exchange.id)).data.markReturnReceived).toMatchObject({ status: 'RECEIVED', returnRestocked: true });
    expect(await db('jobs').where({ kind: 'order.returnStock', key: `EXR${exchange.id}` })).toHaveLength(0);
  });

  it('publishes AfterSalesDecided for refund approvals and rejections; refund requests take photos', async () => {
    const orderId = await placeTestOrder(db, { userId: alice.userId, status: 'PAID' });
    const ask = (photos?: string[]) =>
      call(`mutation($input: RefundRequestInput!) { requestRefund(input: $input) { id kind photos } }`, { input: { orderId, reason: '不想要了', amount: 400, photos } }, as(alice.userId));
    expect(codes(await ask(['javascript:alert(1)']))).toEqual(['BAD_USER_INPUT']);
    const first = (await ask(['https://img.example.com/p.png'])).data.requestRefund;
    expect(first).toMatchObject({ kind: 'REFUND', photos: ['https://img.example.com/p.png'] });
    await call(`mutation($id: ID!) { rejectRefundRequest(id: $id, note: "no") { id } }`, { id: first.id }, staff);
    const second = (await ask()).data.requestRefund;
    await call(`mutation($id: ID!) { approveRefundRequest(id: $id) { id } }`, { id: second.id }, staff);
    expect(await outbox('AfterSalesDecided', orderId)).toEqual([
      { orderId, userId: alice.userId, requestId: first.id, kind: 'REFUND', decision: 'REJECTED', refundAmount: 0 },
      { orderId, userId: alice.userId, requestId: second.id, kind: 'REFUND', decision: 'APPROVED', refundAmount: 400 },
    ]);
  });
});

describe('batching', () => {
  it('lists 1 or 12 orders with shipments and tracking events for the same statements (2: shipments, events)', async () => {
    const one = await registerUser(supergraph.subgraphs.user!.url);
    const many = await registerUser(supergraph.subgraphs.user!.url);
    const shipFor = async (userId: string) => {
      const orderId = await placeTestOrder(db, { userId, status: 'PAID' });
      const tracking = trackingNo();
      expect((await ship(orderId, 'jd', tracking)).errors).toBeUndefined();
      await push(pushParam('jd', tracking, '0', [{ time: '2026-12-01 10:00:00', context: '已揽收', status: '揽收' }, { time: '2026-12-01 18:00:00', context: '运输中' }]));
    };
    await shipFor(one.userId);
    for (let n = 0; n < 12; n++) await shipFor(many.userId);
    const LIST = `{ orders(first: 20) { edges { node { id shipments { carrier { code name } trackingNumber status events { at status description location } } } } } }`;
    const cost = async (userId: string, expected: number) => {
      const counter = countStatements(db);
      const response = await call(LIST, {}, as(userId));
      counter.stop();
      expect(response.errors).toBeUndefined();
      expect(response.data.orders.edges).toHaveLength(expected);
      for (const { node } of response.data.orders.edges) expect(node.shipments[0].events).toHaveLength(2);
      // Background work (relay, job runners: e.g. a refund job reading its order) shares the knex: count the
      // statements this feature adds to the list (the orders page itself is the lifecycle tests' business).
      return counter.statements.filter((sql) => /\b(shipments|shipment_events|carriers)\b/.test(sql)).length;
    };
    const small = await cost(one.userId, 1);
    const large = await cost(many.userId, 12);
    expect(large).toBe(small);
    // The shipments of the page (carriers joined), their events.
    expect(small).toBe(2);
  });
});
