/** Data access for the addresses table. Knows knex, not GraphQL; the default-address rules live in address-book.ts. */
import type { Knex } from 'knex';

export interface AddressRow {
  id: string;
  user_id: string;
  contact_name: string;
  phone: string;
  province: string;
  city: string;
  district: string;
  detail: string;
  is_default: boolean;
  created_at: Date;
  updated_at: Date;
}

export type AddressFields = Pick<AddressRow, 'contact_name' | 'phone' | 'province' | 'city' | 'district' | 'detail'>;

/** Every address of a batch of users in one statement: per user the default first, then the most recent. */
export async function findAddressesByUserIds(db: Knex, userIds: readonly string[]): Promise<AddressRow[]> {
  return db<AddressRow>('addresses')
    .whereRaw('user_id = ANY(?::bigint[])', [[...userIds]])
    .orderBy([{ column: 'user_id' }, { column: 'is_default', order: 'desc' }, { column: 'id', order: 'desc' }]);
}

export async function findAddressOfUser(db: Knex, userId: string, id: string): Promise<AddressRow | undefined> {
  return db<AddressRow>('addresses').where({ id, user_id: userId }).first();
}

export async function countAddresses(db: Knex, userId: string): Promise<number> {
  const row = await db('addresses').where({ user_id: userId }).count<{ count: string | number }>({ count: '*' }).first();
  return Number(row?.count ?? 0);
}

/** Un-defaults the user's default address (before another one becomes it: the unique index allows one at a time). */
export async function clearDefault(db: Knex, userId: string): Promise<void> {
  await db('addresses').where({ user_id: userId, is_default: true }).update({ is_default: false, updated_at: db.fn.now() });
}

export async function insertAddress(db: Knex, userId: string, fields: AddressFields, isDefault: boolean): Promise<AddressRow> {
  const [row] = await db<AddressRow>('addresses')
    .insert({ ...fields, user_id: userId, is_default: isDefault })
    .returning('*');
  return row;
}

export async function updateAddress(
  db: Knex,
  userId: string,
  id: string,
  fields: AddressFields & { is_default?: boolean },
): Promise<AddressRow | undefined> {
  const [row] = await db<AddressRow>('addresses')
    .where({ id, user_id: userId })
    .update({ ...fields, updated_at: db.fn.now() })
    .returning('*');
  return row;
}

export async function deleteAddress(db: Knex, userId: string, id: string): Promise<AddressRow | undefined> {
  const [row] = await db<AddressRow>('addresses').where({ id, user_id: userId }).delete().returning('*');
  return row;
}

/** Makes the user's most recent address other than `exceptId` the default; returns its id, if there was one. */
export async function promoteMostRecent(db: Knex, userId: string, exceptId?: string): Promise<string | undefined> {
  const candidate = db('addresses').select('id').where({ user_id: userId }).orderBy('id', 'desc').limit(1);
  if (exceptId) candidate.whereNot({ id: exceptId });
  const [row] = await db('addresses')
    .whereIn('id', candidate)
    .update({ is_default: true, updated_at: db.fn.now() })
    .returning('id');
  return row ? String(row.id) : undefined;
}
