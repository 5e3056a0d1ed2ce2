/**
 * Data access for third-party identities (seed 002's `account_platform`): one account, many identities, each identity
 * owned by one account at most (unique platform + platform_id), one identity per platform per account. Knows knex,
 * not GraphQL.
 */
import type { Knex } from 'knex';

/** wechat_mp: the openid of our mini-program; wechat_union: the unionid of the WeChat open platform. */
export type IdentityPlatform = 'wechat_mp' | 'wechat_union';

export interface IdentityRow {
  id: string;
  user_id: string;
  platform: IdentityPlatform;
  platform_id: string;
  created_at: Date;
}

const COLUMNS = ['id', 'user_id', 'platform', 'platform_id', 'created_at'] as const;

export async function findIdentitiesByUserIds(db: Knex, userIds: readonly string[]): Promise<IdentityRow[]> {
  return db('account_platforms').select(COLUMNS).whereRaw('user_id = ANY(?::bigint[])', [[...userIds]]).orderBy('id');
}

/** The identity `platform_id` of `platform` (row locked when `forUpdate`). */
export async function findIdentity(db: Knex, platform: IdentityPlatform, platformId: string, forUpdate = false): Promise<IdentityRow | undefined> {
  const query = db('account_platforms').select(COLUMNS).where({ platform, platform_id: platformId });
  if (forUpdate) query.forUpdate();
  return query.first();
}

export async function findIdentityOfUser(db: Knex, userId: string, platform: IdentityPlatform): Promise<IdentityRow | undefined> {
  return db('account_platforms').select(COLUMNS).where({ user_id: userId, platform }).first();
}

/**
 * Attaches the identity to the user unless it (or another identity of that platform of the user) exists: returns
 * whether it was inserted. Never raises on those duplicates, so a transaction can go on and look at who holds it.
 */
export async function insertIdentityIfAbsent(db: Knex, userId: string, platform: IdentityPlatform, platformId: string): Promise<boolean> {
  const rows = await db('account_platforms').insert({ user_id: userId, platform, platform_id: platformId }).onConflict().ignore().returning('id');
  return rows.length > 0;
}

/** Moves every identity of `fromUserId` to `toUserId` (the caller checked the other account has none of those platforms). */
export async function moveIdentities(db: Knex, fromUserId: string, toUserId: string): Promise<number> {
  const moved = await db('account_platforms').where({ user_id: fromUserId }).update({ user_id: toUserId }).returning('id');
  return moved.length;
}
