/**
 * Identity at the edge: the router verifies `Authorization: Bearer <jwt>` and tells subgraphs who the caller is in
 * the signed x-shop-identity header — its own, never one a client sent, signed for the one subgraph it goes to.
 * Subgraphs accept only signed callers: no header, one they cannot verify, one signed for another subgraph or one
 * older than IDENTITY_MAX_AGE_SECONDS is refused with 401 before any GraphQL runs.
 */
import { signAccessToken } from '../platform/access-token';
import { IDENTITY_HEADER, IdentityError, SameSecondIdentitySigner, signIdentity, verifyIdentity } from '../platform/identity';
import type { RunningSupergraph } from '../app/launcher';
import { startRouter, type RunningRouter } from '../router/server';
import { createServiceClient } from '../platform/service-client';
import { FEDERATION_LINK, startFakeSubgraph, writeSupergraph, type FakeContext, type FakeSubgraph } from './support/fake-subgraph';
import { asIdentity, bearer, codes, gql, startSupergraph, testConfig } from './support/harness';

const config = testConfig();
const typeDefs = `${FEDERATION_LINK}
"Who the subgraph was told the caller is." type Caller { "User id." userId: ID  "Scopes." scopes: [String!]! }
"Root" type Query { "The verified x-shop-identity of this request." whoami: Caller! }`;

let subgraph: FakeSubgraph;
let router: RunningRouter;

beforeAll(async () => {
  subgraph = await startFakeSubgraph({
    typeDefs,
    resolvers: {
      Query: {
        whoami: (_: unknown, __: unknown, { headers }: FakeContext) =>
          verifyIdentity(String(headers[IDENTITY_HEADER]), config.internalSecret, config.identityMaxAgeSeconds),
      },
    },
  });
  const supergraphPath = writeSupergraph([{ name: 'order', url: subgraph.url, typeDefs }]);
  router = await startRouter({ config: { ...config, supergraphPath, explorerEnabled: false }, host: '127.0.0.1', port: 0 });
});
afterAll(async () => {
  await router?.close();
  await subgraph?.close();
});

const WHOAMI = '{ whoami { userId scopes } }';
const lastHeaders = () => subgraph.requests[subgraph.requests.length - 1];

describe('at the router', () => {
  it('serves a request without a token as anonymous, still with a signed identity', async () => {
    const response = await gql(router.url, WHOAMI);
    expect(response).toEqual({ status: 200, data: { whoami: { userId: null, scopes: [] } } });
    expect(verifyIdentity(String(lastHeaders()[IDENTITY_HEADER]), config.internalSecret, 60)).toEqual(
      expect.objectContaining({ userId: undefined, scopes: [] }),
    );
  });

  it('signs each header for the subgraph it is sent to (aud), and for no other', async () => {
    await gql(router.url, WHOAMI);
    const header = String(lastHeaders()[IDENTITY_HEADER]);
    expect(verifyIdentity(header, config.internalSecret, 60, Date.now(), 'order')).toMatchObject({ audience: 'order' });
    // Keyed for order (pair key router → order): at product it does not even verify.
    expect(() => verifyIdentity(header, config.internalSecret, 60, Date.now(), 'product')).toThrow('does not verify');
  });

  it('signs a header that a replay after its lifetime cannot use', async () => {
    await gql(router.url, WHOAMI);
    const header = String(lastHeaders()[IDENTITY_HEADER]);
    const maxAge = config.identityMaxAgeSeconds;
    // The same header, presented again at the end of its lifetime and just after it (a clock, not a wait).
    expect(verifyIdentity(header, config.internalSecret, maxAge, Date.now() + (maxAge - 1) * 1000, 'order')).toMatchObject({ scopes: [] });
    expect(() => verifyIdentity(header, config.internalSecret, maxAge, Date.now() + (maxAge + 2) * 1000, 'order')).toThrow(IdentityError);
    expect(() => verifyIdentity(header, config.internalSecret, maxAge, Date.now() + (maxAge + 2) * 1000, 'order')).toThrow('stale');
  });

  it('passes a valid token’s user id and scopes to the subgraph in the signed header', async () => {
    const token = signAccessToken({ userId: '4242', scopes: ['order:write', 'catalog:write'] }, config);
    const response = await gql(router.url, WHOAMI, {}, bearer(token));
    expect(response.data).toEqual({ whoami: { userId: '4242', scopes: ['order:write', 'catalog:write'] } });
    const header = String(lastHeaders()[IDENTITY_HEADER]);
    expect(verifyIdentity(header, config.internalSecret, 60)).toMatchObject({ userId: '4242', scopes: ['order:write', 'catalog:write'] });
    // Signed with the internal secret, not something a client could produce.
    expect(() => verifyIdentity(header, 'another-secret', 60)).toThrow('does not verify');
  });

  it.each([
    ['garbage', 'Bearer not.a.jwt', 'Access token is invalid'],
    ['a token signed with another secret', `Bearer ${signAccessToken({ userId: '1', scopes: [] }, testConfig({ JWT_SECRET: 'not-our-secret' }))}`, 'Access token is invalid'],
    ['an expired token', `Bearer ${signAccessToken({ userId: '1', scopes: [] }, testConfig({ ACCESS_TOKEN_TTL_SECONDS: '-60' }))}`, 'Access token expired'],
    ['another scheme', 'Basic dXNlcjpwYXNz', 'Authorization header must be "Bearer <token>"'],
  ])('answers %s with 401 UNAUTHENTICATED and calls no subgraph', async (_case, authorization, message) => {
    const before = subgraph.requests.length;
    const response = await gql(router.url, WHOAMI, {}, { authorization });
    expect(response.status).toBe(401);
    expect(codes(response)).toEqual(['UNAUTHENTICATED']);
    expect(response.errors![0].message).toBe(message);
    expect(response.data).toBeUndefined();
    expect(subgraph.requests.length).toBe(before);
  });

  it('never forwards an x-shop-identity header sent by a client: it sends its own', async () => {
    // Even a correctly signed header (as if the secret had leaked) claiming to be staff does not get through.
    const forged = signIdentity({ userId: '1', scopes: ['payment:refund'] }, config.internalSecret);
    const anonymous = await gql(router.url, WHOAMI, {}, { [IDENTITY_HEADER]: forged });
    expect(anonymous.data).toEqual({ whoami: { userId: null, scopes: [] } });
    expect(lastHeaders()[IDENTITY_HEADER]).not.toBe(forged);

    const token = signAccessToken({ userId: '77', scopes: [] }, config);
    const signedIn = await gql(router.url, WHOAMI, {}, { ...bearer(token), [IDENTITY_HEADER]: forged });
    expect(signedIn.data).toEqual({ whoami: { userId: '77', scopes: [] } });
    expect(lastHeaders()[IDENTITY_HEADER]).not.toBe(forged);
    // Exactly one identity header arrives (not the client's appended to the router's).
    expect(String(lastHeaders()[IDENTITY_HEADER]).split(',')).toHaveLength(1);
  });

  it('forwards no client header at all (the gateway builds subgraph requests afresh)', async () => {
    await gql(router.url, WHOAMI, {}, { 'x-client-header': 'from-the-client', cookie: 'session=abc' });
    expect(lastHeaders()['x-client-header']).toBeUndefined();
    expect(lastHeaders().cookie).toBeUndefined();
  });
});

it('reuses a header only within its second: it is then exactly the header signing again gives', () => {
  const signer = new SameSecondIdentitySigner('secret', 'order');
  const shopper = { userId: '7', scopes: ['order:write'], sessionId: 's1', clientIp: '10.0.0.1' };
  const at = 1_800_000_000_000;
  const header = signer.sign(shopper, at);
  expect(header).toBe(signIdentity({ ...shopper, audience: 'order' }, 'secret', at));
  expect(signer.sign({ ...shopper }, at + 999)).toBe(header);
  expect(verifyIdentity(header, 'secret', 60, at, 'order')).toEqual({ ...shopper, service: undefined, audience: 'order' });
  // Any other claim is another header.
  for (const other of [{ ...shopper, userId: '8' }, { ...shopper, scopes: [] }, { ...shopper, sessionId: 's2' }, { ...shopper, clientIp: '10.0.0.2' }, { ...shopper, service: 'cart' }]) {
    expect(signer.sign(other, at)).toBe(signIdentity({ ...other, audience: 'order' }, 'secret', at));
  }
  // The next second: signed afresh, with its own iat.
  const next = signer.sign(shopper, at + 1000);
  expect(next).toBe(signIdentity({ ...shopper, audience: 'order' }, 'secret', at + 1000));
  expect(next).not.toBe(header);
});

it('signs service-to-service calls for the target subgraph only', async () => {
  // Order may act for a shopper (SERVICES_ACTING_FOR_USERS); the header is signed with order's key for cart.
  const client = createServiceClient(config, 'order', { urlOf: () => subgraph.url });
  try {
    await client.request('cart', WHOAMI, {}, { userId: '12' });
  } finally {
    await client.close();
  }
  const header = String(lastHeaders()[IDENTITY_HEADER]);
  expect(header.startsWith('order:')).toBe(true);
  expect(verifyIdentity(header, config.internalSecret, 60, Date.now(), 'cart')).toMatchObject({ service: 'order', userId: '12', audience: 'cart' });
  expect(() => verifyIdentity(header, config.internalSecret, 60, Date.now(), 'product')).toThrow(IdentityError);
});

describe('straight to a subgraph (order)', () => {
  let supergraph: RunningSupergraph;
  beforeAll(async () => {
    supergraph = await startSupergraph({ subgraphs: ['order'], router: false });
  });
  afterAll(async () => {
    await supergraph?.stop();
  });
  const ORDER = '{ order(id: "1") { id } }';
  const url = () => supergraph.subgraphs.order!.url;

  it('serves a verifiable identity signed for it', async () => {
    // A user who owns no order (low ids are real shoppers of other test files, who may own order 1 by now).
    const response = await gql(url(), ORDER, {}, asIdentity({ userId: '987654321' }, 'order'));
    expect(response).toEqual({ status: 200, data: { order: null } });
    // The anonymous shopper as the router presents them: signed, no user.
    expect(await gql(url(), ORDER, {}, asIdentity({}, 'order'))).toEqual({ status: 200, data: { order: null } });
  });

  it.each([
    ['an operation', ORDER],
    ['_service { sdl }', '{ _service { sdl } }'],
    ['_entities', '{ _entities(representations: [{ __typename: "Order", id: "1" }]) { ... on Order { id } } }'],
  ])('answers %s without an identity header with 401 UNAUTHENTICATED, as GraphQL-shaped JSON', async (_what, query) => {
    const response = await fetch(url(), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
    expect(response.status).toBe(401);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await response.json()).toEqual({
      errors: [{ message: 'Identity header refused: missing (subgraphs accept only signed callers)', extensions: { code: 'UNAUTHENTICATED' } }],
    });
  });

  it('refuses GET operations without a header too, and keeps GET /health open', async () => {
    const get = await fetch(`${url()}?query=${encodeURIComponent('{ _service { sdl } }')}`, { headers: { 'apollo-require-preflight': 'true' } });
    expect(get.status).toBe(401);
    expect(await fetch(new URL('/health', url()))).toMatchObject({ status: 200 });
  });

  it('refuses a header signed for another subgraph (product) or for none', async () => {
    const forProduct = await gql(url(), ORDER, {}, asIdentity({ userId: '5', scopes: ['order:write'] }, 'product'));
    expect(forProduct.status).toBe(401);
    // Signed with the pair key router → product, so order's key for the router does not verify it.
    expect(forProduct.errors).toEqual([
      { message: 'Identity header refused: identity header signature does not verify', extensions: { code: 'UNAUTHENTICATED' } },
    ]);
    const forNone = await gql(url(), ORDER, {}, { [IDENTITY_HEADER]: signIdentity({ userId: '5', scopes: [] }, config.internalSecret) });
    expect(forNone.status).toBe(401);
    expect(codes(forNone)).toEqual(['UNAUTHENTICATED']);
  });

  it.each([
    ['forged (bad signature)', { [IDENTITY_HEADER]: `${signIdentity({ userId: '5', scopes: [], audience: 'order' }, config.internalSecret).replace(/\.[^.]*$/, '')}.AAAA` }],
    ['signed with another secret', { [IDENTITY_HEADER]: signIdentity({ userId: '5', scopes: ['order:write'], audience: 'order' }, 'not-the-internal-secret') }],
    ['stale (older than its lifetime)', { [IDENTITY_HEADER]: signIdentity({ userId: '5', scopes: [], audience: 'order' }, config.internalSecret, Date.now() - (config.identityMaxAgeSeconds + 2) * 1000) }],
    ['from the future (beyond the clock skew)', { [IDENTITY_HEADER]: signIdentity({ userId: '5', scopes: [], audience: 'order' }, config.internalSecret, Date.now() + 120 * 1000) }],
    ['malformed', { [IDENTITY_HEADER]: 'garbage' }],
  ])('refuses an identity header that is %s with UNAUTHENTICATED', async (_case, headers) => {
    const response = await gql(supergraph.subgraphs.order!.url, ORDER, {}, headers);
    expect(response.status).toBe(401);
    expect(codes(response)).toEqual(['UNAUTHENTICATED']);
    expect(response.data).toBeUndefined();
  });
});
