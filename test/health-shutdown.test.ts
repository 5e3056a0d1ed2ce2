/**
 * Health and shutdown with real processes (docs/operations.md, "Health and shutdown"):
 * - the router: /livez and /readyz; on SIGTERM a request in flight still completes, a new connection is refused or
 *   answered 503, a subscription socket is closed with 1012 (Service Restart), and the process exits 0;
 * - one subgraph on real PostgreSQL reached through a TCP proxy: /readyz says 503 while the database refuses or hangs
 *   (within READINESS_TIMEOUT_MS) and 200 again once it is back; on SIGTERM /readyz says 503 draining at once while
 *   requests are still served for SHUTDOWN_DELAY_MS; its job runner and consumers stop and it exits 0;
 * - the mini-program client (clients/wechat-graphql-ws.ts over graphql-ws) reconnects after a 1012 close.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createClient } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { buildSchema } from 'graphql';
import WebSocket, { WebSocketServer } from 'ws';
import { wechatWebSocket } from '../clients/wechat-graphql-ws';
import { signAccessToken } from '../platform/access-token';
import { CLOSE_SERVICE_RESTART, SERVICE_RESTART_REASON } from '../router/subscriptions';
import { FEDERATION_LINK, startFakeSubgraph, unusedUrl, writeSupergraph } from './support/fake-subgraph';
import { FaultProxy } from './support/faults/proxy';
import { fakeWx } from './support/fake-wx';
import { asIdentity, gql } from './support/harness';
import { bareEnv, run, SECRETS } from './support/processes';

// Real processes start through tsx: on a loaded machine (CI, parallel runs) a start alone can take a minute.
jest.setTimeout(240_000);

interface Answer {
  status?: number;
  body?: any;
  /** A network error code (ECONNREFUSED, ECONNRESET…) when no answer came. */
  error?: string;
}

/** One request on a connection of its own (no keep-alive pool): what a balancer's new connection would get. */
function freshRequest(url: string, options: { method?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<Answer> {
  return new Promise((resolve) => {
    const body = options.body === undefined ? undefined : JSON.stringify(options.body);
    const req = http.request(
      url,
      {
        method: options.method ?? (body ? 'POST' : 'GET'),
        agent: false,
        headers: { ...(body ? { 'content-type': 'application/json' } : {}), ...options.headers },
      },
      (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => {
          let parsed: unknown = text;
          try {
            parsed = JSON.parse(text);
          } catch {
            // not JSON
          }
          resolve({ status: res.statusCode, body: parsed });
        });
        res.on('error', (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message }));
      },
    );
    req.on('error', (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message }));
    req.end(body);
  });
}

function deferred<T = void>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** Polls until `predicate` holds (or fails after `timeoutMs`): processes change state asynchronously. */
async function eventually<T>(read: () => Promise<T>, predicate: (value: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (predicate(value)) return value;
    if (Date.now() > deadline) throw new Error(`still ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('the router process', () => {
  it('serves /livez and /readyz; on SIGTERM finishes the request in flight, refuses new ones, closes subscriptions with 1012, exits 0', async () => {
    const typeDefs = `${FEDERATION_LINK}\n"Root" type Query { "A greeting." hello: String! "Answers when the test says so." slow: String! }`;
    const entered = deferred();
    const release = deferred();
    const subgraph = await startFakeSubgraph({
      typeDefs,
      resolvers: {
        Query: {
          hello: () => 'hello',
          slow: async () => {
            entered.resolve();
            await release.promise;
            return 'finished after SIGTERM';
          },
        },
      },
    });
    try {
      const supergraphPath = writeSupergraph([{ name: 'order', url: await unusedUrl(), typeDefs }]);
      const router = run(
        ['router/main.ts'],
        bareEnv({ NODE_ENV: 'production', ...SECRETS, SUPERGRAPH_PATH: supergraphPath, ORDER_URL: subgraph.url, ROUTER_PORT: '0', SHUTDOWN_GRACE_MS: '30000' }),
      );
      const [, url] = await router.waitFor(/router\s+(http:\/\/[^\s"]+)/);
      await router.waitFor(/Ready in/);
      const origin = new URL(url).origin;

      expect(await freshRequest(`${origin}/livez`)).toEqual({ status: 200, body: { status: 'live', service: 'router', draining: false } });
      expect(await freshRequest(`${origin}/readyz`)).toEqual({ status: 200, body: { status: 'ready', service: 'router', checks: { supergraph: 'ok' } } });
      // The existing /health (subgraph reachability) is still there.
      expect((await freshRequest(`${origin}/health`)).status).toBe(200);

      // A subscription socket, authenticated and acknowledged.
      const token = signAccessToken({ userId: '1', scopes: [] }, { jwtSecret: SECRETS.JWT_SECRET, accessTokenTtlSeconds: 900 });
      const socket = new WebSocket(url.replace(/^http/, 'ws'), 'graphql-transport-ws');
      const closed = new Promise<{ code: number; reason: string }>((resolve) => socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
      const acknowledged = new Promise<void>((resolve) => socket.on('message', (data) => JSON.parse(data.toString()).type === 'connection_ack' && resolve()));
      socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: { Authorization: `Bearer ${token}` } })));
      await acknowledged;

      // A request in flight: the subgraph holds it until released.
      const inFlight = freshRequest(url, { body: { query: '{ slow }' } });
      await entered.promise;

      router.child.kill('SIGTERM');
      await router.waitFor(/SIGTERM: stopping the router/);

      expect(await closed).toEqual({ code: CLOSE_SERVICE_RESTART, reason: SERVICE_RESTART_REASON });
      // A new connection: refused (listener closed) or answered 503 before anything is done.
      const late = await freshRequest(url, { body: { query: '{ hello }' } });
      if (late.error) expect(late.error).toMatch(/ECONNREFUSED|ECONNRESET|socket hang up/);
      else {
        expect(late.status).toBe(503);
        expect(late.body.errors[0].extensions).toMatchObject({ reason: 'SHUTTING_DOWN' });
      }
      const probe = await freshRequest(`${origin}/readyz`);
      if (!probe.error) expect(probe).toMatchObject({ status: 503, body: { status: 'unready', reason: 'draining' } });

      release.resolve();
      expect(await inFlight).toEqual({ status: 200, body: { data: { slow: 'finished after SIGTERM' } } });
      expect(await router.exited).toBe(0);
    } finally {
      release.resolve();
      await subgraph.close();
    }
  });
});

/** The test run's database and Redis (see global-setup), with the review subgraph's database reached through `proxy`. */
function databaseEnvThrough(proxy: FaultProxy): { env: Record<string, string>; target: { host: string; port: number } } {
  const env: Record<string, string> = { DB_SEPARATE_ROLES: process.env.SHOP_TEST_SEPARATE_ROLES === 'true' ? 'true' : 'false' };
  for (const [key, value] of Object.entries(process.env)) {
    if (value && (key === 'DATABASE_URL' || key.endsWith('_DATABASE_URL') || key === 'REDIS_URL' || key === 'EVENTS_NAMESPACE')) env[key] = value;
  }
  const key = env.REVIEW_DATABASE_URL ? 'REVIEW_DATABASE_URL' : 'DATABASE_URL';
  const url = new URL(env[key]);
  const target = { host: url.hostname, port: Number(url.port || 5432) };
  url.hostname = '127.0.0.1';
  url.port = String(proxy.port);
  env[key] = url.toString();
  return { env, target };
}

describe('one subgraph process on PostgreSQL', () => {
  let proxy: FaultProxy;
  beforeAll(async () => {
    proxy = await new FaultProxy('postgres', 1000).listen();
  });
  afterAll(() => proxy.close());

  it('says 503 on /readyz while its database refuses or hangs, 200 once back; on SIGTERM 503 draining at once, serves through SHUTDOWN_DELAY_MS, exits 0', async () => {
    const { env, target } = databaseEnvThrough(proxy);
    proxy.retarget(target);
    const subgraph = run(
      ['scripts/start-subgraph.ts', 'review'],
      bareEnv({ NODE_ENV: 'development', REVIEW_PORT: '0', READINESS_TIMEOUT_MS: '500', SHUTDOWN_DELAY_MS: '3000', ...env }),
    );
    const [, url] = await subgraph.waitFor(/review\s+(http:\/\/[^\s"]+)/);
    await subgraph.waitFor(/Ready in/);
    const origin = new URL(url).origin;
    const readyz = () => freshRequest(`${origin}/readyz`);
    const redis = process.env.REDIS_URL ? { redis: 'ok' } : {};

    expect(await readyz()).toEqual({ status: 200, body: { status: 'ready', service: 'review', checks: { database: 'ok', migrations: 'ok', ...redis } } });

    // The database refuses connections (the open ones are cut).
    proxy.retarget(null);
    proxy.dropConnections();
    const refused = await eventually(readyz, (answer) => answer.status === 503);
    expect(refused.body).toMatchObject({ status: 'unready', reason: expect.stringMatching(/^database: /), checks: { database: expect.not.stringMatching(/^ok$/) } });
    // Liveness does not depend on the database: restarting would not help.
    expect((await freshRequest(`${origin}/livez`)).status).toBe(200);

    // The database hangs: the check gives up within READINESS_TIMEOUT_MS. Real PostgreSQL only: the embedded one
    // (pglite-socket) serves every connection on one session, which a half-open connection would hold for all.
    proxy.retarget(target);
    if (process.env.SHOP_TEST_ADMIN_URL) {
      proxy.blackhole();
      expect(await eventually(readyz, (answer) => answer.body?.checks?.database === 'timed out')).toMatchObject({
        status: 503,
        body: { reason: 'database: timed out' },
      });
    }

    // Back: ready again.
    proxy.dropConnections();
    proxy.pass();
    await eventually(readyz, (answer) => answer.status === 200);

    subgraph.child.kill('SIGTERM');
    await subgraph.waitFor(/SIGTERM: stopping the review subgraph/);
    expect(await eventually(readyz, (answer) => answer.status === 503)).toMatchObject({ body: { status: 'unready', reason: 'draining' } });
    expect(await freshRequest(`${origin}/livez`)).toMatchObject({ status: 200, body: { status: 'live', draining: true } });
    // Still served while the balancers notice (SHUTDOWN_DELAY_MS).
    expect(await gql(url, '{ __typename }', {}, asIdentity({}, 'review'))).toEqual({ status: 200, data: { __typename: 'Query' } });

    expect(await subgraph.exited).toBe(0);
  });
});

describe('clients/wechat-graphql-ws.ts', () => {
  it('reconnects after the server closes with 1012 (a router restarting) and resubscribes', async () => {
    const schema = buildSchema('type Query { ok: Boolean } type Subscription { greetings: String }');
    const roots = {
      subscription: {
        greetings: async function* () {
          yield { greetings: 'hello' };
          await new Promise(() => undefined);
        },
      },
    };
    const httpServer = http.createServer();
    const wss = new WebSocketServer({ server: httpServer });
    const server = useServer({ schema, roots }, wss);
    await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
    const { port } = httpServer.address() as AddressInfo;
    const wx = fakeWx();
    const client = createClient({ url: `ws://127.0.0.1:${port}`, webSocketImpl: wechatWebSocket(wx), retryWait: async () => undefined });
    const received: string[] = [];
    const second = deferred();
    const first = deferred();
    const errors: unknown[] = [];
    const unsubscribe = client.subscribe<{ greetings: string }>(
      { query: 'subscription { greetings }' },
      {
        next: (value) => {
          received.push(value.data!.greetings);
          if (received.length === 1) first.resolve();
          if (received.length === 2) second.resolve();
        },
        error: (error) => errors.push(error),
        complete: () => undefined,
      },
    );
    try {
      await first.promise;
      for (const socket of wss.clients) socket.close(CLOSE_SERVICE_RESTART, SERVICE_RESTART_REASON);
      await second.promise;
      expect(received).toEqual(['hello', 'hello']);
      expect(wx.sockets).toHaveLength(2);
      expect(errors).toEqual([]);
    } finally {
      unsubscribe();
      await client.dispose();
      await server.dispose();
      await new Promise<void>((resolve) => httpServer.close(() => resolve()));
    }
  });
});
