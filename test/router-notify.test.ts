/**
 * Issue 16 finding 2: the router forwards only the provider notification paths to payment, by exact match on the raw
 * request path; the forwarded URL is built from the route matched. Before, `/notify/../graphql` and
 * `/notify/%2e%2e/graphql` reached payment's /graphql (the forwarder appended the raw path and the URL parser
 * resolved the dots). A recording server stands in for payment, so "never reached payment" is observed, not inferred.
 * The sandbox cashier is forwarded only when the router's own config has the sandbox on (issue 15 finding 1).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadConfig, type Config } from '../platform/config';
import { startRouter, type RunningRouter } from '../router/server';
import { FEDERATION_LINK, writeSupergraph } from './support/fake-subgraph';
import { SECRETS } from './support/processes';

const typeDefs = `${FEDERATION_LINK}\n"Root" type Query { "A greeting." hello: String! }`;

/** Every request the stand-in payment received: method, raw path, body. */
const received: { method: string; url: string; body: string; identity?: string }[] = [];
let payment: http.Server;
let paymentUrl: string;

beforeAll(async () => {
  payment = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      received.push({ method: req.method!, url: req.url!, body, identity: req.headers['x-shop-identity'] as string | undefined });
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ reached: req.url }));
    });
  });
  await new Promise<void>((resolve) => payment.listen(0, '127.0.0.1', resolve));
  paymentUrl = `http://127.0.0.1:${(payment.address() as AddressInfo).port}/graphql`;
});
afterAll(() => new Promise((resolve) => payment.close(resolve)));

async function routerWith(env: Record<string, string>): Promise<{ router: RunningRouter; config: Config }> {
  const supergraphPath = writeSupergraph([{ name: 'payment', url: paymentUrl, typeDefs }]);
  const config = loadConfig({ ...process.env, NODE_ENV: 'test', EXPLORER: 'false', SUPERGRAPH_PATH: supergraphPath, PAYMENT_URL: paymentUrl, ...env });
  const router = await startRouter({ config: { ...config, host: '127.0.0.1' }, host: '127.0.0.1', port: 0, subgraphUrls: { payment: paymentUrl } });
  return { router, config };
}

/** POST with the request target exactly as written (fetch would normalize the dots away before sending). */
function rawPost(port: number, target: string, body = 'x'): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.request({ host: '127.0.0.1', port, method: 'POST', path: target, headers: { 'content-type': 'application/json', 'x-shop-identity': 'forged' } }, (response) => {
      let text = '';
      response.on('data', (chunk: Buffer) => (text += chunk.toString()));
      response.on('end', () => resolve({ status: response.statusCode!, body: text }));
    });
    request.on('error', reject);
    request.end(body);
  });
}

const TRAVERSALS = [
  '/notify/../graphql',
  '/notify/%2e%2e/graphql',
  '/notify/%2E%2E/graphql',
  '/notify/.%2e/graphql',
  '/notify/%2e./graphql',
  '/notify/..%2fgraphql',
  '/notify/..%2Fgraphql',
  '/notify/%2e%2e%2fgraphql',
  '/notify/%252e%252e/graphql',
  '/notify/..\\graphql',
  '/notify/%5c..%5cgraphql',
  '/notify/wechat/../../graphql',
  '/notify/wechat/%2e%2e/%2e%2e/graphql',
  '/notify/wechat%2f..%2f..%2fgraphql',
  '/notify/alipay/..',
  '/notify/./wechat',
  '/notify//wechat',
  '/notify/wechat/',
  '/notify/WECHAT',
  '/notify/wechat;/../../graphql',
  '/notify/sandbox/wechat/..%2f..%2f..%2fgraphql',
  '/notify/sandbox/wechat/../../../graphql',
  '/notify/sandbox/wechat/%2e%2e',
  '/notify/sandbox/alipay/../../graphql',
  '/notify/stats',
  '/notify/',
  '/notify',
];

describe('a router with the sandbox on (loopback development)', () => {
  let router: RunningRouter;
  let port: number;
  beforeAll(async () => {
    const started = await routerWith({ HOST: '127.0.0.1' });
    expect(started.config.payment.sandbox).toBe(true);
    router = started.router;
    port = router.port;
  });
  afterAll(() => router?.close());
  beforeEach(() => {
    received.length = 0;
  });

  it.each(TRAVERSALS)('%s → the router\'s JSON 404, payment never reached', async (target) => {
    const answer = await rawPost(port, target);
    expect(answer.status).toBe(404);
    expect(JSON.parse(answer.body)).toMatchObject({ errors: [{ extensions: { code: 'NOT_FOUND' } }] });
    expect(received).toEqual([]);
  });

  it('forwards the provider paths and the sandbox cashier exactly, with the query, without a caller identity', async () => {
    for (const target of ['/notify/wechat', '/notify/alipay', '/notify/sandbox/wechat/wx20261205ABCDEF01?deliver=false', '/notify/sandbox/alipay?app_id=2021&sign=a%2Fb']) {
      const answer = await rawPost(port, target, 'payload');
      expect(answer.status).toBe(200);
      expect(JSON.parse(answer.body)).toEqual({ reached: target });
    }
    expect(received.map(({ method, url, body, identity }) => ({ method, url, body, identity }))).toEqual([
      { method: 'POST', url: '/notify/wechat', body: 'payload', identity: undefined },
      { method: 'POST', url: '/notify/alipay', body: 'payload', identity: undefined },
      { method: 'POST', url: '/notify/sandbox/wechat/wx20261205ABCDEF01?deliver=false', body: 'payload', identity: undefined },
      { method: 'POST', url: '/notify/sandbox/alipay?app_id=2021&sign=a%2Fb', body: 'payload', identity: undefined },
    ]);
  });

  it('GET is not forwarded', async () => {
    const answer = await fetch(`http://127.0.0.1:${port}/notify/wechat`);
    expect(answer.status).toBe(404);
    expect(received).toEqual([]);
  });
});

describe('a router off loopback without PAYMENT_SANDBOX (the forgotten NODE_ENV)', () => {
  let router: RunningRouter;
  beforeAll(async () => {
    const started = await routerWith({ HOST: '0.0.0.0', ...SECRETS });
    expect(started.config.payment.sandbox).toBe(false);
    router = started.router;
  });
  afterAll(() => router?.close());
  beforeEach(() => {
    received.length = 0;
  });

  it('forwards no sandbox path, and still the provider paths', async () => {
    for (const target of ['/notify/sandbox/wechat/wx20261205ABCDEF01', '/notify/sandbox/alipay?app_id=2021', ...TRAVERSALS.slice(0, 3)]) {
      const answer = await rawPost(router.port, target);
      expect(answer.status).toBe(404);
      expect(JSON.parse(answer.body)).toMatchObject({ errors: [{ extensions: { code: 'NOT_FOUND' } }] });
    }
    expect(received).toEqual([]);
    expect((await rawPost(router.port, '/notify/wechat')).status).toBe(200);
    expect(received.map((request) => request.url)).toEqual(['/notify/wechat']);
  });
});
