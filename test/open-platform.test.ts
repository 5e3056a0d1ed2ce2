/**
 * The open platform end to end (docs/open-platform.md): the registry in the open subgraph, two real router processes
 * serving POST /open/v1/{method}, a Redis of this file's own (a private redis-server on a free port: the machine's
 * Redis is never stopped) and a database of its own (isolated-supergraph). Every check's refusal, one test each;
 * replay across instances; exactly N admitted under a minute limit split across both instances; the daily limit's
 * boundary at midnight Asia/Shanghai (a third router with its clock moved); registry changes seen by both instances
 * within 2 s; the breaker (the order subgraph cut off behind a TCP proxy); and, last, Redis stopped: limits degrade
 * to per-instance counters and local nonces, never a 5xx.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { createClient } from 'redis';
import { OpenClient } from '../clients/open-client';
import { signAccessToken } from '../platform/access-token';
import { SUBGRAPH_NAMES } from '../platform/config';
import { bearer, gql } from './support/harness';
import { startIsolatedSupergraph, type IsolatedSupergraph } from './support/isolated-supergraph';
import { run, type Run } from './support/processes';

jest.setTimeout(180_000);

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function startRedis(port: number): Promise<ChildProcess> {
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  const client = createClient({ url: `redis://127.0.0.1:${port}`, socket: { reconnectStrategy: 50 } });
  client.on('error', () => undefined);
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      await client.connect();
      await client.ping();
      await client.close();
      return child;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/**
 * A TCP proxy in front of a subgraph: `down` refuses every connection (and cuts the open ones), as a dead host would;
 * `delayMs` holds each chunk sent to the subgraph that long (a slow subgraph: its answers come that much later).
 */
async function startProxy(target: URL) {
  const sockets = new Set<net.Socket>();
  const state = { down: false, connections: 0, delayMs: 0 };
  const server = net.createServer((socket) => {
    state.connections++;
    if (state.down) return void socket.destroy();
    const upstream = net.connect(Number(target.port), target.hostname);
    sockets.add(socket).add(upstream);
    upstream.pipe(socket);
    socket.on('data', (chunk: Buffer) => {
      if (state.delayMs) setTimeout(() => upstream.write(chunk), state.delayMs);
      else upstream.write(chunk);
    });
    const drop = () => {
      socket.destroy();
      upstream.destroy();
      sockets.delete(socket);
      sockets.delete(upstream);
    };
    socket.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}${target.pathname}`,
    state,
    setDown(down: boolean) {
      state.down = down;
      if (down) for (const socket of sockets) socket.destroy();
    },
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let redisPort: number;
let redis: ChildProcess | undefined;
let shop: IsolatedSupergraph;
let proxy: Awaited<ReturnType<typeof startProxy>>;
const routers: { process: Run; origin: string }[] = [];
let staff: Record<string, string>;

function routerEnv(extra: Record<string, string> = {}): Record<string, string | undefined> {
  const urls = Object.fromEntries(SUBGRAPH_NAMES.map((name) => [`${name.toUpperCase()}_URL`, shop.subgraphs[name]!.url]));
  return {
    ...process.env,
    NODE_ENV: 'test',
    REDIS_URL: `redis://127.0.0.1:${redisPort}`,
    EVENTS_NAMESPACE: shop.config.events.namespace,
    ROUTER_PORT: '0',
    EXPLORER: 'off',
    ...urls,
    ORDER_URL: proxy.url,
    OPEN_ROUTER_INSTANCES: '2',
    OPEN_BREAKER_FAILURES: '3',
    OPEN_BREAKER_HALF_OPEN_MS: '1500',
    ORDER_TIMEOUT_MS: '2000',
    // The machine running the tests may be very busy: a slow Redis answer must not count as Redis being down here.
    OPEN_REDIS_TIMEOUT_MS: '3000',
    ...extra,
  };
}

async function startRouterProcess(extra: Record<string, string> = {}) {
  const child = run(['router/main.ts'], routerEnv(extra));
  const [, url] = await child.waitFor(/router\s+(http:\/\/[^\s"]+)\/graphql/);
  await child.waitFor(/Ready in/);
  return { process: child, origin: url };
}

const admin = (query: string, variables: Record<string, unknown> = {}) => gql(`${routers[0].origin}/graphql`, query, variables, staff);

async function newApp(options: { minuteLimit?: number; dailyLimit?: number; methods?: string[]; scopes?: string[] } = {}) {
  const created = await admin(
    `mutation($input: CreateOpenAppInput!) { createOpenApp(input: $input) { secret app { appKey } } }`,
    { input: { name: 'ERP 测试', minuteLimit: options.minuteLimit ?? 1000, dailyLimit: options.dailyLimit ?? 100_000 } },
  );
  expect(created.errors).toBeUndefined();
  const { appKey } = created.data.createOpenApp.app;
  for (const method of options.methods ?? ['order.query']) {
    const granted = await admin(`mutation($k: String!, $m: String!) { grantOpenApi(appKey: $k, method: $m) { grantedMethods } }`, { k: appKey, m: method });
    expect(granted.errors).toBeUndefined();
  }
  const session = await admin(
    `mutation($input: CreateOpenSessionInput!) { createOpenSession(input: $input) { token session { merchant scopes } } }`,
    { input: { appKey, merchant: '1', scopes: options.scopes ?? ['order:write'], expiresAt: new Date(Date.now() + 86_400_000).toISOString() } },
  );
  expect(session.errors).toBeUndefined();
  // Every router instance sees registry changes within about a second (polling the generation every 500 ms).
  await sleep(1200);
  return { appKey, secret: created.data.createOpenApp.secret as string, session: session.data.createOpenSession.token as string };
}

const clientOf = (app: { appKey: string; secret: string; session: string }, router = 0, now?: () => number) =>
  new OpenClient({ baseUrl: routers[router].origin, appKey: app.appKey, appSecret: app.secret, session: app.session, now });

beforeAll(async () => {
  redisPort = await freePort();
  redis = await startRedis(redisPort);
  shop = await startIsolatedSupergraph({ REDIS_URL: `redis://127.0.0.1:${redisPort}` }, { router: false });
  proxy = await startProxy(new URL(shop.subgraphs.order!.url));
  staff = bearer(signAccessToken({ userId: '1', scopes: ['open:admin', 'order:write'] }, shop.config));
  routers.push(...(await Promise.all([startRouterProcess(), startRouterProcess()])));
  // A whole shop plus two router processes: minutes on a busy 2-core machine.
}, 420_000);

afterAll(async () => {
  for (const router of routers) router.process.child.kill('SIGTERM');
  await Promise.all(routers.map((router) => router.process.exited));
  await proxy?.close();
  await shop?.stop();
  if (redis && redis.exitCode === null) redis.kill('SIGKILL');
});

describe('a call that passes every check', () => {
  it('runs the registered operation for the merchant and answers {data, error} with the limits', async () => {
    const app = await newApp({ minuteLimit: 50, dailyLimit: 500 });
    const answer = await clientOf(app).call('order.query', { id: '999999999' });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ data: { order: null }, error: null });
    expect(answer.headers.get('x-ratelimit-limit-minute')).toBe('50');
    expect(answer.headers.get('x-ratelimit-remaining-minute')).toBe('49');
    expect(answer.headers.get('x-ratelimit-limit-day')).toBe('500');
    expect(answer.headers.get('x-ratelimit-remaining-day')).toBe('499');
  });

  it('passes business errors through with their code (order.cancel of an unknown order: NOT_FOUND, 404)', async () => {
    const app = await newApp({ methods: ['order.cancel'] });
    const answer = await clientOf(app, 1).call('order.cancel', { id: '999999999', reason: '测试' });
    expect(answer.status).toBe(404);
    expect(answer.body.error?.code).toBe('NOT_FOUND');
  });
});

describe('call logs and today\'s ranking (docs/open-call-logs.md)', () => {
  it('logs every call, refused ones too, searchable by a Chinese keyword within seconds, and ranks the admitted ones', async () => {
    const app = await newApp({ methods: ['order.cancel'] });
    const marker = `退货测试${Date.now()}`;
    const started = Date.now();
    const answered = await clientOf(app, 0).call('order.cancel', { id: '999999999', reason: marker });
    expect(answered.status).toBe(404); // ran, and the order does not exist
    const refused = await clientOf(app, 1).call('order.cancel', { id: '999999999', reason: marker }, { secret: 'sk_not-the-secret' });
    expect(refused.status).toBe(401);
    const SEARCH = `query ($filter: OpenCallLogFilter!) { openCallLogs(filter: $filter) { edges { node {
      appKey method errorCode httpStatus admitted merchant gateway request requestHighlight { text match } } } } }`;
    const filter = { from: new Date(started - 60_000).toISOString(), to: new Date(Date.now() + 60_000).toISOString(), appKey: app.appKey, keyword: marker };
    let edges: { node: Record<string, any> }[] = [];
    while (Date.now() - started < 15_000) {
      const found = await admin(SEARCH, { filter });
      expect(found.errors).toBeUndefined();
      edges = found.data.openCallLogs.edges;
      if (edges.length === 2) break;
      await sleep(200);
    }
    expect(edges.map((edge) => [edge.node.errorCode, edge.node.httpStatus, edge.node.admitted]).sort()).toEqual([
      ['INVALID_SIGNATURE', 401, false],
      ['NOT_FOUND', 404, true],
    ]);
    const admitted = edges.find((edge) => edge.node.admitted)!.node;
    expect(admitted).toMatchObject({ appKey: app.appKey, method: 'order.cancel', merchant: '1' });
    expect(admitted.requestHighlight.filter((fragment: { match: boolean }) => fragment.match).map((fragment: { text: string }) => fragment.text)).toEqual([marker]);
    // The signature and session travel in headers, never in the logged request.
    expect(JSON.stringify(edges)).not.toContain(app.session);
    const ranking = await admin(`{ openTodayRanking(limit: 100) { entries { method calls } } }`);
    expect(ranking.errors).toBeUndefined();
    expect(ranking.data.openTodayRanking.entries.find((entry: { method: string }) => entry.method === 'order.cancel')?.calls).toBeGreaterThanOrEqual(1);
  });

  it('keeps mobile and ID numbers masked in the record, and a search for the full number finds its masked form', async () => {
    const app = await newApp({ methods: ['order.cancel'] });
    // A number of this run, so that no other record matches.
    const mobile = `139${String(Date.now()).slice(-8)}`;
    const masked = `${mobile.slice(0, 3)}****${mobile.slice(-4)}`;
    const started = Date.now();
    const reason = `买家电话 ${mobile}，身份证 11010119900307123X，退款`;
    expect((await clientOf(app, 1).call('order.cancel', { id: '999999999', reason })).status).toBe(404);
    const SEARCH = `query ($filter: OpenCallLogFilter!) { openCallLogs(filter: $filter) { edges { node { request requestHighlight { text match } } } } }`;
    const filter = { from: new Date(started - 60_000).toISOString(), to: new Date(Date.now() + 60_000).toISOString(), appKey: app.appKey, keyword: mobile };
    let edges: { node: Record<string, any> }[] = [];
    while (Date.now() - started < 15_000 && !edges.length) {
      const found = await admin(SEARCH, { filter });
      expect(found.errors).toBeUndefined();
      edges = found.data.openCallLogs.edges;
      if (!edges.length) await sleep(200);
    }
    expect(edges).toHaveLength(1);
    const { request, requestHighlight } = edges[0].node;
    expect(JSON.parse(request)).toEqual({ id: '999999999', reason: `买家电话 ${masked}，身份证 110101********123X，退款` });
    expect(request).not.toContain(mobile);
    expect(requestHighlight.filter((fragment: { match: boolean }) => fragment.match).map((fragment: { text: string }) => fragment.text)).toEqual([masked]);
  });
});

describe('each check refuses with its own code and status', () => {
  let app: Awaited<ReturnType<typeof newApp>>;
  beforeAll(async () => {
    app = await newApp({ methods: ['order.query'] });
  });
  const expectRefusal = (answer: { status: number; body: { data: unknown; error: { code: string } | null } }, status: number, code: string) => {
    expect({ status: answer.status, code: answer.body.error?.code, data: answer.body.data }).toEqual({ status, code, data: null });
  };

  it('not POST: METHOD_NOT_ALLOWED 405', async () => {
    const response = await fetch(`${routers[0].origin}/open/v1/order.query`);
    expect(response.status).toBe(405);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('METHOD_NOT_ALLOWED');
  });
  it('a missing system parameter: MISSING_PARAMETER 400', async () => {
    expectRefusal(await clientOf(app).call('order.query', { id: '1' }, { headers: { 'x-nonce': null } }), 400, 'MISSING_PARAMETER');
  });
  it('a wrong business parameter (checked by zod against the operation variables): INVALID_PARAMETER 400', async () => {
    const answer = await clientOf(app).call('order.query', { id: true, extra: 1 });
    expectRefusal(answer, 400, 'INVALID_PARAMETER');
    expect(answer.body.error!.message).toMatch(/id/);
  });
  it('a body over the limit: BODY_TOO_LARGE 413', async () => {
    expectRefusal(await clientOf(app).call('order.query', {}, { rawBody: JSON.stringify({ id: 'x'.repeat(70_000) }) }), 413, 'BODY_TOO_LARGE');
  });
  it('an unregistered method: UNKNOWN_METHOD 404 (no free-form GraphQL)', async () => {
    expectRefusal(await clientOf(app).call('order.everything', {}), 404, 'UNKNOWN_METHOD');
  });
  it('an unknown app key: INVALID_APP_KEY 401', async () => {
    expectRefusal(await clientOf({ ...app, appKey: 'ak_000000000000000000000000' }).call('order.query', { id: '1' }), 401, 'INVALID_APP_KEY');
  });
  it('a timestamp 301 s off: TIMESTAMP_OUT_OF_RANGE 401', async () => {
    expectRefusal(await clientOf(app).call('order.query', { id: '1' }, { timestamp: Math.floor(Date.now() / 1000) - 301 }), 401, 'TIMESTAMP_OUT_OF_RANGE');
  });
  it('a wrong signature: INVALID_SIGNATURE 401', async () => {
    expectRefusal(await clientOf(app).call('order.query', { id: '1' }, { secret: 'sk_not-the-secret' }), 401, 'INVALID_SIGNATURE');
  });
  it('a body changed after signing: INVALID_SIGNATURE 401', async () => {
    const client = clientOf(app);
    const prepared = client.prepare('order.query', { id: '1' });
    expectRefusal(await client.send({ ...prepared, body: JSON.stringify({ id: '2' }) }), 401, 'INVALID_SIGNATURE');
  });
  it('a nonce used before, sent to the other instance: NONCE_REPLAYED 409', async () => {
    const prepared = clientOf(app).prepare('order.query', { id: '1' });
    expect((await clientOf(app, 0).send(prepared)).status).toBe(200);
    expectRefusal(await clientOf(app, 1).send(prepared), 409, 'NONCE_REPLAYED');
    expectRefusal(await clientOf(app, 0).send(prepared), 409, 'NONCE_REPLAYED');
  });
  it('an unknown session: INVALID_SESSION 401', async () => {
    expectRefusal(await clientOf({ ...app, session: 'st_unknown' }).call('order.query', { id: '1' }), 401, 'INVALID_SESSION');
  });
  it('a revoked session: INVALID_SESSION 401', async () => {
    const other = await newApp();
    const sessions = await admin(`query($k: String!) { openSessions(appKey: $k) { edges { node { id } } } }`, { k: other.appKey });
    await admin(`mutation($id: ID!) { revokeOpenSession(id: $id) { revokedAt } }`, { id: sessions.data.openSessions.edges[0].node.id });
    await sleep(1500);
    expectRefusal(await clientOf(other).call('order.query', { id: '1' }), 401, 'INVALID_SESSION');
  });
  it("another app's session: SESSION_APP_MISMATCH 403", async () => {
    const other = await newApp();
    expectRefusal(await clientOf({ ...app, session: other.session }).call('order.query', { id: '1' }), 403, 'SESSION_APP_MISMATCH');
  });
  it('a method not granted: METHOD_NOT_GRANTED 403', async () => {
    expectRefusal(await clientOf(app).call('order.cancel', { id: '1' }), 403, 'METHOD_NOT_GRANTED');
  });
  it('a disabled app: APP_DISABLED 403', async () => {
    const other = await newApp();
    await admin(`mutation($k: String!) { updateOpenApp(appKey: $k, input: { enabled: false }) { enabled } }`, { k: other.appKey });
    await sleep(1500);
    expectRefusal(await clientOf(other).call('order.query', { id: '1' }), 403, 'APP_DISABLED');
  });
  it('a disabled API: API_DISABLED 403', async () => {
    const saved = await admin(`mutation($input: SaveOpenApiInput!) { saveOpenApi(input: $input) { method enabled } }`, {
      input: { method: 'test.disabled', document: 'query($id: ID!) { order(id: $id) { id } }', enabled: false },
    });
    expect(saved.errors).toBeUndefined();
    await sleep(1500);
    expectRefusal(await clientOf(app).call('test.disabled', { id: '1' }), 403, 'API_DISABLED');
  });
  it('over the minute limit: MINUTE_LIMIT_EXCEEDED 429 with Retry-After', async () => {
    const small = await newApp({ minuteLimit: 1 });
    await waitForEarlyInMinute();
    expect((await clientOf(small).call('order.query', { id: '1' })).status).toBe(200);
    const refused = await clientOf(small, 1).call('order.query', { id: '1' });
    expectRefusal(refused, 429, 'MINUTE_LIMIT_EXCEEDED');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(Number(refused.headers.get('retry-after'))).toBeLessThanOrEqual(60);
    expect(refused.headers.get('x-ratelimit-remaining-minute')).toBe('0');
  });
  it('over the daily limit: DAILY_LIMIT_EXCEEDED 429, and the refused call does not count', async () => {
    const small = await newApp({ minuteLimit: 100, dailyLimit: 2 });
    expect((await clientOf(small).call('order.query', { id: '1' })).status).toBe(200);
    expect((await clientOf(small, 1).call('order.query', { id: '1' })).status).toBe(200);
    const refused = await clientOf(small).call('order.query', { id: '1' });
    expectRefusal(refused, 429, 'DAILY_LIMIT_EXCEEDED');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(refused.headers.get('x-ratelimit-remaining-day')).toBe('0');
    // The minute window got its point back: 2 admitted of 100.
    expect(refused.headers.get('x-ratelimit-remaining-minute')).toBe('98');
  });
});

/** Waits until at most 40 s of the current minute have passed, so a burst stays within one minute window. */
async function waitForEarlyInMinute() {
  const second = new Date().getSeconds();
  if (second > 40) await sleep((61 - second) * 1000);
}

it('admits exactly N calls of a minute limit, split across both instances', async () => {
  const app = await newApp({ minuteLimit: 7 });
  await waitForEarlyInMinute();
  const answers = await Promise.all(Array.from({ length: 24 }, (_, i) => clientOf(app, i % 2).call('order.query', { id: '1' })));
  const outcomes = answers.map((answer) => `${answer.status} ${answer.body.error?.code ?? 'ok'}`);
  expect(outcomes.sort()).toEqual([...Array(7).fill('200 ok'), ...Array(17).fill('429 MINUTE_LIMIT_EXCEEDED')]);
});

it('a registry change reaches both instances within 2 s', async () => {
  const app = await newApp();
  expect((await clientOf(app, 0).call('order.query', { id: '1' })).status).toBe(200);
  expect((await clientOf(app, 1).call('order.query', { id: '1' })).status).toBe(200);
  const changed = await admin(`mutation($k: String!) { revokeOpenApiGrant(appKey: $k, method: "order.query") { grantedMethods } }`, { k: app.appKey });
  expect(changed.data.revokeOpenApiGrant.grantedMethods).toEqual([]);
  const start = Date.now();
  const seen = [false, false];
  while (Date.now() - start < 2000 && !seen.every(Boolean)) {
    for (const router of [0, 1]) {
      if (!seen[router]) seen[router] = (await clientOf(app, router).call('order.query', { id: '1' })).body.error?.code === 'METHOD_NOT_GRANTED';
    }
    await sleep(50);
  }
  expect(seen).toEqual([true, true]);
});

it('a rotated secret: the new one signs, the old one until its time', async () => {
  const app = await newApp();
  const rotated = await admin(`mutation($k: String!) { rotateOpenAppSecret(appKey: $k, previousValidSeconds: 3600) { secret app { previousSecretValidUntil } } }`, { k: app.appKey });
  expect(rotated.data.rotateOpenAppSecret.app.previousSecretValidUntil).toBeTruthy();
  await sleep(1500);
  expect((await clientOf({ ...app, secret: rotated.data.rotateOpenAppSecret.secret }).call('order.query', { id: '1' })).status).toBe(200);
  expect((await clientOf(app).call('order.query', { id: '1' })).status).toBe(200);
  await admin(`mutation($k: String!) { rotateOpenAppSecret(appKey: $k, previousValidSeconds: 0) { secret } }`, { k: app.appKey });
  await sleep(1500);
  expect((await clientOf(app).call('order.query', { id: '1' })).body.error?.code).toBe('INVALID_SIGNATURE');
});

it('the daily limit resets at midnight in Asia/Shanghai (a router whose clock starts at 23:59:00 China time)', async () => {
  // China is UTC+8 all year: midnight there is 16:00 UTC.
  const now = Date.now();
  const nextMidnight = Math.floor((now + 8 * 3600_000) / 86_400_000) * 86_400_000 + 86_400_000 - 8 * 3600_000;
  const router = await startRouterProcess({ OPEN_TEST_CLOCK_START_MS: String(nextMidnight - 60_000) });
  routers.push(router);
  const index = routers.length - 1;
  const app = await newApp({ minuteLimit: 100, dailyLimit: 1 });
  // The router's clock, as it tells a call whose timestamp is out of range ("now <unix seconds>").
  const probe = await clientOf(app, index).call('order.query', { id: '1' }, { timestamp: 1 });
  const routerNow = Number(/now (\d+)/.exec(probe.body.error!.message)![1]) * 1000;
  const offset = routerNow - Date.now();
  const clock = () => Date.now() + offset;
  const client = clientOf(app, index, clock);
  expect(nextMidnight - clock()).toBeGreaterThan(3000);
  expect((await client.call('order.query', { id: '1' })).status).toBe(200);
  const refused = await client.call('order.query', { id: '1' });
  expect(refused.body.error?.code).toBe('DAILY_LIMIT_EXCEEDED');
  const retryAfter = Number(refused.headers.get('retry-after'));
  expect(retryAfter * 1000).toBeGreaterThanOrEqual(nextMidnight - clock() - 1000);
  expect(retryAfter * 1000).toBeLessThanOrEqual(nextMidnight - clock() + 2000);
  await sleep(nextMidnight - clock() + 500);
  const next = await client.call('order.query', { id: '1' });
  expect(next.status).toBe(200);
  expect(next.headers.get('x-ratelimit-remaining-day')).toBe('0');
});

it('the breaker opens when a subgraph fails, fails fast, leaves other subgraphs alone, and closes after a good probe', async () => {
  const app = await newApp({ methods: ['order.query', 'product.get'] });
  const client = clientOf(app, 0);
  proxy.setDown(true);
  try {
    const failures = [];
    for (let i = 0; i < 3; i++) failures.push(await client.call('order.query', { id: '1' }));
    expect(failures.map((answer) => [answer.status, answer.body.error?.code])).toEqual(Array(3).fill([502, 'SERVICE_ERROR']));
    const connections = proxy.state.connections;
    const fast = await client.call('order.query', { id: '1' });
    expect([fast.status, fast.body.error?.code]).toEqual([503, 'SERVICE_UNAVAILABLE']);
    expect(fast.headers.get('retry-after')).toBe('2');
    // Open: the order subgraph was not even tried.
    expect(proxy.state.connections).toBe(connections);
    // Another subgraph's API still works.
    const product = await client.call('product.get', { id: '1' });
    expect(product.status).toBe(200);
  } finally {
    proxy.setDown(false);
  }
  await sleep(1700);
  // Half-open: one probe goes through, succeeds, and closes the circuit.
  expect((await client.call('order.query', { id: '1' })).status).toBe(200);
  expect((await client.call('order.query', { id: '1' })).status).toBe(200);
});

/**
 * A router of the isolation tests alone: its breakers and bulkheads are its own, and its times are long enough that a
 * very busy machine (a call taking a second or more) cannot make a half-open wait or a subgraph timeout elapse by
 * itself: half-open after 5 s, order timeout 8 s.
 */
let isolated: number | undefined;
async function isolationRouter(): Promise<number> {
  if (isolated === undefined) {
    routers.push(await startRouterProcess({ OPEN_BREAKER_HALF_OPEN_MS: '5000', ORDER_TIMEOUT_MS: '8000', PRODUCT_TIMEOUT_MS: '8000' }));
    isolated = routers.length - 1;
  }
  return isolated;
}

it('a half-open probe that fails reopens the breaker, which fails fast again; a good probe then closes it', async () => {
  const app = await newApp({ methods: ['order.query'] });
  const client = clientOf(app, await isolationRouter());
  proxy.setDown(true);
  try {
    const failures = [];
    for (let i = 0; i < 3; i++) failures.push(await client.call('order.query', { id: '1' }));
    expect(failures.map((answer) => answer.body.error?.code)).toEqual(Array(3).fill('SERVICE_ERROR'));
    expect((await client.call('order.query', { id: '1' })).body.error?.code).toBe('SERVICE_UNAVAILABLE');
    await sleep(5500); // OPEN_BREAKER_HALF_OPEN_MS = 5000
    // Half-open: one probe reaches the (still dead) subgraph and fails.
    const before = proxy.state.connections;
    const probe = await client.call('order.query', { id: '1' });
    expect([probe.status, probe.body.error?.code]).toEqual([502, 'SERVICE_ERROR']);
    expect(proxy.state.connections).toBeGreaterThan(before);
    // Open again: fails fast, the subgraph not even tried.
    const tried = proxy.state.connections;
    const fast = await client.call('order.query', { id: '1' });
    expect([fast.status, fast.body.error?.code]).toEqual([503, 'SERVICE_UNAVAILABLE']);
    expect(proxy.state.connections).toBe(tried);
  } finally {
    proxy.setDown(false);
  }
  await sleep(5500);
  // The next probe finds the subgraph back: the circuit closes and stays closed.
  expect((await client.call('order.query', { id: '1' })).status).toBe(200);
  expect((await client.call('order.query', { id: '1' })).status).toBe(200);
});

it('a slow method saturates its concurrency cap: the extra calls get API_BUSY (503), another method still answers', async () => {
  // A method of its own with a cap of 2: 2 run, 2 wait their turn, the rest are refused at once (isolation.ts).
  const method = `order.slow_query${Date.now() % 100_000}`;
  const saved = await admin(`mutation($input: SaveOpenApiInput!) { saveOpenApi(input: $input) { method } }`, {
    input: { method, document: 'query SlowOrder($id: ID!) { order(id: $id) { id status } }', maxConcurrency: 2 },
  });
  expect(saved.errors).toBeUndefined();
  const app = await newApp({ methods: [method, 'product.get'], minuteLimit: 1000 });
  const client = clientOf(app, await isolationRouter());
  proxy.state.delayMs = 3000; // the order subgraph answers 3 s late (this router's ORDER_TIMEOUT_MS is 8000)
  try {
    const slow = Array.from({ length: 6 }, () => client.call(method, { id: '1' }));
    // While the slow calls hold the cap, another method (another subgraph) answers at once.
    const other = await client.call('product.get', { id: '1' });
    expect(other.status).toBe(200);
    expect(other.body.error).toBeNull();
    const answers = await Promise.all(slow);
    const outcomes = answers.map((answer) => `${answer.status} ${answer.body.error?.code ?? 'ok'}`).sort();
    expect(outcomes).toEqual(['200 ok', '200 ok', '200 ok', '200 ok', '503 API_BUSY', '503 API_BUSY']);
    const busy = answers.find((answer) => answer.status === 503)!;
    expect(busy.headers.get('retry-after')).toBe('1');
    expect(busy.headers.get('x-ratelimit-limit-minute')).toBe('1000');
  } finally {
    proxy.state.delayMs = 0;
  }
  // The cap is about calls in flight: once they are done, the method answers again.
  expect((await client.call(method, { id: '1' })).status).toBe(200);
});

it('with Redis stopped, limits fall back to per-instance counters (limit ÷ 2) and local nonces: no 5xx', async () => {
  const app = await newApp({ minuteLimit: 6 });
  await waitForEarlyInMinute();
  const exited = new Promise((resolve) => redis!.once('exit', resolve));
  redis!.kill('SIGKILL');
  await exited;
  await sleep(300);
  const answers = [];
  for (let i = 0; i < 5; i++) answers.push(await clientOf(app, 0).call('order.query', { id: '1' }));
  // 6 ÷ 2 instances = 3 per instance.
  expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 429, 429]);
  const prepared = clientOf(app, 1).prepare('order.query', { id: '1' });
  expect((await clientOf(app, 1).send(prepared)).status).toBe(200);
  expect((await clientOf(app, 1).send(prepared)).body.error?.code).toBe('NONCE_REPLAYED');
  expect(routers[0].process.output()).toMatch(/open platform: Redis unavailable/);
  const stats = await fetch(`${routers[0].origin}/open/stats`);
  // /open/stats is behind the router's service-key gate: not public.
  expect(stats.status).toBe(401);
});
