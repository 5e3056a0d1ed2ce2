/**
 * Passport on the user subgraph against real PostgreSQL, with a fake WeChat API (jscode2session, stable_token,
 * getuserphonenumber, and the client's AES-128-CBC encrypted data) and a fake Tencent Cloud SMS that verifies the
 * TC3-HMAC-SHA256 signature of every request: account states, identities, encrypted-data binding, SMS codes (hashing,
 * expiry, single use, attempts, throttles), password reset revoking sessions, binding conflicts and races.
 */
import crypto from 'node:crypto';
import type { Knex } from 'knex';
import type { RunningSupergraph } from '../../app/launcher';
import { verifyAccessToken } from '../../platform/access-token';
import { SECRETS } from '../../test/support/processes';
import { startFakeTencentSms, lastCodeTo, type FakeTencentSms } from '../../test/support/fake-tencent-sms';
import { startFakeWechatApi, type FakeWechatApi } from '../../test/support/fake-wechat-api';
import { asIdentity, anonymousTo, codes, gql, startSupergraph, testConfig, uniquePhone, type GraphQLResponse } from '../../test/support/harness';
import type { Config } from '../../platform/config';
import { countStatements } from '../../platform/db';
import { loadConfig } from '../../platform/config';
import { createDevSmsSender, createSmsSender } from './sms-provider';
import { grantRole } from './data/roles';
import { ensureStaffRoles } from './staff';

const AUTH = 'accessToken refreshToken user { id phone accountState linkedIdentities { platform boundAt } }';
const LOGIN_WECHAT = `mutation($code: String!) { loginWithWechat(code: $code) { ${AUTH} } }`;
const SEND = 'mutation($phone: String!, $purpose: SmsCodePurpose!) { sendSmsCode(phone: $phone, purpose: $purpose) { expiresInSeconds resendAfterSeconds } }';
const SMS_LOGIN = `mutation($phone: String!, $code: String!) { loginWithSmsCode(phone: $phone, code: $code) { ${AUTH} } }`;
const SMS_REGISTER = `mutation($input: RegisterWithSmsCodeInput!) { registerWithSmsCode(input: $input) { ${AUTH} } }`;
const RESET = 'mutation($phone: String!, $code: String!, $p: String!) { resetPasswordWithSmsCode(phone: $phone, code: $code, newPassword: $p) }';
const BINDING = `user { id phone accountState linkedIdentities { platform } } merged auth { accessToken user { id } }`;
const BIND_SMS = `mutation($phone: String!, $code: String!) { bindPhoneWithSmsCode(phone: $phone, code: $code) { ${BINDING} } }`;
const BIND_PHONE = `mutation($input: BindWechatPhoneInput!) { bindWechatPhone(input: $input) { ${BINDING} } }`;
const BIND_UNION = `mutation($input: BindWechatUnionIdInput!) { bindWechatUnionId(input: $input) { ${BINDING} } }`;
const ME = '{ me { id phone accountState linkedIdentities { platform } } }';
const LOGIN = 'mutation($a: String!, $p: String!) { login(input: { account: $a, password: $p }) { accessToken } }';
const REFRESH = 'mutation($t: String!) { refreshToken(refreshToken: $t) { accessToken } }';

function ok<T = any>(response: GraphQLResponse<T>): T {
  if (response.errors) throw new Error(`Unexpected errors: ${JSON.stringify(response.errors)}`);
  return response.data as T;
}

interface Signed {
  userId: string;
  headers: Record<string, string>;
  refreshToken: string;
  openid?: string;
}

let wechat: FakeWechatApi;
let sms: FakeTencentSms;
let supergraph: RunningSupergraph;
let config: Config;
let url: string;
let db: Knex;

beforeAll(async () => {
  [wechat, sms] = await Promise.all([startFakeWechatApi(), startFakeTencentSms()]);
  config = testConfig({ ...wechat.env, ...sms.env, SMS_SEND_MAX_PER_PHONE: '3', SMS_SEND_MAX_PER_IP: '3', SMS_CODE_MAX_ATTEMPTS: '3' });
  supergraph = await startSupergraph({ subgraphs: ['user'], router: false, config });
  url = supergraph.subgraphs.user!.url;
  db = supergraph.subgraphs.user!.db;
});
afterAll(async () => {
  await supergraph?.stop();
  await Promise.all([wechat?.close(), sms?.close()]);
});

const anonymous = () => anonymousTo('user', config);
const signedAs = (auth: { accessToken: string; refreshToken: string }, openid?: string): Signed => {
  const claims = verifyAccessToken(auth.accessToken, config);
  return { userId: claims.userId, headers: asIdentity({ userId: claims.userId, sessionId: claims.sessionId }, 'user', config), refreshToken: auth.refreshToken, openid };
};

async function wechatLogin(suffix = `n${crypto.randomBytes(6).toString('hex')}`): Promise<Signed & { auth: any }> {
  const auth = ok(await gql(url, LOGIN_WECHAT, { code: `good-${suffix}` }, anonymous())).loginWithWechat;
  return { ...signedAs(auth, `o-${suffix}`), auth };
}

async function sendCode(phone: string, purpose: string, headers = anonymous()) {
  return gql(url, SEND, { phone, purpose }, headers);
}

async function smsLogin(phone = uniquePhone()): Promise<Signed & { phone: string }> {
  ok(await sendCode(phone, 'LOGIN'));
  const auth = ok(await gql(url, SMS_LOGIN, { phone, code: lastCodeTo(sms, phone) }, anonymous())).loginWithSmsCode;
  return { ...signedAs(auth), phone };
}

const phoneOf = async (userId: string) => (await db('users').where({ id: userId }).first()).phone;
const identityCount = async (userId: string) => Number((await db('account_platforms').where({ user_id: userId }).count({ n: '*' }).first())!.n);

describe('account states and WeChat encrypted data', () => {
  it('a first mini-program login makes a HALF account; binding the phone of getPhoneNumber makes it FULL', async () => {
    const half = await wechatLogin();
    expect(half.auth.user).toMatchObject({ phone: null, accountState: 'HALF', linkedIdentities: [{ platform: 'WECHAT_MINI_PROGRAM', boundAt: expect.any(String) }] });
    const phone = uniquePhone();
    const input = wechat.encryptFor(half.openid!, { phoneNumber: phone, purePhoneNumber: phone, countryCode: '86' });
    const bound = ok(await gql(url, BIND_PHONE, { input }, half.headers)).bindWechatPhone;
    expect(bound).toEqual({ user: { id: half.userId, phone, accountState: 'FULL', linkedIdentities: [{ platform: 'WECHAT_MINI_PROGRAM' }] }, merged: false, auth: null });
    expect(ok(await gql(url, ME, {}, half.headers)).me).toMatchObject({ phone, accountState: 'FULL' });
    // Others see neither the state nor the identities.
    const other = ok(await gql(url, `{ _entities(representations: [{ __typename: "User", id: "${half.userId}" }]) { ... on User { accountState linkedIdentities { platform } } } }`, {}, anonymous()));
    expect(other._entities[0]).toEqual({ accountState: null, linkedIdentities: [] });
  });

  it('a login whose WeChat answer carries a unionid is FULL at once', async () => {
    const full = await wechatLogin(`u${crypto.randomBytes(6).toString('hex')}`);
    expect(full.auth.user.accountState).toBe('FULL');
    expect(full.auth.user.linkedIdentities.map((i: { platform: string }) => i.platform)).toEqual(['WECHAT_MINI_PROGRAM', 'WECHAT_UNION']);
  });

  it('refuses data watermarked for another app id (BAD_USER_INPUT, WATERMARK_MISMATCH) and changes nothing', async () => {
    const half = await wechatLogin();
    const phone = uniquePhone();
    const input = wechat.encryptFor(half.openid!, { phoneNumber: phone, purePhoneNumber: phone, countryCode: '86' }, 'wx0000000000000000');
    const response = await gql(url, BIND_PHONE, { input }, half.headers);
    expect(codes(response)).toEqual(['BAD_USER_INPUT']);
    expect(response.errors![0].extensions).toMatchObject({ reason: 'WATERMARK_MISMATCH', field: 'encryptedData' });
    expect(await phoneOf(half.userId)).toBeNull();
  });

  it('refuses tampered ciphertext, a wrong iv and data of an older session key (BAD_USER_INPUT) and changes nothing', async () => {
    const half = await wechatLogin();
    const phone = uniquePhone();
    const input = wechat.encryptFor(half.openid!, { phoneNumber: phone, purePhoneNumber: phone, countryCode: '86' });
    const bytes = Buffer.from(input.encryptedData, 'base64');
    bytes[bytes.length - 1] ^= 0x5a; // the padding block
    const tamperedTail = { ...input, encryptedData: bytes.toString('base64') };
    const bytes2 = Buffer.from(input.encryptedData, 'base64');
    bytes2[3] ^= 0x01; // the first block: its plaintext becomes garbage, the JSON breaks
    const tamperedHead = { ...input, encryptedData: bytes2.toString('base64') };
    const wrongIv = { ...input, iv: crypto.randomBytes(16).toString('base64') };
    const notBase64 = { ...input, iv: '***' };
    for (const variant of [tamperedTail, tamperedHead, wrongIv, notBase64]) {
      const response = await gql(url, BIND_PHONE, { input: variant }, half.headers);
      expect(codes(response)).toEqual(['BAD_USER_INPUT']);
    }
    // Logging in again gives a new session key: the older data no longer decrypts.
    await gql(url, LOGIN_WECHAT, { code: `good-${half.openid!.slice(2)}` }, anonymous());
    const stale = await gql(url, BIND_PHONE, { input }, half.headers);
    expect(codes(stale)).toEqual(['BAD_USER_INPUT']);
    expect(stale.errors![0].extensions!.reason).toBe('UNDECRYPTABLE');
    expect(await phoneOf(half.userId)).toBeNull();
  });

  it('keeps the session key sealed and refuses once it expired (UNAUTHENTICATED, WECHAT_SESSION_EXPIRED)', async () => {
    const half = await wechatLogin();
    const row = await db('wechat_sessions').where({ openid: half.openid }).first();
    expect(row.sealed_session_key).not.toContain(wechat.sessionKeys.get(half.openid!));
    expect(row.expires_at.getTime() - Date.now()).toBeGreaterThan(23 * 3600 * 1000);
    await db('wechat_sessions').where({ openid: half.openid }).update({ expires_at: new Date(Date.now() - 1000) });
    const phone = uniquePhone();
    const response = await gql(url, BIND_PHONE, { input: wechat.encryptFor(half.openid!, { phoneNumber: phone, purePhoneNumber: phone, countryCode: '86' }) }, half.headers);
    expect(codes(response)).toEqual(['UNAUTHENTICATED']);
    expect(response.errors![0].extensions!.reason).toBe('WECHAT_SESSION_EXPIRED');
  });

  it('binds with the newer getPhoneNumber code (stable_token, then getuserphonenumber)', async () => {
    const half = await wechatLogin();
    const phone = uniquePhone();
    const code = `phone-${crypto.randomBytes(6).toString('hex')}`;
    wechat.phoneCodes.set(code, phone);
    const bound = ok(await gql(url, BIND_PHONE, { input: { code } }, half.headers)).bindWechatPhone;
    expect(bound.user).toMatchObject({ phone, accountState: 'FULL' });
    expect(wechat.requests).toEqual(expect.arrayContaining(['/cgi-bin/stable_token', '/wxa/business/getuserphonenumber']));
    const again = await gql(url, BIND_PHONE, { input: { code } }, half.headers);
    expect(codes(again)).toEqual(['BAD_USER_INPUT']);
  });

  it('binds the unionid of wx.getUserInfo data, only the caller’s own', async () => {
    const half = await wechatLogin();
    const other = await wechatLogin();
    const unionId = `union-${crypto.randomBytes(6).toString('hex')}`;
    const foreign = wechat.encryptFor(half.openid!, { openId: other.openid, unionId });
    const refused = await gql(url, BIND_UNION, { input: foreign }, half.headers);
    expect(codes(refused)).toEqual(['BAD_USER_INPUT']);
    expect(refused.errors![0].extensions!.reason).toBe('OPENID_MISMATCH');
    const input = wechat.encryptFor(half.openid!, { openId: half.openid, nickName: '微信用户', unionId });
    const bound = ok(await gql(url, BIND_UNION, { input }, half.headers)).bindWechatUnionId;
    expect(bound.user).toMatchObject({ accountState: 'FULL', linkedIdentities: [{ platform: 'WECHAT_MINI_PROGRAM' }, { platform: 'WECHAT_UNION' }] });
    // The same unionid for another account: refused, nothing changed.
    const stolen = await gql(url, BIND_UNION, { input: wechat.encryptFor(other.openid!, { openId: other.openid, unionId }) }, other.headers);
    expect(codes(stolen)).toEqual(['CONFLICT']);
    expect(stolen.errors![0].extensions!.reason).toBe('ACCOUNT_EXISTS');
    expect(await identityCount(other.userId)).toBe(1);
  });
});

describe('identities of many users (no N+1)', () => {
  it('answers payment’s wechatOpenId of 8 users with the same statements as of 1 (users + identities)', async () => {
    const logins = await Promise.all(Array.from({ length: 8 }, () => wechatLogin()));
    const query = 'query($r: [_Any!]!) { _entities(representations: $r) { ... on User { id wechatOpenId } } }';
    const asPayment = asIdentity({ service: 'payment' }, 'user', config);
    const counter = countStatements(db);
    try {
      const one = ok(await gql(url, query, { r: [{ __typename: 'User', id: logins[0].userId }] }, asPayment));
      const forOne = counter.count;
      counter.reset();
      const many = ok(await gql(url, query, { r: logins.map((l) => ({ __typename: 'User', id: l.userId })) }, asPayment));
      expect(forOne).toBe(2);
      expect(counter.count).toBe(forOne);
      expect(one._entities[0].wechatOpenId).toBe(logins[0].openid);
      expect(many._entities.map((u: { wechatOpenId: string }) => u.wechatOpenId)).toEqual(logins.map((l) => l.openid));
    } finally {
      counter.stop();
    }
  });
});

describe('SMS codes', () => {
  it('sends through Tencent Cloud SMS with a signature the provider accepts, and stores only a hash', async () => {
    const phone = uniquePhone();
    const before = sms.sent.length;
    expect(ok(await sendCode(phone, 'LOGIN')).sendSmsCode).toEqual({ expiresInSeconds: 300, resendAfterSeconds: 60 });
    expect(sms.sent.length).toBe(before + 1);
    const message = sms.sent[sms.sent.length - 1];
    expect(message).toEqual({ phone: `+86${phone}`, templateId: '1234567', params: [expect.stringMatching(/^\d{6}$/), '5'], signName: '测试商城', sdkAppId: sms.sdkAppId });
    expect(sms.refused).toEqual([]);
    const row = await db('sms_codes').where({ phone }).first();
    expect(row).toMatchObject({ purpose: 'login', attempts: 0, consumed_at: null });
    expect(row.code_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(row)).not.toContain(`"${message.params[0]}"`);
    expect(row.code_hash).not.toBe(crypto.createHash('sha256').update(message.params[0]).digest('hex'));
  });

  it('quick login creates a FULL account on first use, and the code works once only', async () => {
    const phone = uniquePhone();
    ok(await sendCode(phone, 'LOGIN'));
    const code = lastCodeTo(sms, phone);
    const first = ok(await gql(url, SMS_LOGIN, { phone, code }, anonymous())).loginWithSmsCode;
    expect(first.user).toMatchObject({ phone, accountState: 'FULL', linkedIdentities: [] });
    const reused = await gql(url, SMS_LOGIN, { phone, code }, anonymous());
    expect(codes(reused)).toEqual(['BAD_USER_INPUT']);
    expect(reused.errors![0].extensions).toMatchObject({ reason: 'CODE_INVALID', field: 'code' });
  });

  it('refuses an expired code (CODE_EXPIRED)', async () => {
    const phone = uniquePhone();
    ok(await sendCode(phone, 'LOGIN'));
    await db('sms_codes').where({ phone }).update({ expires_at: new Date(Date.now() - 1000) });
    const response = await gql(url, SMS_LOGIN, { phone, code: lastCodeTo(sms, phone) }, anonymous());
    expect(codes(response)).toEqual(['BAD_USER_INPUT']);
    expect(response.errors![0].extensions!.reason).toBe('CODE_EXPIRED');
    expect(await db('users').where({ phone }).first()).toBeUndefined();
  });

  it('kills a code after SMS_CODE_MAX_ATTEMPTS wrong guesses, even for the right code then', async () => {
    const phone = uniquePhone();
    ok(await sendCode(phone, 'LOGIN'));
    const code = lastCodeTo(sms, phone);
    const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, '0');
    const reasons = [];
    for (let i = 0; i < 3; i++) reasons.push((await gql(url, SMS_LOGIN, { phone, code: wrong }, anonymous())).errors![0].extensions!.reason);
    expect(reasons).toEqual(['CODE_INVALID', 'CODE_INVALID', 'CODE_ATTEMPTS_EXCEEDED']);
    const right = await gql(url, SMS_LOGIN, { phone, code }, anonymous());
    expect(right.errors![0].extensions!.reason).toBe('CODE_ATTEMPTS_EXCEEDED');
    expect(await db('users').where({ phone }).first()).toBeUndefined();
  });

  it('counts concurrent guesses of one code one by one (row lock)', async () => {
    const phone = uniquePhone();
    ok(await sendCode(phone, 'LOGIN'));
    const code = lastCodeTo(sms, phone);
    const wrong = String((Number(code) + 7) % 1_000_000).padStart(6, '0');
    await Promise.all(Array.from({ length: 6 }, () => gql(url, SMS_LOGIN, { phone, code: wrong }, anonymous())));
    expect((await db('sms_codes').where({ phone }).first()).attempts).toBe(3);
  });

  it('throttles: one code per phone and purpose per cooldown, SMS_SEND_MAX_PER_PHONE per phone (RATE_LIMITED)', async () => {
    const phone = uniquePhone();
    ok(await sendCode(phone, 'LOGIN'));
    const again = await sendCode(phone, 'LOGIN');
    expect(codes(again)).toEqual(['RATE_LIMITED']);
    expect(again.errors![0].extensions!.retryAfterSeconds).toBeGreaterThan(0);
    // Other purposes have their own cooldown but share the phone's budget (3 here).
    const signed = await smsLogin();
    ok(await sendCode(phone, 'RESET_PASSWORD'));
    ok(await sendCode(phone, 'BIND_PHONE', signed.headers));
    const sentBefore = sms.sent.length;
    const over = await sendCode(phone, 'REGISTER');
    expect(codes(over)).toEqual(['RATE_LIMITED']);
    expect(sms.sent.length).toBe(sentBefore);
  });

  it('throttles per client address (SMS_SEND_MAX_PER_IP)', async () => {
    // Counts outlive a run in Redis: an address no earlier run used.
    const freshIp = () => `10.${crypto.randomInt(0, 256)}.${crypto.randomInt(0, 256)}.${crypto.randomInt(1, 255)}`;
    const ip = freshIp();
    const from = asIdentity({ clientIp: ip }, 'user', config);
    for (let i = 0; i < 3; i++) ok(await sendCode(uniquePhone(), 'LOGIN', from));
    const over = await sendCode(uniquePhone(), 'LOGIN', from);
    expect(codes(over)).toEqual(['RATE_LIMITED']);
    // Another address is not affected.
    ok(await sendCode(uniquePhone(), 'LOGIN', asIdentity({ clientIp: freshIp() }, 'user', config)));
  });

  it('binds codes to their purpose: a LOGIN code does not register', async () => {
    const phone = uniquePhone();
    ok(await sendCode(phone, 'LOGIN'));
    const response = await gql(url, SMS_REGISTER, { input: { phone, code: lastCodeTo(sms, phone), password: 'secret123' } }, anonymous());
    expect(response.errors![0].extensions!.reason).toBe('CODE_INVALID');
  });

  it('registers with a REGISTER code; a registered phone gets no REGISTER code (CONFLICT)', async () => {
    const phone = uniquePhone();
    ok(await sendCode(phone, 'REGISTER'));
    const auth = ok(await gql(url, SMS_REGISTER, { input: { phone, code: lastCodeTo(sms, phone), password: 'secret123', nickname: '小明' } }, anonymous())).registerWithSmsCode;
    expect(auth.user).toMatchObject({ phone, accountState: 'FULL' });
    expect(ok(await gql(url, LOGIN, { a: phone, p: 'secret123' }, anonymous())).login.accessToken).toBeTruthy();
    // Within the cooldown the throttle answers first (nothing about the phone comes unthrottled) …
    expect(codes(await sendCode(phone, 'REGISTER'))).toEqual(['RATE_LIMITED']);
    // … and a registered phone gets no REGISTER code.
    const existing = await smsLogin();
    const before = sms.sent.length;
    expect(codes(await sendCode(existing.phone, 'REGISTER'))).toEqual(['CONFLICT']);
    expect(sms.sent.length).toBe(before);
  });

  it('resets the password with a RESET_PASSWORD code and ends every session of the account', async () => {
    const account = await smsLogin();
    ok(await sendCode(account.phone, 'RESET_PASSWORD'));
    expect(ok(await gql(url, RESET, { phone: account.phone, code: lastCodeTo(sms, account.phone), p: 'newpass123' }, anonymous())).resetPasswordWithSmsCode).toBe(true);
    const sessions = await db('sessions').where({ user_id: account.userId });
    expect(sessions.length).toBeGreaterThan(0);
    expect(sessions.every((s: { revoked_at: Date | null; revoked_reason: string }) => s.revoked_at && s.revoked_reason === 'password_reset')).toBe(true);
    expect(codes(await gql(url, REFRESH, { t: account.refreshToken }, anonymous()))).toEqual(['UNAUTHENTICATED']);
    expect(ok(await gql(url, LOGIN, { a: account.phone, p: 'newpass123' }, anonymous())).login.accessToken).toBeTruthy();
  });

  it('refuses SMS login, SMS reset and folding for staff accounts (FORBIDDEN, STAFF_ACCOUNT): their password only', async () => {
    const phone = uniquePhone();
    const [{ id }] = await db('users').insert({ phone, nickname: 'staff', password_hash: null }).returning('id');
    const roles = await ensureStaffRoles(db);
    await grantRole(db, String(id), roles.catalog);
    ok(await sendCode(phone, 'LOGIN'));
    const login = await gql(url, SMS_LOGIN, { phone, code: lastCodeTo(sms, phone) }, anonymous());
    expect(codes(login)).toEqual(['FORBIDDEN']);
    expect(login.errors![0].extensions!.reason).toBe('STAFF_ACCOUNT');
    ok(await sendCode(phone, 'RESET_PASSWORD'));
    const reset = await gql(url, RESET, { phone, code: lastCodeTo(sms, phone), p: 'newpass123' }, anonymous());
    expect(reset.errors![0].extensions!.reason).toBe('STAFF_ACCOUNT');
    expect((await db('users').where({ id }).first()).password_hash).toBeNull();
    // A HALF account proving that phone through WeChat is not folded into the staff account either.
    const half = await wechatLogin();
    const fold = await gql(url, BIND_PHONE, { input: wechat.encryptFor(half.openid!, { phoneNumber: phone, purePhoneNumber: phone, countryCode: '86' }) }, half.headers);
    expect(codes(fold)).toEqual(['CONFLICT']);
    expect(fold.errors![0].extensions!.reason).toBe('ACCOUNT_EXISTS');
    expect((await db('users').where({ id: half.userId }).first()).merged_into_user_id).toBeNull();
  });

  it('answers a reset for an unknown phone like any other, without sending anything', async () => {
    const phone = uniquePhone();
    const before = sms.sent.length;
    expect(ok(await sendCode(phone, 'RESET_PASSWORD')).sendSmsCode).toEqual({ expiresInSeconds: 300, resendAfterSeconds: 60 });
    expect(sms.sent.length).toBe(before);
    expect(await db('sms_codes').where({ phone }).first()).toBeUndefined();
  });
});

describe('binding a phone by SMS code, conflicts and races', () => {
  it('binds a phone to a HALF account with a BIND_PHONE code (the code is the asking account’s only)', async () => {
    const half = await wechatLogin();
    const intruder = await wechatLogin();
    const phone = uniquePhone();
    ok(await sendCode(phone, 'BIND_PHONE', half.headers));
    const code = lastCodeTo(sms, phone);
    const stolen = await gql(url, BIND_SMS, { phone, code }, intruder.headers);
    expect(stolen.errors![0].extensions!.reason).toBe('CODE_INVALID');
    const bound = ok(await gql(url, BIND_SMS, { phone, code }, half.headers)).bindPhoneWithSmsCode;
    expect(bound).toMatchObject({ user: { id: half.userId, phone, accountState: 'FULL' }, merged: false, auth: null });
    expect(codes(await sendCode(phone, 'BIND_PHONE'))).toEqual(['UNAUTHENTICATED']);
  });

  it('refuses binding a phone that belongs to another account when this account is FULL (CONFLICT, ACCOUNT_EXISTS), nothing changed', async () => {
    const owner = await smsLogin();
    const caller = await wechatLogin(`u${crypto.randomBytes(6).toString('hex')}`); // FULL (unionid)
    ok(await sendCode(owner.phone, 'BIND_PHONE', caller.headers));
    const code = lastCodeTo(sms, owner.phone);
    const before = { sessions: await db('sessions').where({ user_id: caller.userId }).whereNull('revoked_at'), identities: await identityCount(caller.userId) };
    const response = await gql(url, BIND_SMS, { phone: owner.phone, code }, caller.headers);
    expect(codes(response)).toEqual(['CONFLICT']);
    expect(response.errors![0].extensions!.reason).toBe('ACCOUNT_EXISTS');
    expect(await phoneOf(caller.userId)).toBeNull();
    expect(await phoneOf(owner.userId)).toBe(owner.phone);
    expect(await identityCount(caller.userId)).toBe(before.identities);
    expect(await identityCount(owner.userId)).toBe(0);
    expect((await db('users').where({ id: caller.userId }).first()).merged_into_user_id).toBeNull();
    expect(await db('sessions').where({ user_id: caller.userId }).whereNull('revoked_at')).toHaveLength(before.sessions.length);
    // Nothing changed includes the code: it was not spent.
    expect((await db('sms_codes').where({ phone: owner.phone, purpose: 'bind' }).orderBy('id', 'desc').first()).consumed_at).toBeNull();
  });

  it('refuses folding a HALF account into an account of another WeChat user (same platform), without asking order or payment', async () => {
    const owner = await wechatLogin();
    const phone = uniquePhone();
    ok(await gql(url, BIND_PHONE, { input: wechat.encryptFor(owner.openid!, { phoneNumber: phone, purePhoneNumber: phone, countryCode: '86' }) }, owner.headers));
    const caller = await wechatLogin();
    const response = await gql(url, BIND_PHONE, { input: wechat.encryptFor(caller.openid!, { phoneNumber: phone, purePhoneNumber: phone, countryCode: '86' }) }, caller.headers);
    expect(codes(response)).toEqual(['CONFLICT']);
    expect(response.errors![0].extensions!.reason).toBe('ACCOUNT_EXISTS');
    expect(await identityCount(caller.userId)).toBe(1);
  });

  it('refuses folding a HALF account that owns a family (its families and trial would be stranded), without asking order or payment', async () => {
    const owner = await smsLogin();
    const caller = await wechatLogin();
    const family = ok(
      await gql(
        url,
        'mutation($input: FamilyInput!) { createFamily(input: $input) { id } }',
        { input: { name: '家', contactName: '王五', phone: '13700137000', province: '北京市', city: '北京市', district: '海淀区', detail: '中关村1号' } },
        caller.headers,
      ),
    ).createFamily;
    const response = await gql(url, BIND_PHONE, { input: wechat.encryptFor(caller.openid!, { phoneNumber: owner.phone, purePhoneNumber: owner.phone, countryCode: '86' }) }, caller.headers);
    expect(codes(response)).toEqual(['CONFLICT']);
    expect(response.errors![0].extensions!.reason).toBe('ACCOUNT_EXISTS');
    expect((await db('users').where({ id: caller.userId }).first()).merged_into_user_id).toBeNull();
    expect((await db('families').where({ id: family.id }).first()).owner_id).toBe(caller.userId);
  });

  it('two HALF accounts binding one phone at once: one wins, the other is refused (unique constraint)', async () => {
    for (let round = 0; round < 3; round++) {
      const [a, b] = await Promise.all([wechatLogin(), wechatLogin()]);
      const phone = uniquePhone();
      const payload = { phoneNumber: phone, purePhoneNumber: phone, countryCode: '86' };
      const responses = await Promise.all([
        gql(url, BIND_PHONE, { input: wechat.encryptFor(a.openid!, payload) }, a.headers),
        gql(url, BIND_PHONE, { input: wechat.encryptFor(b.openid!, payload) }, b.headers),
      ]);
      expect(responses.map(codes).sort()).toEqual([[], ['CONFLICT']]);
      const loser = responses.find((r) => r.errors)!;
      expect(loser.errors![0].extensions!.reason).toBe('ACCOUNT_EXISTS');
      expect(await db('users').where({ phone })).toHaveLength(1);
    }
  });
});

describe('binding one unionid twice at once', () => {
  it('lets one account win (unique platform + platform_id), the other is ACCOUNT_EXISTS', async () => {
    for (let round = 0; round < 3; round++) {
      const [a, b] = await Promise.all([wechatLogin(), wechatLogin()]);
      const unionId = `union-${crypto.randomBytes(6).toString('hex')}`;
      const responses = await Promise.all(
        [a, b].map((who) => gql(url, BIND_UNION, { input: wechat.encryptFor(who.openid!, { openId: who.openid, unionId }) }, who.headers)),
      );
      expect(responses.map(codes).sort()).toEqual([[], ['CONFLICT']]);
      expect(await db('account_platforms').where({ platform: 'wechat_union', platform_id: unionId })).toHaveLength(1);
    }
  });
});

describe('SMS provider selection', () => {
  it('refuses to send without a provider (FORBIDDEN, SMS_NOT_CONFIGURED) and stores nothing', async () => {
    const bare = testConfig({ SMS_DEV_LOG: 'false', TENCENT_SMS_SECRET_ID: '' });
    expect(createSmsSender(bare).kind).toBe('unconfigured');
    await expect(createSmsSender(bare).sendCode('13800000000', '123456', 5)).rejects.toMatchObject({ extensions: { code: 'FORBIDDEN', reason: 'SMS_NOT_CONFIGURED' } });
  });

  it('the development stand-in logs the code only in a development mode, never in production', async () => {
    const lines: string[] = [];
    await createDevSmsSender({ isProduction: false }, (line) => lines.push(line)).sendCode('13812345678', '246810', 5);
    expect(lines).toEqual([expect.stringContaining('code 246810 for 138****5678')]);
    expect(() => createDevSmsSender({ isProduction: true })).toThrow(/refused with NODE_ENV=production/);
    expect(createSmsSender(testConfig({ SMS_DEV_LOG: 'true', TENCENT_SMS_SECRET_ID: '' })).kind).toBe('development');
    expect(() => loadConfig({ NODE_ENV: 'production', ...SECRETS, SMS_DEV_LOG: 'true' })).toThrow(/SMS_DEV_LOG=true is refused with NODE_ENV=production/);
    expect(loadConfig({ NODE_ENV: 'production', ...SECRETS }).sms.devLog).toBe(false);
    // Off loopback outside production: off unless asked for.
    expect(loadConfig({ NODE_ENV: 'development', ...SECRETS, HOST: '0.0.0.0' }).sms.devLog).toBe(false);
  });

  it('refuses a partial Tencent key set at start-up, naming what is missing', () => {
    expect(() => loadConfig({ NODE_ENV: 'test', TENCENT_SMS_SECRET_ID: 'AKIDx' })).toThrow(/Tencent Cloud SMS is configured incompletely: TENCENT_SMS_SECRET_KEY/);
  });

  it('a wrong secret key fails at the provider’s signature check: INTERNAL_SERVER_ERROR, the code is withdrawn', async () => {
    const badConfig = testConfig({ ...wechat.env, ...sms.env, TENCENT_SMS_SECRET_KEY: 'not-the-key' });
    const bad = await startSupergraph({ subgraphs: ['user'], router: false, config: badConfig });
    const errors = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      const phone = uniquePhone();
      const response = await gql(bad.subgraphs.user!.url, SEND, { phone, purpose: 'LOGIN' }, anonymousTo('user', badConfig));
      expect(codes(response)).toEqual(['INTERNAL_SERVER_ERROR']);
      expect(sms.refused).toContain('AuthFailure.SignatureFailure');
      expect(await db('sms_codes').where({ phone }).first()).toBeUndefined();
    } finally {
      errors.mockRestore();
      sms.refused.length = 0;
      await bad.stop();
    }
  });

  it('maps Tencent’s per-number daily limit to RATE_LIMITED', async () => {
    const phone = uniquePhone();
    sms.failNumbers.set(`+86${phone}`, 'LimitExceeded.PhoneNumberDailyLimit');
    expect(codes(await sendCode(phone, 'LOGIN'))).toEqual(['RATE_LIMITED']);
  });
});
