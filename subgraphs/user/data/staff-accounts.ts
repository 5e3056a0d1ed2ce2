/** Data access for back office staff accounts, their stores, and custom roles. Knows knex, not GraphQL. */
import type { Knex } from 'knex';

export interface StaffAccountRow {
  /** The users row it is (the id other subgraphs know). */
  id: string;
  username: string | null;
  real_name: string;
  phone: string | null;
  all_stores: boolean;
  disabled_at: Date | null;
  created_by: string | null;
  created_at: Date;
  updated_at: Date;
  /** Set when the account is a terminal's (terminals.user_id). */
  terminal_id: string | null;
}

const selectAccounts = (db: Knex) =>
  db('staff_accounts as a')
    .join('users as u', 'u.id', 'a.user_id')
    .leftJoin('terminals as t', 't.user_id', 'a.user_id')
    .select(
      { id: 'a.user_id' },
      'u.username',
      'a.real_name',
      'a.phone',
      'a.all_stores',
      'a.disabled_at',
      'a.created_by',
      'a.created_at',
      'a.updated_at',
      { terminal_id: 't.id' },
    );

export async function findStaffAccountsByIds(db: Knex, ids: readonly string[]): Promise<StaffAccountRow[]> {
  return selectAccounts(db).whereRaw('a.user_id = ANY(?::bigint[])', [[...ids]]);
}

export interface StaffAccountFilter {
  realName?: string;
  phone?: string;
  storeId?: string;
  disabled?: boolean;
  /** Accounts sharing a store with these (a franchisee's admin sees its own people only). */
  withinStoreIds?: string[];
}

const escapeLike = (value: string) => value.replace(/[\\%_]/g, (c) => `\\${c}`);

/** Keyset page of people's accounts (terminals' accounts are listed with their terminals), newest first. */
export async function pageStaffAccounts(db: Knex, filter: StaffAccountFilter, limit: number, afterId: string | null): Promise<StaffAccountRow[]> {
  const query = selectAccounts(db).whereNull('t.id').orderBy('a.user_id', 'desc').limit(limit);
  if (afterId) query.where('a.user_id', '<', afterId);
  if (filter.realName) query.whereRaw(`a.real_name ILIKE ? ESCAPE '\\'`, [`%${escapeLike(filter.realName)}%`]);
  if (filter.phone) query.whereRaw(`a.phone LIKE ? ESCAPE '\\'`, [`${escapeLike(filter.phone)}%`]);
  if (filter.disabled !== undefined) query.where((q) => (filter.disabled ? q.whereNotNull('a.disabled_at') : q.whereNull('a.disabled_at')));
  if (filter.storeId) query.whereExists(db('staff_account_stores as s').whereRaw('s.user_id = a.user_id').andWhere('s.store_id', filter.storeId));
  if (filter.withinStoreIds) {
    query.whereExists(db('staff_account_stores as s').whereRaw('s.user_id = a.user_id').whereRaw('s.store_id = ANY(?::bigint[])', [filter.withinStoreIds]));
  }
  return query;
}

export async function insertStaffAccount(
  db: Knex,
  row: { user_id: string; real_name: string; phone: string | null; all_stores: boolean; created_by: string | null },
): Promise<void> {
  await db('staff_accounts').insert(row);
}

/** Makes the user a staff account if it is not one (a super-admin when `allStores`; an existing one only gains that). */
export async function ensureStaffAccount(db: Knex, userId: string, realName: string, allStores: boolean): Promise<void> {
  const insert = db('staff_accounts').insert({ user_id: userId, real_name: realName, all_stores: allStores }).onConflict('user_id');
  await (allStores ? insert.merge({ all_stores: true }) : insert.ignore());
}

export async function lockStaffAccount(trx: Knex.Transaction, userId: string): Promise<boolean> {
  return Boolean(await trx('staff_accounts').select('user_id').where({ user_id: userId }).forUpdate().first());
}

export async function updateStaffAccountRow(db: Knex, userId: string, patch: Record<string, unknown>): Promise<void> {
  await db('staff_accounts').where({ user_id: userId }).update({ ...patch, updated_at: db.fn.now() });
}

export async function setStaffDisabled(db: Knex, userId: string, disabled: boolean): Promise<boolean> {
  const rows = await db('staff_accounts')
    .where({ user_id: userId })
    .update({ disabled_at: disabled ? db.raw('coalesce(disabled_at, now())') : null, updated_at: db.fn.now() })
    .returning('user_id');
  return rows.length > 0;
}

/** Whether the user is a disabled staff account (sign-in refuses it). */
export async function isDisabledStaff(db: Knex, userId: string): Promise<boolean> {
  return Boolean(await db('staff_accounts').select('user_id').where({ user_id: userId }).whereNotNull('disabled_at').first());
}

export interface AccountStoreRow {
  user_id: string;
  store_id: string;
}

export async function findStoreIdsOfAccounts(db: Knex, userIds: readonly string[]): Promise<AccountStoreRow[]> {
  return db('staff_account_stores').select('user_id', 'store_id').whereRaw('user_id = ANY(?::bigint[])', [[...userIds]]).orderBy(['user_id', 'store_id']);
}

/** Makes the account's stores exactly `storeIds`. */
export async function replaceAccountStores(db: Knex, userId: string, storeIds: readonly string[]): Promise<void> {
  await db('staff_account_stores').where({ user_id: userId }).whereNot((q) => q.whereIn('store_id', [...storeIds])).delete();
  if (storeIds.length) {
    await db('staff_account_stores')
      .insert(storeIds.map((store_id) => ({ user_id: userId, store_id })))
      .onConflict(['user_id', 'store_id'])
      .ignore();
  }
}

export interface StoreAccessRow {
  user_id: string;
  store_code: string;
  store_id: string | null;
  store_status: string | null;
  account: boolean;
  all_stores: boolean;
  disabled: boolean;
  assigned: boolean;
  terminal_id: string | null;
  terminal_revoked: boolean;
}

/**
 * For each (user, store code) pair, in one statement: whether the store exists, whether the user is a (disabled) staff
 * account, acts for all stores, is assigned the store, and is a terminal (revoked or not).
 */
export async function findStoreAccess(db: Knex, pairs: readonly { userId: string; storeCode: string }[]): Promise<StoreAccessRow[]> {
  const { rows } = await db.raw(
    `SELECT p.user_id::text AS user_id, p.store_code, s.id::text AS store_id, s.status AS store_status,
            (a.user_id IS NOT NULL) AS account, coalesce(a.all_stores, false) AS all_stores,
            (a.disabled_at IS NOT NULL) AS disabled,
            EXISTS (SELECT 1 FROM staff_account_stores x WHERE x.user_id = p.user_id AND x.store_id = s.id) AS assigned,
            t.id::text AS terminal_id, (t.revoked_at IS NOT NULL) AS terminal_revoked
       FROM unnest(?::bigint[], ?::text[]) AS p(user_id, store_code)
       LEFT JOIN stores s ON s.code = p.store_code
       LEFT JOIN staff_accounts a ON a.user_id = p.user_id
       LEFT JOIN terminals t ON t.user_id = p.user_id`,
    [pairs.map((p) => p.userId), pairs.map((p) => p.storeCode)],
  );
  return rows;
}

// Custom roles: the `roles` / `role_scopes` tables of staff.ts (built-in roles are kept by ensureStaffRoles).

export interface RoleRow {
  id: string;
  name: string;
  scopes: string[];
  created_at: Date;
}

export async function listRoles(db: Knex): Promise<RoleRow[]> {
  return db('roles as r')
    .leftJoin('role_scopes as s', 's.role_id', 'r.id')
    .groupBy('r.id')
    .select('r.id', 'r.name', 'r.created_at', db.raw(`coalesce(array_agg(s.scope ORDER BY s.scope) FILTER (WHERE s.scope IS NOT NULL), '{}') AS scopes`))
    .orderBy('r.name');
}

/** The named roles with their scopes (one statement). */
export async function findRolesByNames(db: Knex, names: readonly string[]): Promise<{ id: string; name: string; scopes: string[] }[]> {
  return db('roles as r')
    .leftJoin('role_scopes as s', 's.role_id', 'r.id')
    .whereIn('r.name', [...names])
    .groupBy('r.id')
    .select('r.id', 'r.name', db.raw(`coalesce(array_agg(s.scope ORDER BY s.scope) FILTER (WHERE s.scope IS NOT NULL), '{}') AS scopes`));
}

export async function deleteRole(db: Knex, name: string): Promise<boolean> {
  return (await db('roles').where({ name }).delete()) > 0;
}

export async function rolesOfUsers(db: Knex, userIds: readonly string[]): Promise<{ user_id: string; name: string }[]> {
  return db('user_roles as ur')
    .join('roles as r', 'r.id', 'ur.role_id')
    .select('ur.user_id', 'r.name')
    .whereRaw('ur.user_id = ANY(?::bigint[])', [[...userIds]])
    .orderBy(['ur.user_id', 'r.name']);
}

/** Makes the user's roles exactly `roleIds`. */
export async function replaceUserRoles(db: Knex, userId: string, roleIds: readonly string[]): Promise<void> {
  await db('user_roles').where({ user_id: userId }).whereNot((q) => q.whereIn('role_id', [...roleIds])).delete();
  if (roleIds.length) {
    await db('user_roles')
      .insert(roleIds.map((role_id) => ({ user_id: userId, role_id })))
      .onConflict(['user_id', 'role_id'])
      .ignore();
  }
}
