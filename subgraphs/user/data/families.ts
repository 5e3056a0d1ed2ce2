/**
 * Data access for families, their members, member trials, activation codes and access-risk rows. Knows knex, not
 * GraphQL; the rules (caps, one default, once-only trials, code use) live in families.ts, membership.ts and
 * activation-codes.ts.
 */
import type { Knex } from 'knex';

export type VipLevel = 'NONE' | 'TRIAL' | 'FORMAL';

export interface FamilyRow {
  id: string;
  owner_id: string;
  name: string;
  contact_name: string;
  phone: string;
  province: string;
  city: string;
  district: string;
  detail: string;
  is_default: boolean;
  vip_level: VipLevel;
  vip_expires_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

export type FamilyFields = Pick<FamilyRow, 'name' | 'contact_name' | 'phone' | 'province' | 'city' | 'district' | 'detail'>;

export interface FamilyMemberRow {
  family_id: string;
  user_id: string;
  added_at: Date;
}

/** Families by id, one statement per batch. */
export async function findFamiliesByIds(db: Knex, ids: readonly string[]): Promise<FamilyRow[]> {
  return db<FamilyRow>('families').whereRaw('id = ANY(?::bigint[])', [[...ids]]);
}

/** The family, locked for the rest of the transaction (membership changes of one family serialize on it). */
export async function lockFamily(trx: Knex.Transaction, id: string): Promise<FamilyRow | undefined> {
  return trx<FamilyRow>('families').where({ id }).forUpdate().first();
}

export async function countOwnedFamilies(db: Knex, ownerId: string): Promise<number> {
  const row = await db('families').where({ owner_id: ownerId }).count<{ count: string | number }>({ count: '*' }).first();
  return Number(row?.count ?? 0);
}

export async function insertFamily(db: Knex, ownerId: string, fields: FamilyFields, isDefault: boolean): Promise<FamilyRow> {
  const [row] = await db<FamilyRow>('families').insert({ ...fields, owner_id: ownerId, is_default: isDefault }).returning('*');
  return row;
}

export async function updateFamilyFields(db: Knex, id: string, fields: FamilyFields): Promise<FamilyRow> {
  const [row] = await db<FamilyRow>('families').where({ id }).update({ ...fields, updated_at: db.fn.now() }).returning('*');
  return row;
}

/** Moves the owner's default to `id` (un-default first: the partial unique index allows one at a time). */
export async function moveDefault(db: Knex, ownerId: string, id: string): Promise<void> {
  await db('families').where({ owner_id: ownerId, is_default: true }).whereNot({ id }).update({ is_default: false, updated_at: db.fn.now() });
  await db('families').where({ id, owner_id: ownerId }).update({ is_default: true, updated_at: db.fn.now() });
}

export async function setMembership(db: Knex, id: string, level: VipLevel, expiresAt: Date): Promise<FamilyRow> {
  const [row] = await db<FamilyRow>('families')
    .where({ id })
    .update({ vip_level: level, vip_expires_at: expiresAt, updated_at: db.fn.now() })
    .returning('*');
  return row;
}

/** The ids of the families each user owns or belongs to, for a batch of users in one statement. */
export async function findFamilyIdsOfUsers(db: Knex, userIds: readonly string[]): Promise<{ user_id: string; family_id: string; owned: boolean }[]> {
  const result = await db.raw(
    `SELECT f.owner_id::text AS user_id, f.id::text AS family_id, true AS owned, f.is_default, f.id AS sort_id
       FROM families f WHERE f.owner_id = ANY(?::bigint[])
     UNION ALL
     SELECT m.user_id::text, m.family_id::text, false, false, m.family_id
       FROM family_members m WHERE m.user_id = ANY(?::bigint[])
     ORDER BY user_id, owned DESC, is_default DESC, sort_id`,
    [[...userIds], [...userIds]],
  );
  return result.rows;
}

/** Members of a batch of families, in the order they were added. */
export async function findMembersOfFamilies(db: Knex, familyIds: readonly string[]): Promise<FamilyMemberRow[]> {
  return db<FamilyMemberRow>('family_members')
    .whereRaw('family_id = ANY(?::bigint[])', [[...familyIds]])
    .orderBy([{ column: 'family_id' }, { column: 'added_at' }, { column: 'user_id' }]);
}

/** Whether the user owns or belongs to a family, or had a trial (passport's fold rule: such an account is not empty). */
export async function holdsFamilies(db: Knex, userId: string): Promise<boolean> {
  const result = await db.raw(
    `SELECT EXISTS (SELECT 1 FROM families WHERE owner_id = ?)
         OR EXISTS (SELECT 1 FROM family_members WHERE user_id = ?)
         OR EXISTS (SELECT 1 FROM member_trials WHERE user_id = ?) AS holds`,
    [userId, userId, userId],
  );
  return Boolean(result.rows[0]?.holds);
}

export async function countMembers(db: Knex, familyId: string): Promise<number> {
  const row = await db('family_members').where({ family_id: familyId }).count<{ count: string | number }>({ count: '*' }).first();
  return Number(row?.count ?? 0);
}

export async function isMember(db: Knex, familyId: string, userId: string): Promise<boolean> {
  return Boolean(await db('family_members').where({ family_id: familyId, user_id: userId }).first('user_id'));
}

export async function insertMember(db: Knex, familyId: string, userId: string): Promise<boolean> {
  const rows = await db('family_members').insert({ family_id: familyId, user_id: userId }).onConflict(['family_id', 'user_id']).ignore().returning('user_id');
  return rows.length > 0;
}

export async function deleteMember(db: Knex, familyId: string, userId: string): Promise<boolean> {
  return (await db('family_members').where({ family_id: familyId, user_id: userId }).delete()) > 0;
}

export async function memberIdsOf(db: Knex, familyId: string): Promise<string[]> {
  const rows = await db('family_members').where({ family_id: familyId }).orderBy('added_at').select('user_id');
  return rows.map((row: { user_id: string }) => String(row.user_id));
}

// ---- trials ----------------------------------------------------------------------------------------------------

/**
 * Records the trial of (user, family); false when either already had one. ON CONFLICT DO NOTHING covers both unique
 * constraints, and waits for a concurrent insert of the same key to commit or roll back before deciding.
 */
export async function insertTrial(trx: Knex.Transaction, userId: string, familyId: string, expiresAt: Date): Promise<boolean> {
  const result = await trx.raw(
    'INSERT INTO member_trials (user_id, family_id, expires_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING RETURNING id',
    [userId, familyId, expiresAt],
  );
  return result.rows.length > 0;
}

export async function usersWithTrial(db: Knex, userIds: readonly string[]): Promise<string[]> {
  const rows = await db('member_trials').whereRaw('user_id = ANY(?::bigint[])', [[...userIds]]).select('user_id');
  return rows.map((row: { user_id: string }) => String(row.user_id));
}

export async function familiesWithTrial(db: Knex, familyIds: readonly string[]): Promise<string[]> {
  const rows = await db('member_trials').whereRaw('family_id = ANY(?::bigint[])', [[...familyIds]]).select('family_id');
  return rows.map((row: { family_id: string }) => String(row.family_id));
}

// ---- activation codes ------------------------------------------------------------------------------------------

export interface BatchRow {
  id: string;
  cycle_days: number;
  purpose: string;
  code_count: number;
  created_by: string;
  created_at: Date;
  unused: number;
  used: number;
  canceled: number;
}

export async function insertBatch(
  trx: Knex.Transaction,
  batch: { cycleDays: number; purpose: string; createdBy: string },
  codeHashes: string[],
): Promise<string> {
  const [row] = await trx('activation_code_batches')
    .insert({ cycle_days: batch.cycleDays, purpose: batch.purpose, code_count: codeHashes.length, created_by: batch.createdBy })
    .returning('id');
  const batchId = String(row.id);
  await trx('activation_codes').insert(codeHashes.map((code_hash) => ({ batch_id: batchId, code_hash })));
  return batchId;
}

/** Batches newest first with their counts by status: one statement. */
export async function listBatches(db: Knex, limit: number, onlyId?: string): Promise<BatchRow[]> {
  const query = db('activation_code_batches as b')
    .leftJoin('activation_codes as c', 'c.batch_id', 'b.id')
    .groupBy('b.id')
    .orderBy('b.id', 'desc')
    .limit(limit)
    .select(
      'b.*',
      db.raw(`count(*) FILTER (WHERE c.status = 'OK')::int AS unused`),
      db.raw(`count(*) FILTER (WHERE c.status = 'USED')::int AS used`),
      db.raw(`count(*) FILTER (WHERE c.status = 'CANCELED')::int AS canceled`),
    );
  if (onlyId) query.where('b.id', onlyId);
  return query;
}

/** Cancels unused codes of a batch (the given hashes, or all). Returns how many. */
export async function cancelCodes(db: Knex, batchId: string, codeHashes: string[] | null): Promise<number> {
  const query = db('activation_codes').where({ batch_id: batchId, status: 'OK' });
  if (codeHashes) query.whereRaw('code_hash = ANY(?)', [codeHashes]);
  return query.update({ status: 'CANCELED', canceled_at: db.fn.now() });
}

/**
 * Marks an unused code used, atomically: of two concurrent uses of one code exactly one gets the row back (the other
 * waits on the row lock, then finds it no longer OK). Returns the days it grants, or null.
 */
export async function useCode(
  trx: Knex.Transaction,
  codeHash: string,
  use: { userId: string; familyId: string; ip: string | null },
): Promise<number | null> {
  const result = await trx.raw(
    `UPDATE activation_codes c SET status = 'USED', used_by = ?, used_family_id = ?, used_ip = ?, used_at = now()
       FROM activation_code_batches b
      WHERE c.code_hash = ? AND c.status = 'OK' AND b.id = c.batch_id
      RETURNING b.cycle_days`,
    [use.userId, use.familyId, use.ip, codeHash],
  );
  return result.rows.length ? Number(result.rows[0].cycle_days) : null;
}

export async function codeStatus(db: Knex, codeHash: string): Promise<'OK' | 'USED' | 'CANCELED' | null> {
  const row = await db('activation_codes').where({ code_hash: codeHash }).first('status');
  return row ? row.status : null;
}

/** Deletes access-risk rows older than `olderThanDays`, in batches (a background statement). Returns how many. */
export async function pruneAccessRisks(db: Knex, olderThanDays: number, batch = 1000): Promise<number> {
  let total = 0;
  for (;;) {
    const result = await db.raw(
      `/* background */ DELETE FROM access_risks WHERE id IN (
         SELECT id FROM access_risks WHERE created_at < now() - ? * interval '1 day' LIMIT ?)`,
      [olderThanDays, batch],
    );
    const count = Number(result.rowCount ?? 0);
    total += count;
    if (count < batch) return total;
  }
}

export async function recordAccessRisk(db: Knex, row: { userId: string; ip: string | null; path: string; outcome: string }): Promise<void> {
  await db('access_risks').insert({ user_id: row.userId, ip: row.ip, path: row.path, outcome: row.outcome });
}
