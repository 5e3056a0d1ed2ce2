/**
 * Families (seed 000 `/family/*`): a shopper owns at most MAX_FAMILIES, and exactly one of them is the default while
 * they own any. Creating and moving the default run under the owner's user row lock, so concurrent creates cannot pass
 * the cap and the default cannot split (the partial unique index backs "at most one"). Members are existing accounts
 * the owner adds by phone number; membership changes of one family run under the family's row lock, and each one that
 * changes who benefits or until when appends MembershipChanged (membership.ts) in the same transaction.
 */
import type { Knex } from 'knex';
import { notFound, shopError } from '../../platform/errors';
import { isBigintId } from '../../platform/loaders';
import {
  countMembers,
  countOwnedFamilies,
  deleteMember,
  findFamiliesByIds,
  insertFamily,
  insertMember,
  insertTrial,
  isMember,
  lockFamily,
  moveDefault,
  setMembership,
  updateFamilyFields,
  type FamilyFields,
  type FamilyRow,
} from './data/families';
import { findUserByPhone, lockUser } from './data/users';
import { membershipOf, publishMembershipChanged } from './membership';
import { validateAddressInput, validateFamilyName, validatePhone } from './validation';

/** Families one shopper may own (seed: 最多有3个家庭). */
export const MAX_FAMILIES = 3;
/** Members one family may have besides its owner. */
export const MAX_FAMILY_MEMBERS = 10;

export interface FamilyInput {
  name: string;
  contactName: string;
  phone: string;
  province: string;
  city: string;
  district: string;
  detail: string;
}

const FAMILY_NOT_FOUND = 'Family not found';
const DAY_MS = 24 * 3600 * 1000;

export function validateFamilyInput(input: FamilyInput): FamilyFields {
  const name = validateFamilyName(input.name);
  const { fields } = validateAddressInput({ ...input, isDefault: null });
  return { name, ...fields };
}

/** The family when `userId` owns it or is a member; null otherwise (the same NOT_FOUND for both callers). */
export async function familyForViewer(db: Knex, userId: string, id: string): Promise<FamilyRow | null> {
  if (!isBigintId(id)) return null;
  const [family] = await findFamiliesByIds(db, [id]);
  if (!family) return null;
  if (String(family.owner_id) === userId || (await isMember(db, id, userId))) return family;
  return null;
}

/** Locks the family and checks the caller owns it (NOT_FOUND otherwise: others' families are not revealed). */
async function lockOwned(trx: Knex.Transaction, ownerId: string, id: string): Promise<FamilyRow> {
  const family = isBigintId(id) ? await lockFamily(trx, id) : undefined;
  if (!family || String(family.owner_id) !== ownerId) throw notFound(FAMILY_NOT_FOUND);
  return family;
}

export async function createFamily(db: Knex, ownerId: string, input: FamilyInput, isDefault: boolean | null | undefined): Promise<FamilyRow> {
  const fields = validateFamilyInput(input);
  return db.transaction(async (trx) => {
    if (!(await lockUser(trx, ownerId))) throw notFound('User not found');
    const owned = await countOwnedFamilies(trx, ownerId);
    if (owned >= MAX_FAMILIES) {
      throw shopError('CONFLICT', `You can have at most ${MAX_FAMILIES} families`, { reason: 'FAMILIES_FULL', max: MAX_FAMILIES });
    }
    const family = await insertFamily(trx, ownerId, fields, false);
    if (owned === 0 || isDefault === true) await moveDefault(trx, ownerId, family.id);
    return { ...family, is_default: owned === 0 || isDefault === true };
  });
}

export async function updateFamily(db: Knex, ownerId: string, id: string, input: FamilyInput): Promise<FamilyRow> {
  const fields = validateFamilyInput(input);
  return db.transaction(async (trx) => {
    await lockOwned(trx, ownerId, id);
    return updateFamilyFields(trx, id, fields);
  });
}

export async function setDefaultFamily(db: Knex, ownerId: string, id: string): Promise<FamilyRow> {
  return db.transaction(async (trx) => {
    if (!(await lockUser(trx, ownerId))) throw notFound('User not found');
    const family = await lockOwned(trx, ownerId, id);
    if (!family.is_default) await moveDefault(trx, ownerId, id);
    return { ...family, is_default: true };
  });
}

export async function addFamilyMember(db: Knex, ownerId: string, familyId: string, rawPhone: string): Promise<FamilyRow> {
  const phone = validatePhone(rawPhone);
  return db.transaction(async (trx) => {
    const family = await lockOwned(trx, ownerId, familyId);
    const account = await findUserByPhone(trx, phone);
    if (!account) throw shopError('NOT_FOUND', 'No account is registered with this phone number', { reason: 'NO_SUCH_ACCOUNT' });
    // The owner is a member by ownership; adding someone twice is a no-op.
    if (String(account.id) === ownerId || (await isMember(trx, familyId, String(account.id)))) return family;
    if ((await countMembers(trx, familyId)) >= MAX_FAMILY_MEMBERS) {
      throw shopError('CONFLICT', `A family has at most ${MAX_FAMILY_MEMBERS} members`, { reason: 'FAMILY_FULL', max: MAX_FAMILY_MEMBERS });
    }
    await insertMember(trx, familyId, String(account.id));
    await publishMembershipChanged(trx, family);
    return family;
  });
}

/** The owner removes anyone; a member removes only themself. */
export async function removeFamilyMember(db: Knex, callerId: string, familyId: string, userId: string): Promise<boolean> {
  if (!isBigintId(familyId) || !isBigintId(userId)) throw notFound(FAMILY_NOT_FOUND);
  return db.transaction(async (trx) => {
    const family = await lockFamily(trx, familyId);
    const isOwner = family && String(family.owner_id) === callerId;
    if (!family || !(isOwner || (await isMember(trx, familyId, callerId)))) throw notFound(FAMILY_NOT_FOUND);
    if (!isOwner && userId !== callerId) throw shopError('FORBIDDEN', 'Only the owner removes other members');
    const removed = await deleteMember(trx, familyId, userId);
    if (removed) await publishMembershipChanged(trx, family);
    return removed;
  });
}

/**
 * The free trial: once per person and once per family. Both are unique constraints of member_trials, so of any number
 * of concurrent tries exactly one inserts; the family's row lock keeps its level change and event with it.
 */
export async function startMemberTrial(db: Knex, ownerId: string, familyId: string, trialDays: number): Promise<FamilyRow> {
  return db.transaction(async (trx) => {
    const family = await lockOwned(trx, ownerId, familyId);
    if (membershipOf(family).level === 'FORMAL') {
      throw shopError('CONFLICT', 'This family is already a member', { reason: 'ALREADY_MEMBER' });
    }
    const expiresAt = new Date(Date.now() + trialDays * DAY_MS);
    if (!(await insertTrial(trx, ownerId, familyId, expiresAt))) {
      throw shopError('CONFLICT', 'The free trial was already taken by you or by this family', { reason: 'TRIAL_TAKEN' });
    }
    const updated = await setMembership(trx, familyId, 'TRIAL', expiresAt);
    await publishMembershipChanged(trx, updated);
    return updated;
  });
}
