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
  wechat_openid: string | null;
  wechat_unionid: string | null;
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
  'wechat_openid',
  'wechat_unionid',
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
  return db('users').select('id', 'password_hash').where(column, value).first();
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
  wechat_openid?: string | null;
  wechat_unionid?: string | null;
}

/** Inserts a user; a duplicate phone/email/username/openid raises the database's unique violation (23505). */
export async function insertUser(db: Knex, user: NewUser): Promise<UserRow> {
  const [row] = await db('users').insert(user).returning(USER_COLUMNS);
  return row;
}

/** Inserts the WeChat user unless that openid exists already (two first sign-ins racing); either way returns it. */
export async function findOrInsertWechatUser(
  db: Knex,
  user: { wechat_openid: string; wechat_unionid: string | null; nickname: string },
): Promise<{ user: UserRow; created: boolean }> {
  const inserted: UserRow[] = await db('users').insert(user).onConflict('wechat_openid').ignore().returning(USER_COLUMNS);
  if (inserted.length) return { user: inserted[0], created: true };
  const existing: UserRow = await db('users').select(USER_COLUMNS).where({ wechat_openid: user.wechat_openid }).first();
  return { user: existing, created: false };
}

export async function setWechatUnionid(db: Knex, id: string, unionid: string): Promise<void> {
  await db('users').where({ id }).whereNull('wechat_unionid').update({ wechat_unionid: unionid, updated_at: db.fn.now() });
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
