/**
 * The router's subgraph fetcher (router/gateway.ts `boundedFetchers`), against a plain HTTP server: what the gateway
 * reads of an answer, the response-size budget (declared and streamed), the timeout, the socket bound, and the
 * network error codes the router reports.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadConfig } from '../platform/config';
import { boundedFetchers, networkErrorCode, SubgraphResponseTooLargeError, SubgraphTimeoutError, type SubgraphFetchers } from '../router/gateway';
import { unusedUrl } from './support/fake-subgraph';

const MAX_BYTES = 1000;
let server: http.Server;
let base: string;
let fetchers: SubgraphFetchers;
/** Requests whose connection closed before the server finished answering them. */
const cutOff: string[] = [];
const received: { url: string; method: string; headers: http.IncomingHttpHeaders; body: string }[] = [];

beforeAll(async () => {
  server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    received.push({ url: req.url!, method: req.method!, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
    res.on('close', () => {
      if (!res.writableFinished) cutOff.push(req.url!);
    });
    switch (req.url) {
      case '/graphql': {
        const body = JSON.stringify({ data: { echo: 'é' } });
        res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(body), 'Cache-Control': 'max-age=30' });
        return res.end(body);
      }
      case '/error':
        res.writeHead(500, 'Broken', { 'content-type': 'text/plain' });
        return res.end('it broke');
      case '/declared-too-large':
        // Says more than the budget up front; sends a little and then holds the rest.
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': MAX_BYTES + 1 });
        return res.write('{');
      case '/streamed-too-large': {
        // No length declared: chunked, one chunk at a time until the client gives up.
        res.writeHead(200, { 'content-type': 'application/json' });
        const chunk = 'x'.repeat(300);
        const more = () => {
          if (res.destroyed) return;
          res.write(chunk, () => setImmediate(more));
        };
        return more();
      }
      case '/streamed-within': {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"data":');
        return res.end('{"ok":true}}');
      }
      case '/hang':
        return; // never answers
      default:
        res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const config = loadConfig({ ...process.env, NODE_ENV: 'test', SUBGRAPH_MAX_RESPONSE_BYTES: String(MAX_BYTES), SUBGRAPH_MAX_SOCKETS: '1' });
  fetchers = boundedFetchers(config);
});

afterAll(async () => {
  await fetchers.close();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

it('sends method, headers and body, and answers what the gateway reads: status, ok, headers, text and JSON', async () => {
  const response = await fetchers.fetcher(5000)(`${base}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-shop-identity': 'signed' },
    body: '{"query":"{ echo }"}',
  });
  expect(received.at(-1)).toMatchObject({ url: '/graphql', method: 'POST', body: '{"query":"{ echo }"}' });
  expect(received.at(-1)!.headers).toMatchObject({ 'content-type': 'application/json', 'x-shop-identity': 'signed' });
  expect([response.status, response.ok, response.url]).toEqual([200, true, `${base}/graphql`]);
  expect(response.headers.get('Content-Type')).toBe('application/json; charset=utf-8');
  expect(response.headers.get('cache-control')).toBe('max-age=30');
  expect(response.headers.get('x-absent')).toBeNull();
  expect(await response.json()).toEqual({ data: { echo: 'é' } });
  expect(await response.text()).toBe('{"data":{"echo":"é"}}');
});

it('answers an error status as it is', async () => {
  const response = await fetchers.fetcher(5000)(`${base}/error`, { method: 'GET' });
  expect([response.status, response.ok, response.statusText]).toEqual([500, false, 'Broken']);
  expect(await response.text()).toBe('it broke');
});

it('reads a streamed (chunked) body within the budget', async () => {
  const response = await fetchers.fetcher(5000)(`${base}/streamed-within`, { method: 'GET' });
  expect(await response.json()).toEqual({ data: { ok: true } });
});

it('refuses a declared Content-Length over the budget, and drops the socket', async () => {
  await expect(fetchers.fetcher(5000)(`${base}/declared-too-large`, { method: 'GET' })).rejects.toEqual(
    new SubgraphResponseTooLargeError(MAX_BYTES),
  );
  await waitFor(() => cutOff.includes('/declared-too-large'));
});

it('cuts off a streamed body past the budget, and drops the socket', async () => {
  await expect(fetchers.fetcher(5000)(`${base}/streamed-too-large`, { method: 'GET' })).rejects.toBeInstanceOf(
    SubgraphResponseTooLargeError,
  );
  await waitFor(() => cutOff.includes('/streamed-too-large'));
});

it('gives up after the timeout, and frees the socket for the next request (one socket here)', async () => {
  const error = await fetchers.fetcher(200)(`${base}/hang`, { method: 'GET' }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(SubgraphTimeoutError);
  expect((error as SubgraphTimeoutError).timeoutMs).toBe(200);
  const next = await fetchers.fetcher(5000)(`${base}/graphql`, { method: 'GET' });
  expect(next.status).toBe(200);
});

it('times out a request still queued for a socket', async () => {
  const hanging = fetchers.fetcher(300)(`${base}/hang`, { method: 'GET' }).catch((e: unknown) => e);
  const queued = await fetchers.fetcher(100)(`${base}/graphql`, { method: 'GET' }).catch((e: unknown) => e);
  expect(queued).toBeInstanceOf(SubgraphTimeoutError);
  expect(await hanging).toBeInstanceOf(SubgraphTimeoutError);
});

it('reports the network reason when the subgraph is unreachable', async () => {
  const error = await fetchers.fetcher(5000)(`${await unusedUrl()}`, { method: 'GET' }).catch((e: unknown) => e);
  expect(networkErrorCode(error)).toBe('ECONNREFUSED');
});

async function waitFor(condition: () => boolean) {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 10));
}
