/**
 * The merchant back office's rules (seed 001; docs/back-office.md): the directory (branches, franchisees, stores by
 * business code), staff accounts scoped to stores, custom roles, and "may account X act for store S".
 *
 * Who reaches what: `store:admin` manages the directory, accounts and roles; a super-admin (all_stores, the seed's
 * pid = 0) reaches every store, any other administrator only the stores assigned to it — it sees, creates and changes
 * accounts of those stores only, and cannot make super-admins. Acting at a store (`store:operate`: identify members,
 * redeem coupons, terminals) needs the store assigned (or all_stores), checked against the database on every call so a
 * change of stores, a disabled account or a revoked terminal applies at once.
 */
import type { Knex } from 'knex';
import { ALL_SCOPES, type Scope } from '../../platform/identity';
import { badInput, conflict, forbidden, notFound, shopError, unauthenticated } from '../../platform/errors';
import { isBigintId } from '../../platform/loaders';
import { hashPassword, verifyPassword } from '../../platform/password';
import type { SessionRevocations } from '../../platform/session-revocation';
import {
  findByCodes,
  findIdByCode,
  pageDirectory,
  updateStoreBusinessStatus,
  upsertByCode,
  type DirectoryFilter,
  type DirectoryKind,
  type BranchRow,
  type FranchiseeRow,
  type StoreRow,
} from './data/directory';
import { findRoleId, upsertRole } from './data/roles';
import { revokeOtherSessions, revokeUserSessions } from './data/sessions';
import {
  deleteRole,
  findRolesByNames,
  findStaffAccountsByIds,
  findStoreAccess,
  findStoreIdsOfAccounts,
  insertStaffAccount,
  listRoles,
  lockStaffAccount,
  replaceAccountStores,
  replaceUserRoles,
  setStaffDisabled,
  rolesOfUsers,
  updateStaffAccountRow,
  type RoleRow,
  type StaffAccountFilter,
  type StaffAccountRow,
} from './data/staff-accounts';
import { findPasswordHashById, insertUser, setPasswordHash } from './data/users';
import { STAFF_ROLES } from './staff';
import { validatePassword, validatePhone, validateUsername } from './validation';

export const ADMIN_SCOPE: Scope = 'store:admin';
export const OPERATE_SCOPE: Scope = 'store:operate';
/** Role definitions: their permissions (here) and their console menus (console-menus.ts). */
export const ROLES_SCOPE: Scope = 'staff:admin';

/** A batch look-up by codes takes at most this many (seed: "批量门店编号"). */
export const MAX_CODES = 500;

const CODE = /^[A-Za-z0-9_-]{1,32}$/;
const CONTROL = /\p{Cc}/u;

export function validateCode(raw: string, field = 'code'): string {
  const code = raw.trim();
  if (!CODE.test(code)) throw badInput('A code is 1–32 letters, digits, "-" or "_"', field);
  return code;
}

function validateText(raw: string | null | undefined, field: string, max: number, required: boolean): string | null {
  const value = (raw ?? '').trim();
  if (!value) {
    if (required) throw badInput(`${field} must not be empty`, field);
    return null;
  }
  if ([...value].length > max) throw badInput(`${field} must be at most ${max} characters`, field);
  if (CONTROL.test(value)) throw badInput(`${field} must not contain control characters`, field);
  return value;
}

export function validateCodes(codes: readonly string[] | null | undefined, field = 'codes'): string[] | undefined {
  if (codes === null || codes === undefined) return undefined;
  if (codes.length > MAX_CODES) throw badInput(`At most ${MAX_CODES} codes at once`, field);
  return [...new Set(codes.map((code) => validateCode(code, field)))];
}

export function directoryFilter(filter: {
  codes?: string[] | null;
  keyword?: string | null;
  status?: string | null;
  businessStatus?: string | null;
  franchiseeCode?: string | null;
  branchCode?: string | null;
} | null | undefined): DirectoryFilter {
  if (!filter) return {};
  return {
    codes: validateCodes(filter.codes),
    keyword: validateText(filter.keyword, 'keyword', 64, false) ?? undefined,
    status: filter.status ?? undefined,
    businessStatus: filter.businessStatus ?? undefined,
    franchiseeCode: filter.franchiseeCode ? validateCode(filter.franchiseeCode, 'franchiseeCode') : undefined,
    branchCode: filter.branchCode ? validateCode(filter.branchCode, 'branchCode') : undefined,
  };
}

// ---- Who the caller is in the back office ----

/** The stores a caller reaches: every one (super-admin) or a list of ids. */
export type Reach = { all: true } | { all: false; storeIds: string[] };

/** The caller's reach; a user without an enabled staff account reaches no store. */
export async function reachOf(db: Knex, userId: string): Promise<Reach> {
  const [account] = await findStaffAccountsByIds(db, [userId]);
  if (!account || account.disabled_at) return { all: false, storeIds: [] };
  if (account.all_stores) return { all: true };
  const rows = await findStoreIdsOfAccounts(db, [userId]);
  return { all: false, storeIds: rows.map((row) => String(row.store_id)) };
}

const reaches = (reach: Reach, storeId: string) => reach.all || reach.storeIds.includes(storeId);

function requireSuperAdmin(reach: Reach): void {
  if (!reach.all) throw forbidden('Only a super-admin (all stores) may change the directory');
}

// ---- Directory ----

export async function pageStores(db: Knex, reach: Reach, filter: DirectoryFilter, limit: number, afterId: string | null): Promise<StoreRow[]> {
  return pageDirectory<StoreRow>(db, 'stores', reach.all ? filter : { ...filter, storeIds: reach.storeIds }, limit, afterId);
}

export async function storeByCode(db: Knex, reach: Reach, rawCode: string): Promise<StoreRow> {
  const code = validateCode(rawCode);
  const [store] = await findByCodes<StoreRow>(db, 'stores', [code]);
  // Another store looks like no store: an account does not learn which codes exist beyond its own.
  if (!store || !reaches(reach, String(store.id))) throw notFound(`No store ${code}`);
  return store;
}

const status = (value: string | null | undefined) => value ?? 'ACTIVE';

export async function upsertBranch(db: Knex, reach: Reach, input: { code: string; name: string; status?: string | null }) {
  requireSuperAdmin(reach);
  const code = validateCode(input.code);
  return upsertByCode<BranchRow>(db, 'sales_branches', code, { name: validateText(input.name, 'name', 64, true), status: status(input.status) });
}

export async function upsertFranchisee(
  db: Knex,
  reach: Reach,
  input: { code: string; name: string; contactName?: string | null; contactPhone?: string | null; status?: string | null },
) {
  requireSuperAdmin(reach);
  const code = validateCode(input.code);
  return upsertByCode<FranchiseeRow>(db, 'franchisees', code, {
    name: validateText(input.name, 'name', 64, true),
    contact_name: validateText(input.contactName, 'contactName', 32, false),
    contact_phone: validateText(input.contactPhone, 'contactPhone', 20, false),
    status: status(input.status),
  });
}

async function idOf(db: Knex, table: DirectoryKind, code: string | null | undefined, field: string): Promise<string | null> {
  if (!code) return null;
  const id = await findIdByCode(db, table, validateCode(code, field));
  if (!id) throw badInput(`No ${table === 'franchisees' ? 'franchisee' : 'sales branch'} with code ${code}`, field);
  return id;
}

export async function upsertStore(
  db: Knex,
  reach: Reach,
  input: {
    code: string;
    name: string;
    franchiseeCode?: string | null;
    branchCode?: string | null;
    address?: string | null;
    phone?: string | null;
    status?: string | null;
    businessStatus?: string | null;
  },
): Promise<StoreRow> {
  requireSuperAdmin(reach);
  const code = validateCode(input.code);
  const values = {
    name: validateText(input.name, 'name', 64, true),
    franchisee_id: await idOf(db, 'franchisees', input.franchiseeCode, 'franchiseeCode'),
    branch_id: await idOf(db, 'sales_branches', input.branchCode, 'branchCode'),
    address: validateText(input.address, 'address', 200, false),
    phone: validateText(input.phone, 'phone', 20, false),
    status: status(input.status),
    business_status: input.businessStatus ?? 'OPEN',
  };
  return upsertByCode<StoreRow>(db, 'stores', code, values);
}

export async function setBusinessStatus(db: Knex, reach: Reach, rawCode: string, businessStatus: string): Promise<StoreRow> {
  const store = await storeByCode(db, reach, rawCode);
  return (await updateStoreBusinessStatus(db, store.code, businessStatus))!;
}

// ---- Store access (the question other subgraphs ask) ----

export interface StoreAccessView {
  userId: string;
  storeCode: string;
  storeId: string | null;
  allowed: boolean;
  reason: string | null;
  terminalId: string | null;
}

/** For each pair, in the order asked, whether the account may act for the store now (one statement for the batch). */
export async function storeAccess(db: Knex, pairs: readonly { userId: string; storeCode: string }[]): Promise<StoreAccessView[]> {
  if (pairs.length > MAX_CODES) throw badInput(`At most ${MAX_CODES} checks at once`, 'checks');
  const valid = pairs.filter((pair) => isBigintId(pair.userId));
  const rows = valid.length ? await findStoreAccess(db, valid) : [];
  const byKey = new Map(rows.map((row) => [`${row.user_id}\u0000${row.store_code}`, row]));
  return pairs.map(({ userId, storeCode }) => {
    const row = byKey.get(`${userId}\u0000${storeCode}`);
    const view = (allowed: boolean, reason: string | null): StoreAccessView => ({
      userId,
      storeCode,
      storeId: row?.store_id ?? null,
      allowed,
      reason,
      terminalId: row?.terminal_id ?? null,
    });
    if (!row?.store_id) return view(false, 'NO_SUCH_STORE');
    if (row.store_status !== 'ACTIVE') return view(false, 'STORE_DISABLED');
    if (!row.account) return view(false, 'NOT_STAFF');
    if (row.disabled) return view(false, 'ACCOUNT_DISABLED');
    if (row.terminal_revoked) return view(false, 'TERMINAL_REVOKED');
    if (row.all_stores || row.assigned) return view(true, null);
    return view(false, 'NOT_ASSIGNED');
  });
}

/** The store a store:operate caller acts for, or NOT_FOUND / FORBIDDEN (with the reason). */
export async function requireStoreAccess(db: Knex, userId: string, rawCode: string): Promise<StoreAccessView> {
  const storeCode = validateCode(rawCode, 'storeCode');
  const [access] = await storeAccess(db, [{ userId, storeCode }]);
  if (access.reason === 'NO_SUCH_STORE') throw notFound(`No store ${storeCode}`);
  if (!access.allowed) throw shopError('FORBIDDEN', `This account cannot act for store ${storeCode}`, { reason: access.reason });
  return access;
}

// ---- Roles and permissions ----

export const PERMISSIONS: Record<Scope, string> = {
  'catalog:write': 'Products, SKUs, prices, stock',
  'promote:write': 'Coupon templates and codes',
  'order:write': 'Shipping orders, after-sales',
  'payment:refund': 'Refunds',
  'review:moderate': 'Hiding and restoring reviews',
  'member:write': 'Membership activation codes',
  'subscription:erp': 'Subscription packages (ERP)',
  'open:admin': 'The open platform: apps, APIs, grants',
  'clients:admin': 'Client releases: persisted-operation manifests and safelist modes',
  'store:admin': 'Back office: stores, franchisees, branches, staff accounts (giving only roles within one’s own permissions)',
  'store:operate': 'At one’s own stores: member identification, coupon redemption, terminals, statistics',
  'staff:admin': 'Staff roles: their permissions and the console menus each role sees',
  'customer:read': 'Shoppers: look-up, profile, addresses and wallet (every detail read audited)',
};

export interface RoleView {
  id: string;
  name: string;
  scopes: string[];
  builtIn: boolean;
}

const roleView = (row: RoleRow): RoleView => ({ id: String(row.id), name: row.name, scopes: row.scopes, builtIn: Object.hasOwn(STAFF_ROLES, row.name) });

export async function roles(db: Knex): Promise<RoleView[]> {
  return (await listRoles(db)).map(roleView);
}

export async function role(db: Knex, name: string): Promise<RoleView> {
  const found = (await roles(db)).find((r) => r.name === name);
  if (!found) throw notFound(`No role ${name}`);
  return found;
}

const ROLE_NAME = /^[a-z][a-z0-9_-]{1,31}$/;

function validateScopes(scopes: readonly string[]): Scope[] {
  for (const scope of scopes) {
    if (!(ALL_SCOPES as string[]).includes(scope)) throw badInput(`Unknown permission ${scope} (one of: ${ALL_SCOPES.join(', ')})`, 'scopes');
  }
  return [...new Set(scopes)] as Scope[];
}

function requireCustom(name: string): void {
  if (Object.hasOwn(STAFF_ROLES, name)) throw shopError('CONFLICT', `${name} is a built-in role and cannot be changed`, { reason: 'BUILT_IN_ROLE' });
}

export async function createRole(db: Knex, name: string, scopes: readonly string[], definerScopes: readonly string[]): Promise<RoleView> {
  if (!ROLE_NAME.test(name)) throw badInput('A role name is 2–32 lower-case letters, digits, "-" or "_", starting with a letter', 'name');
  requireCustom(name);
  const valid = validateScopes(scopes);
  // A staff:admin defines roles only of permissions it holds: else it could give its own role every scope.
  requireWithinGrantor([{ name, scopes: valid }], definerScopes, 'You cannot define the role');
  await db.transaction(async (trx) => {
    if (await findRoleId(trx, name)) throw conflict(`The role ${name} exists already`);
    await upsertRole(trx, name, valid);
  });
  return role(db, name);
}

export async function updateRole(db: Knex, name: string, scopes: readonly string[], definerScopes: readonly string[]): Promise<RoleView> {
  requireCustom(name);
  const valid = validateScopes(scopes);
  requireWithinGrantor([{ name, scopes: valid }], definerScopes, 'You cannot define the role');
  await db.transaction(async (trx) => {
    if (!(await findRoleId(trx, name))) throw notFound(`No role ${name}`);
    await upsertRole(trx, name, valid);
  });
  return role(db, name);
}

export async function removeRole(db: Knex, name: string): Promise<boolean> {
  requireCustom(name);
  return deleteRole(db, name);
}

// ---- Staff accounts ----

/** What a caller may give: its own scopes, and store:operate for a store:admin (see requireWithinGrantor). */
function grantableBy(grantorScopes: readonly string[]): Set<string> {
  const grantable = new Set<string>(grantorScopes);
  if (grantable.has(ADMIN_SCOPE)) grantable.add(OPERATE_SCOPE);
  return grantable;
}

/**
 * Refuses roles holding a permission the caller may not give: a role is given only by someone holding every one of its
 * permissions, so a franchisee's admin (store:admin over its own stores) can never make an account with, say,
 * payment:refund or open:admin, which reach the whole shop. The one exception is store:operate, which a store:admin
 * gives without holding it: it acts only at the account's stores, and those are within the giver's reach (storeIds
 * checks them), so it gives nothing beyond what the giver already administers. The same rule guards taking over an
 * account (its password, its roles, disabling it) and defining a role.
 */
function requireWithinGrantor(roles: readonly { name: string; scopes: readonly string[] }[], grantorScopes: readonly string[], what: string): void {
  const grantable = grantableBy(grantorScopes);
  for (const role of roles) {
    const above = role.scopes.filter((scope) => !grantable.has(scope));
    if (above.length) {
      throw shopError('FORBIDDEN', `${what} ${role.name}: it holds permissions you do not have (${above.join(', ')})`, {
        reason: 'ROLE_ABOVE_GRANTOR',
        field: 'roles',
      });
    }
  }
}

/** Ids of the roles to give, each within what the caller may give (requireWithinGrantor). */
async function roleIds(db: Knex, names: readonly string[], grantorScopes: readonly string[]): Promise<string[]> {
  const unique = [...new Set(names)];
  const found = await findRolesByNames(db, unique);
  const missing = unique.filter((name) => !found.some((row) => row.name === name));
  if (missing.length) throw badInput(`No role ${missing.join(', ')}`, 'roles');
  requireWithinGrantor(found, grantorScopes, 'You cannot give the role');
  return found.map((row) => String(row.id));
}

/**
 * An account the caller reaches and may act on: none of its roles above what the caller may give. Otherwise a
 * franchisee's admin could reset the password of (or strip) an account a super-admin gave, say, payment:refund at
 * one of its stores, and sign in as it.
 */
async function manageableAccount(db: Knex, reach: Reach, grantorScopes: readonly string[], id: string): Promise<StaffAccountRow> {
  const account = await accountInReach(db, reach, id);
  const names = (await rolesOfUsers(db, [id])).map((row) => row.name);
  if (names.length) requireWithinGrantor(await findRolesByNames(db, names), grantorScopes, 'You cannot manage an account with the role');
  return account;
}

/** Store ids of the codes, each within the caller's reach. */
async function storeIds(db: Knex, reach: Reach, codes: readonly string[]): Promise<string[]> {
  const valid = validateCodes(codes, 'storeCodes')!;
  const stores = await findByCodes<StoreRow>(db, 'stores', valid);
  const missing = valid.filter((code) => !stores.some((store) => store.code === code));
  if (missing.length) throw badInput(`No store ${missing.slice(0, 5).join(', ')}`, 'storeCodes');
  const outside = stores.filter((store) => !reaches(reach, String(store.id)));
  if (outside.length) throw forbidden(`You cannot give stores you do not act for yourself (${outside[0].code})`);
  return stores.map((store) => String(store.id));
}

export function accountFilter(
  reach: Reach,
  filter: { realName?: string | null; phone?: string | null; disabled?: boolean | null } | null | undefined,
  storeId: string | undefined,
): StaffAccountFilter {
  const phone = filter?.phone?.trim() || undefined;
  if (phone && !/^\d{1,20}$/.test(phone)) throw badInput('Search a phone by its digits (its beginning)', 'phone');
  return {
    realName: validateText(filter?.realName, 'realName', 32, false) ?? undefined,
    phone,
    disabled: filter?.disabled ?? undefined,
    storeId,
    withinStoreIds: reach.all ? undefined : reach.storeIds,
  };
}

/** The account, if the caller reaches it: a super-admin every one, others those sharing one of their stores. */
export async function accountInReach(db: Knex, reach: Reach, id: string): Promise<StaffAccountRow> {
  const [account] = isBigintId(id) ? await findStaffAccountsByIds(db, [id]) : [];
  if (!account) throw notFound('No such staff account');
  if (!reach.all) {
    const stores = (await findStoreIdsOfAccounts(db, [id])).map((row) => String(row.store_id));
    if (account.all_stores || !stores.some((storeId) => reach.storeIds.includes(storeId))) throw notFound('No such staff account');
  }
  return account;
}

const isUniqueViolation = (error: unknown) => (error as { code?: string })?.code === '23505';

export async function createAccount(
  db: Knex,
  reach: Reach,
  actor: { userId: string; scopes: readonly string[] },
  input: { username: string; password: string; realName: string; phone?: string | null; roles: string[]; storeCodes: string[]; allStores?: boolean | null },
): Promise<string> {
  const username = validateUsername(input.username);
  validatePassword(input.password);
  const realName = validateText(input.realName, 'realName', 32, true)!;
  const phone = input.phone ? validatePhone(input.phone) : null;
  if (input.allStores && !reach.all) throw forbidden('Only a super-admin may create super-admins');
  const roleIdList = await roleIds(db, input.roles, actor.scopes);
  const stores = await storeIds(db, reach, input.storeCodes);
  // An account made by a franchisee's admin with no store would be out of its own reach at once.
  if (!reach.all && !stores.length) throw badInput('Give the account at least one of your stores', 'storeCodes');
  const passwordHash = await hashPassword(input.password);
  try {
    return await db.transaction(async (trx) => {
      const user = await insertUser(trx, { username, password_hash: passwordHash, nickname: realName });
      await insertStaffAccount(trx, { user_id: user.id, real_name: realName, phone, all_stores: Boolean(input.allStores), created_by: actor.userId });
      await replaceUserRoles(trx, user.id, roleIdList);
      await replaceAccountStores(trx, user.id, stores);
      return user.id;
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw conflict(`The username ${username} is taken`);
    throw error;
  }
}

export async function updateAccount(
  db: Knex,
  reach: Reach,
  grantorScopes: readonly string[],
  id: string,
  input: { realName?: string | null; phone?: string | null; roles?: string[] | null; storeCodes?: string[] | null; allStores?: boolean | null },
): Promise<void> {
  const account = await manageableAccount(db, reach, grantorScopes, id);
  if (account.terminal_id) throw shopError('CONFLICT', 'A terminal’s account changes with its terminal', { reason: 'TERMINAL_ACCOUNT' });
  if (input.allStores !== undefined && input.allStores !== null && input.allStores !== account.all_stores && !reach.all) {
    throw forbidden('Only a super-admin may make or unmake super-admins');
  }
  const patch: Record<string, unknown> = {};
  if (input.realName !== undefined && input.realName !== null) patch.real_name = validateText(input.realName, 'realName', 32, true);
  if (input.phone !== undefined) patch.phone = input.phone ? validatePhone(input.phone) : null;
  if (input.allStores !== undefined && input.allStores !== null) patch.all_stores = input.allStores;
  const roleIdList = input.roles ? await roleIds(db, input.roles, grantorScopes) : null;
  const stores = input.storeCodes ? await storeIds(db, reach, input.storeCodes) : null;
  // As at creation: an account emptied of a franchisee's admin's stores would be out of its reach at once.
  if (stores && !stores.length && !reach.all) throw badInput('Give the account at least one of your stores', 'storeCodes');
  await db.transaction(async (trx) => {
    await lockStaffAccount(trx, id);
    if (Object.keys(patch).length) await updateStaffAccountRow(trx, id, patch);
    if (roleIdList) await replaceUserRoles(trx, id, roleIdList);
    if (stores) {
      // Stores outside the caller's reach stay as they are: a franchisee's admin edits its own part of the list.
      const kept = reach.all ? [] : (await findStoreIdsOfAccounts(trx, [id])).map((row) => String(row.store_id)).filter((s) => !reach.storeIds.includes(s));
      await replaceAccountStores(trx, id, [...new Set([...stores, ...kept])]);
    }
  });
}

/** Ends every session of the account, here and (announced) at every router. */
export async function endSessions(db: Knex, revocations: SessionRevocations, id: string, reason: 'disabled' | 'password_reset'): Promise<void> {
  const ended = await revokeUserSessions(db, id, reason);
  for (const sessionId of ended) await revocations.revoke(sessionId);
}

export async function setDisabled(
  db: Knex,
  revocations: SessionRevocations,
  reach: Reach,
  actor: { userId: string; scopes: readonly string[] },
  id: string,
  disabled: boolean,
): Promise<void> {
  await manageableAccount(db, reach, actor.scopes, id);
  const actorId = actor.userId;
  if (disabled && id === actorId) throw shopError('CONFLICT', 'You cannot disable your own account', { reason: 'SELF' });
  await setStaffDisabled(db, id, disabled);
  if (disabled) await endSessions(db, revocations, id, 'disabled');
}

export async function resetPassword(
  db: Knex,
  revocations: SessionRevocations,
  reach: Reach,
  grantorScopes: readonly string[],
  id: string,
  password: string,
): Promise<void> {
  const account = await manageableAccount(db, reach, grantorScopes, id);
  if (account.terminal_id) throw shopError('CONFLICT', 'A terminal signs in with its device secret', { reason: 'TERMINAL_ACCOUNT' });
  validatePassword(password);
  await setPasswordHash(db, id, await hashPassword(password));
  await endSessions(db, revocations, id, 'password_reset');
}

/**
 * 修改当前账号密码: the signed-in account changes its own password, knowing the current one; every other session ends
 * (the one making the change goes on).
 */
export async function changeOwnPassword(
  db: Knex,
  revocations: SessionRevocations,
  userId: string,
  sessionId: string | undefined,
  currentPassword: string,
  newPassword: string,
): Promise<boolean> {
  const hash = await findPasswordHashById(db, userId);
  if (!hash || !(await verifyPassword(currentPassword, hash))) throw unauthenticated('The current password is wrong');
  validatePassword(newPassword, 'newPassword');
  await setPasswordHash(db, userId, await hashPassword(newPassword));
  const keep = sessionId && isBigintId(sessionId) ? sessionId : null;
  for (const id of await revokeOtherSessions(db, userId, keep, 'password_reset')) await revocations.revoke(id);
  return true;
}
