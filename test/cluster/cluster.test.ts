/**
 * The local cluster under load (scripts/cluster/): two routers and two instances of every subgraph, NODE_ENV=production,
 * behind nginx, on real PostgreSQL (a database of this test's own) and Redis. While shoppers read (queries over GET,
 * as cacheable clients send them), check out (createOrder with idempotency keys) and watch orders (graphql-ws through
 * nginx), one router and one product instance are SIGKILLed, then started again. Asserted:
 * - queries keep being answered: a query sent to a dead router is retried by nginx on the other (GET is idempotent);
 *   at most one in-flight query per reader can fail (the one a killed process was working on; measured: see
 *   docs/operations.md);
 * - each checkout either succeeds once (a retry after a cut connection, with the same key, gets the same order) or
 *   fails with a clear GraphQL error; no key has two orders; the audit invariants hold (stock, coupons, money);
 * - subscriptions cut by the dead router reconnect through nginx and end on the order's latest state;
 * - the restarted instances get traffic again.
 * Prints what it measured (failures, retries, recovery times).
 */
import crypto from 'node:crypto';
import net from 'node:net';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import type { Knex } from 'knex';
import { SUBGRAPH_NAMES, type SubgraphName } from '../../platform/config';
import { createSubgraphKnex } from '../../platform/db';
import { checkInvariants, formatReport } from '../../audit/invariants';
import { Cluster, portsFrom, type ClusterPorts } from '../../scripts/cluster/cluster';
import { Nginx } from '../../scripts/cluster/nginx';
import { createShopDatabase, type ShopDatabase } from '../../scripts/lib/shop-database';
import { sleep } from '../support/faults';
import { newProduct, newShopper, type Shopper } from '../faults/support';

const run = process.env.SHOP_TEST_ADMIN_URL && process.env.REDIS_URL && Nginx.installed() ? describe : describe.skip;
if (!Nginx.installed()) console.warn('[test:cluster] /usr/sbin/nginx is missing (apt-get install -y nginx): the cluster test is skipped.');

// Tokens the test signs (staff) must verify at the production services: one secret for both.
process.env.JWT_SECRET = `cluster-test-${crypto.randomBytes(16).toString('hex')}`;

const READERS = 6;
const WRITERS = 4;
/** Load before the kill, after it until the restart, and after the restarted instances answer again. */
const BEFORE_KILL_MS = 6_000;
const DEAD_MS = 12_000;
const AFTER_RESTART_MS = 4_000;

const PRODUCT_QUERY = 'query ClusterProduct($id: ID!) { product(id: $id) { id title minPrice skus { id price stock available } } }';
const CART_QUERY = 'query ClusterCart { cart { totalQuantity items { id quantity sku { id name price stock } } } }';
const CREATE_ORDER = 'mutation ClusterCheckout($input: CheckoutInput!, $key: String!) { createOrder(input: $input, idempotencyKey: $key) { id status } }';
const CANCEL_ORDER = 'mutation ClusterCancel($id: ID!) { cancelOrder(id: $id, reason: "cluster test") { id status } }';
const WATCH = 'subscription ClusterWatch($id: ID!) { orderStatusChanged(orderId: $id) { id status } }';

/** Whether nothing listens on the port right now. */
function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * The layout of `npm run cluster -- --port <base>` from a random base below the kernel's ephemeral range (32768 and
 * up): the instances' ports stay fixed for the whole run (restarts reuse them), and a port of that range, free when
 * chosen, is soon taken by some outgoing connection or another test's `listen(0)` on a busy machine.
 */
async function clusterPorts(): Promise<ClusterPorts> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20_000 + 100 * Math.floor(Math.random() * 120);
    const ports = portsFrom(base);
    const all = [ports.front, ...Object.values(ports.balancers), ...Object.values(ports.instances).flat()];
    if ((await Promise.all(all.map(portFree))).every(Boolean)) return ports;
  }
  throw new Error('no free range of ports for the cluster between 20000 and 32000');
}

type Outcome = { ok: true } | { ok: false; why: string };

/** One query over GET, as a browser or CDN-fronted client sends it (Apollo's CSRF rule wants a preflight header). */
async function getQuery(url: string, query: string, variables: Record<string, unknown>, token?: string): Promise<Outcome> {
  const target = new URL(url);
  target.searchParams.set('query', query);
  target.searchParams.set('variables', JSON.stringify(variables));
  try {
    const response = await fetch(target, {
      headers: { 'apollo-require-preflight': 'true', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      // As long as a mutation's: on a shared two-core machine at a load of 20-30 a query can wait seconds for CPU;
      // it is still answered, which is what this test is about.
      signal: AbortSignal.timeout(30_000),
    });
    const text = await response.text();
    if (response.status !== 200) return { ok: false, why: `HTTP ${response.status}: ${text.slice(0, 200)}` };
    const json = JSON.parse(text) as { errors?: unknown[] };
    return json.errors ? { ok: false, why: JSON.stringify(json.errors).slice(0, 300) } : { ok: true };
  } catch (error) {
    return { ok: false, why: `network: ${(error as Error).message}` };
  }
}

/** One mutation over POST; `transient`: worth sending again with the same idempotency key. */
async function postMutation<T>(url: string, query: string, variables: Record<string, unknown>, token: string) {
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, variables }),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await response.text();
    let json: { data?: T; errors?: { message: string; extensions?: { code?: string; reason?: string } }[] } | undefined;
    try {
      json = JSON.parse(text);
    } catch {
      return { transient: true, why: `HTTP ${response.status}: ${text.slice(0, 120)}` };
    }
    const error = json?.errors?.[0];
    if (!error && json?.data) return { transient: false, data: json.data };
    const code = error?.extensions?.code ?? 'none';
    const reason = error?.extensions?.reason;
    // A cut connection behind the router (a subgraph killed mid-request) or a checkout still being placed.
    const transient = code === 'INTERNAL_SERVER_ERROR' || reason === 'CHECKOUT_IN_PROGRESS' || response.status >= 500;
    return { transient, why: `${code}${reason ? `/${reason}` : ''}: ${error?.message ?? text.slice(0, 120)}`, code };
  } catch (error) {
    return { transient: true, why: `network: ${(error as Error).message}` };
  }
}

run('the cluster: two routers and two instances of each subgraph behind nginx', () => {
  let database: ShopDatabase;
  let cluster: Cluster;
  const dbs = {} as Record<SubgraphName, Knex>;
  /** Reconnecting subscription clients: closed in afterAll even when the test failed midway. */
  const clients: Client[] = [];

  beforeAll(async () => {
    const prefix = process.env.SHOP_FAULTS_DB_PREFIX || 'shop_cluster';
    database = await createShopDatabase(process.env.SHOP_TEST_ADMIN_URL!, `${prefix}_c_${Date.now().toString(36)}`.slice(0, 54), { seed: true });
    cluster = new Cluster({
      databaseUrl: database.url,
      redisUrl: process.env.REDIS_URL!,
      ports: await clusterPorts(),
      namespace: database.name,
      jwtSecret: process.env.JWT_SECRET,
      dbPoolMax: 3,
      env: {
        // Every test client is 127.0.0.1 behind nginx.
        REGISTER_MAX_PER_IP: '1000000',
        LOGIN_MAX_FAILURES_PER_IP: '1000000',
        // The writers keep ordering without paying.
        MAX_UNPAID_ORDERS_PER_SHOPPER: '1000',
        MAX_UNPAID_UNITS_PER_SKU: '100000',
        // Sixteen processes and the load on a shared two-core machine: a service call may wait for CPU far longer
        // than on a production host. The test is about instances dying, not about a slow machine's timeouts.
        SUBGRAPH_TIMEOUT_MS: '30000',
      },
    });
    const started = Date.now();
    await cluster.start();
    console.log(`cluster: 16 instances and nginx ready in ${Date.now() - started} ms`);
    for (const name of SUBGRAPH_NAMES) dbs[name] = createSubgraphKnex(database.url, name, 2);
    // Sixteen starts are seconds of CPU each: about a minute on two idle cores, far more on a shared busy machine.
  }, 1_800_000);

  afterAll(async () => {
    await Promise.all(clients.map((client) => client.dispose()));
    await Promise.all(Object.values(dbs).map((db) => db.destroy()));
    await cluster?.stop(5_000);
    if (database && !process.env.KEEP_TEST_DATABASE) await database.drop();
  });

  it('keeps answering while a router and a product instance are killed and restarted', async () => {
    const url = cluster.url;
    const shop = { routerUrl: url };
    const product = await newProduct(shop, [
      { price: 1990, stock: 100_000 },
      { price: 2990, stock: 100_000 },
    ]);
    const shoppers: Shopper[] = [];
    for (let i = 0; i < WRITERS; i++) shoppers.push(await newShopper(shop));
    const checkout = (shopper: Shopper, key: string) =>
      postMutation<{ createOrder: { id: string; status: string } }>(
        url,
        CREATE_ORDER,
        { input: { items: [{ skuId: product.skuIds[0], quantity: 1 }], addressId: shopper.addressId }, key },
        shopper.token,
      );

    // --- Subscriptions: one order per shopper, each watched on a socket of its own through nginx. The orders are
    // placed first, then the sockets opened one after the other with nothing else in between: nginx's round robin
    // puts half of them on each router.
    const orderIds: string[] = [];
    for (const shopper of shoppers) {
      const placed = await checkout(shopper, crypto.randomUUID());
      if (!placed.data) throw new Error(`checkout before the load failed: ${placed.why}\n${cluster.problems().slice(-40).join('\n')}`);
      orderIds.push(placed.data.createOrder.id);
    }
    const watched: { orderId: string; client: Client; statuses: string[]; closes: number; connects: number; error?: unknown }[] = [];
    for (const [i, shopper] of shoppers.entries()) {
      const entry = { orderId: orderIds[i], statuses: [] as string[], closes: 0, connects: 0, client: undefined as unknown as Client, error: undefined as unknown };
      entry.client = createClient({
        url: url.replace(/^http/, 'ws'),
        webSocketImpl: WebSocket,
        connectionParams: { Authorization: `Bearer ${shopper.token}` },
        // A real client's settings: reconnect on any close, quickly at first.
        retryAttempts: 30,
        shouldRetry: () => true,
        retryWait: async (retries) => sleep(Math.min(2000, 100 * 2 ** retries)),
        on: { connected: () => void entry.connects++, closed: () => void entry.closes++ },
      });
      clients.push(entry.client);
      entry.client.subscribe(
        { query: WATCH, variables: { id: entry.orderId } },
        {
          next: (result) => {
            const status = (result.data as { orderStatusChanged?: { status: string } } | undefined)?.orderStatusChanged?.status;
            if (status) entry.statuses.push(status);
          },
          error: (error) => void (entry.error = error),
          complete: () => undefined,
        },
      );
      watched.push(entry);
      const deadline = Date.now() + 30_000;
      while (!entry.statuses.length && !entry.error && Date.now() < deadline) await sleep(50);
      expect({ statuses: entry.statuses, error: entry.error }).toEqual({ statuses: ['PENDING_PAYMENT'], error: undefined });
    }

    // --- Load.
    let stop = false;
    let killedAt = 0;
    /** `sent`: when the query left the client (what the rules below are about); `at`: when it was answered. */
    const queries: { sent: number; at: number; ok: boolean; why?: string }[] = [];
    const readers = Array.from({ length: READERS }, async (_, r) => {
      for (let i = 0; !stop; i++) {
        const shopper = shoppers[(r + i) % shoppers.length];
        const sent = Date.now();
        const outcome =
          i % 2 === 0 ? await getQuery(url, PRODUCT_QUERY, { id: product.productId }) : await getQuery(url, CART_QUERY, {}, shopper.token);
        queries.push({ sent, at: Date.now(), ok: outcome.ok, why: outcome.ok ? undefined : outcome.why });
      }
    });
    const keys: { userId: string; key: string; orderId?: string; error?: string; attempts: number; transient: string[] }[] = [];
    const writers = shoppers.map(async (shopper) => {
      while (!stop) {
        const entry = { userId: shopper.userId, key: crypto.randomUUID(), attempts: 0, transient: [] as string[] } as (typeof keys)[number];
        keys.push(entry);
        for (;;) {
          entry.attempts++;
          const answer = await checkout(shopper, entry.key);
          if (answer.data) {
            entry.orderId = answer.data.createOrder.id;
            break;
          }
          if (!answer.transient || entry.attempts >= 10) {
            entry.error = answer.why;
            break;
          }
          entry.transient.push(answer.why!);
          await sleep(300);
        }
      }
    });

    await sleep(BEFORE_KILL_MS);
    const router = cluster.instance('router', 0);
    const productInstance = cluster.instance('product', 0);
    killedAt = Date.now();
    await Promise.all([router.kill(), productInstance.kill()]);
    // The watched orders change while their sockets to the dead router are down or reconnecting.
    for (const [i, entry] of watched.entries()) {
      for (let attempt = 0; attempt < 10; attempt++) {
        const answer = await postMutation<{ cancelOrder: { status: string } }>(url, CANCEL_ORDER, { id: entry.orderId }, shoppers[i].token);
        if (answer.data || !answer.transient) break;
        await sleep(300);
      }
    }
    await sleep(DEAD_MS);
    const deadPhase = queries.filter((q) => q.at >= killedAt);
    console.log(
      `cluster: ${DEAD_MS} ms after the kill: ${deadPhase.length} queries, ${deadPhase.filter((q) => !q.ok).length} failed; ` +
        `${keys.length} checkouts, ${keys.filter((k) => k.transient.length).length} retried with the same key`,
    );
    const restartAt = Date.now();
    const restartReady: Record<string, number> = {};
    await Promise.all(
      (['router', 'product'] as const).map(async (name) => {
        // A start under load on a busy machine: far longer than an idle one's seconds.
        await cluster.restart(name, 0, 900_000);
        restartReady[name] = Date.now() - restartAt;
      }),
    );
    // nginx leaves a failed instance out for fail_timeout (5 s) and then tries it once: a restarted instance gets
    // traffic again within that period after it is ready, so the load goes on until both served a request (or 30 s).
    const ports = (cluster as unknown as { options: { ports: ClusterPorts } }).options.ports;
    const servedBy = (access: ReturnType<typeof cluster.nginx.accessLog>, port: number, instancePort: number, after: number) =>
      access.find((line) => line.port === port && line.at > after && line.upstreams[line.upstreams.length - 1] === `127.0.0.1:${instancePort}` && line.status < 500);
    const bothBack = () => {
      const access = cluster.nginx.accessLog();
      return servedBy(access, ports.front, ports.instances.router[0], restartAt) && servedBy(access, ports.balancers.product, ports.instances.product[0], restartAt);
    };
    await sleep(AFTER_RESTART_MS);
    for (const until = Date.now() + 30_000; !bothBack() && Date.now() < until; ) await sleep(500);
    stop = true;
    await Promise.all([...readers, ...writers]);

    // --- What happened.
    const failed = queries.filter((q) => !q.ok);
    const access = cluster.nginx.accessLog();
    const retried = (port: number) => access.filter((line) => line.port === port && line.upstreams.length > 1).length;
    const backRouter = servedBy(access, ports.front, ports.instances.router[0], restartAt);
    const backProduct = servedBy(access, ports.balancers.product, ports.instances.product[0], restartAt);
    const succeeded = keys.filter((k) => k.orderId);
    const clearErrors = keys.filter((k) => k.error);
    const measured = {
      queries: queries.length,
      queryFailures: failed.length,
      queryFailuresAfterKill: failed.filter((q) => q.at >= killedAt).map((q) => `sent ${q.sent - killedAt} ms, answered ${q.at - killedAt} ms: ${q.why}`),
      lastQueryFailureMsAfterKill: failed.length ? Math.max(...failed.map((q) => q.at - killedAt)) : null,
      nginxRetriesToRouters: retried(ports.front),
      nginxRetriesToProduct: retried(ports.balancers.product),
      checkouts: keys.length,
      checkoutsSucceeded: succeeded.length,
      checkoutsRetriedWithSameKey: keys.filter((k) => k.transient.length).length,
      transientCheckoutAnswers: keys.flatMap((k) => k.transient),
      checkoutsFailedClearly: clearErrors.map((k) => k.error),
      subscriptionsReconnected: watched.filter((w) => w.closes > 0).length,
      restartReadyMs: restartReady,
      routerServesAgainMsAfterRestart: backRouter ? backRouter.at - restartAt : null,
      productServesAgainMsAfterRestart: backProduct ? backProduct.at - restartAt : null,
    };
    console.log(`cluster under load, one router and one product instance SIGKILLed:\n${JSON.stringify(measured, null, 2)}`);
    // What the instances themselves said went wrong (their JSON warn/error lines), to diagnose a failure below.
    const problems = cluster.problems();
    if (failed.length || clearErrors.length) console.log(`cluster: instances' warnings and errors (last 60 of ${problems.length}):\n${problems.slice(-60).join('\n')}`);

    // Queries: at most the in-flight ones of the moment of the kill (one per reader); none sent later (5 s for the
    // balancers to learn of the dead instances: nginx's first refused connect marks each down). A query's answer can
    // come long after it was sent on a loaded machine, hence `sent`, not `at`.
    expect(failed.length).toBeLessThanOrEqual(READERS);
    expect(failed.filter((q) => q.sent > killedAt + 5_000)).toEqual([]);
    expect(queries.filter((q) => q.ok && q.at > killedAt).length).toBeGreaterThan(READERS * 10);

    // Checkouts: every key settled — an order, or a clear GraphQL error (with a code) — and never two orders.
    expect(keys.filter((k) => !k.orderId && !k.error)).toEqual([]);
    for (const k of clearErrors) expect(k.error).toMatch(/^[A-Z_]+(\/[A-Z_]+)?: /);
    expect(succeeded.length).toBeGreaterThan(WRITERS);
    const rows: { user_id: string; idempotency_key: string; id: string }[] = await dbs.order('orders')
      .whereIn('user_id', shoppers.map((s) => s.userId))
      .select('user_id', 'idempotency_key', 'id');
    const byKey = new Map<string, string[]>();
    for (const row of rows) byKey.set(`${row.user_id}:${row.idempotency_key}`, [...(byKey.get(`${row.user_id}:${row.idempotency_key}`) ?? []), String(row.id)]);
    for (const k of succeeded) expect(byKey.get(`${k.userId}:${k.key}`)).toEqual([k.orderId]);
    expect([...byKey.values()].filter((ids) => ids.length > 1)).toEqual([]);

    // Subscriptions: those on the dead router came back through nginx; every one ends on the latest state.
    expect(measured.subscriptionsReconnected).toBeGreaterThanOrEqual(1);
    const deadline = Date.now() + 60_000;
    while (watched.some((w) => w.statuses.at(-1) !== 'CANCELLED') && Date.now() < deadline) await sleep(200);
    expect(watched.map((w) => ({ last: w.statuses.at(-1), error: w.error }))).toEqual(watched.map(() => ({ last: 'CANCELLED', error: undefined })));
    for (const w of watched) await w.client.dispose();

    // The restarted instances are back in nginx's rotation.
    expect(backRouter).toBeDefined();
    expect(backProduct).toBeDefined();

    // Stock, coupons, money: the audit's invariants over the whole database, once the sagas have settled.
    let report = await checkInvariants(dbs, { graceSeconds: 0 });
    for (let i = 0; !report.ok && i < 30; i++) {
      await sleep(1000);
      report = await checkInvariants(dbs, { graceSeconds: 0 });
    }
    if (!report.ok) throw new Error(`invariants violated:\n${formatReport(report)}\n${cluster.logs()}`);
  });
});
