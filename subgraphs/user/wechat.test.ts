/**
 * WeChat mini-program sign-in on the user subgraph: the development provider (no app id), the real jscode2session
 * client against a local fake of WeChat's API (including its errcode answers), and production without an app id.
 */
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Knex } from 'knex';
import { verifyAccessToken } from '../../platform/access-token';
import type { RunningSupergraph } from '../../app/launcher';
import { SECRETS } from '../../test/support/processes';
import { anonymousTo, codes, gql, startSupergraph, testConfig, type GraphQLResponse } from '../../test/support/harness';
import { createDevWechatProvider, createWechatProvider } from './wechat';

const LOGIN_WITH_WECHAT = 'mutation($code: String!) { loginWithWechat(code: $code) { accessToken refreshToken expiresIn user { id nickname phone } } }';

interface WechatAuth {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
  user: { id: string; nickname: string; phone: string | null };
}

function ok<T>(response: GraphQLResponse<T>): T {
  if (response.errors) throw new Error(`Unexpected errors: ${JSON.stringify(response.errors)}`);
  return response.data as T;
}

const uniqueCode = () => `code-${crypto.randomBytes(8).toString('hex')}`;
const usersWithOpenid = async (db: Knex, openid: string) =>
  Number((await db('account_platforms').where({ platform: 'wechat_mp', platform_id: openid }).count<{ count: string }>({ count: '*' }).first())!.count);
/** The WeChat ids of an account: { wechat_mp: openid, wechat_union: unionid }. */
const identitiesOf = async (db: Knex, userId: string) =>
  Object.fromEntries((await db('account_platforms').where({ user_id: userId })).map((row: { platform: string; platform_id: string }) => [row.platform, row.platform_id]));
const wechatAccounts = async (db: Knex) =>
  Number((await db('account_platforms').count<{ count: string }>({ count: '*' }).where({ platform: 'wechat_mp' }).whereLike('platform_id', 'o-%').first())!.count);

describe('development provider (no WECHAT_APPID)', () => {
  const config = testConfig({ WECHAT_APPID: '', WECHAT_SECRET: '' });
  let supergraph: RunningSupergraph;
  let url: string;
  let db: Knex;
  beforeAll(async () => {
    supergraph = await startSupergraph({ subgraphs: ['user'], router: false, config });
    url = supergraph.subgraphs.user!.url;
    db = supergraph.subgraphs.user!.db;
  });
  afterAll(async () => {
    await supergraph?.stop();
  });

  it('creates a user without a phone for a new code, and signs the same user in for the same code', async () => {
    const code = uniqueCode();
    const first = ok(await gql<{ loginWithWechat: WechatAuth }>(url, LOGIN_WITH_WECHAT, { code }, anonymousTo('user'))).loginWithWechat;
    expect(first.user).toEqual({ id: expect.any(String), nickname: '微信用户', phone: null });
    expect(first.expiresIn).toBe(config.accessTokenTtlSeconds);
    expect(verifyAccessToken(first.accessToken, config)).toMatchObject({ userId: first.user.id, scopes: [] });
    const openid = `dev-${crypto.createHash('sha256').update(code).digest('hex').slice(0, 24)}`;
    expect(await db('users').where({ id: first.user.id }).first()).toMatchObject({ phone: null, password_hash: null });
    expect(await identitiesOf(db, first.user.id)).toEqual({ wechat_mp: openid });

    const again = ok(await gql<{ loginWithWechat: WechatAuth }>(url, LOGIN_WITH_WECHAT, { code }, anonymousTo('user'))).loginWithWechat;
    expect(again.user.id).toBe(first.user.id);
    expect(again.refreshToken).not.toBe(first.refreshToken);
    expect(await usersWithOpenid(db, openid)).toBe(1);

    const other = ok(await gql<{ loginWithWechat: WechatAuth }>(url, LOGIN_WITH_WECHAT, { code: uniqueCode() }, anonymousTo('user'))).loginWithWechat;
    expect(other.user.id).not.toBe(first.user.id);
  });

  it('creates one user when two first sign-ins with one openid race', async () => {
    const code = uniqueCode();
    const race = 'mutation($code: String!) { loginWithWechat(code: $code) { accessToken } }';
    const responses = await Promise.all([1, 2, 3].map(() => gql(url, race, { code }, anonymousTo('user'))));
    expect(responses.map(codes)).toEqual([[], [], []]);
    const ids = responses.map((r) => verifyAccessToken(r.data.loginWithWechat.accessToken, config).userId);
    expect(new Set(ids).size).toBe(1);
  });

  it.each([[''], ['   '], ['x'.repeat(129)], ['has space'], ['中文']])('refuses the malformed code %j with BAD_USER_INPUT', async (code) => {
    const response = await gql(url, LOGIN_WITH_WECHAT, { code }, anonymousTo('user'));
    expect(codes(response)).toEqual(['BAD_USER_INPUT']);
    expect(response.errors![0].extensions!.field).toBe('code');
  });
});

describe('production without WECHAT_APPID', () => {
  const production = testConfig({ NODE_ENV: 'production', ...SECRETS, WECHAT_APPID: '', WECHAT_SECRET: '' });

  it('refuses to build the development provider', () => {
    expect(production.isProduction).toBe(true);
    expect(() => createDevWechatProvider(production)).toThrow(/refused with NODE_ENV=production/);
    expect(createWechatProvider(production).kind).toBe('unconfigured');
    expect(createWechatProvider({ ...production, wechat: { ...production.wechat, appId: 'wx1', secret: 's' } }).kind).toBe('wechat');
  });

  it('answers loginWithWechat with a clear refusal (FORBIDDEN, WECHAT_LOGIN_NOT_CONFIGURED) and creates nobody', async () => {
    const supergraph = await startSupergraph({ subgraphs: ['user'], router: false, config: production });
    try {
      const code = uniqueCode();
      const response = await gql(supergraph.subgraphs.user!.url, LOGIN_WITH_WECHAT, { code }, anonymousTo('user', production));
      expect(codes(response)).toEqual(['FORBIDDEN']);
      // A client error, so production shows it as it is (before: an INTERNAL_SERVER_ERROR with a hidden reason).
      expect(response.errors![0].extensions).toMatchObject({ reason: 'WECHAT_LOGIN_NOT_CONFIGURED' });
      expect(response.errors![0].message).toMatch(/WeChat sign-in is not available on this server/);
      const openid = `dev-${crypto.createHash('sha256').update(code).digest('hex').slice(0, 24)}`;
      expect(await usersWithOpenid(supergraph.subgraphs.user!.db, openid)).toBe(0);
    } finally {
      await supergraph.stop();
    }
  });
});

/** A stand-in for api.weixin.qq.com that speaks jscode2session, answering by code. */
interface FakeWechat {
  url: string;
  requests: URL[];
  close(): Promise<void>;
}

const APP_ID = 'wx0123456789abcdef';
const APP_SECRET = 'fake-app-secret-0123456789';
const SESSION_KEY = 'c2Vzc2lvbi1rZXktbmV2ZXItc3RvcmVk';

async function startFakeWechat(): Promise<FakeWechat> {
  const requests: URL[] = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url!, 'http://localhost');
    requests.push(url);
    const reply = (status: number, body: unknown, type = 'text/plain') => {
      // WeChat labels its JSON text/plain: the client must not rely on the content type.
      res.writeHead(status, { 'content-type': type });
      res.end(typeof body === 'string' ? body : JSON.stringify(body));
    };
    if (req.method !== 'GET' || url.pathname !== '/sns/jscode2session') return reply(404, { errcode: 404, errmsg: 'not found' });
    const { appid, secret, js_code: code, grant_type: grant } = Object.fromEntries(url.searchParams);
    if (appid !== APP_ID || secret !== APP_SECRET) return reply(200, { errcode: 40125, errmsg: 'invalid appsecret' });
    if (grant !== 'authorization_code') return reply(200, { errcode: 40002, errmsg: 'invalid grant_type' });
    if (code.startsWith('good-')) {
      const suffix = code.slice(5);
      return reply(200, { openid: `o-${suffix}`, session_key: SESSION_KEY, ...(suffix.startsWith('u') ? { unionid: `union-${suffix}` } : {}) });
    }
    if (code.startsWith('invalid-')) return reply(200, { errcode: 40029, errmsg: 'invalid code, rid: 1' });
    if (code.startsWith('used-')) return reply(200, { errcode: 40163, errmsg: 'code been used, rid: 2' });
    if (code.startsWith('busy-')) return reply(200, { errcode: 45011, errmsg: 'api minute-quota reach limit' });
    if (code.startsWith('system-')) return reply(200, { errcode: -1, errmsg: 'system error' });
    if (code.startsWith('html-')) return reply(502, '<html>Bad Gateway</html>', 'text/html');
    return reply(200, 'not json');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe('WeChat API client (jscode2session against a local fake)', () => {
  let wechat: FakeWechat;
  let supergraph: RunningSupergraph;
  let url: string;
  let db: Knex;
  beforeAll(async () => {
    wechat = await startFakeWechat();
    const config = testConfig({ WECHAT_APPID: APP_ID, WECHAT_SECRET: APP_SECRET, WECHAT_API_BASE: wechat.url });
    supergraph = await startSupergraph({ subgraphs: ['user'], router: false, config });
    url = supergraph.subgraphs.user!.url;
    db = supergraph.subgraphs.user!.db;
  });
  afterAll(async () => {
    await supergraph?.stop();
    await wechat?.close();
  });

  it('sends appid, secret, js_code and grant_type, and signs in the openid’s user (stored with its unionid)', async () => {
    const suffix = `u${crypto.randomBytes(6).toString('hex')}`;
    const code = `good-${suffix}`;
    const first = ok(await gql<{ loginWithWechat: WechatAuth }>(url, LOGIN_WITH_WECHAT, { code }, anonymousTo('user'))).loginWithWechat;
    const request = wechat.requests[wechat.requests.length - 1];
    expect(Object.fromEntries(request.searchParams)).toEqual({ appid: APP_ID, secret: APP_SECRET, js_code: code, grant_type: 'authorization_code' });
    const row = await db('users').where({ id: first.user.id }).first();
    expect(row).toMatchObject({ phone: null });
    expect(await identitiesOf(db, first.user.id)).toEqual({ wechat_mp: `o-${suffix}`, wechat_union: `union-${suffix}` });
    // The session key is kept sealed (AES-256-GCM), never in the clear.
    const sealed = await db('wechat_sessions').where({ openid: `o-${suffix}` }).first();
    expect(sealed).toMatchObject({ user_id: first.user.id });
    expect(JSON.stringify(sealed)).not.toContain(SESSION_KEY);
    expect(JSON.stringify(row)).not.toContain(SESSION_KEY);

    const again = ok(await gql<{ loginWithWechat: WechatAuth }>(url, LOGIN_WITH_WECHAT, { code }, anonymousTo('user'))).loginWithWechat;
    expect(again.user.id).toBe(first.user.id);
  });

  it('signs in without a unionid when WeChat gives none', async () => {
    const suffix = `n${crypto.randomBytes(6).toString('hex')}`;
    const auth = ok(await gql<{ loginWithWechat: WechatAuth }>(url, LOGIN_WITH_WECHAT, { code: `good-${suffix}` }, anonymousTo('user'))).loginWithWechat;
    expect(await identitiesOf(db, auth.user.id)).toEqual({ wechat_mp: `o-${suffix}` });
  });

  it.each([
    ['invalid-', 'UNAUTHENTICATED', /invalid or has been used/],
    ['used-', 'UNAUTHENTICATED', /invalid or has been used/],
    ['busy-', 'RATE_LIMITED', /busy/],
    ['system-', 'INTERNAL_SERVER_ERROR', /errcode -1/],
    ['html-', 'INTERNAL_SERVER_ERROR', /unavailable \(HTTP 502\)/],
    ['junk-', 'INTERNAL_SERVER_ERROR', /unavailable/],
  ])('maps a %s answer to %s and creates nobody', async (prefix, code, message) => {
    const errors = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      const before = await wechatAccounts(db);
      const response = await gql(url, LOGIN_WITH_WECHAT, { code: `${prefix}${crypto.randomBytes(4).toString('hex')}` }, anonymousTo('user'));
      expect(codes(response)).toEqual([code]);
      expect(response.errors![0].message).toMatch(message);
      expect(JSON.stringify(response)).not.toContain(APP_SECRET);
      const after = await wechatAccounts(db);
      // Other test files may add users in parallel, but never with this fake's openids.
      expect(after).toBe(before);
    } finally {
      errors.mockRestore();
    }
  });

  it('answers INTERNAL_SERVER_ERROR when WeChat is unreachable, without leaking the secret', async () => {
    const config = testConfig({ WECHAT_APPID: APP_ID, WECHAT_SECRET: APP_SECRET, WECHAT_API_BASE: 'http://127.0.0.1:1' });
    const provider = createWechatProvider(config);
    await expect(provider.exchange('good-x')).rejects.toMatchObject({
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
      message: expect.not.stringContaining(APP_SECRET),
    });
  });
});
