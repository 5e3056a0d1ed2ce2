/**
 * `orderStatusChanged` through the router over graphql-ws, with a real graphql-ws client: the current state first,
 * then every status change with fields of other subgraphs; refusals (no or bad token, someone else's order, caps,
 * operation limits, token expiry); reconnecting ends on the latest state; shutdown closes sockets with 1012 (Service Restart).
 * Events travel the process's bus: Redis pub/sub with REDIS_URL, in process otherwise.
 */
import type { Client } from 'graphql-ws';
import { parse } from 'graphql';
import WebSocket from 'ws';
import { explorerFetcher } from '../router/explorer/client/fetcher';
import { signAccessToken } from '../platform/access-token';
import type { RunningSupergraph } from '../app/launcher';
import { startRouter } from '../router/server';
import { placeTestOrder, registerUser, type RegisteredUser } from '../subgraphs/order/test/fixtures';
import { asIdentity, bearer, codes, gql, startSupergraph, testConfig } from './support/harness';
import { collect, describe as describeError, lastStatus, wsClient } from './support/subscriptions';

const CAPS = { SUBSCRIPTIONS_PER_CONNECTION: '2', SUBSCRIPTIONS_PER_USER: '3' };
const config = testConfig(CAPS);

let supergraph: RunningSupergraph;
let router: string;
let alice: RegisteredUser;
let bob: RegisteredUser;
const clients: Client[] = [];

beforeAll(async () => {
  supergraph = await startSupergraph({ config });
  router = supergraph.routerUrl!;
  [alice, bob] = await Promise.all([registerUser(router), registerUser(router)]);
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.dispose()));
  await supergraph?.stop();
});

const connect = (token?: string, url = router) => {
  const client = wsClient(url, token === undefined ? undefined : { Authorization: `Bearer ${token}` });
  clients.push(client);
  return client;
};
const staffToken = signAccessToken({ userId: '999997', scopes: ['order:write'] }, config);

const FEDERATED = `subscription Watch($id: ID!) {
  orderStatusChanged(orderId: $id) { id status total items { quantity sku { name product { title } } } payment { status } }
}`;
const STATUS_ONLY = `subscription($id: ID!) { orderStatusChanged(orderId: $id) { status } }`;

const orderDb = () => supergraph.subgraphs.order!.db;
const markPaid = (id: string) =>
  gql(supergraph.subgraphs.order!.url, `mutation($id: ID!) { markOrderPaid(orderId: $id, paymentId: "pay-${id}", amount: 1000) { status } }`, { id }, asIdentity({ service: 'payment' }, 'order', config));
const ship = (id: string) =>
  gql(router, `mutation($id: ID!) { shipOrder(id: $id, carrier: "顺丰速运", trackingNo: "SF1234567890") { status } }`, { id }, bearer(staffToken));
const confirm = (id: string, owner: RegisteredUser) =>
  gql(router, `mutation($id: ID!) { confirmReceipt(id: $id) { status } }`, { id }, bearer(owner.accessToken));

it('sends the current state, then PAID → SHIPPED → COMPLETED, each with fields from other subgraphs', async () => {
  const orderId = await placeTestOrder(orderDb(), { userId: alice.userId });
  const sub = collect(connect(alice.accessToken), FEDERATED, { id: orderId });
  await sub.until(() => sub.results.length >= 1, 'the initial state');

  expect((await markPaid(orderId)).data?.markOrderPaid.status).toBe('PAID');
  await sub.until(() => lastStatus(sub) === 'PAID', 'PAID');
  expect((await ship(orderId)).data?.shipOrder.status).toBe('SHIPPED');
  await sub.until(() => lastStatus(sub) === 'SHIPPED', 'SHIPPED');
  expect((await confirm(orderId, alice)).data?.confirmReceipt.status).toBe('COMPLETED');
  await sub.until(() => lastStatus(sub) === 'COMPLETED', 'COMPLETED');

  expect(sub.statuses()).toEqual(['PENDING_PAYMENT', 'PAID', 'SHIPPED', 'COMPLETED']);
  for (const result of sub.results) {
    expect(result.errors).toBeUndefined();
    const order = result.data.orderStatusChanged;
    expect(order).toMatchObject({ id: orderId, total: 1000, payment: null });
    // Resolved by the product subgraph, through the supergraph, for every event.
    expect(order.items).toEqual([{ quantity: 1, sku: { name: expect.any(String), product: { title: expect.any(String) } } }]);
  }
  expect(sub.error).toBeUndefined();
  sub.unsubscribe();
});

describe('refusals', () => {
  it('refuses a connection without a token or with a bad one (4401, with the reason)', async () => {
    const none = collect(connect(), STATUS_ONLY, { id: '1' });
    await none.until(() => none.error !== undefined, 'the refusal');
    expect(describeError(none.error)).toEqual({ code: 4401, reason: expect.stringMatching(/^Unauthorized: connectionParams.Authorization/) });

    const bad = collect(connect('not-a-jwt'), STATUS_ONLY, { id: '1' });
    await bad.until(() => bad.error !== undefined, 'the refusal');
    expect(describeError(bad.error)).toEqual({ code: 4401, reason: 'Unauthorized: Access token is invalid' });
  });

  it("answers NOT_FOUND for someone else's order; staff with order:write may watch any", async () => {
    const orderId = await placeTestOrder(orderDb(), { userId: alice.userId, status: 'PAID' });
    const foreign = collect(connect(bob.accessToken), STATUS_ONLY, { id: orderId });
    await foreign.until(() => foreign.error !== undefined, 'the refusal');
    expect(foreign.error).toEqual([expect.objectContaining({ message: `Order ${orderId} not found`, extensions: { code: 'NOT_FOUND' } })]);
    expect(foreign.results).toEqual([]);

    const missing = collect(connect(alice.accessToken), STATUS_ONLY, { id: '987654321' });
    await missing.until(() => missing.error !== undefined, 'the refusal');
    expect(missing.error[0].extensions.code).toBe('NOT_FOUND');

    const staff = collect(connect(staffToken), STATUS_ONLY, { id: orderId });
    await staff.until(() => staff.results.length === 1, 'the initial state');
    expect(staff.statuses()).toEqual(['PAID']);
    staff.unsubscribe();
  });

  it('caps subscriptions per connection and per user; ending one frees its place', async () => {
    const orderId = await placeTestOrder(orderDb(), { userId: bob.userId, status: 'PAID' });
    const first = connect(bob.accessToken);
    const a = collect(first, STATUS_ONLY, { id: orderId });
    const b = collect(first, STATUS_ONLY, { id: orderId });
    await a.until(() => a.results.length === 1, 'a');
    await b.until(() => b.results.length === 1, 'b');
    const c = collect(first, STATUS_ONLY, { id: orderId });
    await c.until(() => c.error !== undefined, 'the per-connection refusal');
    expect(c.error).toEqual([expect.objectContaining({ extensions: { code: 'RATE_LIMITED', limit: 'subscriptionsPerConnection', max: 2 } })]);

    const second = connect(bob.accessToken);
    const d = collect(second, STATUS_ONLY, { id: orderId });
    await d.until(() => d.results.length === 1, 'd');
    const e = collect(second, STATUS_ONLY, { id: orderId });
    await e.until(() => e.error !== undefined, 'the per-user refusal');
    expect(e.error).toEqual([expect.objectContaining({ extensions: { code: 'RATE_LIMITED', limit: 'subscriptionsPerUser', max: 3 } })]);

    // Completing one (client side) frees its place for the user.
    a.unsubscribe();
    // On the same socket as `a`: its completion is handled before this subscribe.
    const f = collect(first, STATUS_ONLY, { id: orderId });
    await f.until(() => f.results.length === 1 || f.error !== undefined, 'f');
    expect(f.error).toBeUndefined();
    for (const s of [b, d, f]) s.unsubscribe();
  });

  it('holds subscriptions to the operation limits and refuses queries over the socket', async () => {
    const orderId = await placeTestOrder(orderDb(), { userId: alice.userId });
    const client = connect(alice.accessToken);
    const aliases = Array.from({ length: 16 }, (_, i) => `a${i}: status`).join(' ');
    const tooMany = collect(client, `subscription($id: ID!) { orderStatusChanged(orderId: $id) { ${aliases} } }`, { id: orderId });
    await tooMany.until(() => tooMany.error !== undefined, 'the limit');
    expect(tooMany.error[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', limit: 'aliases', max: 15 });

    const query = collect(client, `query($id: ID!) { order(id: $id) { status } }`, { id: orderId });
    await query.until(() => query.error !== undefined, 'the refusal');
    expect(query.error[0].extensions.code).toBe('BAD_USER_INPUT');

    const invalid = collect(client, `subscription { orderStatusChanged(orderId: "1") { nope } }`);
    await invalid.until(() => invalid.error !== undefined, 'the refusal');
    expect(invalid.error[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  it('closes the connection with 4401 when the token expires while subscribed', async () => {
    const shortLived = signAccessToken({ userId: alice.userId, scopes: [] }, testConfig({ ACCESS_TOKEN_TTL_SECONDS: '2' }));
    const orderId = await placeTestOrder(orderDb(), { userId: alice.userId });
    const sub = collect(connect(shortLived), STATUS_ONLY, { id: orderId });
    await sub.until(() => sub.results.length === 1, 'the initial state');
    await sub.until(() => sub.error !== undefined, 'the expiry');
    expect(describeError(sub.error)).toEqual({ code: 4401, reason: 'Unauthorized: access token expired; reconnect with a fresh token' });
  });
});

it('a client that disconnects and subscribes again ends on the latest state', async () => {
  const orderId = await placeTestOrder(orderDb(), { userId: alice.userId, status: 'PAID' });
  const before = connect(alice.accessToken);
  const first = collect(before, STATUS_ONLY, { id: orderId });
  await first.until(() => first.results.length === 1, 'the initial state');
  await before.dispose();

  // Changed while nobody listened: no message reaches the client, the initial state of the next subscription does.
  expect(codes(await ship(orderId))).toEqual([]);
  const again = collect(connect(alice.accessToken), STATUS_ONLY, { id: orderId });
  await again.until(() => again.results.length === 1, 'the initial state');
  expect(again.statuses()).toEqual(['SHIPPED']);
  expect(codes(await confirm(orderId, alice))).toEqual([]);
  await again.until(() => lastStatus(again) === 'COMPLETED', 'COMPLETED');
  expect(again.statuses()).toEqual(['SHIPPED', 'COMPLETED']);
  again.unsubscribe();
});

it('closes open sockets with 1012 Service Restart when the router shuts down', async () => {
  const urls = Object.fromEntries(Object.entries(supergraph.subgraphs).map(([name, s]) => [name, s!.url]));
  const second = await startRouter({ config, host: '127.0.0.1', port: 0, subgraphUrls: urls, events: supergraph.events });
  const orderId = await placeTestOrder(orderDb(), { userId: alice.userId });
  const sub = collect(connect(alice.accessToken, second.url), STATUS_ONLY, { id: orderId });
  await sub.until(() => sub.results.length === 1, 'the initial state');
  await second.close();
  await sub.until(() => sub.error !== undefined, 'the close');
  expect(describeError(sub.error)).toEqual({ code: 1012, reason: 'Service restart: reconnect' });
});

it("runs a subscription with the explorer's own fetcher, the headers editor's Authorization as connectionParams", async () => {
  // The browser has a global WebSocket; Node 20 does not (graphql-ws looks for one when no implementation is given).
  const globals = globalThis as { WebSocket?: unknown };
  const before = globals.WebSocket;
  globals.WebSocket = WebSocket;
  try {
    const orderId = await placeTestOrder(orderDb(), { userId: alice.userId, status: 'PAID' });
    const fetcher = explorerFetcher(new URL(router), fetch);
    const query = `subscription Watch($id: ID!) { orderStatusChanged(orderId: $id) { status items { sku { product { title } } } } }`;
    const result = await fetcher(
      { query, variables: { id: orderId }, operationName: 'Watch' },
      { documentAST: parse(query), headers: { Authorization: `Bearer ${alice.accessToken}` } },
    );
    const iterator = (result as AsyncIterable<any>)[Symbol.asyncIterator]();
    const first = await iterator.next();
    expect(first.value.data.orderStatusChanged).toMatchObject({ status: 'PAID', items: [{ sku: { product: { title: expect.any(String) } } }] });
    expect(codes(await ship(orderId))).toEqual([]);
    const second = await iterator.next();
    expect(second.value.data.orderStatusChanged.status).toBe('SHIPPED');
    await iterator.return?.();
  } finally {
    globals.WebSocket = before;
  }
});
