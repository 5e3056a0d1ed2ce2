/**
 * Structured logs through the real router and subgraphs (platform/log.ts, platform/observe.ts): one JSON line per
 * request on the router with its request id, operation, client, user, status and duration — and never a token or a
 * password; the subgraphs' lines carry the same request id, through service-to-service calls too; `x-request-id` is
 * echoed when acceptable, generated otherwise, on every response.
 */
import crypto from 'node:crypto';
import { configureLogging } from '../platform/log';
import { createTestProduct, ok, viaRouter } from '../subgraphs/cart/test/fixtures';
import { ADDRESS_INPUT } from '../subgraphs/order/test/checkout-fixtures';
import { bearer, gql, uniquePhone } from './support/harness';
import { startIsolatedSupergraph, type IsolatedSupergraph } from './support/isolated-supergraph';

/** Every line the process logs, raw and parsed (the logger's destination stream: no stdout involved). */
const raw: string[] = [];
const lines = () => raw.map((line) => JSON.parse(line) as Record<string, any>);

let supergraph: IsolatedSupergraph;
let router: string;

beforeAll(async () => {
  configureLogging({ level: 'info', pretty: false, destination: { write: (line: string) => void raw.push(line) } });
  supergraph = await startIsolatedSupergraph({});
  router = supergraph.routerUrl!;
});
afterAll(async () => {
  await supergraph?.stop();
});

async function post(query: string, variables: Record<string, unknown>, headers: Record<string, string>) {
  const response = await fetch(router, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  return { response, body: (await response.json()) as { data?: any; errors?: unknown[] } };
}

/** The access lines of one request id, once the router's is written (after the response: on the socket's close). */
async function linesOf(requestId: string, service = 'router') {
  const deadline = Date.now() + 5000;
  while (!lines().some((l) => l.msg === 'request' && l.service === service && l.requestId === requestId) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return lines().filter((l) => l.requestId === requestId);
}

it('writes one JSON line per router request with its fields, and no token or password anywhere', async () => {
  const phone = uniquePhone();
  const password = `Secret-${crypto.randomBytes(6).toString('hex')}9`;
  const register = await post(
    'mutation Register($input: RegisterInput!) { register(input: $input) { accessToken user { id } } }',
    { input: { phone, password, nickname: 'logs' } },
    { 'x-request-id': `register-${crypto.randomUUID()}` },
  );
  const { accessToken, user } = register.body.data.register;
  const requestId = `logs-${crypto.randomUUID()}`;
  // Signed in already (a bearer token) and signing in again: the password in the variables, the token in a header.
  const { response, body } = await post(
    'mutation Login($input: LoginInput!) { login(input: $input) { accessToken } }',
    { input: { account: phone, password } },
    { ...bearer(accessToken), 'x-request-id': requestId, 'apollographql-client-name': 'shop-miniprogram', 'apollographql-client-version': '3.2.1' },
  );
  expect(body.errors).toBeUndefined();
  expect(response.headers.get('x-request-id')).toBe(requestId);

  const mine = await linesOf(requestId);
  const access = mine.filter((l) => l.msg === 'request' && l.service === 'router');
  expect(access).toHaveLength(1);
  expect(access[0]).toMatchObject({
    level: 'info',
    requestId,
    method: 'POST',
    path: '/graphql',
    status: 200,
    operationName: 'Login',
    operationType: 'mutation',
    clientName: 'shop-miniprogram',
    clientVersion: '3.2.1',
    userId: user.id,
  });
  expect(access[0].operationHash).toMatch(/^[0-9a-f]{64}$/);
  expect(typeof access[0].durationMs).toBe('number');
  expect(access[0].time).toEqual(expect.any(String));
  // The subgraph that served it logged its own line with the same id, and who called (the router's identity).
  expect(mine.some((l) => l.service === 'user' && l.msg === 'request' && l.operationName === 'Login' && l.status === 200)).toBe(true);

  // Nothing logged so far holds the password or the bearer token (nor the token's signature alone).
  const everything = raw.join('\n');
  expect(everything).not.toContain(password);
  expect(everything).not.toContain(accessToken);
  expect(everything).not.toContain(accessToken.split('.')[2]);
  expect(everything).not.toContain(body.data.login.accessToken);
});

it('follows one request id into subgraph-to-subgraph calls (router → order → promote)', async () => {
  const endpoints = viaRouter(router);
  const { skuIds } = await createTestProduct(endpoints, [{ price: 1200, stock: 3 }]);
  const registered = ok(
    await gql(router, 'mutation($input: RegisterInput!) { register(input: $input) { accessToken } }', {
      input: { phone: uniquePhone(), password: 'logs12345', nickname: 'logs' },
    }),
  ).register;
  const auth = bearer(registered.accessToken);
  const addressId = ok(await gql(router, 'mutation($input: AddressInput!) { addAddress(input: $input) { id } }', { input: ADDRESS_INPUT }, auth)).addAddress.id;
  const requestId = `preview-${crypto.randomUUID()}`;
  const { body } = await post(
    'query Preview($input: CheckoutInput!) { previewOrder(input: $input) { items { sku { id name } } } }',
    { input: { items: skuIds.map((skuId) => ({ skuId, quantity: 1 })), addressId } },
    { ...auth, 'x-request-id': requestId },
  );
  expect(body.errors).toBeUndefined();
  await linesOf(requestId);
  const mine = await linesOf(requestId, 'promote');
  // The router's fetch to order, and order's own call to promote (signed as order: the coupon quote), both under
  // the client's request id. (order's SKU reads are coalesced across requests: sent under none, see service-client.ts.)
  expect(mine.some((l) => l.service === 'order' && l.msg === 'request' && l.operationName === 'Preview' && l.status === 200)).toBe(true);
  expect(mine.some((l) => l.service === 'promote' && l.msg === 'request' && l.caller === 'order' && l.status === 200)).toBe(true);
});

it('generates an id when the client sent none or one it cannot trust, and answers with it on every route', async () => {
  const query = '{ __typename }';
  const none = await post(query, {}, {});
  const generated = none.response.headers.get('x-request-id');
  expect(generated).toMatch(/^[0-9a-f-]{36}$/);
  expect((await linesOf(generated!)).filter((l) => l.msg === 'request')).toHaveLength(1);

  for (const hostile of ['a'.repeat(129), 'id with spaces', '{"json":1}', '../../etc/passwd', 'ok\u0000nul']) {
    const answer = await fetch(router, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': encodeURI(hostile) === hostile ? hostile : encodeURIComponent(hostile) },
      body: JSON.stringify({ query }),
    });
    const id = answer.headers.get('x-request-id');
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    await answer.text();
  }
  // Not only /graphql: the 404 of an unknown path and the health check answer with an id too.
  for (const path of ['/nowhere', '/health']) {
    const answer = await fetch(new URL(path, router), { headers: { 'x-request-id': 'probe-1' } });
    expect(answer.headers.get('x-request-id')).toBe('probe-1');
    await answer.text();
  }
});
