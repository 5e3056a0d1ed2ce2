/**
 * Family coupon wallets (docs/family-coupons.md): promote learns families, their members and membership from the
 * user subgraph's MembershipChanged (stream shop.user.family) and issues member families' free-shipping coupons,
 * once per membership period and 30-day slot. The stream and payload are the user subgraph's
 * (subgraphs/user/membership.ts); promote keeps its own copy of the shape so the subgraphs do not import each other.
 */
import type { FamilyCouponConfig } from '../../platform/config';
import type { EventConsumerSpec } from '../../platform/events';
import { isBigintId } from '../../platform/loaders';
import { applyMembershipChange, type MemberLevel } from './data/family-coupons';

export const FAMILY_STREAM = 'shop.user.family';
export const MEMBERSHIP_CHANGED = 'MembershipChanged';

export interface MembershipChangedPayload {
  familyId: string;
  ownerId: string;
  memberUserIds: string[];
  level: MemberLevel;
  expiresAt: string | null;
}

const LEVELS = new Set<MemberLevel>(['NONE', 'TRIAL', 'FORMAL']);

export function issueFamilyCoupons(config: FamilyCouponConfig): EventConsumerSpec<MembershipChangedPayload> {
  return {
    stream: FAMILY_STREAM,
    types: [MEMBERSHIP_CHANGED],
    effect: async (event, trx) => {
      const { familyId, ownerId, memberUserIds, level, expiresAt } = event.payload;
      // A malformed event is skipped rather than retried forever: it cannot become well-formed by waiting.
      const ids = [familyId, ownerId, ...(Array.isArray(memberUserIds) ? memberUserIds : [null])].map(String);
      if (!ids.every(isBigintId) || !LEVELS.has(level) || (expiresAt != null && Number.isNaN(Date.parse(expiresAt)))) return;
      await applyMembershipChange(
        trx,
        { familyId: String(familyId), ownerId: String(ownerId), memberUserIds: memberUserIds.map(String), level, expiresAt, occurredAt: event.occurredAt },
        config.freeShippingPerMonth,
      );
    },
  };
}
