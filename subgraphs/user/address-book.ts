/**
 * The address book rules: at most MAX_ADDRESSES per user, and exactly one default whenever the book is not empty.
 * Every change runs in one transaction holding the user's row lock, so concurrent changes of one user's book
 * serialize (the count and the default cannot race); the partial unique index backs "at most one default".
 */
import type { Knex } from 'knex';
import { conflict, notFound } from '../../platform/errors';
import { isBigintId } from '../../platform/loaders';
import {
  clearDefault,
  countAddresses,
  deleteAddress as deleteAddressRow,
  findAddressOfUser,
  insertAddress,
  promoteMostRecent,
  updateAddress as updateAddressRow,
  type AddressRow,
} from './data/addresses';
import { lockUser } from './data/users';
import { MAX_ADDRESSES, validateAddressInput } from './validation';

type AddressInput = Parameters<typeof validateAddressInput>[0];

const ADDRESS_NOT_FOUND = 'Address not found';

async function lockBook(trx: Knex.Transaction, userId: string) {
  if (!(await lockUser(trx, userId))) throw notFound('User not found');
}

export async function addAddress(db: Knex, userId: string, input: AddressInput): Promise<AddressRow> {
  const { fields, isDefault } = validateAddressInput(input);
  return db.transaction(async (trx) => {
    await lockBook(trx, userId);
    const count = await countAddresses(trx, userId);
    if (count >= MAX_ADDRESSES) throw conflict(`An address book holds at most ${MAX_ADDRESSES} addresses; delete one first`);
    // The first address is the default whatever was asked; a later one only when asked.
    const makeDefault = count === 0 || isDefault === true;
    if (makeDefault && count > 0) await clearDefault(trx, userId);
    return insertAddress(trx, userId, fields, makeDefault);
  });
}

export async function updateAddress(db: Knex, userId: string, id: string, input: AddressInput): Promise<AddressRow> {
  const { fields, isDefault } = validateAddressInput(input);
  if (!isBigintId(id)) throw notFound(ADDRESS_NOT_FOUND);
  return db.transaction(async (trx) => {
    await lockBook(trx, userId);
    const current = await findAddressOfUser(trx, userId, id);
    if (!current) throw notFound(ADDRESS_NOT_FOUND);
    if (isDefault === true && !current.is_default) {
      await clearDefault(trx, userId);
      return (await updateAddressRow(trx, userId, id, { ...fields, is_default: true }))!;
    }
    if (isDefault === false && current.is_default && (await countAddresses(trx, userId)) > 1) {
      // Hand the default to the most recent other address (a lone address stays the default).
      await clearDefault(trx, userId);
      await promoteMostRecent(trx, userId, id);
    }
    return (await updateAddressRow(trx, userId, id, fields))!;
  });
}

export async function deleteAddress(db: Knex, userId: string, id: string): Promise<boolean> {
  if (!isBigintId(id)) throw notFound(ADDRESS_NOT_FOUND);
  return db.transaction(async (trx) => {
    await lockBook(trx, userId);
    const deleted = await deleteAddressRow(trx, userId, id);
    if (!deleted) throw notFound(ADDRESS_NOT_FOUND);
    if (deleted.is_default) await promoteMostRecent(trx, userId);
    return true;
  });
}

/** For checkout (order subgraph): the address if it is the user's, else null. */
export async function addressForOrder(db: Knex, userId: string, id: string): Promise<AddressRow | null> {
  if (!isBigintId(userId) || !isBigintId(id)) return null;
  return (await findAddressOfUser(db, userId, id)) ?? null;
}
