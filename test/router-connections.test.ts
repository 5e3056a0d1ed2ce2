/**
 * The router's connections (docs/limits.md, "Connections"): a slow client cannot stretch the header or whole-request
 * timeouts (a body dribbled in at one byte a second was held for Node's 300 s), idle keep-alive connections end, one
 * address holds at most MAX_CONNECTIONS_PER_ADDRESS connections, and a client that is still sending a too-large body
 * when it is refused (fetch) reads the 413 instead of a reset (EPIPE).
 * A router alone (no subgraph is called): timeouts are shortened through its config so the test runs in seconds.
 */
import net from 'node:net';
import { Readable } from 'node:stream';
import { startRouter, type RunningRouter } from '../router/server';
import { BEHIND_PROXY, testConfig } from './support/harness';

const config = testConfig({
  HTTP_HEADERS_TIMEOUT_MS: '1500',
  HTTP_REQUEST_TIMEOUT_MS: '3000',
  HTTP_KEEPALIVE_TIMEOUT_MS: '1000',
  HTTP_MAX_REQUESTS_PER_SOCKET: '3',
  EXPLORER: 'false',
});
let router: RunningRouter;
let port: number;

// Subgraphs nowhere: the requests here never get as far as a subgraph.
const nowhere = 'http://127.0.0.1:9/graphql';
const routerOn = (routerConfig: typeof config) =>
  startRouter({
    config: routerConfig,
    host: '127.0.0.1',
    port: 0,
    subgraphUrls: { user: nowhere, product: nowhere, cart: nowhere, order: nowhere, promote: nowhere, payment: nowhere },
  });

beforeAll(async () => {
  router = await routerOn(config);
  port = router.port;
});
afterAll(async () => {
  await router?.close();
});

/** A raw connection: everything received, and when it closed (ms after `opened`). */
function connect(to = port) {
  const socket = net.connect(to, '127.0.0.1');
  const state = { received: '', closedAt: undefined as number | undefined, opened: Date.now(), error: undefined as string | undefined };
  socket.setEncoding('latin1');
  socket.on('data', (chunk: string) => (state.received += chunk));
  socket.on('error', (error: NodeJS.ErrnoException) => (state.error = error.code));
  const closed = new Promise<void>((resolve) =>
    socket.on('close', () => {
      state.closedAt = Date.now() - state.opened;
      resolve();
    }),
  );
  const connected = new Promise<void>((resolve) => socket.on('connect', () => resolve()));
  return { socket, state, closed, connected };
}

const connectTo = (to: number) => connect(to);

/** Writes `text` one character every `intervalMs` until the socket closes; resolves how many were written. */
async function dribble(socket: net.Socket, text: string, intervalMs: number): Promise<number> {
  let written = 0;
  for (const character of text) {
    if (socket.destroyed || socket.writableEnded) break;
    socket.write(character);
    written++;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  return written;
}

const HEAD = (length: number) => `POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${length}\r\n\r\n`;

jest.setTimeout(30_000);

describe('timeouts a slow client cannot stretch', () => {
  it('ends a request whose body is dribbled in within HTTP_REQUEST_TIMEOUT_MS (+ the 1 s check), answering 408', async () => {
    const { socket, state, closed, connected } = connect();
    await connected;
    socket.write(HEAD(1000));
    void dribble(socket, '{'.padEnd(1000, ' '), 250);
    await closed;
    expect(state.closedAt!).toBeGreaterThanOrEqual(config.http.requestTimeoutMs - 100);
    expect(state.closedAt!).toBeLessThan(config.http.requestTimeoutMs + 2000);
    expect(state.received).toMatch(/^HTTP\/1\.1 408/);
  });

  it('ends a request whose headers are dribbled in within HTTP_HEADERS_TIMEOUT_MS (+ the 1 s check)', async () => {
    const { socket, state, closed, connected } = connect();
    await connected;
    void dribble(socket, `${HEAD(2)}{}`.replace('Host: x', `Host: x\r\nX-Slow: ${'a'.repeat(100)}`), 100);
    await closed;
    expect(state.closedAt!).toBeLessThan(config.http.headersTimeoutMs + 2000);
    expect(state.received).toMatch(/^HTTP\/1\.1 408/);
  });

  it('closes an idle keep-alive connection after HTTP_KEEPALIVE_TIMEOUT_MS, and after HTTP_MAX_REQUESTS_PER_SOCKET requests', async () => {
    const { socket, state, closed, connected } = connect();
    await connected;
    const get = 'GET /graphql?query=%7B__typename%7D HTTP/1.1\r\nHost: x\r\napollo-require-preflight: 1\r\n\r\n';
    socket.write(get);
    while (!/\r\n\r\n[\s\S]*\}\s*$/.test(state.received) && state.closedAt === undefined) await new Promise((resolve) => setTimeout(resolve, 20));
    const answeredAt = Date.now() - state.opened;
    expect(state.received).toMatch(/^HTTP\/1\.1 200/);
    await closed;
    expect(state.closedAt! - answeredAt).toBeGreaterThanOrEqual(config.http.keepAliveTimeoutMs - 100);
    expect(state.closedAt! - answeredAt).toBeLessThan(config.http.keepAliveTimeoutMs + 1500);

    const again = connect();
    await again.connected;
    again.socket.write(get.repeat(5));
    await again.closed;
    // The third answer says Connection: close and the rest are not served on this connection.
    expect(again.state.received.match(/HTTP\/1\.1 200/g)).toHaveLength(3);
  });
});

describe('connections per address', () => {
  it('closes a connection past MAX_CONNECTIONS_PER_ADDRESS at once, and accepts again once one closes', async () => {
    const capped = await routerOn(testConfig({ MAX_CONNECTIONS_PER_ADDRESS: '4', EXPLORER: 'false' }));
    const port = capped.port;
    const connect = () => connectTo(port);
    const held = Array.from({ length: 4 }, () => connect());
    await Promise.all(held.map((c) => c.connected));
    // Give the server the time to count them all.
    await new Promise((resolve) => setTimeout(resolve, 100));
    const refused = connect();
    await refused.closed;
    expect(refused.state.closedAt!).toBeLessThan(1000);
    expect(refused.state.received).toBe('');
    expect(capped.connectionCapStats.refused).toBe(1);

    held[0].socket.destroy();
    await held[0].closed;
    await new Promise((resolve) => setTimeout(resolve, 100));
    const response = await fetch(`http://127.0.0.1:${port}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', connection: 'close' },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(response.status).toBe(200);
    for (const c of held.slice(1)) c.socket.destroy();
    await Promise.all(held.map((c) => c.closed));
    await capped.close();
  });

  it('counts TCP peers, whatever X-Forwarded-For says; off by default behind proxies', () => {
    expect(testConfig().http.maxConnectionsPerAddress).toBe(128);
    expect(testConfig(BEHIND_PROXY).http.maxConnectionsPerAddress).toBe(0);
    expect(testConfig({ ...BEHIND_PROXY, MAX_CONNECTIONS_PER_ADDRESS: '500' }).http.maxConnectionsPerAddress).toBe(500);
  });
});

describe('a too-large body is refused with a 413 the client reads', () => {
  const limit = config.maxRequestBodyBytes;

  it('fetch sending 5 MB with Content-Length gets the 413, every time (undici reads while sending, so this passed before too; the paused client below is what failed)', async () => {
    for (let i = 0; i < 5; i++) {
      const response = await fetch(`http://127.0.0.1:${port}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: `{"query":"${'x'.repeat(5 * 1024 * 1024)}"}`,
      });
      expect(response.status).toBe(413);
      await response.text();
    }
    const response = await fetch(`http://127.0.0.1:${port}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: `{"query":"${'x'.repeat(5 * 1024 * 1024)}"}`,
    });
    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({
      errors: [{ message: `The request body is larger than ${limit} bytes`, extensions: { code: 'BAD_USER_INPUT', limit: 'bodySize', max: limit } }],
    });
  });

  it('a client that reads only once it has sent all 5 MB (as browsers do) reads the 413, with no reset', async () => {
    for (const chunked of [false, true]) {
      const socket = net.connect(port, '127.0.0.1');
      await new Promise((resolve) => socket.on('connect', resolve));
      let error: string | undefined;
      socket.on('error', (e: NodeJS.ErrnoException) => (error = e.code));
      const total = 5 * 1024 * 1024;
      socket.write(
        chunked
          ? 'POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n'
          : HEAD(total),
      );
      // Not reading while sending: paused until everything is written.
      socket.pause();
      const block = Buffer.alloc(256 * 1024, 0x20);
      for (let sent = 0; sent < total && !error; sent += block.length) {
        const data = chunked ? Buffer.concat([Buffer.from(`${block.length.toString(16)}\r\n`), block, Buffer.from('\r\n')]) : block;
        if (!socket.write(data)) await new Promise((resolve) => socket.once('drain', resolve).once('close', resolve));
      }
      if (chunked && !error) socket.write('0\r\n\r\n');
      let received = '';
      socket.setEncoding('latin1');
      socket.on('data', (chunk: string) => (received += chunk));
      socket.resume();
      await new Promise((resolve) => socket.on('close', resolve));
      expect({ chunked, error, status: received.slice(0, 12) }).toEqual({ chunked, error: undefined, status: 'HTTP/1.1 413' });
    }
  });

  it('fetch streaming 5 MB without Content-Length (chunked) gets the 413', async () => {
    const chunk = Buffer.alloc(64 * 1024, 'x');
    let sent = 0;
    const body = new Readable({
      read() {
        if (sent >= 80) return void this.push(null);
        sent++;
        this.push(sent === 1 ? Buffer.from('{"query":"') : chunk);
      },
    });
    const response = await fetch(`http://127.0.0.1:${port}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: Readable.toWeb(body) as unknown as BodyInit,
      duplex: 'half',
    } as RequestInit);
    expect(response.status).toBe(413);
  });

  it('still closes a connection that keeps sending past the lingering bound', async () => {
    const { socket, state, closed, connected } = connect();
    await connected;
    socket.write(HEAD(1024 * 1024 * 1024));
    const block = Buffer.alloc(1024 * 1024, 0x20);
    let written = 0;
    while (!socket.destroyed && written < 64) {
      if (!socket.write(block)) await new Promise((resolve) => socket.once('drain', resolve).once('close', resolve));
      written++;
    }
    await closed;
    expect(state.received).toMatch(/^HTTP\/1\.1 413/);
    // Closed long before the gigabyte was sent: at most LINGER_MAX_BYTES (16 MB) were read after the answer.
    expect(written).toBeLessThan(64);
  });
});
