/**
 * The router protects itself from its subgraphs: a subgraph that hangs costs at most its timeout (SUBGRAPH_TIMEOUT_MS,
 * or `<NAME>_TIMEOUT_MS`) and the rest of the operation is still answered; the sockets to a subgraph are bounded
 * (SUBGRAPH_MAX_SOCKETS) however many requests are in flight; /health names the subgraph that is down.
 */
import { loadConfig } from '../platform/config';
import { startRouter, type RunningRouter } from '../router/server';
import { FEDERATION_LINK, startFakeSubgraph, unusedUrl, writeSupergraph, type FakeSubgraph } from './support/fake-subgraph';
import { codes, gql } from './support/harness';
import { captureLogs } from './support/log-capture';

const orderTypeDefs = `${FEDERATION_LINK}
"Root" type Query { "Answered by the order subgraph." slow: String }`;
const productTypeDefs = `${FEDERATION_LINK}
"Root" type Query { "Answered by the product subgraph." fast: String! }`;

const fakes: FakeSubgraph[] = [];
const routers: RunningRouter[] = [];
// The router logs each timeout (one line); kept for the assertions instead of the test output.
const logs = captureLogs('warn');
beforeEach(() => logs.clear());
afterAll(async () => {
  for (const router of routers) await router.close();
  for (const fake of fakes) await fake.close();
});

async function fake(options: Parameters<typeof startFakeSubgraph>[0]) {
  const started = await startFakeSubgraph(options);
  fakes.push(started);
  return started;
}

async function router(env: Record<string, string>, subgraphUrls?: Parameters<typeof startRouter>[0]['subgraphUrls']) {
  const config = loadConfig({ ...process.env, NODE_ENV: 'test', EXPLORER: 'false', ...env });
  const running = await startRouter({ config, host: '127.0.0.1', port: 0, subgraphUrls });
  routers.push(running);
  return running;
}

describe('a subgraph that never answers', () => {
  let hanging: FakeSubgraph;
  let product: FakeSubgraph;
  let supergraphPath: string;
  beforeAll(async () => {
    hanging = await fake({ typeDefs: orderTypeDefs, resolvers: { Query: { slow: () => 'never' } }, gate: 'hang' });
    product = await fake({ typeDefs: productTypeDefs, resolvers: { Query: { fast: () => 'fast' } } });
    // The composed routing_url of order points nowhere: ORDER_URL redirects it to the hanging server.
    supergraphPath = writeSupergraph([
      { name: 'order', url: await unusedUrl(), typeDefs: orderTypeDefs },
      { name: 'product', url: product.url, typeDefs: productTypeDefs },
    ]);
  });

  it('costs the timeout (SUBGRAPH_TIMEOUT_MS): the router answers with a GraphQL error and the other fields', async () => {
    const running = await router({ SUPERGRAPH_PATH: supergraphPath, ORDER_URL: hanging.url, SUBGRAPH_TIMEOUT_MS: '300' });
    const before = hanging.requests.length;
    const response = await gql(running.url, '{ fast slow }');
    expect(hanging.requests.length).toBe(before + 1);
    expect(response.status).toBe(200);
    expect(response.data).toEqual({ fast: 'fast', slow: null });
    expect(codes(response)).toEqual(['INTERNAL_SERVER_ERROR']);
    expect(response.errors![0].message).toBe('The order subgraph did not answer within 300 ms');
    expect(logs.lines()).toContainEqual(expect.objectContaining({ level: 'error', service: 'router', msg: 'The order subgraph did not answer within 300 ms' }));
  });

  it('uses <NAME>_TIMEOUT_MS over SUBGRAPH_TIMEOUT_MS for that subgraph', async () => {
    const running = await router({
      SUPERGRAPH_PATH: supergraphPath,
      ORDER_URL: hanging.url,
      SUBGRAPH_TIMEOUT_MS: '600000',
      ORDER_TIMEOUT_MS: '300',
    });
    const response = await gql(running.url, '{ slow }');
    expect(response.data).toEqual({ slow: null });
    expect(response.errors![0].message).toBe('The order subgraph did not answer within 300 ms');
    expect((await gql(running.url, '{ fast }')).data).toEqual({ fast: 'fast' });
  });
});

it('opens at most SUBGRAPH_MAX_SOCKETS sockets to a subgraph while 50 requests are in flight', async () => {
  const maxSockets = 4;
  const total = 50;
  // Hold each request until `maxSockets` are waiting (or all that remain): without the bound, all 50 would connect.
  let waiting: (() => void)[] = [];
  let released = 0;
  const product = await fake({
    typeDefs: productTypeDefs,
    resolvers: { Query: { fast: () => 'fast' } },
    gate: () =>
      new Promise<void>((resolve) => {
        waiting.push(resolve);
        if (waiting.length === maxSockets || waiting.length === total - released) {
          const batch = waiting;
          waiting = [];
          released += batch.length;
          batch.forEach((release) => release());
        }
      }),
  });
  const supergraphPath = writeSupergraph([
    { name: 'order', url: await unusedUrl(), typeDefs: orderTypeDefs },
    { name: 'product', url: await unusedUrl(), typeDefs: productTypeDefs },
  ]);
  const running = await router(
    // The timeout clock runs while a request queues for a socket: keep it out of the way of a busy machine. Fifty
    // identical queries would otherwise share one subgraph request (router/dedup.ts).
    { SUPERGRAPH_PATH: supergraphPath, SUBGRAPH_MAX_SOCKETS: String(maxSockets), SUBGRAPH_TIMEOUT_MS: '120000', ROUTER_DEDUP: 'false' },
    { product: product.url },
  );
  const responses = await Promise.all(Array.from({ length: total }, () => gql(running.url, '{ fast }')));
  expect(responses.every((response) => response.data?.fast === 'fast')).toBe(true);
  expect(product.requests).toHaveLength(total);
  expect(product.maxOpenSockets).toBe(maxSockets);
});

it('answers the rest of an operation when a subgraph is down, and reports it on /health with 503', async () => {
  const product = await fake({ typeDefs: productTypeDefs, resolvers: { Query: { fast: () => 'fast' } } });
  const deadUrl = await unusedUrl();
  const supergraphPath = writeSupergraph([
    { name: 'order', url: deadUrl, typeDefs: orderTypeDefs },
    { name: 'product', url: product.url, typeDefs: productTypeDefs },
  ]);
  const running = await router({ SUPERGRAPH_PATH: supergraphPath });
  const answer = await gql(running.url, '{ fast slow }');
  expect(answer.data).toEqual({ fast: 'fast', slow: null });
  expect(answer.errors!.map((e) => [e.extensions?.code, e.message])).toEqual([
    ['INTERNAL_SERVER_ERROR', 'The order subgraph is unreachable (ECONNREFUSED)'],
  ]);
  const response = await fetch(new URL('/health', running.url));
  expect(response.status).toBe(503);
  expect(await response.json()).toEqual({
    status: 'degraded',
    subgraphs: {
      order: { status: 'unreachable', url: deadUrl, error: 'ECONNREFUSED' },
      product: { status: 'ok', url: product.url, latencyMs: expect.any(Number) },
    },
  });
});
