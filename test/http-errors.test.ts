/**
 * Client mistakes are client errors, shaped like GraphQL, on the router and on a subgraph server alike: malformed
 * JSON 400, an oversized body 413, an unknown or ambiguous operationName 400 (not 500), a wrong method 405, a
 * wrong content type 415, a batch 400, an unknown route 404 — each `{"errors":[{"message","extensions":{"code"}}]}`
 * as JSON, never HTML, never a stack trace, in development and in production mode.
 * A subgraph's /graphql and the router's POSTs are served from Node's http server (platform/graphql-http.ts): its
 * answers are checked on each port, byte-level cases (a body announced but never sent, a streamed body, a dropped
 * connection) over a raw socket.
 */
import crypto from 'node:crypto';
import net from 'node:net';
import { once } from 'node:events';
import zlib from 'node:zlib';
import type { RunningSupergraph } from '../app/launcher';
import type { Config } from '../platform/config';
import { asIdentity, startSupergraph, testConfig } from './support/harness';
import { SERVICE_KEYS } from './support/processes';
import { captureLogs } from './support/log-capture';

// Unexpected errors are logged (platform/log.ts): read back here, not printed.
const logs = captureLogs('warn');

interface Target {
  name: string;
  url: () => string;
  headers: () => Record<string, string>;
}

interface Answer {
  status: number;
  contentType: string;
  text: string;
  body: { errors?: { message: string; extensions?: Record<string, unknown> }[] };
}

async function send(url: string, init: RequestInit): Promise<Answer> {
  const response = await fetch(url, init);
  const text = await response.text();
  let body: Answer['body'] = {};
  try {
    body = JSON.parse(text);
  } catch {
    // Left empty: the shape assertion below reports the raw text.
  }
  return { status: response.status, contentType: response.headers.get('content-type') ?? '', text, body };
}

/** GraphQL-shaped JSON error with this status and code, no HTML, no stack frames. */
function expectError(answer: Answer, status: number, code: string) {
  expect({ status: answer.status, text: answer.text }).toMatchObject({ status });
  expect(answer.contentType).toMatch(/^application\/(graphql-response\+)?json/);
  expect(answer.body.errors).toHaveLength(1);
  expect(typeof answer.body.errors![0].message).toBe('string');
  expect(answer.body.errors![0].extensions?.code).toBe(code);
  expect(answer.text).not.toMatch(/<html|<pre|stacktrace|\n\s+at |\.ts:\d+/i);
}

interface RawAnswer extends Answer {
  headers: Record<string, string>;
  /** Body bytes the client got to write before the answer came (or the connection closed). */
  written: number;
}

/**
 * One HTTP/1.1 request over a socket of its own: the head, then `chunks` one by one until the answer arrives (the
 * client stops writing then, as undici does), then the whole answer once the server closes the connection.
 */
async function rawRequest(url: string, head: string[], chunks: Iterable<Buffer> = []): Promise<RawAnswer> {
  const { hostname, port, pathname } = new URL(url);
  const socket = net.connect(Number(port), hostname);
  await once(socket, 'connect');
  const received: Buffer[] = [];
  socket.on('data', (data: Buffer) => received.push(data));
  // The server may stop reading and close while we write: EPIPE/ECONNRESET then, after its answer.
  socket.on('error', () => undefined);
  const closed = new Promise((resolve) => socket.once('close', resolve));
  socket.write([...head.map((line) => line.replace('{path}', pathname)), 'host: test', 'connection: close', '', ''].join('\r\n'));
  let written = 0;
  for (const chunk of chunks) {
    if (received.length || socket.destroyed) break;
    written += chunk.length;
    if (!socket.write(chunk)) await Promise.race([new Promise((resolve) => socket.once('drain', resolve)), closed]);
  }
  await closed;
  const raw = Buffer.concat(received).toString('utf8');
  const [top, ...rest] = raw.split('\r\n\r\n');
  const [statusLine, ...headerLines] = top.split('\r\n');
  const headers = Object.fromEntries(headerLines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]));
  const text = rest.join('\r\n\r\n');
  let body: Answer['body'] = {};
  try {
    body = JSON.parse(text);
  } catch {
    // Left empty, as in send().
  }
  return { status: Number(statusLine.split(' ')[1]), contentType: headers['content-type'] ?? '', text, body, headers, written };
}

/** A chunk of Transfer-Encoding: chunked framing. */
const chunkOf = (data: Buffer) => Buffer.concat([Buffer.from(`${data.length.toString(16)}\r\n`), data, Buffer.from('\r\n')]);

function errorCases(target: Target) {
  const post = (body: string, headers: Record<string, string> = {}) =>
    send(target.url(), { method: 'POST', headers: { 'content-type': 'application/json', ...target.headers(), ...headers }, body });

  it(`${target.name}: malformed JSON is a 400`, async () => {
    expectError(await post('{"query": "{ categories { id } }"'), 400, 'BAD_USER_INPUT');
  });

  it(`${target.name}: a body over 1 MB is a 413`, async () => {
    const answer = await post(JSON.stringify({ query: '{ categories { id } }', variables: { pad: 'x'.repeat(5 * 1024 * 1024) } }));
    expectError(answer, 413, 'BAD_USER_INPUT');
    expect(answer.body.errors![0].extensions).toMatchObject({ limit: 'bodySize', max: 1024 * 1024 });
  });

  it(`${target.name}: an unknown operationName is a 400`, async () => {
    const answer = await post(JSON.stringify({ query: 'query A { categories { id } }', operationName: 'B' }));
    expectError(answer, 400, 'BAD_USER_INPUT');
    expect(answer.body.errors![0].message).toMatch(/"B"/);
  });

  it(`${target.name}: two operations without an operationName is a 400`, async () => {
    expectError(await post(JSON.stringify({ query: 'query A { categories { id } } query B { categories { name } }' })), 400, 'BAD_USER_INPUT');
  });

  it(`${target.name}: a batch is a 400`, async () => {
    const answer = await post(JSON.stringify([{ query: '{ categories { id } }' }, { query: '{ categories { id } }' }]));
    expectError(answer, 400, 'BAD_USER_INPUT');
    expect(answer.body.errors![0].extensions).toMatchObject({ limit: 'batch' });
  });

  it(`${target.name}: a wrong method is a 405`, async () => {
    const answer = await send(target.url(), { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{}' });
    expectError(answer, 405, 'BAD_USER_INPUT');
  });

  it(`${target.name}: a wrong content type is a 415`, async () => {
    expectError(await post('{ categories { id } }', { 'content-type': 'text/plain' }), 415, 'BAD_USER_INPUT');
  });

  it(`${target.name}: an unknown route is a 404`, async () => {
    expectError(await send(new URL('/nope', target.url()).toString(), { method: 'GET' }), 404, 'NOT_FOUND');
  });

  it(`${target.name}: a query that does not parse is a 400`, async () => {
    expectError(await post(JSON.stringify({ query: '{ categories { id ' })), 400, 'GRAPHQL_PARSE_FAILED');
  });

  it(`${target.name}: GET /health still answers`, async () => {
    const response = await fetch(new URL('/health', target.url()));
    const report = (await response.json()) as { status: string; subgraphs?: Record<string, { status: string }> };
    // Only product runs here: the router reports itself degraded (503) with product reachable.
    if (report.subgraphs) expect(report.subgraphs.product.status).toBe('ok');
    else expect([response.status, report.status]).toEqual([200, 'ok']);
  });
}

const MAX = 1024 * 1024;
const QUERY = JSON.stringify({ query: '{ categories { id } }' });

/** POST to the target with its headers (a subgraph's signed identity), JSON unless `headers` say otherwise. */
const poster = (target: Target) => (body: string | Buffer, headers: Record<string, string> = {}) =>
  send(target.url(), {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...target.headers(), ...headers },
    body: typeof body === 'string' ? body : new Uint8Array(body),
  });

function expectReason(answer: Answer, status: number, reason: string) {
  expectError(answer, status, 'BAD_USER_INPUT');
  expect(answer.body.errors![0].extensions?.reason).toBe(reason);
}

/**
 * How a POST's body is taken, by the http handler that serves a subgraph's /graphql and the router's POSTs
 * (platform/graphql-http.ts), straight on the server's port.
 */
function bodyCases(target: Target) {
  const post = poster(target);
  const identityLine = () => Object.entries(target.headers()).map(([name, value]) => `${name}: ${value}`);

  it(`${target.name}: a Content-Length over the limit is a 413 before any of the body is sent`, async () => {
    // Only the head: an answer that waited for the body would never come.
    const answer = await rawRequest(target.url(), ['POST {path} HTTP/1.1', 'content-type: application/json', `content-length: ${10 * MAX}`, ...identityLine()]);
    expectError(answer, 413, 'BAD_USER_INPUT');
    expect(answer.body.errors![0].extensions).toMatchObject({ limit: 'bodySize', max: MAX });
    expect(answer.headers.connection).toBe('close');
  });

  it(`${target.name}: a streamed body is a 413 once it passes the limit, without being read to its end`, async () => {
    const chunks = Array.from({ length: 256 }, () => chunkOf(Buffer.alloc(64 * 1024, 32))); // 16 MB of spaces
    const answer = await rawRequest(
      target.url(),
      ['POST {path} HTTP/1.1', 'content-type: application/json', 'transfer-encoding: chunked', ...identityLine()],
      chunks,
    );
    expectError(answer, 413, 'BAD_USER_INPUT');
    expect(answer.body.errors![0].extensions).toMatchObject({ limit: 'bodySize', max: MAX });
    expect(answer.written).toBeGreaterThan(MAX);
    expect(answer.written).toBeLessThan(16 * MAX);
  });

  it(`${target.name}: a body at the limit is read`, async () => {
    const padded = JSON.stringify({ query: '{ categories { id } }', variables: { pad: '' } });
    const answer = await post(padded.replace('"pad":""', `"pad":"${'x'.repeat(MAX - padded.length)}"`));
    expect(answer.status).toBe(200);
  });

  it(`${target.name}: a charset other than UTF-8 is a 415`, async () => {
    for (const charset of ['latin1', 'utf-16le', 'utf8']) {
      expectReason(await post(QUERY, { 'content-type': `application/json; charset=${charset}` }), 415, 'UNSUPPORTED_MEDIA_TYPE');
    }
    expect((await post(QUERY, { 'content-type': 'application/json; charset="UTF-8"' })).status).toBe(200);
  });

  it(`${target.name}: JSON that is not an object (or array) at the top is malformed`, async () => {
    for (const body of ['"{ categories { id } }"', '12', 'null', 'true', '  \n']) {
      expectReason(await post(body), 400, 'MALFORMED_JSON');
    }
  });

  it(`${target.name}: an empty body reaches Apollo Server as {}, which refuses it`, async () => {
    const answer = await post('');
    expectError(answer, 400, 'BAD_REQUEST');
    expect(answer.body.errors![0].message).toMatch(/POST body missing/);
  });

  it(`${target.name}: a POST without a JSON body is a 415`, async () => {
    expectReason(await post(QUERY, { 'content-type': 'text/plain' }), 415, 'UNSUPPORTED_MEDIA_TYPE');
    // No Content-Length, no Transfer-Encoding: no body at all.
    const answer = await rawRequest(target.url(), ['POST {path} HTTP/1.1', 'content-type: application/json', ...identityLine()]);
    expectReason(answer, 415, 'UNSUPPORTED_MEDIA_TYPE');
  });

  it(`${target.name}: a compressed body is read, an unknown Content-Encoding is a 415`, async () => {
    const gzipped = await post(zlib.gzipSync(QUERY), { 'content-encoding': 'gzip' });
    expect([gzipped.status, gzipped.text]).toEqual([200, expect.stringContaining('"categories"')]);
    expectReason(await post(QUERY, { 'content-encoding': 'compress' }), 415, 'UNSUPPORTED_MEDIA_TYPE');
  });

  it(`${target.name}: a body cut short by the client is dropped quietly and the server goes on`, async () => {
    // Nobody is left to read the 400 INCOMPLETE_BODY: what is checked is that nothing breaks or is logged.
    logs.clear();
    {
      const { hostname, port, pathname } = new URL(target.url());
      const socket = net.connect(Number(port), hostname);
      await once(socket, 'connect');
      const head = [`POST ${pathname} HTTP/1.1`, 'host: test', 'content-type: application/json', 'content-length: 1000', ...identityLine(), '', ''];
      socket.write(`${head.join('\r\n')}{"query":`);
      await new Promise((resolve) => setTimeout(resolve, 50));
      socket.destroy();
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect((await post(QUERY)).status).toBe(200);
      expect(logs.lines().filter((l) => l.level === 'error')).toEqual([]);
    }
  });

}

/** What only a subgraph's /graphql answers (all of it from platform/graphql-http.ts): GET, methods, identity, errors. */
function subgraphCases(target: Target & { config: () => Config }) {
  const post = poster(target);

  it(`${target.name}: GET runs a query from the query string, under Apollo Server's CSRF and GET rules`, async () => {
    const get = (query: string, headers: Record<string, string> = {}) =>
      send(`${target.url()}?query=${encodeURIComponent(query)}`, { headers: { ...target.headers(), ...headers } });
    const ok = await get('{ categories { id } }', { 'apollo-require-preflight': 'true' });
    expect(ok.status).toBe(200);
    expect(ok.text).toContain('"categories"');
    // No content type and no preflight header: a request a browser form could send.
    const csrf = await get('{ categories { id } }');
    expectError(csrf, 400, 'BAD_REQUEST');
    expect(csrf.body.errors![0].message).toMatch(/Cross-Site Request Forgery/);
    const mutation = await get('mutation { __typename }', { 'apollo-require-preflight': 'true' });
    expectError(mutation, 405, 'BAD_REQUEST');
  });

  it(`${target.name}: a method other than GET or POST is a 405 that names both`, async () => {
    for (const method of ['PUT', 'DELETE', 'PATCH']) {
      const response = await fetch(target.url(), { method, headers: target.headers() });
      expect(response.headers.get('allow')).toBe('GET, POST');
      const text = await response.text();
      expectReason({ status: response.status, contentType: response.headers.get('content-type') ?? '', text, body: JSON.parse(text) }, 405, 'METHOD_NOT_ALLOWED');
    }
  });

  it(`${target.name}: a caller without a valid identity is a 401, asked after the body is checked`, async () => {
    const post = (body: string, headers: Record<string, string>) => send(target.url(), { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
    const missing = await post(QUERY, {});
    expectError(missing, 401, 'UNAUTHENTICATED');
    expect(missing.body.errors![0].message).toMatch(/^Identity header refused: missing/);
    const otherAudience = await post(QUERY, asIdentity({}, 'cart', target.config()));
    expectError(otherAudience, 401, 'UNAUTHENTICATED');
    // Keyed for cart (pair key router → cart): product's key for the router does not verify it.
    expect(otherAudience.body.errors![0].message).toMatch(/does not verify/);
    expectReason(await post('{"query":', {}), 400, 'MALFORMED_JSON');
    expectError(await post('[]', {}), 400, 'BAD_USER_INPUT');
  });

  it(`${target.name}: an unexpected error is a logged 500 that says no more`, async () => {
    // A header that verifies but whose claims are not an object: identity.ts trips over it (a TypeError).
    const payload = Buffer.from('null').toString('base64url');
    const { kid, key } = target.config().serviceKeys.signingKey('router', 'product');
    const head = `router:${kid}`;
    const signature = crypto.createHmac('sha256', key).update(`${head}.${payload}`).digest('base64url');
    logs.clear();
    const answer = await post(QUERY, { 'x-shop-identity': `${head}.${payload}.${signature}` });
    expectError(answer, 500, 'INTERNAL_SERVER_ERROR');
    expect(answer.body.errors![0].message).toBe('Internal server error');
    // Logged once with its stack, and the request id it was answered under.
    const logged = logs.lines().filter((l) => l.msg === 'unexpected HTTP error');
    expect(logged).toEqual([expect.objectContaining({ level: 'error', err: expect.objectContaining({ type: 'TypeError' }), requestId: expect.any(String) })]);
  });

  it(`${target.name}: /graphql below and in any case is the endpoint; other routes stay express's`, async () => {
    const at = (path: string) => new URL(path, target.url()).toString();
    for (const path of ['/GraphQL', '/graphql/', '/graphql/x?y=1']) {
      expectError(await send(at(path), { method: 'POST', headers: { 'content-type': 'application/json' }, body: QUERY }), 401, 'UNAUTHENTICATED');
    }
    expectError(await send(at('/graphqlx'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: QUERY }), 404, 'NOT_FOUND');
    expectError(await send(at('/stats'), {}), 401, 'UNAUTHENTICATED');
    expect((await send(at('/stats'), { headers: target.headers() })).status).toBe(200);
  });
}

describe('development mode', () => {
  let supergraph: RunningSupergraph;
  beforeAll(async () => {
    supergraph = await startSupergraph({ subgraphs: ['product'], router: true });
  });
  afterAll(async () => {
    await supergraph?.stop();
  });
  errorCases({ name: 'router', url: () => supergraph.routerUrl!, headers: () => ({}) });
  errorCases({ name: 'product subgraph', url: () => supergraph.subgraphs.product!.url, headers: () => asIdentity({}, 'product') });
  bodyCases({ name: 'router', url: () => supergraph.routerUrl!, headers: () => ({}) });
  bodyCases({ name: 'product subgraph', url: () => supergraph.subgraphs.product!.url, headers: () => asIdentity({}, 'product') });
  subgraphCases({ name: 'product subgraph', url: () => supergraph.subgraphs.product!.url, headers: () => asIdentity({}, 'product'), config: () => testConfig() });
});

describe('production mode', () => {
  let supergraph: RunningSupergraph;
  const config = testConfig({ NODE_ENV: 'production', JWT_SECRET: 'test-jwt-secret-for-production-mode', INTERNAL_SECRET: 'test-internal-secret-for-production', ...SERVICE_KEYS });
  beforeAll(async () => {
    supergraph = await startSupergraph({ subgraphs: ['product'], router: true, config });
  });
  afterAll(async () => {
    await supergraph?.stop();
  });
  errorCases({ name: 'router', url: () => supergraph.routerUrl!, headers: () => ({}) });
  errorCases({ name: 'product subgraph', url: () => supergraph.subgraphs.product!.url, headers: () => asIdentity({}, 'product', config) });
  bodyCases({ name: 'router', url: () => supergraph.routerUrl!, headers: () => ({}) });
  bodyCases({ name: 'product subgraph', url: () => supergraph.subgraphs.product!.url, headers: () => asIdentity({}, 'product', config) });
  subgraphCases({ name: 'product subgraph', url: () => supergraph.subgraphs.product!.url, headers: () => asIdentity({}, 'product', config), config: () => config });
});
