/**
 * Accounts through the router (the whole supergraph): a shopper's session from sign-up to logout with refresh-token
 * rotation and reuse detection, the address book rules, bad input that changes nothing, tokens the router refuses,
 * forged identity headers, WeChat sign-in (development provider) and the staff admin's scopes.
 */
import crypto from 'node:crypto';
import type { Knex } from 'knex';
import { signAccessToken, verifyAccessToken } from '../platform/access-token';
import { ALL_SCOPES, IDENTITY_HEADER, signIdentity } from '../platform/identity';
import type { RunningSupergraph } from '../app/launcher';
import { bearer, codes, gql, startSupergraph, testConfig, uniquePhone, type GraphQLResponse } from './support/harness';

const config = testConfig();
let supergraph: RunningSupergraph;
let router: string;
let db: Knex;

beforeAll(async () => {
  supergraph = await startSupergraph();
  router = supergraph.routerUrl!;
  db = supergraph.subgraphs.user!.db;
});
afterAll(async () => {
  await supergraph?.stop();
});

const AUTH = 'accessToken refreshToken expiresIn user { id nickname phone scopes }';
const REGISTER = `mutation($input: RegisterInput!) { register(input: $input) { ${AUTH} } }`;
const LOGIN = `mutation($input: LoginInput!) { login(input: $input) { ${AUTH} } }`;
const LOGIN_WITH_WECHAT = `mutation($code: String!) { loginWithWechat(code: $code) { ${AUTH} } }`;
const REFRESH = `mutation($token: String!) { refreshToken(refreshToken: $token) { ${AUTH} } }`;
const LOGOUT = 'mutation { logout }';
const ME = '{ me { id nickname phone scopes addresses { id isDefault } } }';
const UPDATE_PROFILE = 'mutation($input: UpdateProfileInput!) { updateProfile(input: $input) { id nickname } }';
const ADD_ADDRESS = 'mutation($input: AddressInput!) { addAddress(input: $input) { id isDefault } }';
const UPDATE_ADDRESS = 'mutation($id: ID!, $input: AddressInput!) { updateAddress(id: $id, input: $input) { id isDefault } }';
const DELETE_ADDRESS = 'mutation($id: ID!) { deleteAddress(id: $id) }';

interface Auth {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
  user: { id: string; nickname: string | null; phone: string | null; scopes: string[] };
}

function ok<T>(response: GraphQLResponse<T>): T {
  if (response.errors) throw new Error(`Unexpected errors: ${JSON.stringify(response.errors)}`);
  return response.data as T;
}

const PASSWORD = 'shop2024pass';
const register = async (phone = uniquePhone()) => ok(await gql<{ register: Auth }>(router, REGISTER, { input: { phone, password: PASSWORD } })).register;
const count = async (table: string, where: Record<string, unknown>) =>
  Number((await db(table).where(where).count<{ count: string }>({ count: '*' }).first())!.count);

describe('a shopper’s session', () => {
  it('register → login by phone → me → refresh rotation → reuse ends the session → logout', async () => {
    const phone = uniquePhone();
    const registered = ok(await gql<{ register: Auth }>(router, REGISTER, { input: { phone, password: PASSWORD, nickname: '阿花' } })).register;
    expect(registered.user).toEqual({ id: expect.any(String), nickname: '阿花', phone, scopes: [] });
    expect(registered.expiresIn).toBe(config.accessTokenTtlSeconds);

    const login = ok(await gql<{ login: Auth }>(router, LOGIN, { input: { account: phone, password: PASSWORD } })).login;
    expect(login.user.id).toBe(registered.user.id);
    const me = ok(await gql(router, ME, {}, bearer(login.accessToken)));
    expect(me).toEqual({ me: { id: registered.user.id, nickname: '阿花', phone, scopes: [], addresses: [] } });

    // Rotation: a new pair, same session; the new access token works at the router.
    const rotated = ok(await gql<{ refreshToken: Auth }>(router, REFRESH, { token: login.refreshToken })).refreshToken;
    expect(rotated.refreshToken).not.toBe(login.refreshToken);
    expect(verifyAccessToken(rotated.accessToken, config).sessionId).toBe(verifyAccessToken(login.accessToken, config).sessionId);
    expect(ok(await gql(router, '{ me { id } }', {}, bearer(rotated.accessToken)))).toEqual({ me: { id: registered.user.id } });

    // Reuse of the spent token: refused, and the whole family (including the newest token) is revoked.
    expect(codes(await gql(router, REFRESH, { token: login.refreshToken }))).toEqual(['UNAUTHENTICATED']);
    expect(codes(await gql(router, REFRESH, { token: rotated.refreshToken }))).toEqual(['UNAUTHENTICATED']);

    // The registration's own session is another family: untouched. Logging out of it ends it.
    const other = ok(await gql<{ refreshToken: Auth }>(router, REFRESH, { token: registered.refreshToken })).refreshToken;
    expect(ok(await gql(router, LOGOUT, {}, bearer(other.accessToken)))).toEqual({ logout: true });
    expect(codes(await gql(router, REFRESH, { token: other.refreshToken }))).toEqual(['UNAUTHENTICATED']);
    expect(await db('sessions').where({ user_id: registered.user.id }).orderBy('id').select('revoked_reason')).toEqual([
      { revoked_reason: 'logout' },
      { revoked_reason: 'reuse' },
    ]);
  });

  it('needs a signed-in user to log out', async () => {
    expect(codes(await gql(router, LOGOUT))).toEqual(['UNAUTHENTICATED']);
  });
});

describe('bad input changes nothing', () => {
  it('a wrong password: UNAUTHENTICATED, no session', async () => {
    const registered = await register();
    const response = await gql(router, LOGIN, { input: { account: registered.user.phone, password: 'wrong-pass1' } });
    expect(codes(response)).toEqual(['UNAUTHENTICATED']);
    expect(response.errors![0].message).toBe('Wrong account or password');
    expect(await count('sessions', { user_id: registered.user.id })).toBe(1);
  });

  it('a duplicate phone: CONFLICT, the account untouched', async () => {
    const registered = await register();
    const before = await db('users').where({ id: registered.user.id }).first();
    expect(codes(await gql(router, REGISTER, { input: { phone: registered.user.phone, password: 'other1234' } }))).toEqual(['CONFLICT']);
    expect(await count('users', { phone: registered.user.phone })).toBe(1);
    expect(await db('users').where({ id: registered.user.id }).first()).toEqual(before);
  });

  it.each([
    ['a malformed phone', { phone: '2345', password: PASSWORD }, 'phone'],
    ['a weak password', { phone: uniquePhone(), password: 'password' }, 'password'],
  ])('%s: BAD_USER_INPUT naming the field, no account', async (_case, input, field) => {
    const response = await gql(router, REGISTER, { input });
    expect(codes(response)).toEqual(['BAD_USER_INPUT']);
    expect(response.errors![0].extensions!.field).toBe(field);
    expect(await count('users', { phone: input.phone })).toBe(0);
  });

  it.each([
    ['an expired access token', { ACCESS_TOKEN_TTL_SECONDS: '-60' }, 'Access token expired'],
    ['a token signed with another secret', { JWT_SECRET: 'forged-secret' }, 'Access token is invalid'],
  ])('%s: 401 UNAUTHENTICATED at the router, the profile untouched', async (_case, overrides, message) => {
    const registered = await register();
    const token = signAccessToken({ userId: registered.user.id, scopes: ALL_SCOPES }, testConfig(overrides));
    const response = await gql(router, UPDATE_PROFILE, { input: { nickname: 'hacked' } }, bearer(token));
    expect(response.status).toBe(401);
    expect(codes(response)).toEqual(['UNAUTHENTICATED']);
    expect(response.errors![0].message).toBe(message);
    expect((await db('users').where({ id: registered.user.id }).first()).nickname).toBe(registered.user.nickname);
  });

  it('a forged identity header sent straight to the user subgraph: UNAUTHENTICATED; at the router it is ignored', async () => {
    const registered = await register();
    const forged = signIdentity({ userId: registered.user.id, scopes: [] }, 'guessed-internal-secret');
    const direct = await gql(supergraph.subgraphs.user!.url, UPDATE_PROFILE, { input: { nickname: 'hacked' } }, { [IDENTITY_HEADER]: forged });
    expect(codes(direct)).toEqual(['UNAUTHENTICATED']);
    // The router never forwards a client's identity header, even a correctly signed one: the caller stays anonymous.
    const leaked = signIdentity({ userId: registered.user.id, scopes: [] }, config.internalSecret);
    expect(codes(await gql(router, UPDATE_PROFILE, { input: { nickname: 'hacked' } }, { [IDENTITY_HEADER]: leaked }))).toEqual(['UNAUTHENTICATED']);
    expect(ok(await gql(router, ME, {}, { [IDENTITY_HEADER]: leaked }))).toEqual({ me: null });
    expect((await db('users').where({ id: registered.user.id }).first()).nickname).toBe(registered.user.nickname);
  });
});

describe('address book through the router', () => {
  const input = (overrides: Record<string, unknown> = {}) => ({
    contactName: '赵六',
    phone: '13700001111',
    province: '北京市',
    city: '北京市',
    district: '海淀区',
    detail: `中关村大街 ${crypto.randomInt(1, 999)} 号`,
    ...overrides,
  });

  it('keeps exactly one default: first address, moved by isDefault, promoted on delete; others’ addresses are NOT_FOUND', async () => {
    const shopper = await register();
    const headers = bearer(shopper.accessToken);
    const add = async (overrides = {}) => ok(await gql<{ addAddress: { id: string; isDefault: boolean } }>(router, ADD_ADDRESS, { input: input(overrides) }, headers)).addAddress;
    const first = await add();
    const second = await add();
    const third = await add();
    expect([first.isDefault, second.isDefault, third.isDefault]).toEqual([true, false, false]);

    expect(ok(await gql(router, UPDATE_ADDRESS, { id: second.id, input: input({ isDefault: true }) }, headers)).updateAddress).toEqual({ id: second.id, isDefault: true });
    const defaults = async () => ok(await gql<{ me: { addresses: { id: string; isDefault: boolean }[] } }>(router, ME, {}, headers)).me.addresses.filter((a) => a.isDefault).map((a) => a.id);
    expect(await defaults()).toEqual([second.id]);

    expect(ok(await gql(router, DELETE_ADDRESS, { id: second.id }, headers))).toEqual({ deleteAddress: true });
    expect(await defaults()).toEqual([third.id]);

    const stranger = await register();
    const before = await db('addresses').where({ user_id: shopper.user.id }).orderBy('id');
    expect(codes(await gql(router, UPDATE_ADDRESS, { id: third.id, input: input() }, bearer(stranger.accessToken)))).toEqual(['NOT_FOUND']);
    expect(codes(await gql(router, DELETE_ADDRESS, { id: third.id }, bearer(stranger.accessToken)))).toEqual(['NOT_FOUND']);
    expect(await db('addresses').where({ user_id: shopper.user.id }).orderBy('id')).toEqual(before);
  });
});

describe('internal operations', () => {
  it('hides addressForOrder from the router’s API (only the order subgraph calls it, directly)', async () => {
    const response = await gql(router, '{ addressForOrder(userId: "1", id: "1") { id } }');
    expect(codes(response)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
  });
});

describe('WeChat and staff', () => {
  it('signs a mini-program user in with a wx.login() code (development provider): same code, same user', async () => {
    const code = `code-${crypto.randomBytes(6).toString('hex')}`;
    const first = ok(await gql<{ loginWithWechat: Auth }>(router, LOGIN_WITH_WECHAT, { code })).loginWithWechat;
    expect(first.user).toMatchObject({ nickname: '微信用户', phone: null, scopes: [] });
    const again = ok(await gql<{ loginWithWechat: Auth }>(router, LOGIN_WITH_WECHAT, { code })).loginWithWechat;
    expect(again.user.id).toBe(first.user.id);
    expect(ok(await gql(router, '{ me { id phone } }', {}, bearer(again.accessToken)))).toEqual({ me: { id: first.user.id, phone: null } });
  });

  it('gives the admin every scope in its access token', async () => {
    const admin = ok(await gql<{ login: Auth }>(router, LOGIN, { input: { account: 'admin', password: config.adminPassword } })).login;
    expect(verifyAccessToken(admin.accessToken, config).scopes).toEqual(['catalog:write', 'promote:write', 'order:write', 'payment:refund', 'review:moderate', 'member:write', 'subscription:erp', 'open:admin', 'clients:admin', 'store:admin', 'store:operate', 'staff:admin', 'customer:read']);
    expect(ok(await gql(router, '{ me { scopes } }', {}, bearer(admin.accessToken)))).toEqual({ me: { scopes: ALL_SCOPES } });
  });
});
