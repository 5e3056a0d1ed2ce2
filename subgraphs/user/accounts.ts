/**
 * Signing up, signing in (password, WeChat), refreshing, signing out and profile changes. Validates before writing;
 * each write that must land together runs in one transaction.
 */
import crypto from 'node:crypto';
import type { Knex } from 'knex';
import type { MiniProgramCodes } from './mini-program-codes';
import type { Config } from '../../platform/config';
import type { SessionRevocations } from '../../platform/session-revocation';
import { badInput, conflict, notFound, rateLimited, unauthenticated } from '../../platform/errors';
import { isBigintId } from '../../platform/loaders';
import { burnPasswordCheck, hashPassword, needsRehash, verifyPassword } from '../../platform/password';
import { hitOrThrow, retryAfterSeconds, ruleOf, type RateLimiter, type RateLimitRule } from '../../platform/rate-limit';
import { revokeSession } from './data/sessions';
import type { ServiceClient } from '../../platform/service-client';
import { findIdentity, findIdentityOfUser, insertIdentityIfAbsent } from './data/identities';
import { deleteUser, findCredentials, findUserById, insertUser, phoneExists, setPasswordHash, updateProfile as updateProfileRow, type UserRow } from './data/users';
import type { SmsSender } from './sms-provider';
import { keepSessionKey } from './wechat-session-keys';
import { publishUserRegistered, validateInviteCode } from './registration';
import { rotateRefreshToken, startSession, type AuthResult } from './tokens';
import { parseAccount, validateProfileInput, validateRegisterInput } from './validation';
import type { WechatSessionProvider } from './wechat';

/** What the account operations need, built once per subgraph instance. */
export interface UserServices {
  db: Knex;
  config: Config;
  limiter: RateLimiter;
  wechat: WechatSessionProvider;
  /** Where ended sessions are announced to the routers, which then refuse their access tokens (docs/security.md). */
  revocations: SessionRevocations;
  /** Sends SMS one-time codes (sms-provider.ts). */
  sms: SmsSender;
  /** Signed calls to other subgraphs (order, payment: passport's merge rule). */
  peers: ServiceClient;
  /** Mini-program code images for sharing (mini-program-codes.ts). */
  codes?: MiniProgramCodes;
}

/** One message for every sign-in mismatch (unknown account, wrong password, no password): no account enumeration. */
export const WRONG_CREDENTIALS = 'Wrong account or password';
const PHONE_TAKEN = 'This phone number is already registered';

/** Rate-limit keys carry a hash, never the phone or email itself. */
const limiterKey = (kind: string, value: string) => `${kind}:${crypto.createHash('sha256').update(value).digest('hex').slice(0, 32)}`;

const loginRule = (config: Config): RateLimitRule => ({
  limit: config.loginRateLimit.maxFailures,
  windowMs: config.loginRateLimit.windowSeconds * 1000,
});
const registerRule = (config: Config): RateLimitRule => ({
  limit: config.registerRateLimit.maxAttempts,
  windowMs: config.registerRateLimit.windowSeconds * 1000,
});

/**
 * Counts one attempt from the caller's address (the router's signed `clientIp`; absent only on calls that did not come
 * through the router, which have no address to count). Returns the key to refund, if any.
 */
async function hitAddress(services: UserServices, clientIp: string | undefined, kind: string, rule: RateLimitRule, message: string) {
  if (!clientIp) return undefined;
  const key = limiterKey(`${kind}-ip`, clientIp);
  await hitOrThrow(services.limiter, key, rule, message);
  return key;
}

const FROM_ADDRESS = 'from this network address; try again later';

const isUniqueViolation = (error: unknown) => (error as { code?: string })?.code === '23505';

export async function register(
  services: UserServices,
  input: { phone: string; password: string; nickname?: string | null; inviteCode?: string | null },
  clientIp?: string,
): Promise<AuthResult> {
  const { db, config, limiter } = services;
  const values = validateRegisterInput(input);
  const inviteCode = validateInviteCode(input.inviteCode);
  await hitAddress(services, clientIp, 'register', ruleOf(config.throttle.registerPerIp), `Too many sign-up attempts ${FROM_ADDRESS}`);
  const attempt = await limiter.hit(limiterKey('register', values.phone), registerRule(config));
  if (!attempt.allowed) throw rateLimited('Too many sign-up attempts for this phone number; try again later', retryAfterSeconds(attempt));
  // Hashing (tens of ms of CPU) happens before the transaction, so the transaction stays short.
  const passwordHash = await hashPassword(values.password);
  try {
    return await db.transaction(async (trx) => {
      if (await phoneExists(trx, values.phone)) throw conflict(PHONE_TAKEN);
      const user = await insertUser(trx, {
        phone: values.phone,
        password_hash: passwordHash,
        nickname: values.nickname ?? `用户${values.phone.slice(-4)}`,
      });
      await publishUserRegistered(trx, user.id, inviteCode);
      return startSession(trx, config, user, 'register');
    });
  } catch (error) {
    // Two sign-ups with one phone at the same time: the unique index decides.
    if (isUniqueViolation(error)) throw conflict(PHONE_TAKEN);
    throw error;
  }
}

/**
 * Every attempt counts against the account's window before the password is checked (so parallel guesses cannot
 * slip past the limit); a success clears the count, so in effect failures are what is limited.
 * Unknown accounts cost the same scrypt work as known ones.
 */
export async function login(
  services: UserServices,
  input: { account: string; password: string },
  clientIp?: string,
): Promise<AuthResult> {
  const { db, config, limiter } = services;
  const account = parseAccount(input.account);
  // Per address too (many accounts guessed from one place), counted the same way: successes are given back.
  const ipRule = ruleOf(config.throttle.loginPerIp);
  const ipKey = await hitAddress(services, clientIp, 'login', ipRule, `Too many failed sign-ins ${FROM_ADDRESS}`);
  const rule = loginRule(config);
  const key = limiterKey('login', `${account.column}:${account.value}`);
  const attempt = await limiter.hit(key, rule);
  if (!attempt.allowed) throw rateLimited('Too many failed sign-ins for this account; try again later', retryAfterSeconds(attempt));

  const credentials = await findCredentials(db, account.column, account.value);
  let verified = false;
  if (credentials?.password_hash) verified = await verifyPassword(input.password, credentials.password_hash);
  else await burnPasswordCheck(input.password);
  if (!credentials || !verified) throw unauthenticated(WRONG_CREDENTIALS);

  await limiter.reset(key, rule);
  if (ipKey) await limiter.refund(ipKey, ipRule);
  // Stored with older scrypt parameters: upgrade now that the plain password is at hand.
  const upgradedHash = needsRehash(credentials.password_hash!) ? await hashPassword(input.password) : null;
  return db.transaction(async (trx) => {
    const user = await findUserById(trx, credentials.id);
    if (!user) throw unauthenticated(WRONG_CREDENTIALS);
    if (upgradedHash) await setPasswordHash(trx, user.id, upgradedHash);
    return startSession(trx, config, user, 'password');
  });
}

const WECHAT_CODE = /^[\x21-\x7e]{1,128}$/;

/**
 * A WeChat user seen for the first time gets a HALF account (only the openid; FULL at once when WeChat also gives a
 * unionid, or joins the account that already holds that unionid); a known openid signs in to its account. The login's
 * session key is kept sealed for later decryption (wechat-session-keys.ts).
 */
export async function loginWithWechat(services: UserServices, rawCode: string, clientIp?: string, rawInviteCode?: string | null): Promise<AuthResult> {
  const { db, config, wechat } = services;
  // Every attempt counts: each one costs a call to WeChat (whose quota is per app, shared by every shopper).
  await hitAddress(services, clientIp, 'wechat', ruleOf(config.throttle.wechatPerIp), `Too many WeChat sign-ins ${FROM_ADDRESS}`);
  const code = rawCode.trim();
  if (!WECHAT_CODE.test(code)) throw badInput('The WeChat login code is malformed', 'code');
  const inviteCode = validateInviteCode(rawInviteCode);
  const session = await wechat.exchange(code);
  return db.transaction(async (trx) => {
    const user = await wechatAccount(trx, session.openid, session.unionid, inviteCode);
    // A unionid already held by another account is left there (never merged at login; see docs/passport.md).
    if (session.unionid && !(await findIdentityOfUser(trx, user.id, 'wechat_union'))) {
      await insertIdentityIfAbsent(trx, user.id, 'wechat_union', session.unionid);
    }
    await keepSessionKey(trx, config, user.id, session.openid, session.sessionKey);
    return startSession(trx, config, user, 'wechat');
  });
}

/** The account of the openid, created (or found by its unionid) on first sight; safe when first logins race. */
async function wechatAccount(trx: Knex.Transaction, openid: string, unionid: string | undefined, inviteCode: string | null): Promise<UserRow> {
  const known = await findIdentity(trx, 'wechat_mp', openid);
  if (known) return (await findUserById(trx, known.user_id))!;
  const byUnion = unionid ? await findIdentity(trx, 'wechat_union', unionid) : undefined;
  if (byUnion && !(await findIdentityOfUser(trx, byUnion.user_id, 'wechat_mp'))) {
    if (await insertIdentityIfAbsent(trx, byUnion.user_id, 'wechat_mp', openid)) return (await findUserById(trx, byUnion.user_id))!;
  } else {
    const created = await insertUser(trx, { nickname: '微信用户' });
    if (await insertIdentityIfAbsent(trx, created.id, 'wechat_mp', openid)) {
      // Only an account made here is new: an openid joining its unionid's account is not a registration.
      await publishUserRegistered(trx, created.id, inviteCode);
      return created;
    }
    await deleteUser(trx, created.id);
  }
  // Another first login of this openid committed meanwhile (the insert above waited for it): its account it is.
  const winner = await findIdentity(trx, 'wechat_mp', openid);
  return (await findUserById(trx, winner!.user_id))!;
}

export async function refresh(services: UserServices, token: string, clientIp?: string): Promise<AuthResult> {
  const { db, config, limiter } = services;
  await hitAddress(services, clientIp, 'refresh', ruleOf(config.throttle.refreshPerIp), `Too many token refreshes ${FROM_ADDRESS}`);
  // Per session (refresh-token family): a client stuck in a refresh loop is stopped before it writes a token each time.
  const sessionRule = ruleOf(config.throttle.refreshPerSession);
  const result = await rotateRefreshToken(db, config, token, (sessionKey) =>
    hitOrThrow(limiter, limiterKey('refresh-session', sessionKey), sessionRule, 'This session refreshes its token too often; try again later'),
  );
  if (!result.ok) {
    // Committed above: the session is over, so are its access tokens (a thief may hold one).
    if (result.reason === 'reused') await services.revocations.revoke(result.sessionId);
    throw unauthenticated(
      result.reason === 'reused'
        ? 'This refresh token was already used: the session has been ended for safety, sign in again'
        : 'Refresh token is invalid, expired or revoked; sign in again',
    );
  }
  return result.auth;
}

/**
 * Ends the caller's session (the `sid` of its access token): its refresh tokens here, its access tokens at every router
 * (within SESSION_REVOCATION_POLL_MS of this answer) and with them its open subscriptions. False when the token carries
 * no session of theirs.
 */
export async function logout({ db, revocations }: UserServices, userId: string, sessionId: string | undefined): Promise<boolean> {
  if (!sessionId || !isBigintId(sessionId)) return false;
  const ended = await revokeSession(db, sessionId, 'logout', userId);
  // After the commit: a revocation announced for a logout that then failed would end a session that goes on. Logging
  // out twice announces it again (harmless), which also repairs an announcement lost to a Redis outage.
  if (ended) await revocations.revoke(sessionId);
  return ended;
}

export async function updateProfile(
  { db }: UserServices,
  userId: string,
  input: { nickname?: string | null; avatarUrl?: string | null },
): Promise<UserRow> {
  const patch = validateProfileInput(input);
  const user = await updateProfileRow(db, userId, patch);
  if (!user) throw notFound('User not found');
  return user;
}
