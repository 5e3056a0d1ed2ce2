/**
 * Signed service calls from cart to user: shoppers' memberships (user's internal `membershipsOfUsers`), for member
 * prices (docs/member-prices.md). One DataLoader per request: every user asked for in a request goes in one call.
 */
import DataLoader from 'dataloader';
import type { ServiceClient } from '../../platform/service-client';

const MEMBERSHIPS = `query CartMemberships($ids: [ID!]!) {
  membershipsOfUsers(userIds: $ids) { userId membership { level expiresAt } }
}`;

type Level = 'NONE' | 'TRIAL' | 'FORMAL';
interface UserMembership {
  userId: string;
  membership: { level: Level; expiresAt: string | null };
}

/**
 * Whether a membership earns member prices now: TRIAL (the seed's free trial is a trial of membership, prices
 * included) or FORMAL, and not past its expiry. User already reports an expired one as NONE; the clock is checked
 * here too so a membership that ran out between that answer and this use does not count.
 */
export function earnsMemberPrices(membership: UserMembership['membership'], now = Date.now()): boolean {
  if (membership.level !== 'TRIAL' && membership.level !== 'FORMAL') return false;
  return membership.expiresAt !== null && Date.parse(membership.expiresAt) > now;
}

/** Per request: user id → whether that shopper pays member prices; one user call for all ids of the request. */
export function createMemberPricesLoader(services: ServiceClient, requestId?: string): DataLoader<string, boolean> {
  return new DataLoader<string, boolean>(async (userIds) => {
    const data = await services.request<{ membershipsOfUsers: UserMembership[] }>('user', MEMBERSHIPS, { ids: [...userIds] }, { requestId });
    const byUser = new Map(data.membershipsOfUsers.map((entry) => [String(entry.userId), earnsMemberPrices(entry.membership)]));
    return userIds.map((id) => byUser.get(id) ?? false);
  }, { maxBatchSize: 500 });
}
