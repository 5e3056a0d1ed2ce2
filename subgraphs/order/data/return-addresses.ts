/** Data access for the shop's return addresses (staff-managed). Knows knex, not GraphQL. */
import type { Knex } from 'knex';

export interface ReturnAddressRow {
  id: string;
  label: string;
  contact_name: string;
  phone: string;
  province: string;
  city: string;
  district: string;
  detail: string;
  is_default: boolean;
  created_at: Date;
  updated_at: Date;
  deleted_at: Date | null;
}

export type ReturnAddressFields = Pick<ReturnAddressRow, 'label' | 'contact_name' | 'phone' | 'province' | 'city' | 'district' | 'detail'>;

/** Live addresses, the default first. */
export async function listReturnAddresses(db: Knex): Promise<ReturnAddressRow[]> {
  return db<ReturnAddressRow>('return_addresses').whereNull('deleted_at').orderBy([{ column: 'is_default', order: 'desc' }, { column: 'id' }]);
}

export async function findReturnAddress(db: Knex, id: string): Promise<ReturnAddressRow | undefined> {
  return db<ReturnAddressRow>('return_addresses').where({ id }).whereNull('deleted_at').first();
}

export async function findDefaultReturnAddress(db: Knex): Promise<ReturnAddressRow | undefined> {
  return db<ReturnAddressRow>('return_addresses').whereNull('deleted_at').orderBy([{ column: 'is_default', order: 'desc' }, { column: 'id' }]).first();
}

/** Takes the default flag off every live address (before another one becomes the default, same transaction). */
export async function clearDefaultReturnAddress(trx: Knex): Promise<void> {
  await trx('return_addresses').where({ is_default: true }).whereNull('deleted_at').update({ is_default: false, updated_at: trx.fn.now() });
}

export async function insertReturnAddress(trx: Knex, fields: ReturnAddressFields & { is_default: boolean }): Promise<ReturnAddressRow> {
  const [row] = await trx<ReturnAddressRow>('return_addresses').insert(fields).returning('*');
  return row;
}

export async function updateReturnAddress(
  trx: Knex,
  id: string,
  fields: Partial<ReturnAddressFields> & { is_default?: boolean },
): Promise<ReturnAddressRow | undefined> {
  const [row] = await trx<ReturnAddressRow>('return_addresses')
    .where({ id })
    .whereNull('deleted_at')
    .update({ ...fields, updated_at: trx.fn.now() as unknown as Date })
    .returning('*');
  return row;
}

/** Soft delete: requests approved with it keep their copy. */
export async function deleteReturnAddress(trx: Knex, id: string): Promise<boolean> {
  const count = await trx('return_addresses').where({ id }).whereNull('deleted_at').update({ deleted_at: trx.fn.now(), is_default: false });
  return count > 0;
}

export async function lockReturnAddresses(trx: Knex): Promise<void> {
  // Serializes default changes (two staff making different addresses the default at once).
  await trx.raw('LOCK TABLE return_addresses IN SHARE ROW EXCLUSIVE MODE');
}

/** Makes the oldest live address the default when none is (after the default was deleted). */
export async function ensureDefaultReturnAddress(trx: Knex): Promise<void> {
  await trx.raw(
    `UPDATE return_addresses SET is_default = true, updated_at = now()
      WHERE id = (SELECT id FROM return_addresses WHERE deleted_at IS NULL ORDER BY id LIMIT 1)
        AND NOT EXISTS (SELECT 1 FROM return_addresses WHERE is_default AND deleted_at IS NULL)`,
  );
}
