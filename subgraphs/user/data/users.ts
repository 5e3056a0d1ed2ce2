/** Data access for the users table. Knows knex, not GraphQL. Password hashes leave this module only through `findCredentials`. */
import type { Knex } from 'knex';

/** A user as the rest of the subgraph sees it: everything but the password hash. */
export interface UserRow {
  id: string;
  phone: string | null;
  email: string | null;
  username: string | null;
  nickname: string | null;
  avatar_url: string | null;
  /** Set when this account was folded into that one (docs/passport.md): it signs in no more. */
  merged_into_user_id: string | null;
  created_at: Date;
  updated_at: Date;
}

const USER_COLUMNS = [
  'id',
  'phone',
  'email',
  'username',
  'nickname',
  'avatar_url',
  'merged_into_user_id',
  'created_at',
  'updated_at',
] as const;

export async function findUsersByIds(db: Knex, ids: readonly string[]): Promise<UserRow[]> {
  return db('users').select(USER_COLUMNS).whereRaw('id = ANY(?::bigint[])', [[...ids]]);
}

export async function findUserById(db: Knex, id: string): Promise<UserRow | undefined> {
  return db('users').select(USER_COLUMNS).where({ id }).first();
}

export type AccountColumn = 'phone' | 'email' | 'username';

export interface Credentials {
  id: string;
  password_hash: string | null;
}

/** The id and password hash of the account whose phone, email or username is `value` (already normalized). */
export async function findCredentials(db: Knex, column: AccountColumn, value: string): Promise<Credentials | undefined> {
  return (
    db('users')
      .select('id', 'password_hash')
      .where(column, value)
      // A disabled back office account signs in no more (back-office.ts).
      .whereNotExists(db('staff_accounts').whereRaw('staff_accounts.user_id = users.id').whereNotNull('disabled_at'))
      .first()
  );
}

/** The account's password hash (null without one), for checking the current password before a change. */
export async function findPasswordHashById(db: Knex, id: string): Promise<string | null | undefined> {
  const row = await db('users').select('password_hash').where({ id }).first();
  return row ? row.password_hash : undefined;
}

export async function phoneExists(db: Knex, phone: string): Promise<boolean> {
  return Boolean(await db('users').select('id').where({ phone }).first());
}

export interface NewUser {
  phone?: string | null;
  email?: string | null;
  username?: string | null;
  password_hash?: string | null;
  nickname?: string | null;
}

/** Inserts a user; a duplicate phone/email/username raises the database's unique violation (23505). */
export async function insertUser(db: Knex, user: NewUser): Promise<UserRow> {
  const [row] = await db('users').insert(user).returning(USER_COLUMNS);
  return row;
}

/** Deletes an account created in this transaction that turned out not to be needed. */
export async function deleteUser(db: Knex, id: string): Promise<void> {
  await db('users').where({ id }).delete();
}

/** The account holding `phone`, if any (row locked when `forUpdate`). */
export async function findUserByPhone(db: Knex, phone: string, forUpdate = false): Promise<UserRow | undefined> {
  const query = db('users').select(USER_COLUMNS).where({ phone });
  if (forUpdate) query.forUpdate();
  return query.first();
}

/** Sets the phone of an account that has none; false when it has one already. A phone owned elsewhere raises 23505. */
export async function setPhoneIfNone(db: Knex, id: string, phone: string): Promise<boolean> {
  const rows = await db('users').where({ id }).whereNull('phone').update({ phone, updated_at: db.fn.now() }).returning('id');
  return rows.length > 0;
}

/** Marks `id` as folded into `intoId`. */
export async function markMerged(db: Knex, id: string, intoId: string): Promise<void> {
  await db('users').where({ id }).update({ merged_into_user_id: intoId, updated_at: db.fn.now() });
}

/** The user's row, locked for the rest of the transaction. */
export async function findUserForUpdate(trx: Knex.Transaction, id: string): Promise<UserRow | undefined> {
  return trx('users').select(USER_COLUMNS).where({ id }).forUpdate().first();
}

export async function setPasswordHash(db: Knex, id: string, passwordHash: string): Promise<void> {
  await db('users').where({ id }).update({ password_hash: passwordHash, updated_at: db.fn.now() });
}

export interface ProfilePatch {
  nickname?: string | null;
  avatar_url?: string | null;
}

export async function updateProfile(db: Knex, id: string, patch: ProfilePatch): Promise<UserRow | undefined> {
  if (!Object.keys(patch).length) return findUserById(db, id);
  const [row] = await db('users').where({ id }).update({ ...patch, updated_at: db.fn.now() }).returning(USER_COLUMNS);
  return row;
}

/** Locks the user's row for the rest of the transaction: address book changes of one user serialize on it. */
export async function lockUser(trx: Knex.Transaction, id: string): Promise<boolean> {
  return Boolean(await trx('users').select('id').where({ id }).forUpdate().first());
}

/** The staff account `username` (lower-cased), created with the hash or given the new hash. */
export async function upsertUsernameAccount(db: Knex, username: string, passwordHash: string, nickname: string): Promise<UserRow> {
  const [row] = await db('users')
    .insert({ username, password_hash: passwordHash, nickname })
    .onConflict('username')
    .merge({ password_hash: passwordHash, updated_at: db.fn.now() })
    .returning(USER_COLUMNS);
  return row;
}
