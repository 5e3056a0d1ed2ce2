/**
 * Membership as of now, and the MembershipChanged event. A family row holds a level and an expiry; reads compare the
 * expiry with the clock, so an expired membership is NONE at once without any job (docs/families.md). A user's
 * membership is the best of their families' (owned or joined): FORMAL over TRIAL over NONE, then the later expiry.
 */
import type { Knex } from 'knex';
import { appendEvent } from '../../platform/events';
import { isBigintId } from '../../platform/loaders';
import { findFamiliesByIds, findFamilyIdsOfUsers, memberIdsOf, type FamilyRow, type VipLevel } from './data/families';

/** The stream other subgraphs (cart pricing, promote's member coupons) learn membership changes from. */
export const FAMILY_STREAM = 'shop.user.family';

export interface MembershipView {
  level: VipLevel;
  expiresAt: string | null;
  familyId: string | null;
}

export interface MembershipChangedPayload {
  familyId: string;
  ownerId: string;
  memberUserIds: string[];
  level: VipLevel;
  expiresAt: string | null;
}

export const NO_MEMBERSHIP: MembershipView = { level: 'NONE', expiresAt: null, familyId: null };

export function membershipOf(family: FamilyRow, now = new Date()): MembershipView {
  const expiresAt = family.vip_expires_at ? family.vip_expires_at.toISOString() : null;
  if (!family.vip_expires_at) return NO_MEMBERSHIP;
  const live = family.vip_level !== 'NONE' && family.vip_expires_at.getTime() > now.getTime();
  return { level: live ? family.vip_level : 'NONE', expiresAt, familyId: String(family.id) };
}

const RANK: Record<VipLevel, number> = { NONE: 0, TRIAL: 1, FORMAL: 2 };

/** The better of two memberships: higher level, then later expiry. */
export function better(a: MembershipView, b: MembershipView): MembershipView {
  if (RANK[a.level] !== RANK[b.level]) return RANK[a.level] > RANK[b.level] ? a : b;
  return (b.expiresAt ?? '') > (a.expiresAt ?? '') ? b : a;
}

/** Each user's best membership, in the order asked: two statements however many users. */
export async function membershipsOfUsers(db: Knex, userIds: readonly string[], now = new Date()): Promise<MembershipView[]> {
  const valid = [...new Set(userIds.filter(isBigintId))];
  if (!valid.length) return userIds.map(() => NO_MEMBERSHIP);
  const links = await findFamilyIdsOfUsers(db, valid);
  const families = links.length ? await findFamiliesByIds(db, [...new Set(links.map((link) => link.family_id))]) : [];
  const byId = new Map(families.map((family) => [String(family.id), family]));
  const best = new Map<string, MembershipView>();
  for (const link of links) {
    const family = byId.get(link.family_id);
    if (!family) continue;
    best.set(link.user_id, better(best.get(link.user_id) ?? NO_MEMBERSHIP, membershipOf(family, now)));
  }
  return userIds.map((id) => best.get(String(id)) ?? NO_MEMBERSHIP);
}

/**
 * Appends MembershipChanged for the family (inside the transaction that changed its membership or its members), so
 * consumers learn who now benefits and until when.
 */
export async function publishMembershipChanged(trx: Knex.Transaction, family: FamilyRow): Promise<void> {
  const view = membershipOf(family);
  const payload: MembershipChangedPayload = {
    familyId: String(family.id),
    ownerId: String(family.owner_id),
    memberUserIds: await memberIdsOf(trx, family.id),
    level: view.level,
    expiresAt: view.expiresAt,
  };
  await appendEvent(trx, { stream: FAMILY_STREAM, type: 'MembershipChanged', aggregateId: family.id, payload });
}
