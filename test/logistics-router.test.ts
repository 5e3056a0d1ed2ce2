/**
 * Logistics through the router (docs/logistics.md): staff ship with a carrier of the list, the shopper follows the
 * parcel (`Order.shipments` with carrier, status and events), Kuaidi100 pushes reach the order subgraph through the
 * router's exact-path forwarding (signed; bad signatures and path spellings refused), and an exchange runs end to end
 * with the shopper seeing the return address and entering the return parcel.
 */
import crypto from 'node:crypto';
import http from 'node:http';
import { signAccessToken } from '../platform/access-token';
import type { RunningSupergraph } from '../app/launcher';
import { createTestProduct, viaRouter } from '../subgraphs/cart/test/fixtures';
import { kuaidi100Sign } from '../subgraphs/order/kuaidi100';
import { placeTestOrder, registerUser, type RegisteredUser } from '../subgraphs/order/test/fixtures';
import { bearer, codes, gql, startSupergraph, testConfig } from './support/harness';

const SALT = 'router-test-kuaidi100-salt';
const config = testConfig({ KUAIDI100_SALT: SALT, CATALOG_CACHE: 'false' });
let supergraph: RunningSupergraph;
let router: string;
let origin: string;
let shopper: RegisteredUser;

beforeAll(async () => {
  supergraph = await startSupergraph({ config });
  router = supergraph.routerUrl!;
  origin = new URL(router).origin;
  shopper = await registerUser(router);
});
afterAll(async () => {
  await supergraph?.stop();
});

const db = () => supergraph.subgraphs.order!.db;
const staff = bearer(signAccessToken({ userId: '999997', scopes: ['order:write'] }, config));
const as = (user: RegisteredUser) => bearer(user.accessToken);
const trackingNo = () => `R${crypto.randomInt(10 ** 9, 10 ** 10)}`;

async function push(param: object, salt = SALT) {
  const text = JSON.stringify(param);
  const response = await fetch(`${origin}/notify/kuaidi100`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ param: text, sign: kuaidi100Sign(text, salt) }).toString(),
  });
  return { status: response.status, body: await response.json() };
}

const param = (com: string, nu: string, state: string, data: { time: string; context: string; status: string }[]) => ({
  status: 'polling',
  message: '',
  lastResult: { message: 'ok', state, status: '200', ischeck: state === '3' ? '1' : '0', com, nu, data: data.map((d) => ({ ...d, ftime: d.time })) },
});

/** POST with the request target exactly as written (fetch would normalize dot segments before sending). */
function rawPost(target: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = http.request({ host: '127.0.0.1', port: Number(new URL(router).port), method: 'POST', path: target, headers: { 'content-type': 'application/x-www-form-urlencoded' } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    request.on('error', reject);
    request.end('param=%7B%7D&sign=x');
  });
}

it('ships with a carrier of the list and lets the shopper follow the parcel, fed by signed Kuaidi100 pushes via the router', async () => {
  const carriers = await gql(router, '{ carriers { code name } }');
  expect(carriers.data.carriers).toEqual(expect.arrayContaining([{ code: 'shunfeng', name: '顺丰速运' }, { code: 'jtexpress', name: '极兔速递' }]));

  const orderId = await placeTestOrder(db(), { userId: shopper.userId, status: 'PAID' });
  const tracking = trackingNo();
  expect(codes(await gql(router, `mutation($id: ID!, $t: String!) { shipOrder(id: $id, carrier: "顺丰速运", trackingNo: $t) { id } }`, { id: orderId, t: tracking }, as(shopper)))).toEqual(['FORBIDDEN']);
  const shipped = await gql(router, `mutation($id: ID!, $t: String!) { shipOrder(id: $id, carrier: "SF", trackingNo: $t) { status carrier trackingNo } }`, { id: orderId, t: tracking }, staff);
  expect(shipped.data.shipOrder).toEqual({ status: 'SHIPPED', carrier: '顺丰速运', trackingNo: tracking });

  const signedBad = await push(param('shunfeng', tracking, '0', [{ time: '2026-12-01 10:00:00', context: '已揽收', status: '揽收' }]), 'wrong-salt');
  expect(signedBad).toEqual({ status: 400, body: { result: false, returnCode: '400', message: expect.any(String) } });
  const pushed = await push(
    param('shunfeng', tracking, '5', [
      { time: '2026-12-02 08:00:00', context: '【深圳市】派送中', status: '派件' },
      { time: '2026-12-01 10:00:00', context: '【深圳市】已揽收', status: '揽收' },
    ]),
  );
  expect(pushed).toEqual({ status: 200, body: { result: true, returnCode: '200', message: '成功' } });
  // A long history (300 events of Chinese text, ~150 KB URL-encoded) passes the router; older than what is known, so
  // the events are stored and the status stays.
  const history = Array.from({ length: 300 }, (_v, i) => ({
    time: `2026-11-${String(1 + Math.floor(i / 24)).padStart(2, '0')} ${String(i % 24).padStart(2, '0')}:00:00`,
    context: `【广东省深圳市】快件已到达 深圳转运中心第${i}号分拣线，正在安排发往下一站`,
    status: '在途',
  }));
  const long = await push(param('shunfeng', tracking, '0', history.reverse()));
  expect(long).toEqual({ status: 200, body: { result: true, returnCode: '200', message: '成功' } });
  // Only the exact path is forwarded.
  for (const target of ['/notify/kuaidi100/', '/notify/Kuaidi100', '/notify/kuaidi100/../../graphql', '/notify/%6buaidi100']) {
    expect(await rawPost(target)).toBe(404);
  }

  const seen = await gql(router, `query($id: ID!) { order(id: $id) { status shipments { kind carrier { code name } trackingNumber status events { at status description location } } } }`, { id: orderId }, as(shopper));
  const events = seen.data.order.shipments[0].events;
  expect(events).toHaveLength(302);
  seen.data.order.shipments[0].events = events.slice(0, 2);
  expect(seen.data.order).toEqual({
    status: 'SHIPPED',
    shipments: [
      {
        kind: 'OUTBOUND',
        carrier: { code: 'shunfeng', name: '顺丰速运' },
        trackingNumber: tracking,
        status: 'DISPATCHING',
        events: [
          { at: '2026-12-02T00:00:00.000Z', status: 'DISPATCHING', description: '【深圳市】派送中', location: null },
          { at: '2026-12-01T02:00:00.000Z', status: 'COLLECTED', description: '【深圳市】已揽收', location: null },
        ],
      },
    ],
  });
});

it('runs an exchange through the router: the shopper sees the return address and enters the return parcel', async () => {
  const { productId, skuIds } = await createTestProduct(viaRouter(router), [{ price: 2000, stock: 4 }, { price: 2000, stock: 4 }]);
  const orderId = await placeTestOrder(db(), {
    userId: shopper.userId,
    status: 'SHIPPED',
    items: [{ skuId: skuIds[0], productId, title: 'Shoes', skuName: 'v0', unitPrice: 2000, quantity: 1 }],
  });
  const address = await gql(router, `mutation($input: ReturnAddressInput!) { createReturnAddress(input: $input) { id } }`, {
    input: { label: '深圳退货仓', contactName: '售后组', phone: '0755-88886666', province: '广东省', city: '深圳市', district: '宝安区', detail: '物流园 3 栋', isDefault: true },
  }, staff);
  expect(address.errors).toBeUndefined();
  const requested = await gql(router, `mutation($input: ExchangeRequestInput!) { requestExchange(input: $input) { id status kind } }`, {
    input: { orderId, reason: '换大一码', skuId: skuIds[0], quantity: 1, replacementSkuId: skuIds[1], photos: ['https://img.example.com/shoe.jpg'] },
  }, as(shopper));
  expect(requested.data.requestExchange).toMatchObject({ status: 'REQUESTED', kind: 'EXCHANGE' });
  const id = requested.data.requestExchange.id;
  expect(codes(await gql(router, `mutation($id: ID!) { approveRefundRequest(id: $id) { id } }`, { id }, as(shopper)))).toEqual(['FORBIDDEN']);
  await gql(router, `mutation($id: ID!, $a: ID) { approveRefundRequest(id: $id, returnAddressId: $a) { id } }`, { id, a: address.data.createReturnAddress.id }, staff);
  const view = await gql(router, `query($id: ID!) { order(id: $id) { afterSales { status returnAddress { label contactName phone city detail } } } }`, { id: orderId }, as(shopper));
  expect(view.data.order.afterSales[0]).toEqual({
    status: 'APPROVED',
    returnAddress: { label: '深圳退货仓', contactName: '售后组', phone: '0755-88886666', city: '深圳市', detail: '物流园 3 栋' },
  });
  const returnTracking = trackingNo();
  const sent = await gql(router, `mutation($input: ReturnShipmentInput!) { submitReturnShipment(input: $input) { status returnShipment { carrier { name } trackingNumber } } }`, {
    input: { requestId: id, carrierCode: 'zhongtong', trackingNumber: returnTracking },
  }, as(shopper));
  expect(sent.data.submitReturnShipment).toEqual({ status: 'RETURNING', returnShipment: { carrier: { name: '中通快递' }, trackingNumber: returnTracking } });
  await gql(router, `mutation($id: ID!) { markReturnReceived(id: $id) { id } }`, { id }, staff);
  const replacement = await gql(router, `mutation($input: ExchangeShipmentInput!) { shipExchangeReplacement(input: $input) { kind lines { sku { id name } quantity } } }`, {
    input: { requestId: id, carrierCode: 'shunfeng', trackingNumber: trackingNo() },
  }, staff);
  expect(replacement.data.shipExchangeReplacement).toEqual({ kind: 'EXCHANGE', lines: [{ sku: { id: skuIds[1], name: 'v1' }, quantity: 1 }] });
  const sku = await gql(router, `query($id: ID!) { sku(id: $id) { stock } }`, { id: skuIds[1] });
  expect(sku.data.sku.stock).toBe(3);
});
