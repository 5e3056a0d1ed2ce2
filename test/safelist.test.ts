/**
 * Persisted operations and the safelist through the router (docs/persisted-operations.md), on ephemeral ports with
 * the run's PostgreSQL (and Redis when REDIS_URL is set): client releases registered in the open subgraph, the three
 * modes, the mini-program named by its Referer (an old version still served after a new one ships), retirement
 * refused after recent traffic, enforce refusing before anything is planned, GET with Cache-Control, subscriptions
 * over graphql-ws held to the same modes, and a second router (SAFELIST_DEFAULT_MODE=enforce), where a client's OFF
 * does not loosen the default, taking a release registered through the first within 2 s while the router's own
 * operations (a subscription's reads) still run.
 */
import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { signAccessToken } from '../platform/access-token';
import { captureLogs } from './support/log-capture';
import { bearer, codes, gql, startSupergraph, testConfig, type GraphQLResponse } from './support/harness';
import type { RunningSupergraph } from '../app/launcher';
import type { Config } from '../platform/config';
import { startRouter, type RunningRouter } from '../router/server';
import { placeTestOrder, registerUser } from '../subgraphs/order/test/fixtures';
import { collect, wsClient } from './support/subscriptions';
import type { Client } from 'graphql-ws';

jest.setTimeout(120_000);

const APPID = 'wx0123456789abcdef';
const logs = captureLogs('info');
let shop: RunningSupergraph;
let url: string;
let staff: Record<string, string>;
let config: Config;
const run = crypto.randomBytes(3).toString('hex');

const sha256 = (text: string) => crypto.createHash('sha256').update(text).digest('hex');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Three operations; bodies carry the run id so every run registers releases of its own. */
const CATEGORIES = `query SlCategories${run} { categories { id name } }`;
const PRODUCT = `query SlProduct${run}($id: ID!) { product(id: $id) { id title } }`;
const HOME = `query SlHotWords${run} { categories { id } }`;
const FREE_FORM = `query SlUnlisted${run} { categories { id name parentId } }`;

function manifest(...bodies: string[]): string {
  return JSON.stringify({
    format: 'apollo-persisted-query-manifest',
    version: 1,
    operations: bodies.map((body) => {
      const [, type, name] = /^(query|mutation|subscription) (\w+)/.exec(body)!;
      return { id: sha256(body), name, type, body };
    }),
  });
}

const REGISTER = `mutation($c: String!, $v: String!, $m: String!) {
  registerClientManifest(clientName: $c, version: $v, manifest: $m) { created release { clientName version operationCount retiredAt } }
}`;
const SET_MODE = `mutation($c: String!, $m: SafelistMode!) { setClientSafelistMode(clientName: $c, mode: $m) { clientName mode } }`;
const RETIRE = `mutation($c: String!, $v: String!) { retireClientRelease(clientName: $c, version: $v) { version retiredAt } }`;
const RELEASES = `query($c: String) { clientReleases(clientName: $c) { version retiredAt lastSeenAt requestsLast7Days operationCount } }`;

const admin = (query: string, variables: Record<string, unknown>) => gql(url, query, variables, staff);

/** A persisted-id request (no query text), as a client with these headers sends it. */
async function persisted(body: string, headers: Record<string, string>, variables: Record<string, unknown> = {}): Promise<GraphQLResponse> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ variables, extensions: { persistedQuery: { version: 1, sha256Hash: sha256(body) } } }),
  });
  return { status: response.status, ...((await response.json()) as object) };
}

const named = (name: string, version = '1.0.0') => ({ 'apollographql-client-name': name, 'apollographql-client-version': version });
const referer = (version: string, appid = APPID) => ({ referer: `https://servicewechat.com/${appid}/${version}/page-frame.html` });

/** Registers and waits until the router's copy has it (the generation is polled every 500 ms; 2 s at most). */
async function register(client: string, version: string, ...bodies: string[]) {
  const answer = await admin(REGISTER, { c: client, v: version, m: manifest(...bodies) });
  expect(answer.errors).toBeUndefined();
  return answer.data.registerClientManifest;
}

/** Client names this file set a mode for: put back to OFF at the end (other files share the run's database). */
const modesSet = new Set<string>();

async function setMode(client: string, mode: 'OFF' | 'AUDIT' | 'ENFORCE') {
  modesSet.add(client);
  const answer = await admin(SET_MODE, { c: client, m: mode });
  expect(answer.data.setClientSafelistMode).toEqual({ clientName: client, mode });
}

/** Polls until `check` passes (the change reached the router) or 2 s passed: then the last failure is thrown. */
async function within2s(check: () => Promise<void>) {
  const deadline = Date.now() + 2000;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await sleep(100);
    }
  }
}

/** Requests the router made to subgraphs so far (its fetch histogram's count). */
async function subgraphFetches(): Promise<number> {
  const text = await shop.metrics.scrape();
  return [...text.matchAll(/^shop_subgraph_fetch_duration_seconds_count\{[^}]*\} (\d+)/gm)].reduce((sum, m) => sum + Number(m[1]), 0);
}

function safelistCount(labels: { client: string; mode: string; result: string }): Promise<number> {
  return shop.metrics.scrape().then((text) => {
    const line = text.split('\n').find((l) => l.startsWith(`shop_safelist_operations_total{client="${labels.client}",mode="${labels.mode}",result="${labels.result}"}`));
    return line ? Number(line.split(' ').pop()) : 0;
  });
}

beforeAll(async () => {
  config = testConfig({ SAFELIST_DEFAULT_MODE: 'off', WECHAT_APPID: APPID, WECHAT_SECRET: 'safelist-test-secret', SAFELIST_TRAFFIC_FLUSH_MS: '200', METRICS_PORT: '0' });
  shop = await startSupergraph({ config });
  url = shop.routerUrl!;
  staff = bearer(signAccessToken({ userId: '1', scopes: ['clients:admin'] }, config));
}, 180_000);

afterAll(async () => {
  // The modes live in the open subgraph's tables, which later test files (the mini-program kit, the storefront) share:
  // an ENFORCE left for `miniprogram` or `web` would refuse their operations.
  if (shop) for (const client of modesSet) await setMode(client, 'OFF');
  await shop?.stop();
});

describe('registering a manifest', () => {
  it('is idempotent for the same operations, CONFLICT for other ones, BAD_USER_INPUT for a forged id, FORBIDDEN without clients:admin', async () => {
    const client = `reg${run}`;
    expect(await register(client, '1.0.0', CATEGORIES, PRODUCT)).toEqual({ created: true, release: { clientName: client, version: '1.0.0', operationCount: 2, retiredAt: null } });
    // Same operations in another order: the same content.
    expect((await register(client, '1.0.0', PRODUCT, CATEGORIES)).created).toBe(false);
    const other = await admin(REGISTER, { c: client, v: '1.0.0', m: manifest(CATEGORIES) });
    expect(codes(other)).toEqual(['CONFLICT']);
    const forged = JSON.parse(manifest(CATEGORIES));
    forged.operations[0].body = FREE_FORM;
    expect(codes(await admin(REGISTER, { c: client, v: '2.0.0', m: JSON.stringify(forged) }))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await admin(REGISTER, { c: 'Bad Name', v: '1', m: manifest(CATEGORIES) }))).toEqual(['BAD_USER_INPUT']);
    const shopper = bearer(signAccessToken({ userId: '2', scopes: [] }, config));
    expect(codes(await gql(url, REGISTER, { c: client, v: '3.0.0', m: manifest(CATEGORIES) }, shopper))).toEqual(['FORBIDDEN']);
    const listed = await admin(RELEASES, { c: client });
    expect(listed.data.clientReleases).toEqual([{ version: '1.0.0', retiredAt: null, lastSeenAt: null, requestsLast7Days: 0, operationCount: 2 }]);
  });
});

describe('npm run register-manifest', () => {
  it('registers an app folder’s manifest through the router, idempotently; a changed manifest for the same version fails', async () => {
    const app = fs.mkdtempSync(path.join(os.tmpdir(), 'release-'));
    const client = `cli${run}`;
    fs.writeFileSync(path.join(app, 'persisted-query-manifest.json'), manifest(CATEGORIES));
    const token = staff.authorization.replace('Bearer ', '');
    const cli = (...args: string[]) =>
      promisify(execFile)(process.execPath, ['--import', 'tsx', path.join(__dirname, '../scripts/register-manifest.ts'), app, ...args, '--client', client], {
        env: { ...process.env, ROUTER_URL: url, SHOP_ACCESS_TOKEN: token },
      });
    expect((await cli('1.0.0')).stdout).toMatch(new RegExp(`^Registered: ${client} 1.0.0, 1 operations`));
    expect((await cli('1.0.0')).stdout).toMatch(/^Already registered \(same operations\)/);
    fs.writeFileSync(path.join(app, 'persisted-query-manifest.json'), manifest(CATEGORIES, PRODUCT));
    await expect(cli('1.0.0')).rejects.toMatchObject({ code: 1, stderr: expect.stringMatching(/CONFLICT/) });
  });
});

describe('mode off (the development default)', () => {
  it('runs anything, APQ included, and resolves registered ids', async () => {
    const client = `off${run}`;
    await register(client, '1.0.0', CATEGORIES);
    const free = await gql(url, FREE_FORM, {}, named(client));
    expect(free.errors).toBeUndefined();
    await within2s(async () => expect((await persisted(CATEGORIES, named(client))).data?.categories?.length).toBeGreaterThan(0));
    // APQ: an unknown hash asks for the text; hash and text register it; then the hash alone works.
    const apq = `query SlApq${run} { categories { id } }`;
    expect(codes(await persisted(apq, named(client)))).toEqual(['PERSISTED_QUERY_NOT_FOUND']);
    const registered = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...named(client) },
      body: JSON.stringify({ query: apq, extensions: { persistedQuery: { version: 1, sha256Hash: sha256(apq) } } }),
    });
    expect(registered.status).toBe(200);
    expect((await persisted(apq, named(client))).errors).toBeUndefined();
  });
});

describe('mode audit', () => {
  it('runs operations outside the manifests, logs each (client, operation) once and counts them', async () => {
    const client = `aud${run}`;
    await register(client, '1.0.0', CATEGORIES);
    await setMode(client, 'AUDIT');
    await within2s(async () => expect(await safelistCountAfter(client, 'audit', 'listed', () => persisted(CATEGORIES, named(client)))).toBe(1));
    logs.clear();
    const before = await safelistCount({ client, mode: 'audit', result: 'unlisted' });
    for (let i = 0; i < 2; i++) expect((await gql(url, FREE_FORM, {}, named(client))).errors).toBeUndefined();
    expect(await safelistCount({ client, mode: 'audit', result: 'unlisted' })).toBe(before + 2);
    const audits = logs.lines().filter((line) => /safelist audit/.test(line.msg) && line.client === client);
    expect(audits).toHaveLength(1);
    expect(audits[0]).toMatchObject({ operationHash: sha256(FREE_FORM), clientVersion: '1.0.0' });
    // Its id sent alone: APQ asks for the text (audit runs it), and the same (client, operation) is not logged again.
    expect(codes(await persisted(FREE_FORM, named(client)))).toEqual(['PERSISTED_QUERY_NOT_FOUND']);
    expect(logs.lines().filter((line) => /safelist audit/.test(line.msg) && line.client === client)).toHaveLength(1);
  });
});

/** How much a counter grew while `act` ran. */
async function safelistCountAfter(client: string, mode: string, result: string, act: () => Promise<unknown>): Promise<number> {
  const before = await safelistCount({ client, mode, result });
  await act();
  return (await safelistCount({ client, mode, result })) - before;
}

describe('mode enforce', () => {
  const client = `enf${run}`;
  beforeAll(async () => {
    await register(client, '1.0.0', CATEGORIES, PRODUCT);
    await register(`other${run}`, '1.0.0', HOME);
    await setMode(client, 'ENFORCE');
    await within2s(async () => expect(codes(await gql(url, FREE_FORM, {}, named(client)))).toEqual(['PERSISTED_QUERY_NOT_IN_LIST']));
  });

  it('runs the manifest’s operations, by id or by their exact text', async () => {
    const byId = await persisted(PRODUCT, named(client, '0.9.0'), { id: '1' });
    expect(byId.status).toBe(200);
    expect(byId.errors).toBeUndefined();
    expect(byId.data).toHaveProperty('product');
    expect((await gql(url, CATEGORIES, {}, named(client))).errors).toBeUndefined();
  });

  it('refuses anything else with PERSISTED_QUERY_NOT_IN_LIST, HTTP 400, before any subgraph is asked', async () => {
    const fetchesBefore = await subgraphFetches();
    const refusedBefore = await safelistCount({ client, mode: 'enforce', result: 'refused' });
    const free = await gql(url, FREE_FORM, {}, named(client));
    expect(free.status).toBe(400);
    expect(free.errors).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: 'PERSISTED_QUERY_NOT_IN_LIST' }) })]);
    expect(free.data).toBeUndefined();
    // Another client's registered operation is not this client's.
    expect(codes(await persisted(HOME, named(client)))).toEqual(['PERSISTED_QUERY_NOT_IN_LIST']);
    // An unknown id, and an APQ registration of a new document: refused too.
    expect(codes(await persisted(FREE_FORM, named(client)))).toEqual(['PERSISTED_QUERY_NOT_IN_LIST']);
    const apq = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...named(client) },
      body: JSON.stringify({ query: FREE_FORM, extensions: { persistedQuery: { version: 1, sha256Hash: sha256(FREE_FORM) } } }),
    });
    expect(apq.status).toBe(400);
    expect(((await apq.json()) as GraphQLResponse).errors?.[0].extensions?.code).toBe('PERSISTED_QUERY_NOT_IN_LIST');
    // A mutation that would write: refused the same way.
    expect(codes(await gql(url, 'mutation { logout }', {}, named(client)))).toEqual(['PERSISTED_QUERY_NOT_IN_LIST']);
    expect(await subgraphFetches()).toBe(fetchesBefore);
    expect(await safelistCount({ client, mode: 'enforce', result: 'refused' })).toBe(refusedBefore + 5);
  });

  it('does not hold staff with clients:admin (a release pipeline registers whatever the mode)', async () => {
    const answer = await gql(url, RELEASES, { c: client }, { ...staff, ...named(client) });
    expect(answer.errors).toBeUndefined();
  });
});

describe('the mini-program, named by its Referer', () => {
  const v1 = `1.${run}.1`;
  const v2 = `1.${run}.2`;
  const v3 = `1.${run}.3`;
  const OLD_ONLY = `query SlOldOnly${run} { categories { id name } }`;
  const V3_ONLY = `query SlV3Only${run} { categories { name id } }`;
  beforeAll(async () => {
    await register('miniprogram', v1, CATEGORIES, OLD_ONLY);
    await register('miniprogram', v2, CATEGORIES, PRODUCT);
    await register('miniprogram', v3, HOME, V3_ONLY);
    await setMode('miniprogram', 'ENFORCE');
    // Ready when the router's copy has the last registration and the mode.
    await within2s(async () => {
      expect((await persisted(V3_ONLY, referer(v3))).errors).toBeUndefined();
      expect(codes(await persisted(FREE_FORM, referer(v3)))).toEqual(['PERSISTED_QUERY_NOT_IN_LIST']);
    });
  });

  it('serves an old version after a new one ships: both Referers run their operations', async () => {
    const old = await persisted(OLD_ONLY, referer(v1));
    expect(old.errors).toBeUndefined();
    expect(old.data?.categories?.length).toBeGreaterThan(0);
    const current = await persisted(PRODUCT, referer(v2), { id: '1' });
    expect(current.errors).toBeUndefined();
    expect((await persisted(CATEGORIES, referer(v2))).errors).toBeUndefined();
    // Operations of no release of the mini-program are refused, whatever the Referer's version.
    expect(codes(await persisted(FREE_FORM, referer(v2)))).toEqual(['PERSISTED_QUERY_NOT_IN_LIST']);
    // Another appid is not the mini-program: an unnamed client, in the default mode (off here).
    expect((await gql(url, FREE_FORM, {}, referer(v2, 'wx00000000000000ff'))).errors).toBeUndefined();
  });

  it('refuses to retire a version with traffic in the last 7 days; retires an idle one, whose operations are then refused', async () => {
    // The routers' counts reach the open subgraph every SAFELIST_TRAFFIC_FLUSH_MS (200 ms here).
    await within2s(async () => {
      const listed = await admin(RELEASES, { c: 'miniprogram' });
      const release = listed.data.clientReleases.find((r: { version: string }) => r.version === v1);
      expect(release.requestsLast7Days).toBeGreaterThan(0);
      expect(release.lastSeenAt).toEqual(expect.any(String));
    });
    const refused = await admin(RETIRE, { c: 'miniprogram', v: v1 });
    expect(codes(refused)).toEqual(['CONFLICT']);
    expect(refused.errors?.[0].message).toMatch(/requests since/);
    // v3 served one request above (the readiness check): a fresh idle version instead.
    const idle = `1.${run}.9`;
    const IDLE_ONLY = `query SlIdleOnly${run} { categories { name } }`;
    await register('miniprogram', idle, IDLE_ONLY);
    await within2s(async () => expect((await gql(url, IDLE_ONLY, {}, referer(v1))).errors).toBeUndefined());
    const retired = await admin(RETIRE, { c: 'miniprogram', v: idle });
    expect(retired.errors).toBeUndefined();
    expect(retired.data.retireClientRelease.retiredAt).toEqual(expect.any(String));
    // Within 2 s every router drops the retired manifest: its operation is refused (by id and by text).
    await within2s(async () => expect(codes(await persisted(IDLE_ONLY, referer(v2)))).toEqual(['PERSISTED_QUERY_NOT_IN_LIST']));
    expect(codes(await gql(url, IDLE_ONLY, {}, referer(v2)))).toEqual(['PERSISTED_QUERY_NOT_IN_LIST']);
    // Retiring again answers the retired release; re-registering it is a conflict.
    expect((await admin(RETIRE, { c: 'miniprogram', v: idle })).errors).toBeUndefined();
    expect(codes(await admin(REGISTER, { c: 'miniprogram', v: idle, m: manifest(IDLE_ONLY) }))).toEqual(['CONFLICT']);
  });

  it('counts develop and trial builds (Referer version 0, devtools) as version dev', async () => {
    await persisted(CATEGORIES, referer('0'));
    await persisted(CATEGORIES, referer('devtools'));
    await within2s(async () => {
      const rows = await shop.subgraphs.open!.db('client_traffic').where({ client_name: 'miniprogram', version: 'dev' });
      expect(rows.length).toBeGreaterThan(0);
    });
  });
});

describe('GET /graphql with a persisted id', () => {
  const client = `get${run}`;
  const MUTATION = `mutation SlLogout${run} { logout }`;
  const getUrl = (body: string, variables: Record<string, unknown> = {}) => {
    const u = new URL(url);
    u.searchParams.set('operationName', /(query|mutation) (\w+)/.exec(body)![2]);
    u.searchParams.set('variables', JSON.stringify(variables));
    u.searchParams.set('extensions', JSON.stringify({ persistedQuery: { version: 1, sha256Hash: sha256(body) } }));
    return u;
  };
  const get = (body: string, headers: Record<string, string> = {}, variables: Record<string, unknown> = {}) =>
    fetch(getUrl(body, variables), { headers: { 'apollo-require-preflight': 'true', ...named(client), ...headers } });

  beforeAll(async () => {
    await register(client, '1.0.0', CATEGORIES, PRODUCT);
    const m = JSON.parse(manifest(CATEGORIES));
    m.operations.push({ id: sha256(MUTATION), name: `SlLogout${run}`, type: 'mutation', body: MUTATION });
    expect((await admin(REGISTER, { c: client, v: '2.0.0', m: JSON.stringify(m) })).errors).toBeUndefined();
    await setMode(client, 'ENFORCE');
    await within2s(async () => expect((await get(FREE_FORM)).status).toBe(400));
  });

  it('answers public catalog reads with a short public max-age; anything with a user private, no-store', async () => {
    const anonymous = await get(CATEGORIES);
    expect(anonymous.status).toBe(200);
    expect(((await anonymous.json()) as GraphQLResponse).data?.categories?.length).toBeGreaterThan(0);
    expect(anonymous.headers.get('cache-control')).toMatch(/^public, max-age=\d+$/);
    const maxAge = Number(/max-age=(\d+)/.exec(anonymous.headers.get('cache-control')!)![1]);
    expect(maxAge).toBeGreaterThan(0);
    expect(maxAge).toBeLessThanOrEqual(10);
    const shopper = bearer(signAccessToken({ userId: '2', scopes: [] }, config));
    const signedIn = await get(CATEGORIES, shopper);
    expect(signedIn.status).toBe(200);
    expect(signedIn.headers.get('cache-control')).toBe('private, no-store');
    // POST answers carry no Cache-Control (unchanged).
    const post = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...named(client) }, body: JSON.stringify({ query: CATEGORIES }) });
    expect(post.headers.get('cache-control')).toBeNull();
  });

  it('refuses mutations over GET, even listed ones, and keeps CSRF prevention', async () => {
    const mutation = await get(MUTATION);
    expect(mutation.status).toBe(405);
    // A "simple" cross-site GET (no preflight header, no JSON content type) is refused before anything runs.
    const simple = await fetch(getUrl(CATEGORIES), { headers: named(client) });
    expect(simple.status).toBe(400);
    expect(await simple.text()).toMatch(/CSRF|preflight/i);
    // An unlisted id over GET: refused like a POST.
    const unlisted = await get(FREE_FORM);
    expect(unlisted.status).toBe(400);
    expect(((await unlisted.json()) as GraphQLResponse).errors?.[0].extensions?.code).toBe('PERSISTED_QUERY_NOT_IN_LIST');
  });
});

describe('subscriptions over graphql-ws', () => {
  const client = `ws${run}`;
  const STATUS = `subscription SlStatus${run}($id: ID!) { orderStatusChanged(orderId: $id) { status } }`;
  const UNLISTED = `subscription SlStatusTotal${run}($id: ID!) { orderStatusChanged(orderId: $id) { status total } }`;
  const sockets: Client[] = [];
  let orderId: string;
  let params: Record<string, string>;
  let second: RunningRouter | undefined;
  beforeAll(async () => {
    const shopper = await registerUser(url);
    orderId = await placeTestOrder(shop.subgraphs.order!.db, { userId: shopper.userId });
    // A browser cannot set headers on a socket: the client names itself in connectionParams.
    params = { Authorization: `Bearer ${shopper.accessToken}`, ...named(client) };
    await register(client, '1.0.0', STATUS);
  });
  afterAll(async () => {
    await Promise.all(sockets.map((socket) => socket.dispose()));
    await second?.close();
  });
  const socket = (routerUrl = url) => {
    const created = wsClient(routerUrl, params);
    sockets.push(created);
    return created;
  };

  it('under enforce runs the listed subscription, by text or by id, and refuses any other before it reaches the order', async () => {
    await setMode(client, 'ENFORCE');
    await within2s(async () => expect(codes(await gql(url, FREE_FORM, {}, named(client)))).toEqual(['PERSISTED_QUERY_NOT_IN_LIST']));
    const byText = collect(socket(), STATUS, { id: orderId });
    await byText.until(() => byText.results.length > 0 || byText.error !== undefined, 'the first state');
    expect(byText.statuses()).toEqual(['PENDING_PAYMENT']);
    const byId = collect(socket(), '', { id: orderId }, { persistedQuery: { version: 1, sha256Hash: sha256(STATUS) } });
    await byId.until(() => byId.results.length > 0 || byId.error !== undefined, 'the first state');
    expect(byId.statuses()).toEqual(['PENDING_PAYMENT']);

    const refusedBefore = await safelistCount({ client, mode: 'enforce', result: 'refused' });
    const fetchesBefore = await subgraphFetches();
    const unlisted = collect(socket(), UNLISTED, { id: orderId });
    await unlisted.until(() => unlisted.error !== undefined, 'the refusal');
    expect(unlisted.error).toEqual([expect.objectContaining({ extensions: { code: 'PERSISTED_QUERY_NOT_IN_LIST' } })]);
    // Refused before the access check's read of the order.
    expect(await subgraphFetches()).toBe(fetchesBefore);
    expect(await safelistCount({ client, mode: 'enforce', result: 'refused' })).toBe(refusedBefore + 1);
  });

  it('under off runs any subscription; an unknown id without its text is PERSISTED_QUERY_NOT_FOUND', async () => {
    await setMode(client, 'OFF');
    await within2s(async () => expect((await gql(url, FREE_FORM, {}, named(client))).errors).toBeUndefined());
    const any = collect(socket(), UNLISTED, { id: orderId });
    await any.until(() => any.results.length > 0 || any.error !== undefined, 'the first state');
    expect(any.results[0].data.orderStatusChanged.status).toBe('PENDING_PAYMENT');
    const unknown = collect(socket(), '', { id: orderId }, { persistedQuery: { version: 1, sha256Hash: sha256(UNLISTED) } });
    await unknown.until(() => unknown.error !== undefined, 'the refusal');
    expect(unknown.error).toEqual([expect.objectContaining({ extensions: { code: 'PERSISTED_QUERY_NOT_FOUND' } })]);
  });

  it('a second router that enforces by default is not loosened by a client named OFF, takes a release registered through the first within 2 s, and runs its own reads', async () => {
    const routerConfig = testConfig({ SAFELIST_DEFAULT_MODE: 'enforce', WECHAT_APPID: APPID, WECHAT_SECRET: 'safelist-test-secret', SAFELIST_TRAFFIC_FLUSH_MS: '200' });
    const urls = Object.fromEntries(Object.entries(shop.subgraphs).map(([name, s]) => [name, s!.url]));
    second = await startRouter({ config: routerConfig, host: '127.0.0.1', port: 0, subgraphUrls: urls, events: routerConfig.redisUrl ? undefined : shop.events });
    const other = second.url;
    // Unnamed callers run registered operations only.
    expect(codes(await gql(other, FREE_FORM, {}))).toEqual(['PERSISTED_QUERY_NOT_IN_LIST']);
    // The client is OFF (set through the first router), but a name is a claim anyone can make: a client's mode only
    // tightens the default, so naming it does not open an enforcing router.
    expect(codes(await gql(other, FREE_FORM, {}, named(client)))).toEqual(['PERSISTED_QUERY_NOT_IN_LIST']);
    // A release registered through the first router reaches this one within 2 s.
    await register(client, '2.0.0', STATUS, FREE_FORM);
    await within2s(async () => expect((await gql(other, FREE_FORM, {}, named(client))).errors).toBeUndefined());
    // The listed subscription runs: its access check and reads are the router's own operations, not the client's.
    const listed = collect(socket(other), STATUS, { id: orderId });
    await listed.until(() => listed.results.length > 0 || listed.error !== undefined, 'the first state');
    expect(listed.statuses()).toEqual(['PENDING_PAYMENT']);
  });
});
