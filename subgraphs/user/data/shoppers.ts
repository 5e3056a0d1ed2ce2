/**
 * Data access for staff reads of shoppers (docs/shoppers.md): the look-up by mobile, id or nickname prefix, and the
 * access log of personal-data reads. Knows knex, not GraphQL; the rules (who, what is masked) are in shoppers.ts.
 */
import type { Knex } from 'knex';
import type { UserRow } from './users';

export interface ShopperFilter {
  /** Exact mainland mobile number. */
  mobile?: string;
  userId?: string;
  /** The beginning of the nickname (case-sensitive, as stored). */
  nicknamePrefix?: string;
}

export type ShopperAccessKind = 'PROFILE' | 'WALLET';

export interface ShopperAccessRow {
  id: string;
  staff_user_id: string;
  shopper_id: string;
  what: ShopperAccessKind;
  created_at: Date;
}

const SHOPPER_COLUMNS = ['u.id', 'u.phone', 'u.email', 'u.username', 'u.nickname', 'u.avatar_url', 'u.merged_into_user_id', 'u.created_at', 'u.updated_at'];

/** LIKE's own characters matched literally. */
const escapeLike = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * Shoppers (accounts holding no staff role: staff accounts are the back office's business, not customer service's)
 * matching every condition given, newest first, keyset by id; `limit` one more than shown.
 */
export async function pageShoppers(db: Knex, filter: ShopperFilter, limit: number, afterId: string | null): Promise<UserRow[]> {
  const query = db('users as u')
    .select(SHOPPER_COLUMNS)
    .whereNotExists(db('user_roles as ur').select(db.raw('1')).whereRaw('ur.user_id = u.id'))
    .orderBy('u.id', 'desc')
    .limit(limit);
  if (filter.mobile !== undefined) query.where('u.phone', filter.mobile);
  if (filter.userId !== undefined) query.where('u.id', filter.userId);
  if (filter.nicknamePrefix !== undefined) query.whereRaw("u.nickname LIKE ? ESCAPE '\\'", [`${escapeLike(filter.nicknamePrefix)}%`]);
  if (afterId) query.where('u.id', '<', afterId);
  return query;
}

/** One shopper (no staff role), or undefined. */
export async function findShopper(db: Knex, id: string): Promise<UserRow | undefined> {
  const [row] = await pageShoppers(db, { userId: id }, 1, null);
  return row;
}

/** Records reads of shoppers' personal data: one row per shopper read. */
export async function insertShopperAccess(db: Knex, staffUserId: string, shopperIds: readonly string[], what: ShopperAccessKind): Promise<void> {
  if (!shopperIds.length) return;
  await db('shopper_access_log').insert(shopperIds.map((shopper_id) => ({ staff_user_id: staffUserId, shopper_id, what })));
}

/** A page of the access log, newest first (of one shopper when given); `limit` one more than shown. */
/** The access log's conditions, all optional: `from` inclusive, `to` exclusive. */
export interface ShopperAccessFilter {
  shopperId?: string;
  staffUserId?: string;
  from?: Date;
  to?: Date;
}

export async function pageShopperAccess(db: Knex, filter: ShopperAccessFilter, limit: number, afterId: string | null): Promise<ShopperAccessRow[]> {
  const query = db<ShopperAccessRow>('shopper_access_log').select('*').orderBy('id', 'desc').limit(limit);
  if (filter.shopperId) query.where('shopper_id', filter.shopperId);
  if (filter.staffUserId) query.where('staff_user_id', filter.staffUserId);
  if (filter.from) query.where('created_at', '>=', filter.from);
  if (filter.to) query.where('created_at', '<', filter.to);
  if (afterId) query.where('id', '<', afterId);
  const rows = await query;
  return rows.map((row) => ({ ...row, id: String(row.id), staff_user_id: String(row.staff_user_id), shopper_id: String(row.shopper_id) }));
}
