/** Thin resolvers of family coupon wallets (docs/family-coupons.md); the work is in data/family-coupons.ts. */
import { requireUser } from '../../platform/context';
import { notFound } from '../../platform/errors';
import { isBigintId } from '../../platform/loaders';
import type { PromoteContext } from './context';
import { activateDueSlots, familyAccess, findFamiliesCoupons } from './data/family-coupons';
import type { MutationResolvers, QueryResolvers } from './generated/resolvers-types';

const STAFF_SCOPE = 'promote:write';
const noSuchFamily = () => notFound('No such family');

/** The family when the caller may act on its wallet (member, or staff when `staffMay`); NOT_FOUND otherwise, ids not probed. */
async function checkFamily(context: PromoteContext, familyId: string, staffMay: boolean): Promise<{ known: boolean }> {
  const userId = requireUser(context);
  if (!isBigintId(familyId)) throw noSuchFamily();
  const access = await familyAccess(context.db, familyId, userId);
  if (access.member || (staffMay && context.identity.scopes.includes(STAFF_SCOPE))) return access;
  // Unknown to promote: it has no coupons, so an empty wallet tells nobody anything (its owner expects an empty one).
  if (!access.known && !staffMay) return access;
  throw noSuchFamily();
}

export const familyCouponResolvers: { Query: Pick<QueryResolvers<PromoteContext>, 'familyCoupons'>; Mutation: Pick<MutationResolvers<PromoteContext>, 'activateFamilyFreeShippingCoupons'> } = {
  Query: {
    async familyCoupons(_parent, { familyId, status }, context) {
      const access = await checkFamily(context, familyId, false);
      if (!access.known) return [];
      return findFamiliesCoupons(context.db, [familyId], status ?? null);
    },
  },
  Mutation: {
    async activateFamilyFreeShippingCoupons(_parent, { familyId }, context) {
      const access = await checkFamily(context, familyId, true);
      if (!access.known) throw noSuchFamily();
      const issued = await context.db.transaction((trx) => activateDueSlots(trx, familyId));
      const coupons = await findFamiliesCoupons(context.db, [familyId], 'AVAILABLE');
      const freeShipping = coupons
        .filter((coupon) => coupon.type === 'FREE_SHIPPING' && !coupon.not_yet_valid)
        .sort((a, b) => a.valid_until.getTime() - b.valid_until.getTime() || Number(BigInt(a.id) - BigInt(b.id)));
      const issuedSet = new Set(issued);
      return { familyId, issued: coupons.filter((coupon) => issuedSet.has(String(coupon.id))), available: freeShipping };
    },
  },
};
