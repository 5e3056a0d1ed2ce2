/**
 * The open subgraph on its own against the run's PostgreSQL: who may manage the registry (open:admin only), bad input
 * refused with nothing written, secrets and session tokens shown once and never stored in clear, the router-only
 * internal reads, and what a page of apps with their grants costs in SQL statements.
 */
import type { RunningSupergraph } from '../../../app/launcher';
import { countStatements } from '../../../platform/db';
import { open as openSealed } from '../../../platform/secret-box';
import { asIdentity, codes, gql, startSupergraph, testConfig, type GraphQLResponse } from '../../../test/support/harness';
import { tokenHash } from '../registry';

let supergraph: RunningSupergraph;
let url: string;
const config = testConfig();
const db = () => supergraph.subgraphs.open!.db;
const STAFF = asIdentity({ userId: '1', scopes: ['open:admin'] }, 'open');
const OTHER_STAFF = asIdentity({ userId: '1', scopes: ['order:write'] }, 'open');
const ROUTER = asIdentity({}, 'open');

beforeAll(async () => {
  supergraph = await startSupergraph({ subgraphs: ['open'], router: false });
  url = supergraph.subgraphs.open!.url;
});
afterAll(async () => {
  await supergraph?.stop();
});

function ok<T = any>(response: GraphQLResponse<T>): T {
  expect(response.errors).toBeUndefined();
  return response.data as T;
}

const CREATE = `mutation($input: CreateOpenAppInput!) { createOpenApp(input: $input) { secret app { appKey name minuteLimit dailyLimit enabled grantedMethods } } }`;
const createApp = async (name = '仓储系统') => ok(await gql(url, CREATE, { input: { name, minuteLimit: 60, dailyLimit: 1000 } }, STAFF)).createOpenApp;

describe('who may manage the registry', () => {
  it('open:admin only: other staff FORBIDDEN, anonymous UNAUTHENTICATED, nothing created', async () => {
    const before = Number((await db()('apps').count({ n: '*' }))[0].n);
    expect(codes(await gql(url, CREATE, { input: { name: 'x' } }, OTHER_STAFF))).toEqual(['FORBIDDEN']);
    expect(codes(await gql(url, CREATE, { input: { name: 'x' } }, asIdentity({}, 'open')))).toEqual(['UNAUTHENTICATED']);
    expect(codes(await gql(url, `{ openApis { method } }`, {}, OTHER_STAFF))).toEqual(['FORBIDDEN']);
    expect(Number((await db()('apps').count({ n: '*' }))[0].n)).toBe(before);
  });

  it('the internal registry read answers the router, not another subgraph', async () => {
    expect(Array.isArray(ok(await gql(url, `{ openGatewayRegistry { apps { appKey } } }`, {}, ROUTER)).openGatewayRegistry.apps)).toBe(true);
    expect(codes(await gql(url, `{ openGatewayRegistry { apps { appKey } } }`, {}, asIdentity({ service: 'order' }, 'open')))).toEqual(['FORBIDDEN']);
  });
});

describe('apps', () => {
  it('answers the secret once and stores it sealed, bound to its app key', async () => {
    const { secret, app } = await createApp();
    expect(secret).toMatch(/^sk_[0-9a-f]{64}$/);
    expect(app).toMatchObject({ appKey: expect.stringMatching(/^ak_[0-9a-f]{24}$/), minuteLimit: 60, dailyLimit: 1000, enabled: true, grantedMethods: [] });
    const row = await db()('apps').where({ app_key: app.appKey }).first();
    expect(row.secret_sealed).not.toContain(secret.slice(3));
    expect(openSealed(config.open.secretKey!, row.secret_sealed, `open-app:${app.appKey}`)).toBe(secret);
    expect(() => openSealed(config.open.secretKey!, row.secret_sealed, 'open-app:ak_other')).toThrow();
  });

  it('refuses bad limits and names with BAD_USER_INPUT and changes nothing', async () => {
    const { app } = await createApp();
    const update = `mutation($k: String!, $input: UpdateOpenAppInput!) { updateOpenApp(appKey: $k, input: $input) { minuteLimit } }`;
    expect(codes(await gql(url, update, { k: app.appKey, input: { minuteLimit: 0 } }, STAFF))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await gql(url, update, { k: app.appKey, input: { name: '' } }, STAFF))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await gql(url, update, { k: 'ak_000000000000000000000000', input: { minuteLimit: 5 } }, STAFF))).toEqual(['NOT_FOUND']);
    expect((await db()('apps').where({ app_key: app.appKey }).first()).minute_limit).toBe(60);
  });

  it('rotation keeps the previous secret until the given time', async () => {
    const { app, secret } = await createApp();
    const rotated = ok(await gql(url, `mutation($k: String!) { rotateOpenAppSecret(appKey: $k, previousValidSeconds: 600) { secret app { previousSecretValidUntil secretRotatedAt } } }`, { k: app.appKey }, STAFF)).rotateOpenAppSecret;
    expect(rotated.secret).not.toBe(secret);
    const until = Date.parse(rotated.app.previousSecretValidUntil);
    expect(until).toBeGreaterThan(Date.now() + 590_000);
    const registry = ok(await gql(url, `{ openGatewayRegistry { apps { appKey secretSealed previousSecretSealed } } }`, {}, ROUTER)).openGatewayRegistry;
    const entry = registry.apps.find((candidate: { appKey: string }) => candidate.appKey === app.appKey);
    expect(openSealed(config.open.secretKey!, entry.secretSealed, `open-app:${app.appKey}`)).toBe(rotated.secret);
    expect(openSealed(config.open.secretKey!, entry.previousSecretSealed, `open-app:${app.appKey}`)).toBe(secret);
  });
});

describe('open APIs and grants', () => {
  const SAVE = `mutation($input: SaveOpenApiInput!) { saveOpenApi(input: $input) { method idempotent cost enabled alertThresholdMs } }`;
  it('registers one query or mutation per method; a mutation is not idempotent unless said', async () => {
    const saved = ok(await gql(url, SAVE, { input: { method: 'test.cancel_it', document: 'mutation($id: ID!) { cancelOrder(id: $id) { id } }', alertThresholdMs: 1500 } }, STAFF));
    expect(saved.saveOpenApi).toEqual({ method: 'test.cancel_it', idempotent: false, cost: 1, enabled: true, alertThresholdMs: 1500 });
  });
  it('refuses subscriptions, two operations, bad GraphQL and bad names', async () => {
    for (const input of [
      { method: 'test.sub', document: 'subscription { orderStatusChanged(orderId: "1") { id } }' },
      { method: 'test.two', document: 'query A { a } query B { b }' },
      { method: 'test.bad', document: 'query {' },
      { method: 'Bad Name', document: '{ a }' },
      { method: 'test.cost', document: '{ a }', cost: 0 },
    ]) {
      expect(codes(await gql(url, SAVE, { input }, STAFF))).toEqual(['BAD_USER_INPUT']);
    }
    expect(await db()('open_apis').whereIn('method', ['test.sub', 'test.two', 'test.bad', 'test.cost'])).toEqual([]);
  });
  it('grants are idempotent, and a page of 20 apps with their grants costs two statements', async () => {
    ok(await gql(url, SAVE, { input: { method: 'test.read', document: 'query($id: ID!) { order(id: $id) { id } }' } }, STAFF));
    const apps = [];
    for (let i = 0; i < 20; i++) apps.push((await createApp(`app ${i}`)).app.appKey);
    const grant = `mutation($k: String!) { grantOpenApi(appKey: $k, method: "test.read") { grantedMethods } }`;
    for (const appKey of apps) ok(await gql(url, grant, { k: appKey }, STAFF));
    expect(ok(await gql(url, grant, { k: apps[0] }, STAFF)).grantOpenApi.grantedMethods).toEqual(['test.read']);
    const counter = countStatements(db());
    const page = ok(await gql(url, `{ openApps(first: 20) { edges { node { appKey grantedMethods } } } }`, {}, STAFF));
    counter.stop();
    expect(page.openApps.edges).toHaveLength(20);
    expect(page.openApps.edges.every((edge: { node: { grantedMethods: string[] } }) => edge.node.grantedMethods.includes('test.read'))).toBe(true);
    expect(counter.count).toBe(2);
  });
});

describe('merchant sessions', () => {
  const CREATE_SESSION = `mutation($input: CreateOpenSessionInput!) { createOpenSession(input: $input) { token session { id merchant scopes tokenHint appKey } } }`;
  const inAWeek = () => new Date(Date.now() + 7 * 86_400_000).toISOString();
  it('answers the token once and keeps only its hash; the router finds it by hash until revoked', async () => {
    const { app } = await createApp();
    const created = ok(await gql(url, CREATE_SESSION, { input: { appKey: app.appKey, merchant: '1', scopes: ['order:write'], expiresAt: inAWeek() } }, STAFF)).createOpenSession;
    const row = await db()('sessions').where({ id: created.session.id }).first();
    expect(row.token_hash).toBe(tokenHash(created.token));
    expect(JSON.stringify(row)).not.toContain(created.token);
    const find = `query($h: String!) { openGatewaySession(tokenHash: $h) { appKey merchant scopes } }`;
    expect(ok(await gql(url, find, { h: tokenHash(created.token) }, ROUTER)).openGatewaySession).toEqual({ appKey: app.appKey, merchant: '1', scopes: ['order:write'] });
    // A session stored with a scope since barred from sessions (store:admin was allowed once): the router never gets it.
    await db()('sessions').where({ id: created.session.id }).update({ scopes: ['order:write', 'store:admin'] });
    expect(ok(await gql(url, find, { h: tokenHash(created.token) }, ROUTER)).openGatewaySession.scopes).toEqual(['order:write']);
    ok(await gql(url, `mutation($id: ID!) { revokeOpenSession(id: $id) { revokedAt } }`, { id: created.session.id }, STAFF));
    expect(ok(await gql(url, find, { h: tokenHash(created.token) }, ROUTER)).openGatewaySession).toBeNull();
  });
  it('refuses open:admin and customer:read in a session, past expiries and non-id merchants', async () => {
    const { app } = await createApp();
    for (const input of [
      { appKey: app.appKey, merchant: '1', scopes: ['open:admin'], expiresAt: inAWeek() },
      // Shoppers' personal data is never a merchant app's (docs/shoppers.md).
      { appKey: app.appKey, merchant: '1', scopes: ['order:write', 'customer:read'], expiresAt: inAWeek() },
      { appKey: app.appKey, merchant: '1', scopes: ['order:write'], expiresAt: new Date(Date.now() - 1000).toISOString() },
      { appKey: app.appKey, merchant: 'boss', scopes: ['order:write'], expiresAt: inAWeek() },
    ]) {
      expect(codes(await gql(url, CREATE_SESSION, { input }, STAFF))).toEqual(['BAD_USER_INPUT']);
    }
  });
});
