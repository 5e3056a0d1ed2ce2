/**
 * The client snippets of docs/subscriptions.md, run as written (imports supplied, URL pointed at a real router):
 * the web graphql-ws client (what Apollo's GraphQLWsLink wraps) and the WeChat mini-program client, whose
 * `wechatWebSocket(wx)` adapter runs over a fake `wx.connectSocket` that opens a real socket to the router.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import type { RunningSupergraph } from '../app/launcher';
import { signAccessToken } from '../platform/access-token';
import { wechatWebSocket } from '../clients/wechat-graphql-ws';
import { placeTestOrder, registerUser, type RegisteredUser } from '../subgraphs/order/test/fixtures';
import { fakeWx } from './support/fake-wx';
import { bearer, codes, gql, startSupergraph, testConfig } from './support/harness';
import { wsUrl } from './support/subscriptions';

const DOC = fs.readFileSync(path.join(__dirname, '..', 'docs', 'subscriptions.md'), 'utf8');

/** The js block after `<!-- snippet: name -->`, its imports removed (supplied as parameters) and its URL replaced. */
function snippet(name: string, url: string): string {
  const match = new RegExp(`<!-- snippet: ${name} -->\\n\`\`\`js\\n([\\s\\S]*?)\`\`\``).exec(DOC);
  if (!match) throw new Error(`docs/subscriptions.md has no snippet "${name}"`);
  expect(match[1]).toContain("'wss://shop.example.com/graphql'");
  return match[1]
    .split('\n')
    .filter((line) => !line.startsWith('import '))
    .join('\n')
    .replace("'wss://shop.example.com/graphql'", JSON.stringify(url));
}

let supergraph: RunningSupergraph;
let router: string;
let shopper: RegisteredUser;
const config = testConfig();
const staff = bearer(signAccessToken({ userId: '999995', scopes: ['order:write'] }, config));
const disposers: (() => unknown)[] = [];

beforeAll(async () => {
  supergraph = await startSupergraph();
  router = supergraph.routerUrl!;
  shopper = await registerUser(router);
});
afterAll(async () => {
  for (const dispose of disposers) await dispose();
  await supergraph?.stop();
});

const ship = (id: string) => gql(router, `mutation($id: ID!) { shipOrder(id: $id, carrier: "顺丰速运", trackingNo: "SF1234567890") { status } }`, { id }, staff);
const confirm = (id: string) => gql(router, `mutation($id: ID!) { confirmReceipt(id: $id) { status } }`, { id }, bearer(shopper.accessToken));

/** Resolves when `check()` holds, re-checked by `poke()`; a guard rejects instead of hanging. */
function waiter() {
  const checks = new Set<() => void>();
  return {
    poke: () => checks.forEach((c) => c()),
    until: (check: () => boolean, what: string) =>
      new Promise<void>((resolve, reject) => {
        const guard = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), 15_000);
        const c = () => {
          if (!check()) return;
          clearTimeout(guard);
          checks.delete(c);
          resolve();
        };
        checks.add(c);
        c();
      }),
  };
}

describe('web (graphql-ws client, as wrapped by Apollo GraphQLWsLink)', () => {
  // Browsers have a global WebSocket; Node 20 does not.
  const globals = globalThis as { WebSocket?: unknown };
  beforeAll(() => (globals.WebSocket = WebSocket));
  afterAll(() => delete globals.WebSocket);

  const webClient = (token: string, onTokenRejected: (reason: string) => void) => {
    const make = new Function('createClient', 'getAccessToken', 'onTokenRejected', `${snippet('web-client', wsUrl(router))}\nreturn wsClient;`);
    const client = make(createClient, () => token, onTokenRejected) as ReturnType<typeof createClient>;
    disposers.push(() => client.dispose());
    return client;
  };

  it('receives the current state, then each change', async () => {
    const orderId = await placeTestOrder(supergraph.subgraphs.order!.db, { userId: shopper.userId, status: 'PAID' });
    const client = webClient(shopper.accessToken, () => undefined);
    const statuses: string[] = [];
    const w = waiter();
    const stop = client.subscribe<{ orderStatusChanged: { status: string } }>(
      { query: 'subscription($id: ID!) { orderStatusChanged(orderId: $id) { status } }', variables: { id: orderId } },
      { next: ({ data }) => (statuses.push(data!.orderStatusChanged.status), w.poke()), error: (e) => { throw e; }, complete: () => undefined },
    );
    await w.until(() => statuses.length === 1, 'the initial state');
    expect(codes(await ship(orderId))).toEqual([]);
    await w.until(() => statuses.at(-1) === 'SHIPPED', 'SHIPPED');
    expect(statuses).toEqual(['PAID', 'SHIPPED']);
    stop();
  });

  it('tells the app when the token is refused (4401)', async () => {
    const reasons: string[] = [];
    const client = webClient('expired-or-forged', (reason) => reasons.push(reason));
    const w = waiter();
    let failed = false;
    client.subscribe(
      { query: 'subscription { orderStatusChanged(orderId: "1") { status } }' },
      { next: () => undefined, error: () => ((failed = true), w.poke()), complete: () => undefined },
    );
    await w.until(() => failed, 'the refusal');
    expect(reasons).toEqual(['Unauthorized: Access token is invalid']);
  });
});

describe('WeChat mini-program (graphql-ws over wx.connectSocket)', () => {
  const miniProgram = (token: string) => {
    const wx = fakeWx();
    wx.storage.set('accessToken', token);
    const make = new Function('createClient', 'wechatWebSocket', 'wx', `${snippet('mini-program', wsUrl(router))}\nreturn { client, watchOrder };`);
    const app = make(createClient, wechatWebSocket, wx) as {
      client: ReturnType<typeof createClient>;
      watchOrder(orderId: string, onOrder: (order: any) => void, onError: (error: unknown) => void): () => void;
    };
    disposers.push(() => app.client.dispose());
    return { wx, ...app };
  };

  it('receives the order now, then each change with fields from other subgraphs, through the wx socket', async () => {
    expect((globalThis as { WebSocket?: unknown }).WebSocket).toBeUndefined();
    const orderId = await placeTestOrder(supergraph.subgraphs.order!.db, { userId: shopper.userId, status: 'PAID' });
    const { wx, watchOrder } = miniProgram(shopper.accessToken);
    const orders: any[] = [];
    const errors: unknown[] = [];
    const w = waiter();
    const stop = watchOrder(orderId, (order) => (orders.push(order), w.poke()), (error) => (errors.push(error), w.poke()));
    await w.until(() => orders.length === 1, 'the initial state');
    expect(codes(await ship(orderId))).toEqual([]);
    await w.until(() => orders.at(-1)?.status === 'SHIPPED', 'SHIPPED');
    expect(codes(await confirm(orderId))).toEqual([]);
    await w.until(() => orders.at(-1)?.status === 'COMPLETED', 'COMPLETED');

    expect(errors).toEqual([]);
    expect(orders.map((o) => o.status)).toEqual(['PAID', 'SHIPPED', 'COMPLETED']);
    expect(orders[0]).toMatchObject({ total: 1000, items: [{ quantity: 1, sku: { name: expect.any(String), product: { title: expect.any(String) } } }] });
    // Over the fake wx.connectSocket, with the graphql-ws sub-protocol.
    expect(wx.sockets.map((s) => s.protocol)).toEqual(['graphql-transport-ws']);
    stop();
  });

  it('passes the refusal of a bad token to onError', async () => {
    const { watchOrder } = miniProgram('not-a-token');
    const errors: any[] = [];
    const w = waiter();
    watchOrder('1', () => undefined, (error) => (errors.push(error), w.poke()));
    await w.until(() => errors.length === 1, 'the refusal');
    expect({ code: errors[0].code, reason: errors[0].reason }).toEqual({ code: 4401, reason: 'Unauthorized: Access token is invalid' });
  });
});
