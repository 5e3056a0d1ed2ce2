/**
 * Signed service calls from payment to user (internal `@inaccessible` operations) for family wallets and the member
 * card: who a family belongs to, and the paid membership year (idempotent per grant key). User answers
 * BAD_USER_INPUT / NOT_FOUND when it refuses; those keep their code here (order-client.ts `isRefusal`).
 */
import type { ServiceClient } from '../../platform/service-client';

export interface FamilyForPayment {
  id: string;
  ownerId: string;
  memberUserIds: string[];
}

export async function familyForPayment(services: ServiceClient, familyId: string, requestId?: string): Promise<FamilyForPayment | null> {
  const data = await services.request<{ familyForPayment: FamilyForPayment | null }>(
    'user',
    'query($f: ID!) { familyForPayment(familyId: $f) { id ownerId memberUserIds } }',
    { f: familyId },
    { requestId },
  );
  return data.familyForPayment;
}

export interface MembershipGrant {
  grantKey: string;
  familyId: string;
  expiresAt: string;
  granted: boolean;
}

/** FORMAL membership for `months` months, once per `grantKey` (a repeat answers the recorded grant). */
export async function grantPaidMembership(services: ServiceClient, input: { familyId: string; grantKey: string; months: number }): Promise<MembershipGrant> {
  const data = await services.request<{ grantPaidMembership: MembershipGrant }>(
    'user',
    'mutation($f: ID!, $k: String!, $m: Int!) { grantPaidMembership(familyId: $f, grantKey: $k, months: $m) { grantKey familyId expiresAt granted } }',
    { f: input.familyId, k: input.grantKey, m: input.months },
    { idempotent: true },
  );
  return data.grantPaidMembership;
}

/** Records staff reads of shoppers' wallets in user's access log (docs/shoppers.md); throws when user refuses or is down. */
export async function recordWalletReads(services: ServiceClient, staffUserId: string, shopperIds: readonly string[], requestId?: string): Promise<void> {
  await services.request<{ recordShopperAccess: boolean }>(
    'user',
    'mutation($s: ID!, $ids: [ID!]!) { recordShopperAccess(staffUserId: $s, shopperIds: $ids, what: WALLET) }',
    { s: staffUserId, ids: [...shopperIds] },
    { requestId },
  );
}
