/**
 * Subscription caps across router instances and re-reads (docs/subscriptions.md): per user and per client address the
 * caps hold over two routers with REDIS_URL (they held per instance only), a crashed router's slots free themselves
 * when their lease ends, and a subscription whose change message was lost still ends on the order's latest state —
 * at the re-read interval, and (Redis) as soon as the bus reconnects.
 */
import crypto from 'node:crypto';
import type { Client } from 'graphql-ws';
import { createClient } from 'redis';
import WebSocket from 'ws';
import type { RunningSupergraph } from '../app/launcher';
import { startRouter, type RunningRouter } from '../router/server';
import { placeTestOrder, registerUser, type RegisteredUser } from '../subgraphs/order/test/fixtures';
import { startSupergraph, BEHIND_PROXY, testConfig } from './support/harness';
import { collect, lastStatus, wsClient, type Collected } from './support/subscriptions';

jest.setTimeout(60_000);
const withRedis = process.env.REDIS_URL ? it : it.skip;
// Every test client is 127.0.0.1, and other test files hold subscriptions too: each test here comes from an address
// of its own, told to the routers by a proxy they trust (X-Forwarded-For, TRUST_PROXY_HOPS=1).
const capsConfig = {
  ...BEHIND_PROXY,
  SUBSCRIPTIONS_PER_CONNECTION: '10',
  SUBSCRIPTIONS_PER_USER: '2',
  SUBSCRIPTIONS_PER_ADDRESS: '3',
  SUBSCRIPTION_SLOT_LEASE_MS: '3000',
  SUBSCRIPTION_REREAD_MS: '0',
};
const config = testConfig(capsConfig);
let address: string;
beforeEach(() => {
  address = `10.${crypto.randomInt(256)}.${crypto.randomInt(256)}.${crypto.randomInt(1, 255)}`;
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.dispose()));
});

/** A WebSocket that arrives through our proxy from the test's address. */
function fromAddress(ip: string) {
  return class extends WebSocket {
    constructor(url: string, protocols?: string | string[]) {
      super(url, protocols, { headers: { 'x-forwarded-for': ip } });
    }
  };
}
let supergraph: RunningSupergraph;
let routerA: string;
const seconds: RunningRouter[] = [];
const clients: Client[] = [];

/** Another router over the same subgraphs; with Redis its own bus and Redis connections. */
async function anotherRouter(overrides: Record<string, string> = {}) {
  const routerConfig = testConfig({ ...capsConfig, ...overrides });
  const urls = Object.fromEntries(Object.entries(supergraph.subgraphs).map(([name, s]) => [name, s!.url]));
  const router = await startRouter({
    config: routerConfig,
    host: '127.0.0.1',
    port: 0,
    subgraphUrls: urls,
    events: routerConfig.redisUrl ? undefined : supergraph.events,
  });
  seconds.push(router);
  return router;
}

beforeAll(async () => {
  supergraph = await startSupergraph({ config });
  routerA = supergraph.routerUrl!;
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.dispose()));
  for (const router of seconds) await router.close();
  await supergraph?.stop();
});

const STATUS = 'subscription($id: ID!) { orderStatusChanged(orderId: $id) { status } }';
const orderDb = () => supergraph.subgraphs.order!.db;

function watch(router: string, user: RegisteredUser, orderId: string): Collected {
  const client = wsClient(router, { Authorization: `Bearer ${user.accessToken}` }, fromAddress(address));
  clients.push(client);
  return collect(client, STATUS, { id: orderId });
}

const settled = (sub: Collected) => sub.until(() => sub.results.length > 0 || sub.error !== undefined, 'an answer');
const refusedWith = (sub: Collected) => (Array.isArray(sub.error) ? sub.error[0]?.extensions?.limit : undefined);

withRedis('holds the per-user cap across two routers, and frees the slot when a subscription ends', async () => {
  const routerB = (await anotherRouter(capsConfig)).url;
  const user = await registerUser(routerA);
  const orderId = await placeTestOrder(orderDb(), { userId: user.userId });
  const one = watch(routerA, user, orderId);
  const two = watch(routerB, user, orderId);
  await Promise.all([settled(one), settled(two)]);
  expect([one.error, two.error]).toEqual([undefined, undefined]);

  const three = watch(routerA, user, orderId);
  const four = watch(routerB, user, orderId);
  await Promise.all([settled(three), settled(four)]);
  expect([refusedWith(three), refusedWith(four)]).toEqual(['subscriptionsPerUser', 'subscriptionsPerUser']);
  expect(three.error[0].extensions).toMatchObject({
    code: 'RATE_LIMITED',
    max: 2,
  });

  one.unsubscribe();
  // The slot is given back in the background: a new subscription on the other router gets it shortly.
  let five: Collected | undefined;
  for (let attempt = 0; attempt < 20; attempt++) {
    five = watch(routerB, user, orderId);
    await settled(five);
    if (!five.error) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  expect(five!.error).toBeUndefined();
});

withRedis('holds the per-address cap across two routers, whoever the users are', async () => {
  const routerB = (await anotherRouter(capsConfig)).url;
  const users = await Promise.all([0, 1, 2, 3].map(() => registerUser(routerA)));
  const orders = await Promise.all(users.map((u) => placeTestOrder(orderDb(), { userId: u.userId })));
  const subs = [watch(routerA, users[0], orders[0]), watch(routerB, users[1], orders[1]), watch(routerA, users[2], orders[2])];
  await Promise.all(subs.map(settled));
  expect(subs.map((s) => s.error)).toEqual([undefined, undefined, undefined]);
  const over = watch(routerB, users[3], orders[3]);
  await settled(over);
  expect(refusedWith(over)).toBe('subscriptionsPerAddress');
  expect(over.error[0].extensions).toMatchObject({
    code: 'RATE_LIMITED',
    max: 3,
  });
  for (const sub of subs) sub.unsubscribe();
});

withRedis("frees a crashed router's slots when their lease ends", async () => {
  const user = await registerUser(routerA);
  const orderId = await placeTestOrder(orderDb(), { userId: user.userId });
  // What a router that died holding two of this user's subscriptions leaves behind: two leases nobody renews.
  const redis = createClient({ url: config.redisUrl });
  await redis.connect();
  try {
    const prefix = config.events.namespace ? `${config.events.namespace}:` : '';
    const key = `${prefix}shop.router.subscriptions.user.${user.userId}`;
    const [seconds, micros] = (await redis.sendCommand(['TIME'])) as [string, string];
    const now = Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
    await redis.zAdd(key, [
      { score: now + 2500, value: 'crashed:1' },
      { score: now + 2500, value: 'crashed:2' },
    ]);
  } finally {
    redis.destroy();
  }

  const refused = watch(routerA, user, orderId);
  await settled(refused);
  expect(refusedWith(refused)).toBe('subscriptionsPerUser');

  await new Promise((resolve) => setTimeout(resolve, 2700));
  const granted = watch(routerA, user, orderId);
  await settled(granted);
  expect(granted.error).toBeUndefined();
  granted.unsubscribe();
});

it('holds the caps on one router without Redis too', async () => {
  const user = await registerUser(routerA);
  const orderId = await placeTestOrder(orderDb(), { userId: user.userId });
  const subs = [watch(routerA, user, orderId), watch(routerA, user, orderId)];
  await Promise.all(subs.map(settled));
  const over = watch(routerA, user, orderId);
  await settled(over);
  expect(refusedWith(over)).toBe('subscriptionsPerUser');
  for (const sub of subs) sub.unsubscribe();
});

it('re-reads at SUBSCRIPTION_REREAD_MS: a change whose message was lost is delivered anyway', async () => {
  const router = await anotherRouter({
    ...capsConfig,
    SUBSCRIPTION_REREAD_MS: '1000',
    SUBSCRIPTIONS_PER_USER: '50',
  });
  const user = await registerUser(routerA);
  const orderId = await placeTestOrder(orderDb(), { userId: user.userId });
  const sub = watch(router.url, user, orderId);
  await sub.until(() => sub.results.length === 1, 'the initial state');
  expect(lastStatus(sub)).toBe('PENDING_PAYMENT');
  // Changed behind the bus's back: no outbox event, no message (what a lost pub/sub message looks like).
  await orderDb()('orders').where({ id: orderId }).update({ status: 'CANCELLED' });
  const started = Date.now();
  await sub.until(() => lastStatus(sub) === 'CANCELLED', 'the re-read');
  expect(Date.now() - started).toBeLessThan(2500);
  sub.unsubscribe();
});

withRedis('re-reads as soon as the bus reconnects', async () => {
  const redis = createClient({ url: config.redisUrl });
  await redis.connect();
  try {
    const pubsubIds = async () =>
      new Set(
        String(await redis.sendCommand(['CLIENT', 'LIST', 'TYPE', 'pubsub']))
          .split('\n')
          .map((line) => /(?:^| )id=(\d+)/.exec(line)?.[1])
          .filter((id): id is string => Boolean(id)),
      );
    const before = await pubsubIds();
    const router = await anotherRouter({
      ...capsConfig,
      SUBSCRIPTIONS_PER_USER: '50',
    });
    const user = await registerUser(routerA);
    // A change written behind the bus's back (no event) must stay unseen until the bus reconnects. On a loaded
    // machine one of the router's Redis connections may time out and reconnect by itself meanwhile (which re-reads
    // too, as it should): then this round proves nothing, and it is tried again with a new order, at most 3 times.
    let sub!: Collected;
    let ours: string[] = [];
    for (let round = 1; ; round++) {
      const orderId = await placeTestOrder(orderDb(), { userId: user.userId });
      sub = watch(router.url, user, orderId);
      await sub.until(() => sub.results.length === 1, 'the initial state');
      // The new router's subscriber connection: a pub/sub client that was not there before it started.
      ours = [...(await pubsubIds())].filter((id) => !before.has(id));
      expect(ours.length).toBeGreaterThanOrEqual(1);
      await orderDb()('orders').where({ id: orderId }).update({ status: 'CANCELLED' });
      await new Promise((resolve) => setTimeout(resolve, 300));
      if (lastStatus(sub) === 'PENDING_PAYMENT') break;
      sub.unsubscribe();
      if (round === 3) throw new Error('the subscription saw a change written without an event, three times, before any reconnect');
    }
    for (const id of ours) await redis.sendCommand(['CLIENT', 'KILL', 'ID', id]);
    await sub.until(() => lastStatus(sub) === 'CANCELLED', 'the re-read after the reconnect');
    sub.unsubscribe();
  } finally {
    redis.destroy();
  }
});
