/** Who may call user's internal (`@inaccessible`) fields; enforced by platform/internal-callers.ts. */
import type { InternalCallers } from '../../platform/internal-callers';

export const internalCallers: InternalCallers = {
  /** The WeChat payer id: payment opens WeChat payments with it. */
  'User.wechatOpenId': ['payment'],
  /** The address snapshot an order ships to: order's checkout. */
  'Query.addressForOrder': ['order'],
  /** Users' membership, for member prices and member coupons (docs/families.md). */
  'Query.membershipsOfUsers': ['cart', 'order', 'product', 'promote'],
  /** A family's owner and members: payment's family wallet access (docs/family-wallets.md). */
  'Query.familyForPayment': ['payment'],
  /** A paid membership year, once per key: payment's member card. */
  'Mutation.grantPaidMembership': ['payment'],
  /** Whether staff accounts may act for stores: promote's redemption at a store (docs/back-office.md). */
  'Query.storeAccess': ['promote'],
  /** Staff reads of shoppers' wallets, for the one access log of personal data (docs/shoppers.md). */
  'Mutation.recordShopperAccess': ['payment'],
};
