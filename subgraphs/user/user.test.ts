/**
 * The user subgraph on its own (no router): sign-up, sign-in by phone / email / username, the login throttle,
 * refresh-token rotation and reuse detection, logout, profile, privacy of phone/addresses/scopes, the batched entity
 * resolver, the address book rules and the internal address lookup — against the run's real database.
 */
import crypto from 'node:crypto';
import type { Knex } from 'knex';
import { verifyAccessToken } from '../../platform/access-token';
import { countStatements } from '../../platform/db';
import { IDENTITY_HEADER, signIdentity } from '../../platform/identity';
import type { RunningSupergraph } from '../../app/launcher';
import { hashPassword } from '../../platform/password';
import { anonymousTo, asIdentity, codes, gql, startSupergraph, testConfig, uniquePhone, type GraphQLResponse } from '../../test/support/harness';
import { hashRefreshToken } from './tokens';

const config = testConfig();
let supergraph: RunningSupergraph;
let url: string;
let db: Knex;

beforeAll(async () => {
  supergraph = await startSupergraph({ subgraphs: ['user'], router: false });
  url = supergraph.subgraphs.user!.url;
  db = supergraph.subgraphs.user!.db;
});
afterAll(async () => {
  await supergraph?.stop();
});

// ---- helpers -------------------------------------------------------------------------------------------------

const PASSWORD = 'secret123';
const AUTH_FIELDS = 'accessToken refreshToken expiresIn user { id nickname avatarUrl phone scopes addresses { id } }';
const REGISTER = `mutation($input: RegisterInput!) { register(input: $input) { ${AUTH_FIELDS} } }`;
const LOGIN = `mutation($input: LoginInput!) { login(input: $input) { ${AUTH_FIELDS} } }`;
const REFRESH = `mutation($token: String!) { refreshToken(refreshToken: $token) { ${AUTH_FIELDS} } }`;
const LOGOUT = 'mutation { logout }';
/** Selections answered inside the mutation's transaction (no loader reads after it), for the race tests. */
const RACE_REGISTER = 'mutation($input: RegisterInput!) { register(input: $input) { accessToken } }';
const RACE_REFRESH = 'mutation($token: String!) { refreshToken(refreshToken: $token) { refreshToken } }';
const ME = '{ me { id nickname avatarUrl phone scopes addresses { id isDefault } } }';
const UPDATE_PROFILE = 'mutation($input: UpdateProfileInput!) { updateProfile(input: $input) { id nickname avatarUrl phone } }';
const ADDRESS_FIELDS = 'id contactName phone province city district detail isDefault';
const ADD_ADDRESS = `mutation($input: AddressInput!) { addAddress(input: $input) { ${ADDRESS_FIELDS} } }`;
const UPDATE_ADDRESS = `mutation($id: ID!, $input: AddressInput!) { updateAddress(id: $id, input: $input) { ${ADDRESS_FIELDS} } }`;
const DELETE_ADDRESS = 'mutation($id: ID!) { deleteAddress(id: $id) }';
const ADDRESSES = `{ me { addresses { ${ADDRESS_FIELDS} } } }`;
const ADDRESS_FOR_ORDER = `query($userId: ID!, $id: ID!) { addressForOrder(userId: $userId, id: $id) { ${ADDRESS_FIELDS} } }`;
const ENTITIES = 'query($representations: [_Any!]!) { _entities(representations: $representations) { ... on User { id nickname phone scopes addresses { id } } } }';

interface AuthPayload {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
  user: { id: string; nickname: string | null; avatarUrl: string | null; phone: string | null; scopes: string[]; addresses: { id: string }[] };
}

function ok<T>(response: GraphQLResponse<T>): T {
  if (response.errors) throw new Error(`Unexpected errors: ${JSON.stringify(response.errors)}`);
  return response.data as T;
}

async function register(phone = uniquePhone(), password = PASSWORD, nickname?: string): Promise<AuthPayload> {
  return ok(await gql<{ register: AuthPayload }>(url, REGISTER, { input: { phone, password, nickname } }, anonymousTo('user'))).register;
}

/**
 * One after the other: the embedded database (PGlite behind pglite-socket) mixes up statements of concurrent
 * connections when one of them is inside a transaction, so only the race tests below run requests in parallel, and
 * those keep every statement inside a transaction.
 */
async function registerMany(count: number): Promise<AuthPayload[]> {
  const users: AuthPayload[] = [];
  for (let i = 0; i < count; i++) users.push(await register());
  return users;
}

/** The identity the router would forward for this access token (user, scopes, session). */
function identityOf(accessToken: string): Record<string, string> {
  const claims = verifyAccessToken(accessToken, config);
  return asIdentity({ userId: claims.userId, scopes: claims.scopes, sessionId: claims.sessionId }, 'user');
}

const countWhere = async (table: string, where: Record<string, unknown>) =>
  Number((await db(table).where(where).count<{ count: string }>({ count: '*' }).first())!.count);

const sessionsOf = (userId: string) => countWhere('sessions', { user_id: userId });

// ---- sign-up -------------------------------------------------------------------------------------------------

describe('register', () => {
  it('creates the account, signs it in and stores only a scrypt hash of the password', async () => {
    const phone = uniquePhone();
    const payload = await register(phone);
    expect(payload.expiresIn).toBe(config.accessTokenTtlSeconds);
    expect(payload.user).toEqual({ id: expect.any(String), nickname: `用户${phone.slice(-4)}`, avatarUrl: null, phone, scopes: [], addresses: [] });
    const claims = verifyAccessToken(payload.accessToken, config);
    expect(claims).toEqual({ userId: payload.user.id, scopes: [], sessionId: expect.stringMatching(/^\d+$/) });

    const row = await db('users').where({ id: payload.user.id }).first();
    expect(row.password_hash).toMatch(/^scrypt\$16384\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(row.password_hash).not.toContain(PASSWORD);
    // The refresh token is kept as its sha256 only.
    expect(payload.refreshToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const tokens = await db('refresh_tokens').where({ session_id: claims.sessionId });
    expect(tokens.map((t) => t.token_hash)).toEqual([hashRefreshToken(payload.refreshToken)]);
  });

  it('salts each password: two users with one password get different hashes', async () => {
    const [a, b] = await registerMany(2);
    const rows = await db('users').whereIn('id', [a.user.id, b.user.id]).select('password_hash');
    expect(new Set(rows.map((r) => r.password_hash)).size).toBe(2);
  });

  it('keeps a chosen nickname (trimmed)', async () => {
    expect((await register(uniquePhone(), PASSWORD, '  小明  ')).user.nickname).toBe('小明');
  });

  it.each([
    ['a malformed phone', { phone: '12345678901' }, 'phone'],
    ['a phone with letters', { phone: '1380013800a' }, 'phone'],
    ['a landline as phone', { phone: '010-12345678' }, 'phone'],
    ['a short password', { password: 'abc123' }, 'password'],
    ['a password without digits', { password: 'abcdefghij' }, 'password'],
    ['a password without letters', { password: '1234567890' }, 'password'],
    ['a password over 72 characters', { password: `a1${'x'.repeat(71)}` }, 'password'],
    ['an empty nickname', { nickname: '   ' }, 'nickname'],
    ['a nickname over 32 characters', { nickname: '名'.repeat(33) }, 'nickname'],
  ])('refuses %s with BAD_USER_INPUT naming the field, creating nothing', async (_case, override, field) => {
    const phone = uniquePhone();
    const response = await gql(url, REGISTER, { input: { phone, password: PASSWORD, ...override } }, anonymousTo('user'));
    expect(codes(response)).toEqual(['BAD_USER_INPUT']);
    expect(response.errors![0].extensions!.field).toBe(field);
    expect(await countWhere('users', { phone: (override as { phone?: string }).phone ?? phone })).toBe(0);
  });

  it('answers CONFLICT for a phone already registered, changing nothing', async () => {
    const first = await register();
    const phone = first.user.phone!;
    const before = await db('users').where({ phone }).first();
    const response = await gql(url, REGISTER, { input: { phone, password: 'another123' } }, anonymousTo('user'));
    expect(codes(response)).toEqual(['CONFLICT']);
    expect(await db('users').where({ phone }).first()).toEqual(before);
    expect(await sessionsOf(first.user.id)).toBe(1);
  });

  it('lets one of two simultaneous sign-ups with one phone win; the other is a CONFLICT', async () => {
    const phone = uniquePhone();
    const responses = await Promise.all([1, 2].map(() => gql(url, RACE_REGISTER, { input: { phone, password: PASSWORD } }, anonymousTo('user'))));
    expect(responses.map(codes).sort()).toEqual([[], ['CONFLICT']]);
    expect(await countWhere('users', { phone })).toBe(1);
  });

  it('throttles sign-up attempts per phone (RATE_LIMITED after 5 within the window)', async () => {
    const phone = uniquePhone();
    await register(phone);
    for (let i = 0; i < 4; i++) expect(codes(await gql(url, REGISTER, { input: { phone, password: PASSWORD } }, anonymousTo('user')))).toEqual(['CONFLICT']);
    expect(codes(await gql(url, REGISTER, { input: { phone, password: PASSWORD } }, anonymousTo('user')))).toEqual(['RATE_LIMITED']);
  });
});

// ---- sign-in -------------------------------------------------------------------------------------------------

describe('login', () => {
  it('signs in by phone with a new session each time', async () => {
    const registered = await register();
    const payload = ok(await gql<{ login: AuthPayload }>(url, LOGIN, { input: { account: registered.user.phone, password: PASSWORD } }, anonymousTo('user'))).login;
    expect(payload.user).toMatchObject({ id: registered.user.id, phone: registered.user.phone });
    expect(verifyAccessToken(payload.accessToken, config).sessionId).not.toBe(verifyAccessToken(registered.accessToken, config).sessionId);
    expect(await sessionsOf(registered.user.id)).toBe(2);
  });

  it('signs in by email and by username, ignoring case and surrounding spaces', async () => {
    const tag = crypto.randomBytes(5).toString('hex');
    const [user] = await db('users')
      .insert({ email: `m.${tag}@example.com`, username: `u_${tag}`, password_hash: await hashPassword(PASSWORD), nickname: 'M' })
      .returning('id');
    for (const account of [`  M.${tag.toUpperCase()}@Example.COM `, `U_${tag.toUpperCase()}`]) {
      const payload = ok(await gql<{ login: AuthPayload }>(url, LOGIN, { input: { account, password: PASSWORD } }, anonymousTo('user'))).login;
      expect(payload.user.id).toBe(String(user.id));
    }
  });

  it('answers a wrong password and an unknown account with the same UNAUTHENTICATED error, starting no session', async () => {
    const registered = await register();
    const wrongPassword = await gql(url, LOGIN, { input: { account: registered.user.phone, password: 'wrong-pass1' } }, anonymousTo('user'));
    const unknownPhone = await gql(url, LOGIN, { input: { account: uniquePhone(), password: PASSWORD } }, anonymousTo('user'));
    const unknownName = await gql(url, LOGIN, { input: { account: `nobody-${crypto.randomUUID()}`, password: PASSWORD } }, anonymousTo('user'));
    for (const response of [wrongPassword, unknownPhone, unknownName]) {
      expect(codes(response)).toEqual(['UNAUTHENTICATED']);
      expect(response.errors![0].message).toBe('Wrong account or password');
      expect(response.data).toBeNull();
    }
    expect(await sessionsOf(registered.user.id)).toBe(1);
  });

  it('refuses an account without a password (WeChat-only) like any wrong password', async () => {
    const phone = uniquePhone();
    const [{ id }] = await db('users').insert({ phone }).returning('id');
    await db('account_platforms').insert({ user_id: id, platform: 'wechat_mp', platform_id: `o-${crypto.randomUUID()}` });
    expect(codes(await gql(url, LOGIN, { input: { account: phone, password: PASSWORD } }, anonymousTo('user')))).toEqual(['UNAUTHENTICATED']);
  });

  it('answers RATE_LIMITED after 10 failures for one account, even with the right password, and not for others', async () => {
    const victim = await register();
    const other = await register();
    const account = victim.user.phone!;
    const failures = await Promise.all(
      Array.from({ length: 10 }, () => gql(url, LOGIN, { input: { account, password: 'wrong-pass1' } }, anonymousTo('user'))),
    );
    expect(failures.map(codes)).toEqual(Array(10).fill(['UNAUTHENTICATED']));
    expect(codes(await gql(url, LOGIN, { input: { account, password: PASSWORD } }, anonymousTo('user')))).toEqual(['RATE_LIMITED']);
    expect(await sessionsOf(victim.user.id)).toBe(1);
    expect(codes(await gql(url, LOGIN, { input: { account: other.user.phone, password: PASSWORD } }, anonymousTo('user')))).toEqual([]);
  });

  it('clears the failure count after a successful sign-in', async () => {
    const registered = await register();
    const account = registered.user.phone!;
    for (let i = 0; i < 9; i++) await gql(url, LOGIN, { input: { account, password: 'wrong-pass1' } }, anonymousTo('user'));
    expect(codes(await gql(url, LOGIN, { input: { account, password: PASSWORD } }, anonymousTo('user')))).toEqual([]);
    for (let i = 0; i < 9; i++) await gql(url, LOGIN, { input: { account, password: 'wrong-pass1' } }, anonymousTo('user'));
    expect(codes(await gql(url, LOGIN, { input: { account, password: PASSWORD } }, anonymousTo('user')))).toEqual([]);
  });

  it('upgrades a hash made with older scrypt parameters at the next successful sign-in', async () => {
    const phone = uniquePhone();
    await db('users').insert({ phone, password_hash: await hashPassword(PASSWORD, { N: 1024, r: 8, p: 1 }) });
    ok(await gql(url, LOGIN, { input: { account: phone, password: PASSWORD } }, anonymousTo('user')));
    const { password_hash: upgraded } = await db('users').where({ phone }).first();
    expect(upgraded).toMatch(/^scrypt\$16384\$8\$1\$/);
    expect(codes(await gql(url, LOGIN, { input: { account: phone, password: PASSWORD } }, anonymousTo('user')))).toEqual([]);
  });

  it('refuses an empty account with BAD_USER_INPUT', async () => {
    const response = await gql(url, LOGIN, { input: { account: '  ', password: PASSWORD } }, anonymousTo('user'));
    expect(codes(response)).toEqual(['BAD_USER_INPUT']);
    expect(response.errors![0].extensions!.field).toBe('account');
  });
});

// ---- tokens --------------------------------------------------------------------------------------------------

describe('refreshToken', () => {
  it('rotates: the new token works once, in the same session, and the old one is spent', async () => {
    const registered = await register();
    const sessionId = verifyAccessToken(registered.accessToken, config).sessionId;
    const next = ok(await gql<{ refreshToken: AuthPayload }>(url, REFRESH, { token: registered.refreshToken }, anonymousTo('user'))).refreshToken;
    expect(next.refreshToken).not.toBe(registered.refreshToken);
    expect(next.user).toMatchObject({ id: registered.user.id, phone: registered.user.phone });
    expect(next.expiresIn).toBe(config.accessTokenTtlSeconds);
    expect(verifyAccessToken(next.accessToken, config)).toEqual({ userId: registered.user.id, scopes: [], sessionId });
    const rows = await db('refresh_tokens').where({ session_id: sessionId }).orderBy('id');
    expect(rows.map((r) => [r.token_hash, r.used_at !== null])).toEqual([
      [hashRefreshToken(registered.refreshToken), true],
      [hashRefreshToken(next.refreshToken), false],
    ]);
    const third = ok(await gql<{ refreshToken: AuthPayload }>(url, REFRESH, { token: next.refreshToken }, anonymousTo('user'))).refreshToken;
    expect(verifyAccessToken(third.accessToken, config).sessionId).toBe(sessionId);
  });

  it('revokes the whole session when a spent token is presented again', async () => {
    const registered = await register();
    const next = ok(await gql<{ refreshToken: AuthPayload }>(url, REFRESH, { token: registered.refreshToken }, anonymousTo('user'))).refreshToken;
    const reuse = await gql(url, REFRESH, { token: registered.refreshToken }, anonymousTo('user'));
    expect(codes(reuse)).toEqual(['UNAUTHENTICATED']);
    expect(reuse.errors![0].message).toMatch(/already used/);
    // The legitimate-looking newest token of the family is dead too.
    expect(codes(await gql(url, REFRESH, { token: next.refreshToken }, anonymousTo('user')))).toEqual(['UNAUTHENTICATED']);
    const session = await db('sessions').where({ id: verifyAccessToken(registered.accessToken, config).sessionId }).first();
    expect(session).toMatchObject({ revoked_reason: 'reuse' });
    expect(session.revoked_at).toBeInstanceOf(Date);
    // Another session of the same user is unaffected.
    const login = ok(await gql<{ login: AuthPayload }>(url, LOGIN, { input: { account: registered.user.phone, password: PASSWORD } }, anonymousTo('user'))).login;
    expect(codes(await gql(url, REFRESH, { token: login.refreshToken }, anonymousTo('user')))).toEqual([]);
  });

  it('lets only one of two simultaneous refreshes with one token through, and then ends the session', async () => {
    const registered = await register();
    const responses = await Promise.all([1, 2].map(() => gql(url, RACE_REFRESH, { token: registered.refreshToken }, anonymousTo('user'))));
    expect(responses.map(codes).sort()).toEqual([[], ['UNAUTHENTICATED']]);
    const winner = responses.find((r) => !r.errors)!.data.refreshToken as AuthPayload;
    expect(codes(await gql(url, REFRESH, { token: winner.refreshToken }, anonymousTo('user')))).toEqual(['UNAUTHENTICATED']);
  });

  it('refuses expired, unknown and malformed tokens with UNAUTHENTICATED, issuing nothing', async () => {
    const registered = await register();
    const sessionId = verifyAccessToken(registered.accessToken, config).sessionId;
    await db('refresh_tokens').where({ session_id: sessionId }).update({ expires_at: new Date(Date.now() - 1000) });
    for (const token of [registered.refreshToken, crypto.randomBytes(32).toString('base64url'), 'not-a-token', '']) {
      expect(codes(await gql(url, REFRESH, { token }, anonymousTo('user')))).toEqual(['UNAUTHENTICATED']);
    }
    expect(await countWhere('refresh_tokens', { session_id: sessionId })).toBe(1);
    expect(await countWhere('refresh_tokens', { session_id: sessionId, used_at: null })).toBe(1);
  });
});

describe('logout', () => {
  it('needs a signed-in user', async () => {
    expect(codes(await gql(url, LOGOUT, {}, anonymousTo('user')))).toEqual(['UNAUTHENTICATED']);
  });

  it('ends the current session only: its refresh token stops working, other sessions keep theirs', async () => {
    const registered = await register();
    const other = ok(await gql<{ login: AuthPayload }>(url, LOGIN, { input: { account: registered.user.phone, password: PASSWORD } }, anonymousTo('user'))).login;
    expect(ok(await gql(url, LOGOUT, {}, identityOf(registered.accessToken)))).toEqual({ logout: true });
    expect(codes(await gql(url, REFRESH, { token: registered.refreshToken }, anonymousTo('user')))).toEqual(['UNAUTHENTICATED']);
    expect(codes(await gql(url, REFRESH, { token: other.refreshToken }, anonymousTo('user')))).toEqual([]);
    const session = await db('sessions').where({ id: verifyAccessToken(registered.accessToken, config).sessionId }).first();
    expect(session.revoked_reason).toBe('logout');
    // Again: still ended, still true.
    expect(ok(await gql(url, LOGOUT, {}, identityOf(registered.accessToken)))).toEqual({ logout: true });
  });

  it('cannot end another user’s session', async () => {
    const victim = await register();
    const attacker = await register();
    const victimSession = verifyAccessToken(victim.accessToken, config).sessionId;
    const headers = asIdentity({ userId: attacker.user.id, sessionId: victimSession }, 'user');
    expect(ok(await gql(url, LOGOUT, {}, headers))).toEqual({ logout: false });
    expect(codes(await gql(url, REFRESH, { token: victim.refreshToken }, anonymousTo('user')))).toEqual([]);
  });

  it('answers false for a token without a session', async () => {
    const registered = await register();
    expect(ok(await gql(url, LOGOUT, {}, asIdentity({ userId: registered.user.id }, 'user')))).toEqual({ logout: false });
  });
});

// ---- identity ------------------------------------------------------------------------------------------------

describe('identity', () => {
  it('answers me with null when anonymous and with the user when signed in', async () => {
    expect(ok(await gql(url, ME, {}, anonymousTo('user')))).toEqual({ me: null });
    const registered = await register();
    expect(ok(await gql(url, ME, {}, identityOf(registered.accessToken)))).toEqual({
      me: { id: registered.user.id, nickname: registered.user.nickname, avatarUrl: null, phone: registered.user.phone, scopes: [], addresses: [] },
    });
  });

  it('refuses an identity header it cannot verify (forged, other secret, tampered) with UNAUTHENTICATED', async () => {
    const registered = await register();
    const otherSecret = signIdentity({ userId: registered.user.id, scopes: ['payment:refund'] }, 'not-the-internal-secret');
    const valid = signIdentity({ userId: registered.user.id, scopes: [] }, config.internalSecret);
    const [payload, signature] = valid.split('.');
    const tampered = `${Buffer.from(JSON.stringify({ sub: '1', scp: ['payment:refund'], iat: Math.floor(Date.now() / 1000) })).toString('base64url')}.${signature}`;
    for (const header of [otherSecret, tampered, `${payload}`, 'garbage']) {
      const response = await gql(url, ME, {}, { [IDENTITY_HEADER]: header });
      expect(codes(response)).toEqual(['UNAUTHENTICATED']);
      expect(response.data).toBeUndefined();
    }
  });

  it('shows phone, addresses and scopes to the user only; other viewers and anonymous callers get null / []', async () => {
    const owner = await register();
    await gql(url, ADD_ADDRESS, { input: addressInput() }, identityOf(owner.accessToken));
    const stranger = await register();
    const representations = [{ __typename: 'User', id: owner.user.id }];
    for (const headers of [anonymousTo('user'), identityOf(stranger.accessToken)]) {
      expect(ok(await gql(url, ENTITIES, { representations }, headers))).toEqual({
        _entities: [{ id: owner.user.id, nickname: owner.user.nickname, phone: null, scopes: [], addresses: [] }],
      });
    }
    const own = ok(await gql<{ _entities: AuthPayload['user'][] }>(url, ENTITIES, { representations }, identityOf(owner.accessToken)));
    expect(own._entities[0]).toMatchObject({ phone: owner.user.phone, addresses: [{ id: expect.any(String) }] });
  });

  it('resolves User entities in one statement per table however many are asked for (no N+1)', async () => {
    const users = await registerMany(6);
    const query = 'query($representations: [_Any!]!) { _entities(representations: $representations) { ... on User { id nickname } } }';
    const counter = countStatements(db);
    try {
      const one = ok(await gql(url, query, { representations: [{ __typename: 'User', id: users[0].user.id }] }, anonymousTo('user')));
      const forOne = counter.count;
      counter.reset();
      const reps = [...users.map((u) => ({ __typename: 'User', id: u.user.id })), { __typename: 'User', id: '999999999999' }, { __typename: 'User', id: 'x' }];
      const many = ok(await gql<{ _entities: ({ id: string } | null)[] }>(url, query, { representations: reps }, anonymousTo('user')));
      expect(counter.count).toBe(forOne);
      expect(forOne).toBe(1);
      expect(one._entities).toHaveLength(1);
      expect(many._entities.map((u) => u?.id ?? null)).toEqual([...users.map((u) => u.user.id), null, null]);
    } finally {
      counter.stop();
    }
  });

  it('loads addresses and scopes of many users in one statement each', async () => {
    const users = await registerMany(4);
    // Only the caller sees private fields, so ask for the same user repeatedly plus the others.
    const headers = identityOf(users[0].accessToken);
    const reps = users.map((u) => ({ __typename: 'User', id: u.user.id }));
    const counter = countStatements(db);
    try {
      ok(await gql(url, ENTITIES, { representations: reps }, headers));
      // users, addresses (for the caller), scopes (for the caller).
      expect(counter.count).toBe(3);
    } finally {
      counter.stop();
    }
  });
});

// ---- profile -------------------------------------------------------------------------------------------------

describe('updateProfile', () => {
  it('changes nickname and avatar; left-out fields stay, null clears', async () => {
    const registered = await register();
    const headers = identityOf(registered.accessToken);
    const avatarUrl = 'https://cdn.example.com/a/b.png?x=1';
    expect(ok(await gql(url, UPDATE_PROFILE, { input: { nickname: ' 新名字 ', avatarUrl } }, headers)).updateProfile).toEqual({
      id: registered.user.id,
      nickname: '新名字',
      avatarUrl,
      phone: registered.user.phone,
    });
    expect(ok(await gql(url, UPDATE_PROFILE, { input: { avatarUrl: null } }, headers)).updateProfile).toMatchObject({ nickname: '新名字', avatarUrl: null });
    expect(ok(await gql(url, UPDATE_PROFILE, { input: {} }, headers)).updateProfile).toMatchObject({ nickname: '新名字', avatarUrl: null });
  });

  it('needs a signed-in user', async () => {
    expect(codes(await gql(url, UPDATE_PROFILE, { input: { nickname: 'x' } }, anonymousTo('user')))).toEqual(['UNAUTHENTICATED']);
  });

  it.each([
    [{ nickname: 'x'.repeat(33) }, 'nickname'],
    [{ nickname: '' }, 'nickname'],
    [{ nickname: 'a\nb' }, 'nickname'],
    [{ avatarUrl: 'javascript:alert(1)' }, 'avatarUrl'],
    [{ avatarUrl: 'ftp://example.com/a.png' }, 'avatarUrl'],
    [{ avatarUrl: '/relative.png' }, 'avatarUrl'],
    [{ avatarUrl: `https://example.com/${'a'.repeat(500)}` }, 'avatarUrl'],
    [{ nickname: 'fine', avatarUrl: 'nope' }, 'avatarUrl'],
  ])('refuses %j with BAD_USER_INPUT, changing nothing', async (input, field) => {
    const registered = await register();
    const before = await db('users').where({ id: registered.user.id }).first();
    const response = await gql(url, UPDATE_PROFILE, { input }, identityOf(registered.accessToken));
    expect(codes(response)).toEqual(['BAD_USER_INPUT']);
    expect(response.errors![0].extensions!.field).toBe(field);
    expect(await db('users').where({ id: registered.user.id }).first()).toEqual(before);
  });
});

// ---- addresses -----------------------------------------------------------------------------------------------

function addressInput(overrides: Record<string, unknown> = {}) {
  return { contactName: '李四', phone: '13912345678', province: '浙江省', city: '杭州市', district: '西湖区', detail: `文三路 ${crypto.randomInt(1, 999)} 号`, ...overrides };
}

interface AddressView {
  id: string;
  isDefault: boolean;
  contactName: string;
  phone: string;
}

async function book(headers: Record<string, string>): Promise<AddressView[]> {
  return ok(await gql<{ me: { addresses: AddressView[] } }>(url, ADDRESSES, {}, headers)).me.addresses;
}
const defaults = (addresses: AddressView[]) => addresses.filter((a) => a.isDefault).map((a) => a.id);

async function shopper() {
  const registered = await register();
  const headers = identityOf(registered.accessToken);
  const add = async (overrides: Record<string, unknown> = {}) =>
    ok(await gql<{ addAddress: AddressView }>(url, ADD_ADDRESS, { input: addressInput(overrides) }, headers)).addAddress;
  return { userId: registered.user.id, headers, add };
}

describe('address book', () => {
  it('makes the first address the default, even when asked otherwise, and later ones not unless asked', async () => {
    const { headers, add } = await shopper();
    const first = await add({ isDefault: false });
    expect(first).toMatchObject({ isDefault: true, contactName: '李四', phone: '13912345678', province: '浙江省' });
    const second = await add();
    expect(second.isDefault).toBe(false);
    const third = await add({ isDefault: true });
    expect(third.isDefault).toBe(true);
    const addresses = await book(headers);
    expect(addresses.map((a) => a.id)).toEqual([third.id, second.id, first.id]);
    expect(defaults(addresses)).toEqual([third.id]);
  });

  it('moves the default with updateAddress(isDefault: true), and hands it on with isDefault: false', async () => {
    const { headers, add } = await shopper();
    const a = await add();
    const b = await add();
    const c = await add();
    const updated = ok(await gql(url, UPDATE_ADDRESS, { id: b.id, input: addressInput({ contactName: '王五', isDefault: true }) }, headers)).updateAddress;
    expect(updated).toMatchObject({ id: b.id, contactName: '王五', isDefault: true });
    expect(defaults(await book(headers))).toEqual([b.id]);
    // Leaving isDefault out changes nothing about the default.
    await gql(url, UPDATE_ADDRESS, { id: a.id, input: addressInput() }, headers);
    expect(defaults(await book(headers))).toEqual([b.id]);
    // Un-defaulting the default hands it to the most recent other address.
    const undone = ok(await gql(url, UPDATE_ADDRESS, { id: b.id, input: addressInput({ isDefault: false }) }, headers)).updateAddress;
    expect(undone.isDefault).toBe(false);
    expect(defaults(await book(headers))).toEqual([c.id]);
  });

  it('keeps a lone address the default even when asked to un-default it', async () => {
    const { headers, add } = await shopper();
    const only = await add();
    const updated = ok(await gql(url, UPDATE_ADDRESS, { id: only.id, input: addressInput({ isDefault: false }) }, headers)).updateAddress;
    expect(updated.isDefault).toBe(true);
  });

  it('promotes the most recent remaining address when the default is deleted', async () => {
    const { headers, add } = await shopper();
    const a = await add();
    const b = await add();
    const c = await add();
    await gql(url, UPDATE_ADDRESS, { id: a.id, input: addressInput({ isDefault: true }) }, headers);
    expect(ok(await gql(url, DELETE_ADDRESS, { id: a.id }, headers))).toEqual({ deleteAddress: true });
    expect(defaults(await book(headers))).toEqual([c.id]);
    // Deleting a non-default address leaves the default alone.
    await gql(url, DELETE_ADDRESS, { id: b.id }, headers);
    expect(defaults(await book(headers))).toEqual([c.id]);
    await gql(url, DELETE_ADDRESS, { id: c.id }, headers);
    expect(await book(headers)).toEqual([]);
  });

  it('holds at most 20 addresses: the 21st is a CONFLICT and adds nothing', async () => {
    const { userId, add, headers } = await shopper();
    for (let i = 0; i < 20; i++) await add();
    const response = await gql(url, ADD_ADDRESS, { input: addressInput({ isDefault: true }) }, headers);
    expect(codes(response)).toEqual(['CONFLICT']);
    expect(await countWhere('addresses', { user_id: userId })).toBe(20);
    expect(await countWhere('addresses', { user_id: userId, is_default: true })).toBe(1);
  });

  it('keeps exactly one default under concurrent adds', async () => {
    const { userId, add } = await shopper();
    await Promise.all(Array.from({ length: 6 }, (_, i) => add({ isDefault: i % 2 === 0 })));
    expect(await countWhere('addresses', { user_id: userId })).toBe(6);
    expect(await countWhere('addresses', { user_id: userId, is_default: true })).toBe(1);
  });

  it('treats other users’ addresses and malformed ids as NOT_FOUND, changing nothing', async () => {
    const owner = await shopper();
    const address = await owner.add();
    const stranger = await shopper();
    const before = await db('addresses').where({ id: address.id }).first();
    for (const id of [address.id, 'abc', '0', '99999999999999']) {
      expect(codes(await gql(url, UPDATE_ADDRESS, { id, input: addressInput({ isDefault: true }) }, stranger.headers))).toEqual(['NOT_FOUND']);
      expect(codes(await gql(url, DELETE_ADDRESS, { id }, stranger.headers))).toEqual(['NOT_FOUND']);
    }
    expect(await db('addresses').where({ id: address.id }).first()).toEqual(before);
  });

  it.each([
    [{ phone: '12345' }, 'phone'],
    [{ contactName: '  ' }, 'contactName'],
    [{ contactName: 'x'.repeat(33) }, 'contactName'],
    [{ province: '' }, 'province'],
    [{ city: '' }, 'city'],
    [{ district: '' }, 'district'],
    [{ detail: 'd'.repeat(201) }, 'detail'],
  ])('refuses %j with BAD_USER_INPUT naming the field, writing nothing', async (override, field) => {
    const { userId, add, headers } = await shopper();
    const existing = await add();
    const added = await gql(url, ADD_ADDRESS, { input: addressInput(override) }, headers);
    const updated = await gql(url, UPDATE_ADDRESS, { id: existing.id, input: addressInput(override) }, headers);
    for (const response of [added, updated]) {
      expect(codes(response)).toEqual(['BAD_USER_INPUT']);
      expect(response.errors![0].extensions!.field).toBe(field);
    }
    expect(await db('addresses').where({ user_id: userId }).select('id', 'detail', 'contact_name')).toEqual([
      { id: existing.id, detail: expect.any(String), contact_name: '李四' },
    ]);
  });

  it('accepts a landline as the contact phone', async () => {
    const { add } = await shopper();
    expect((await add({ phone: '0571-88889999' })).phone).toBe('0571-88889999');
  });

  it('needs a signed-in user', async () => {
    expect(codes(await gql(url, ADD_ADDRESS, { input: addressInput() }, anonymousTo('user')))).toEqual(['UNAUTHENTICATED']);
    expect(codes(await gql(url, DELETE_ADDRESS, { id: '1' }, anonymousTo('user')))).toEqual(['UNAUTHENTICATED']);
  });
});

describe('addressForOrder (internal)', () => {
  it('answers the order subgraph with the owner’s address, and null for anyone else’s or unknown ids', async () => {
    const owner = await shopper();
    const address = await owner.add();
    const order = asIdentity({ service: 'order' }, 'user');
    expect(ok(await gql(url, ADDRESS_FOR_ORDER, { userId: owner.userId, id: address.id }, order)).addressForOrder).toMatchObject({
      id: address.id,
      contactName: '李四',
      isDefault: true,
    });
    const stranger = await register();
    for (const variables of [{ userId: stranger.user.id, id: address.id }, { userId: owner.userId, id: '99999999999' }, { userId: 'x', id: 'y' }]) {
      expect(ok(await gql(url, ADDRESS_FOR_ORDER, variables, order))).toEqual({ addressForOrder: null });
    }
  });

  it('is refused to shoppers and to other services', async () => {
    const owner = await shopper();
    const address = await owner.add();
    const variables = { userId: owner.userId, id: address.id };
    expect(codes(await gql(url, ADDRESS_FOR_ORDER, variables, owner.headers))).toEqual(['FORBIDDEN']);
    expect(codes(await gql(url, ADDRESS_FOR_ORDER, variables, asIdentity({ service: 'cart' }, 'user')))).toEqual(['FORBIDDEN']);
    expect(codes(await gql(url, ADDRESS_FOR_ORDER, variables, anonymousTo('user')))).toEqual(['FORBIDDEN']);
  });
});
