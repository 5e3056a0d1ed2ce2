/**
 * Paid membership (payment's member card, docs/family-wallets.md): payment asks user, through an internal call, to
 * grant a family FORMAL membership for `months` months once per `grantKey` (MC<member card order id>). The grant's
 * row is inserted with ON CONFLICT DO NOTHING under the family's row lock, so a repeated or concurrent call (payment's
 * job retried, a notify replayed, a process killed between the two sides) extends the membership exactly once and
 * answers the same result. Also the family facts payment needs to decide who may use a family wallet.
 */
import type { Knex } from 'knex';
import { badInput, notFound } from '../../platform/errors';
import { isBigintId } from '../../platform/loaders';
import { findFamiliesByIds, lockFamily, memberIdsOf, setMembership, type FamilyRow } from './data/families';
import { membershipOf, publishMembershipChanged } from './membership';

export interface FamilyForPaymentView {
  id: string;
  ownerId: string;
  memberUserIds: string[];
}

export interface MembershipGrantView {
  grantKey: string;
  familyId: string;
  expiresAt: string;
  /** False when this key had been granted before (the answer is the recorded one). */
  granted: boolean;
}

const GRANT_KEY = /^[A-Za-z0-9:_-]{1,64}$/;

export async function familyForPayment(db: Knex, familyId: string): Promise<FamilyForPaymentView | null> {
  if (!isBigintId(familyId)) return null;
  const [family] = await findFamiliesByIds(db, [familyId]);
  if (!family) return null;
  return { id: String(family.id), ownerId: String(family.owner_id), memberUserIds: await memberIdsOf(db, family.id) };
}

/** `months` calendar months after `from` (UTC; the 31st of a shorter month rolls over as Date does). */
function addMonths(from: number, months: number): Date {
  const date = new Date(from);
  date.setUTCMonth(date.getUTCMonth() + months);
  return date;
}

export async function grantPaidMembership(db: Knex, input: { familyId: string; grantKey: string; months: number }): Promise<MembershipGrantView> {
  if (!isBigintId(input.familyId)) throw badInput('Malformed family id', 'familyId');
  if (!GRANT_KEY.test(input.grantKey)) throw badInput('Malformed grant key', 'grantKey');
  if (!Number.isInteger(input.months) || input.months < 1 || input.months > 120) throw badInput('months must be 1..120', 'months');
  return db.transaction(async (trx) => {
    // The family's lock first (as activation codes do), then the grant: the expiry arithmetic serializes per family.
    const family = await lockFamily(trx, input.familyId);
    if (!family) throw notFound('Family not found');
    const previous = await trx('membership_grants').where({ grant_key: input.grantKey }).first();
    if (previous) {
      if (String(previous.family_id) !== String(family.id)) throw badInput('Grant key used for another family', 'grantKey');
      return { grantKey: input.grantKey, familyId: String(family.id), expiresAt: previous.expires_after.toISOString(), granted: false };
    }
    const now = Date.now();
    // An existing FORMAL year is extended; a running TRIAL is replaced (as with activation codes).
    const from = membershipOf(family).level === 'FORMAL' ? Math.max(now, family.vip_expires_at!.getTime()) : now;
    const expiresAt = addMonths(from, input.months);
    await trx('membership_grants').insert({
      grant_key: input.grantKey,
      family_id: family.id,
      months: input.months,
      expires_before: family.vip_expires_at,
      expires_after: expiresAt,
    });
    const updated: FamilyRow = await setMembership(trx, family.id, 'FORMAL', expiresAt);
    await publishMembershipChanged(trx, updated);
    return { grantKey: input.grantKey, familyId: String(family.id), expiresAt: expiresAt.toISOString(), granted: true };
  });
}
