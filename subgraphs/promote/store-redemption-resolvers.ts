/** Thin resolvers of coupon redemption at a store (spread into resolvers.ts); the rules are in store-redemptions.ts. */
import { requireScope, requireService } from '../../platform/context';
import { pageRequest, toConnection } from '../../platform/connection';
import { badInput } from '../../platform/errors';
import type { PromoteContext } from './context';
import { pageStoreRedemptions, type StoreRedemptionRow } from './data/store-redemptions';
import type { MutationResolvers, QueryResolvers, StoreRedemptionResolvers } from './generated/resolvers-types';
import { couponOwnerByCode, redeemAtStore, requireAllowed } from './store-redemptions';

export interface CouponOwnerView {
  couponId: string;
  userId: string;
}

export const OPERATE_SCOPE = 'store:operate';
const STORE_CODE = /^[A-Za-z0-9_-]{1,32}$/;
const MAX_RANGE_MS = 366 * 24 * 3600 * 1000;

/** The caller (store:operate) acting for the store, or FORBIDDEN / NOT_FOUND as user answers. */
async function actingFor(context: PromoteContext, rawStoreCode: string) {
  const userId = requireScope(context, OPERATE_SCOPE);
  const storeCode = rawStoreCode.trim();
  if (!STORE_CODE.test(storeCode)) throw badInput('A store code is 1–32 letters, digits, "-" or "_"', 'storeCode');
  const access = await context.storeAccess.load({ userId, storeCode });
  requireAllowed(access);
  return { userId, access };
}

function range(from: string, to: string): { from: Date; to: Date } {
  const start = new Date(from);
  const end = new Date(to);
  if (Number.isNaN(start.getTime())) throw badInput('from is not an ISO 8601 date-time', 'from');
  if (Number.isNaN(end.getTime())) throw badInput('to is not an ISO 8601 date-time', 'to');
  if (end <= start || end.getTime() - start.getTime() > MAX_RANGE_MS) throw badInput('to must be after from, at most 366 days later', 'to');
  return { from: start, to: end };
}

export const storeRedemptionResolvers: {
  Query: Pick<QueryResolvers, 'storeRedemptions' | 'couponOwnerByCode'>;
  Mutation: Pick<MutationResolvers, 'redeemCouponAtStore'>;
  StoreRedemption: StoreRedemptionResolvers;
} = {
  Query: {
    async storeRedemptions(_parent, { storeCode, from, to, first, after }, context) {
      const { access } = await actingFor(context, storeCode);
      const page = pageRequest('StoreRedemption', { first, after }, context.config.maxPageSize);
      const rows = await pageStoreRedemptions(context.db, access.storeCode, range(from, to), page.limit, page.afterId ?? null);
      return toConnection('StoreRedemption', rows.map((row) => ({ ...row, id: String(row.coupon_id) })), page);
    },
    async couponOwnerByCode(_parent, { code }, context) {
      requireService(context, 'user');
      return couponOwnerByCode(context.db, code);
    },
  },
  Mutation: {
    async redeemCouponAtStore(_parent, { storeCode, code }, context) {
      const { userId, access } = await actingFor(context, storeCode);
      return redeemAtStore(context.db, access, userId, code);
    },
  },
  StoreRedemption: {
    couponId: (row: StoreRedemptionRow) => String(row.coupon_id),
    coupon: async (row: StoreRedemptionRow, _args, context) => {
      context.loaders.couponById.clear(String(row.coupon_id));
      return (await context.loaders.couponById.load(String(row.coupon_id)))!;
    },
    storeCode: (row: StoreRedemptionRow) => row.store_code,
    staffUserId: (row: StoreRedemptionRow) => String(row.staff_user_id),
    terminalId: (row: StoreRedemptionRow) => (row.terminal_id === null ? null : String(row.terminal_id)),
    userId: (row: StoreRedemptionRow) => String(row.user_id),
    redeemedAt: (row: StoreRedemptionRow) => row.redeemed_at.toISOString(),
  },
};
