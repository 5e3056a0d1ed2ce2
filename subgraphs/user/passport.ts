/**
 * Passport (docs/passport.md): account states, third-party identities, SMS codes and binding.
 *
 * - A mini-program login makes a HALF account (only an openid); binding a phone or a unionid makes it FULL.
 * - Binding a phone / unionid that already belongs to another account never merges two accounts that hold anything:
 *   it is refused with CONFLICT (extensions.reason ACCOUNT_EXISTS) and nothing changes — unless the caller's account is
 *   HALF and empty (no orders at order, no wallet money or history at payment, no identity of a platform the other
 *   account already has, no family, family membership or member trial: docs/families.md). Then the caller's identities move to the other account, the caller's account is marked
 *   folded (merged_into_user_id) and its sessions end, and the caller is signed in as the other account.
 */
import type { Knex } from 'knex';
import { badInput, conflict, shopError, unauthenticated } from '../../platform/errors';
import { hashPassword } from '../../platform/password';
import type { UserServices } from './accounts';
import { findIdentity, findIdentitiesByUserIds, findIdentityOfUser, insertIdentityIfAbsent, moveIdentities, type IdentityPlatform, type IdentityRow } from './data/identities';
import { holdsFamilies } from './data/families';
import { revokeUserSessions } from './data/sessions';
import { publishUserRegistered, validateInviteCode } from './registration';
import { findUserById, findUserByPhone, findUserForUpdate, insertUser, markMerged, setPasswordHash, setPhoneIfNone, type UserRow } from './data/users';
import { moveWechatSessions } from './data/wechat-sessions';
import { shopperHasOrders } from './order-client';
import { shopperHoldsMoney } from './payment-client';
import { countSend, deliverCode, withSmsCode, type SmsCodeTicket, type SmsPurpose } from './sms-codes';
import { scopesOf, startSession, type AuthResult } from './tokens';
import { validateNickname, validatePassword, validatePhone } from './validation';
import { decryptWechatData } from './wechat-crypto';
import { liveSessionKey } from './wechat-session-keys';
import { logger } from '../../platform/log';

const log = logger({ component: 'user' });

export type AccountState = 'HALF' | 'FULL';

/** FULL: reachable by more than a mini-program openid — a phone, a unionid, or (staff) a username or email. */
export function accountState(user: UserRow, identities: readonly IdentityRow[]): AccountState {
  if (user.phone || user.username || user.email) return 'FULL';
  return identities.some((identity) => identity.platform === 'wechat_union') ? 'FULL' : 'HALF';
}

/** What a bind answers: the account now holding the identity, and fresh tokens when that is another account. */
export interface BindingResult {
  user: UserRow;
  merged: boolean;
  auth: AuthResult | null;
}

const isUniqueViolation = (error: unknown) => (error as { code?: string })?.code === '23505';

const accountExists = (what: string) =>
  shopError('CONFLICT', `This ${what} already belongs to another account, which cannot be merged with this one`, { reason: 'ACCOUNT_EXISTS' });

const PURPOSES: Record<string, SmsPurpose> = { REGISTER: 'register', LOGIN: 'login', RESET_PASSWORD: 'reset', BIND_PHONE: 'bind' };

/** `sendSmsCode`: see the schema for what each purpose checks before sending. */
export async function sendSmsCode(
  services: UserServices,
  input: { phone: string; purpose: string; userId: string | null; clientIp?: string },
): Promise<SmsCodeTicket> {
  const phone = validatePhone(input.phone);
  const purpose = PURPOSES[input.purpose];
  if (!purpose) throw badInput('Unknown purpose', 'purpose');
  if (purpose === 'bind' && !input.userId) throw unauthenticated();
  await countSend(services, { phone, purpose, clientIp: input.clientIp });
  const owner = await findUserByPhone(services.db, phone);
  let deliver = true;
  if (purpose === 'register' && owner) throw conflict('This phone number is already registered');
  // No account: counted and answered alike, nothing sent (the answer must not tell who has an account).
  if (purpose === 'reset' && !owner) deliver = false;
  if (purpose === 'bind' && owner?.id === input.userId) {
    throw shopError('CONFLICT', 'This phone number is already bound to your account', { reason: 'ALREADY_BOUND' });
  }
  return deliverCode(services, { phone, purpose, userId: purpose === 'bind' ? input.userId : null, deliver });
}

export async function registerWithSmsCode(
  services: UserServices,
  input: { phone: string; code: string; password: string; nickname?: string | null; inviteCode?: string | null },
): Promise<AuthResult> {
  const phone = validatePhone(input.phone);
  const inviteCode = validateInviteCode(input.inviteCode);
  const password = validatePassword(input.password);
  const nickname = input.nickname == null ? null : validateNickname(input.nickname);
  const passwordHash = await hashPassword(password);
  try {
    return await withSmsCode(services, { phone, purpose: 'register', code: input.code, userId: null }, async (trx) => {
      if (await findUserByPhone(trx, phone)) throw conflict('This phone number is already registered');
      const user = await insertUser(trx, { phone, password_hash: passwordHash, nickname: nickname ?? `用户${phone.slice(-4)}` });
      await publishUserRegistered(trx, user.id, inviteCode);
      return startSession(trx, services.config, user, 'sms');
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw conflict('This phone number is already registered');
    throw error;
  }
}

/**
 * Staff accounts (any role) sign in with their password only: a phone proof (SMS code, WeChat phone) is weaker than
 * that (SIM swap) and must not open scopes. Their passwords are set by scripts/create-staff.ts.
 */
async function refuseStaff(db: Knex, userId: string): Promise<void> {
  if ((await scopesOf(db, userId)).length) {
    throw shopError('FORBIDDEN', 'Staff accounts sign in with their password', { reason: 'STAFF_ACCOUNT' });
  }
}

/** Quick login: signs in the phone's account, creating it (FULL, without a password) when there is none. */
export async function loginWithSmsCode(
  services: UserServices,
  input: { phone: string; code: string; inviteCode?: string | null },
): Promise<AuthResult> {
  const phone = validatePhone(input.phone);
  const inviteCode = validateInviteCode(input.inviteCode);
  const run = () =>
    withSmsCode(services, { phone, purpose: 'login', code: input.code, userId: null }, async (trx) => {
      const existing = await findUserByPhone(trx, phone);
      if (existing) await refuseStaff(trx, existing.id);
      let user = existing;
      if (!user) {
        user = await insertUser(trx, { phone, nickname: `用户${phone.slice(-4)}` });
        await publishUserRegistered(trx, user.id, inviteCode);
      }
      return startSession(trx, services.config, user, 'sms');
    });
  try {
    return await run();
  } catch (error) {
    // Two quick logins creating one phone's account at once: the loser's code is rolled back, not spent; tell it to retry.
    if (isUniqueViolation(error)) throw conflict('This phone number was just registered; try again');
    throw error;
  }
}

/** Sets a new password and ends every session of the account (routers refuse their access tokens within seconds). */
export async function resetPasswordWithSmsCode(
  services: UserServices,
  input: { phone: string; code: string; newPassword: string },
): Promise<boolean> {
  const phone = validatePhone(input.phone);
  const password = validatePassword(input.newPassword, 'newPassword');
  const passwordHash = await hashPassword(password);
  const revoked = await withSmsCode(services, { phone, purpose: 'reset', code: input.code, userId: null }, async (trx) => {
    const user = await findUserByPhone(trx, phone, true);
    if (!user) throw badInput('The code is wrong or was already used', 'code');
    await refuseStaff(trx, user.id);
    await setPasswordHash(trx, user.id, passwordHash);
    return revokeUserSessions(trx, user.id, 'password_reset');
  });
  // After the commit, as logout does.
  for (const sessionId of revoked) await services.revocations.revoke(sessionId);
  return true;
}

/** Binds a phone proven by an SMS code to the caller's account (see the module comment for the merge rule). */
export async function bindPhoneWithSmsCode(services: UserServices, userId: string, input: { phone: string; code: string }): Promise<BindingResult> {
  const phone = validatePhone(input.phone);
  const plan = await planBinding(services, userId, { kind: 'phone', value: phone });
  return finishBinding(services, plan, (work) => withSmsCode(services, { phone, purpose: 'bind', code: input.code, userId }, work));
}

/**
 * Binds the phone of the mini-program's getPhoneNumber button: `encryptedData` + `iv` (decrypted with the caller's
 * session key, watermark checked), or the newer `code` (asked of WeChat).
 */
export async function bindWechatPhone(
  services: UserServices,
  userId: string,
  input: { encryptedData?: string | null; iv?: string | null; code?: string | null },
): Promise<BindingResult> {
  let info: Record<string, unknown>;
  if (input.code != null) {
    if (input.encryptedData != null || input.iv != null) throw badInput('Give either code, or encryptedData and iv', 'code');
    const code = input.code.trim();
    if (!/^[\x21-\x7e]{1,128}$/.test(code)) throw badInput('The getPhoneNumber code is malformed', 'code');
    info = (await services.wechat.phoneNumber(code)) as Record<string, unknown>;
    const watermark = info.watermark as { appid?: unknown } | undefined;
    if (watermark?.appid !== services.wechat.appId) throw shopError('BAD_USER_INPUT', 'The phone was issued for another mini-program', { field: 'code', reason: 'WATERMARK_MISMATCH' });
  } else {
    if (input.encryptedData == null || input.iv == null) throw badInput('Give either code, or encryptedData and iv', 'encryptedData');
    info = await decryptWithSession(services, userId, input.encryptedData, input.iv);
  }
  if (String(info.countryCode) !== '86' || typeof info.purePhoneNumber !== 'string') {
    throw shopError('BAD_USER_INPUT', 'Only mainland China mobile numbers can be bound', { field: 'encryptedData', reason: 'PHONE_NOT_SUPPORTED' });
  }
  const phone = validatePhone(info.purePhoneNumber, 'encryptedData');
  const plan = await planBinding(services, userId, { kind: 'phone', value: phone });
  return finishBinding(services, plan, (work) => services.db.transaction(work));
}

/** Binds the unionid in the encrypted data of wx.getUserInfo (it must be the caller's own openid's data). */
export async function bindWechatUnionId(services: UserServices, userId: string, input: { encryptedData: string; iv: string }): Promise<BindingResult> {
  const data = await decryptWithSession(services, userId, input.encryptedData, input.iv);
  const openid = (await findIdentityOfUser(services.db, userId, 'wechat_mp'))?.platform_id;
  if (data.openId !== openid) throw shopError('BAD_USER_INPUT', 'The encrypted data belongs to another WeChat user', { field: 'encryptedData', reason: 'OPENID_MISMATCH' });
  if (typeof data.unionId !== 'string' || !/^[\x21-\x7e]{1,128}$/.test(data.unionId)) {
    throw shopError('BAD_USER_INPUT', 'WeChat gave no unionid (the mini-program is not bound to an open-platform account)', { field: 'encryptedData', reason: 'NO_UNIONID' });
  }
  const plan = await planBinding(services, userId, { kind: 'union', value: data.unionId });
  return finishBinding(services, plan, (work) => services.db.transaction(work));
}

async function decryptWithSession(services: UserServices, userId: string, encryptedData: string, iv: string): Promise<Record<string, unknown>> {
  const identity = await findIdentityOfUser(services.db, userId, 'wechat_mp');
  if (!identity) throw shopError('FORBIDDEN', 'This account did not sign in with WeChat', { reason: 'NOT_A_WECHAT_ACCOUNT' });
  const sessionKey = await liveSessionKey(services.db, services.config, userId, identity.platform_id);
  return decryptWechatData(sessionKey, encryptedData, iv, services.wechat.appId);
}

type Target = { kind: 'phone'; value: string } | { kind: 'union'; value: string };

interface BindingPlan {
  userId: string;
  target: Target;
  /** The other account holding the target when planned, if it may be folded into (the caller was found empty). */
  foldInto: string | null;
}

const ownerOf = async (db: Knex, target: Target, forUpdate = false): Promise<string | null> =>
  target.kind === 'phone'
    ? ((await findUserByPhone(db, target.value, forUpdate))?.id ?? null)
    : ((await findIdentity(db, 'wechat_union', target.value, forUpdate))?.user_id ?? null);

/**
 * Before the transaction (the checks call other services): who holds the target, and whether the caller may be folded
 * into them. Refuses at once what can never succeed.
 */
async function planBinding(services: UserServices, userId: string, target: Target): Promise<BindingPlan> {
  const owner = await ownerOf(services.db, target);
  if (!owner || owner === userId) return { userId, target, foldInto: null };
  const what = target.kind === 'phone' ? 'phone number' : 'WeChat account (unionid)';
  const caller = await findUserById(services.db, userId);
  const identities = await findIdentitiesByUserIds(services.db, [userId, owner]);
  const mine = identities.filter((row) => String(row.user_id) === userId);
  const theirs = new Set(identities.filter((row) => String(row.user_id) === owner).map((row) => row.platform));
  if (!caller || accountState(caller, mine) !== 'HALF') throw accountExists(what);
  // The other account is another WeChat user of this mini-program (or another unionid): folding would lose one of them.
  if (mine.some((row) => theirs.has(row.platform))) throw accountExists(what);
  // Never fold into a staff account: a phone proof must not open scopes (see refuseStaff).
  if ((await scopesOf(services.db, owner)).length) throw accountExists(what);
  // Families, family memberships and a taken trial belong to this account: folding would strand them.
  if (await holdsFamilies(services.db, userId)) throw accountExists(what);
  let hasOrders: boolean;
  let holdsMoney: boolean;
  try {
    [hasOrders, holdsMoney] = await Promise.all([shopperHasOrders(services.peers, userId), shopperHoldsMoney(services.peers, userId)]);
  } catch (error) {
    log.error({ err: error }, `passport: cannot tell whether the account is empty: ${error instanceof Error ? error.message : String(error)}`);
    throw shopError('INTERNAL_SERVER_ERROR', 'Cannot bind right now (the account check is unavailable); try again later');
  }
  if (hasOrders || holdsMoney) throw accountExists(what);
  return { userId, target, foldInto: owner };
}

/** Applies the plan in one transaction (opened by `run`, which may spend an SMS code in it). */
async function finishBinding(
  services: UserServices,
  plan: BindingPlan,
  run: (work: (trx: Knex.Transaction) => Promise<BindingResult & { revoked: string[] }>) => Promise<BindingResult & { revoked: string[] }>,
): Promise<BindingResult> {
  const what = plan.target.kind === 'phone' ? 'phone number' : 'WeChat account (unionid)';
  let result: BindingResult & { revoked: string[] };
  try {
    result = await run(async (trx) => {
      const caller = await findUserForUpdate(trx, plan.userId);
      if (!caller || caller.merged_into_user_id) throw unauthenticated('This account no longer exists; sign in again');
      const owner = await ownerOf(trx, plan.target, true);
      if (!owner || owner === caller.id) return { user: await attach(trx, caller, plan.target), merged: false, auth: null, revoked: [] };
      // Someone took it since the plan, or the plan did not allow folding: never merge unchecked.
      if (owner !== plan.foldInto) throw accountExists(what);
      return fold(services, trx, caller, owner);
    });
  } catch (error) {
    // Two binds of one phone / unionid at once: the unique index lets one win; the other changed nothing.
    if (isUniqueViolation(error)) throw accountExists(what);
    throw error;
  }
  for (const sessionId of result.revoked) await services.revocations.revoke(sessionId);
  return { user: result.user, merged: result.merged, auth: result.auth };
}

async function attach(trx: Knex.Transaction, caller: UserRow, target: Target): Promise<UserRow> {
  if (target.kind === 'phone') {
    if (caller.phone === target.value) return caller;
    if (caller.phone) throw shopError('CONFLICT', 'This account already has a phone number', { reason: 'PHONE_ALREADY_SET' });
    await setPhoneIfNone(trx, caller.id, target.value);
    return { ...caller, phone: target.value };
  }
  const current = await findIdentityOfUser(trx, caller.id, 'wechat_union');
  if (current && current.platform_id !== target.value) throw shopError('CONFLICT', 'This account is bound to another unionid', { reason: 'UNIONID_ALREADY_SET' });
  if (!current && !(await insertIdentityIfAbsent(trx, caller.id, 'wechat_union', target.value))) throw accountExists('WeChat account (unionid)');
  return caller;
}

/** The caller's empty half account goes into `ownerId`: identities and session keys move, its sessions end. */
async function fold(services: UserServices, trx: Knex.Transaction, caller: UserRow, ownerId: string) {
  const owner = await findUserForUpdate(trx, ownerId);
  if (!owner || owner.merged_into_user_id) throw shopError('CONFLICT', 'The other account cannot take this one', { reason: 'ACCOUNT_EXISTS' });
  // Again under the row locks: the caller may have bound something since the plan.
  const identities = await findIdentitiesByUserIds(trx, [caller.id, owner.id]);
  const mine = identities.filter((row) => String(row.user_id) === caller.id);
  const theirs = new Set(identities.filter((row) => String(row.user_id) === owner.id).map((row) => row.platform));
  if (accountState(caller, mine) !== 'HALF' || mine.some((row) => theirs.has(row.platform)) || (await holdsFamilies(trx, caller.id))) {
    throw shopError('CONFLICT', 'The other account cannot take this one', { reason: 'ACCOUNT_EXISTS' });
  }
  await moveIdentities(trx, caller.id, owner.id);
  await moveWechatSessions(trx, caller.id, owner.id);
  await markMerged(trx, caller.id, owner.id);
  const revoked = await revokeUserSessions(trx, caller.id, 'merged');
  const auth = await startSession(trx, services.config, owner, 'merge');
  return { user: owner, merged: true, auth, revoked };
}

/** The WeChat identity platforms as the schema names them. */
export const PLATFORM_NAMES: Record<IdentityPlatform, 'WECHAT_MINI_PROGRAM' | 'WECHAT_UNION'> = {
  wechat_mp: 'WECHAT_MINI_PROGRAM',
  wechat_union: 'WECHAT_UNION',
};
