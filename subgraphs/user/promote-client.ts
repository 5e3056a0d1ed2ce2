/**
 * Signed service calls from user to promote (internal `@inaccessible` operations): whose coupon a code is, for member
 * identification at a store (docs/back-office.md). Promote owns coupons and their codes; user owns the member.
 */
import type { ServiceClient } from '../../platform/service-client';

export interface CouponOwner {
  couponId: string;
  userId: string;
}

/** The coupon a code names (its counter code, or the redeem code it came from) and its holder; null when none. */
export async function couponOwnerByCode(services: ServiceClient, code: string, requestId?: string): Promise<CouponOwner | null> {
  const data = await services.request<{ couponOwnerByCode: CouponOwner | null }>(
    'promote',
    'query($c: String!) { couponOwnerByCode(code: $c) { couponId userId } }',
    { c: code },
    { requestId },
  );
  return data.couponOwnerByCode;
}
