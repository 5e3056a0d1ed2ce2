/**
 * Subscriptions across instances: two routers (`router/main.ts`) and two order subgraphs
 * (`scripts/start-subgraph.ts order`), each a separate process, on one Redis. Router A serves only order instance A
 * and router B only order instance B; a client on either router sees every change, whichever order instance made it.
 * Needs REDIS_URL (without it each process has its own in-process bus and nothing crosses processes).
 */
import { signAccessToken } from '../platform/access-token';
import type { RunningSupergraph } from '../app/launcher';
import { openDatabases } from '../app/databases';
import { placeTestOrder, registerUser } from '../subgraphs/order/test/fixtures';
import { asIdentity, bearer, codes, gql, startSupergraph, testConfig } from './support/harness';
import { bareEnv, run } from './support/processes';
import { collect, lastStatus, wsClient } from './support/subscriptions';
import type { Client } from 'graphql-ws';

jest.setTimeout(120_000);
const withRedis = process.env.REDIS_URL ? it : it.skip;

/** The test run's database and Redis (see global-setup), for processes started outside jest. */
function sharedEnv(): Record<string, string> {
  const env: Record<string, string> = { DB_SEPARATE_ROLES: process.env.SHOP_TEST_SEPARATE_ROLES === 'true' ? 'true' : 'false' };
  for (const [key, value] of Object.entries(process.env)) {
    if (value && (key === 'DATABASE_URL' || key.endsWith('_DATABASE_URL') || key === 'REDIS_URL' || key === 'EVENTS_NAMESPACE')) env[key] = value;
  }
  return env;
}

let supergraph: RunningSupergraph | undefined;
const clients: Client[] = [];
afterAll(async () => {
  await Promise.all(clients.map((c) => c.dispose()));
  await supergraph?.stop();
});

withRedis('a client on router A sees changes made through router B and order instance B, and the other way round', async () => {
  const config = testConfig();
  // Every subgraph but order in this process; order runs as two processes of its own.
  supergraph = await startSupergraph({ subgraphs: ['user', 'product', 'cart', 'promote', 'payment'], router: false });
  const others = Object.fromEntries(Object.entries(supergraph.subgraphs).map(([name, s]) => [`${name.toUpperCase()}_URL`, s!.url]));
  const env = (extra: Record<string, string>) => bareEnv({ NODE_ENV: 'development', EXPLORER: 'false', ...sharedEnv(), ...others, ...extra });

  const orderProcesses = [0, 1].map(() => run(['scripts/start-subgraph.ts', 'order'], env({ ORDER_PORT: '0' })));
  const [orderA, orderB] = await Promise.all(orderProcesses.map(async (p) => (await p.waitFor(/^order\s+(http:\/\/[^\s"]+)/m))[1]));
  const routerProcesses = [orderA, orderB].map((orderUrl) => run(['router/main.ts'], env({ ROUTER_PORT: '0', ORDER_URL: orderUrl })));
  const [routerA, routerB] = await Promise.all(
    routerProcesses.map(async (p) => {
      const [, url] = await p.waitFor(/^router\s+(http:\/\/[^\s"]+)/m);
      await p.waitFor(/Ready in/);
      return url;
    }),
  );

  const shopper = await registerUser(routerA);
  // The order is written in the shared database; its creation event is relayed by whichever order instance leases first.
  const dbs = await openDatabases(config, ['order'], { migrate: false, separateRoles: process.env.SHOP_TEST_SEPARATE_ROLES === 'true' });
  let orderId: string;
  try {
    orderId = await placeTestOrder(dbs.dbs.order, { userId: shopper.userId });
  } finally {
    await dbs.close();
  }

  const connect = (url: string) => {
    const client = wsClient(url, { Authorization: `Bearer ${shopper.accessToken}` });
    clients.push(client);
    return client;
  };
  const QUERY = `subscription($id: ID!) { orderStatusChanged(orderId: $id) { status items { sku { name product { title } } } } }`;
  const onA = collect(connect(routerA), QUERY, { id: orderId });
  const onB = collect(connect(routerB), QUERY, { id: orderId });
  await onA.until(() => onA.results.length === 1, 'the initial state on A');
  await onB.until(() => onB.results.length === 1, 'the initial state on B');
  const both = async (status: string) => {
    await onA.until(() => lastStatus(onA) === status, `${status} on router A`);
    await onB.until(() => lastStatus(onB) === status, `${status} on router B`);
  };

  // Paid at order instance B (the payment service calls it directly), shipped through router B, confirmed through router A.
  const paid = await gql(orderB, `mutation($id: ID!) { markOrderPaid(orderId: $id, paymentId: "pay-${orderId}", amount: 1000) { status } }`, { id: orderId }, asIdentity({ service: 'payment' }, 'order', config));
  expect(codes(paid)).toEqual([]);
  await both('PAID');
  const staff = bearer(signAccessToken({ userId: '999996', scopes: ['order:write'] }, config));
  expect(codes(await gql(routerB, `mutation($id: ID!) { shipOrder(id: $id, carrier: "顺丰速运", trackingNo: "SF1234567890") { status } }`, { id: orderId }, staff))).toEqual([]);
  await both('SHIPPED');
  expect(codes(await gql(routerA, `mutation($id: ID!) { confirmReceipt(id: $id) { status } }`, { id: orderId }, bearer(shopper.accessToken)))).toEqual([]);
  await both('COMPLETED');

  for (const sub of [onA, onB]) {
    expect(sub.statuses()).toEqual(['PENDING_PAYMENT', 'PAID', 'SHIPPED', 'COMPLETED']);
    expect(sub.results.every((r) => r.errors === undefined && typeof r.data.orderStatusChanged.items[0].sku.product.title === 'string')).toBe(true);
  }

  for (const p of [...routerProcesses, ...orderProcesses]) p.child.kill('SIGTERM');
  expect(await Promise.all([...routerProcesses, ...orderProcesses].map((p) => p.exited))).toEqual([0, 0, 0, 0]);
});
