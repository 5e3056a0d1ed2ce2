/** Thin resolvers: who may call what, input checks, and mapping refusals to errors; the work is in data/ and quote.ts. */
import { requireScope, requireService, requireUser } from '../../platform/context';
import { pageRequest, toConnection } from '../../platform/connection';
import { badInput, conflict, notFound, shopError } from '../../platform/errors';
import { isBigintId } from '../../platform/loaders';
import { mayRead, ownedOrNull } from '../../platform/ownership';
import { adminResolvers, systemTemplateError } from './admin-resolvers';
import type { PromoteContext } from './context';
import {
  claimCoupon,
  createCodes,
  findUsableCoupons,
  findUserCoupons,
  redeemCode,
  type CouponRow,
  type IssueResult,
} from './data/coupons';
import { searchTemplates } from './data/template-admin';
import {
  findClaimableTemplates,
  insertTemplate,
  isSystemTemplate,
  updateTemplateActive,
  type CouponTemplateRow,
} from './data/templates';
import { confirmCouponHold, findCouponHold, lockCouponHold, releaseCouponHold, settleCouponHold } from './data/coupon-holds';
import type { Resolvers } from './generated/resolvers-types';
import { activityResolvers } from './activities';
import { redPacketResolvers } from './red-packet-resolvers';
import { inviteResolvers } from './invite-resolvers';
import { familyCouponResolvers } from './family-coupon-resolvers';
import { storeRedemptionResolvers } from './store-redemption-resolvers';
import { usableByUser } from './data/family-coupons';
import { quoteCoupons, type QuoteItem } from './quote';
import { generateCodes, normalizeCode } from './redeem-codes';
import { parseTemplateFilter } from './template-admin';
import { parseTemplateInput } from './template-input';

const STAFF_SCOPE = 'promote:write';
const MAX_CODES_PER_CALL = 1000;
const MAX_QUOTE_ITEMS = 500;

const iso = (value: Date | null) => (value ? value.toISOString() : null);

/** A refused claim or redemption, in words a shopper understands; `extensions.reason` tells clients which case. */
function refusalError(result: Exclude<IssueResult, { coupon: CouponRow }>) {
  const { refusal, template } = result;
  const withReason = (code: 'CONFLICT' | 'NOT_FOUND', message: string) => shopError(code, message, { reason: refusal });
  switch (refusal) {
    case 'TEMPLATE_NOT_FOUND':
      return withReason('NOT_FOUND', 'This coupon does not exist');
    case 'CODE_NOT_FOUND':
      return withReason('NOT_FOUND', 'This code does not exist. Please check it and try again');
    case 'CODE_USED':
      return withReason('CONFLICT', 'This code has already been used');
    case 'CODE_DISABLED':
      return withReason('CONFLICT', 'This code has been disabled');
    case 'CODE_EXPIRED':
      return withReason('CONFLICT', 'This code has expired');
    case 'INACTIVE':
      return withReason('CONFLICT', 'This coupon is no longer being given out');
    case 'NOT_CLAIMABLE':
      return withReason('CONFLICT', 'This coupon can only be obtained with a redeem code');
    case 'NOT_STARTED':
      return withReason('CONFLICT', 'This coupon cannot be claimed yet');
    case 'ENDED':
      return withReason('CONFLICT', 'This coupon campaign has ended');
    case 'SOLD_OUT':
      return withReason('CONFLICT', 'Sorry, these coupons are all gone');
    case 'LIMIT_REACHED': {
      const limit = template?.per_user_limit ?? 1;
      return withReason(
        'CONFLICT',
        limit === 1 ? 'You already have this coupon' : `You already have ${limit} of this coupon, the most one person can get`,
      );
    }
  }
}

function issued(result: IssueResult): CouponRow {
  if ('coupon' in result) return result.coupon;
  throw refusalError(result);
}

/** The user on whose behalf a service calls (order and cart forward it). */
const forwardedUser = (context: PromoteContext) => requireUser(context);

/** How far ahead a confirmed hold may run: a payment deadline is minutes to hours away, never weeks. */
const MAX_HOLD_DAYS = 7;

/** A lock or confirm for an order whose hold was given back (released, or a release came first): never held again. */
const holdReleased = () =>
  shopError('CONFLICT', 'This order’s coupon hold was already given back; it cannot be held again', { reason: 'HOLD_RELEASED' });

function checkOrderArgs(couponId: string, orderId: string) {
  if (!isBigintId(orderId)) throw badInput('orderId is not a valid id', 'orderId');
  if (!isBigintId(couponId)) throw notFound('No such coupon');
}

export const resolvers: Resolvers = {
  Query: {
    async myCoupons(_parent, { status }, context) {
      return findUserCoupons(context.db, requireUser(context), status ?? null);
    },
    async claimableCoupons(_parent, _args, context) {
      return findClaimableTemplates(context.db, context.identity.userId ?? null);
    },
    async couponTemplate(_parent, { id }, context) {
      requireScope(context, STAFF_SCOPE);
      return context.loaders.templateById.load(id);
    },
    async couponTemplates(_parent, { first, after, filter }, context) {
      requireScope(context, STAFF_SCOPE);
      const page = pageRequest('CouponTemplate', { first, after }, context.config.maxPageSize);
      return toConnection('CouponTemplate', await searchTemplates(context.db, parseTemplateFilter(filter), page.limit, page.afterId ?? null), page);
    },
    ...adminResolvers.Query,
    ...redPacketResolvers.Query,
    ...activityResolvers.Query,
    ...inviteResolvers.Query,
    ...familyCouponResolvers.Query,
    ...storeRedemptionResolvers.Query,
    async couponQuote(_parent, { input }, context) {
      requireService(context, 'cart', 'order');
      const userId = forwardedUser(context);
      if (input.items.length > MAX_QUOTE_ITEMS) throw badInput(`A quote takes at most ${MAX_QUOTE_ITEMS} items`, 'items');
      if (input.shippingFee < 0) throw badInput('shippingFee cannot be negative', 'shippingFee');
      const items: QuoteItem[] = input.items.map((item) => {
        if (item.unitPrice < 0) throw badInput('unitPrice cannot be negative', 'unitPrice');
        if (item.quantity < 1) throw badInput('quantity must be at least 1', 'quantity');
        const categoryIds = [item.categoryId, ...(item.categoryIds ?? [])].filter((id): id is string => id != null);
        return { productId: item.productId, categoryIds, unitPrice: item.unitPrice, quantity: item.quantity };
      });
      const coupons = await findUsableCoupons(context.db, userId);
      return quoteCoupons(coupons, items, input.shippingFee, input.couponId ?? null);
    },
  },

  Mutation: {
    ...storeRedemptionResolvers.Mutation,
    async claimCoupon(_parent, { templateId }, context) {
      const userId = requireUser(context);
      if (!isBigintId(templateId)) throw refusalError({ refusal: 'TEMPLATE_NOT_FOUND', template: null });
      return issued(await claimCoupon(context.db, userId, templateId));
    },
    async redeemCouponCode(_parent, { code }, context) {
      const userId = requireUser(context);
      if (!code.trim()) throw badInput('Enter a code', 'code');
      const normalized = normalizeCode(code);
      if (!normalized) throw refusalError({ refusal: 'CODE_NOT_FOUND', template: null });
      return issued(await redeemCode(context.db, userId, normalized));
    },
    async createCouponTemplate(_parent, { input }, context) {
      const staffId = requireScope(context, STAFF_SCOPE);
      return insertTemplate(context.db, parseTemplateInput(input, staffId, context.config.money));
    },
    async setCouponTemplateActive(_parent, { id, active }, context) {
      requireScope(context, STAFF_SCOPE);
      if (isBigintId(id) && (await isSystemTemplate(context.db, id))) throw systemTemplateError();
      const template = isBigintId(id) ? await updateTemplateActive(context.db, id, active) : null;
      if (!template) throw notFound('No such coupon template');
      return template;
    },
    async createCouponCodes(_parent, { templateId, count }, context) {
      const staffId = requireScope(context, STAFF_SCOPE);
      if (!Number.isInteger(count) || count < 1 || count > MAX_CODES_PER_CALL) {
        throw badInput(`count must be 1-${MAX_CODES_PER_CALL}`, 'count');
      }
      if (!isBigintId(templateId)) throw badInput('No such coupon template', 'templateId');
      if (await isSystemTemplate(context.db, templateId)) throw systemTemplateError();
      const result = await createCodes(context.db, templateId, count, staffId, generateCodes);
      if ('codes' in result) return result.codes;
      if (result.refusal === 'TEMPLATE_NOT_FOUND') throw badInput('No such coupon template', 'templateId');
      if (result.refusal === 'ENDED') throw conflict('This coupon template has ended');
      const left = result.template && result.template.total_quantity !== null ? result.template.total_quantity - result.template.issued_count : 0;
      throw conflict(`Only ${left} coupons of this template are left to issue`);
    },
    ...adminResolvers.Mutation,
    ...redPacketResolvers.Mutation,
    ...activityResolvers.Mutation,
    ...familyCouponResolvers.Mutation,

    async lockCoupon(_parent, { couponId, orderId }, context) {
      requireService(context, 'order');
      const userId = forwardedUser(context);
      checkOrderArgs(couponId, orderId);
      // The order's hold row and a conditional UPDATE decide (coupon-holds.ts); reading the coupon afterwards only
      // explains a refusal.
      for (let attempt = 0; attempt < 3; attempt++) {
        const result = await lockCouponHold(context.db, { couponId, userId, orderId, leaseSeconds: context.config.holds.confirmWindowSeconds });
        if ('coupon' in result) return result.coupon;
        if ('refusal' in result && result.refusal === 'RELEASED') throw holdReleased();
        const current = await context.loaders.couponById.clear(couponId).load(couponId);
        if (!current || !(await usableByUser(context.db, [current], userId)).size) throw notFound('No such coupon');
        if ('repeated' in result) return current;
        if (current.status === 'LOCKED') throw conflict('This coupon is held by another order');
        if (current.status === 'USED') throw conflict('This coupon has already been used');
        if (current.expired) throw conflict('This coupon has expired');
        if (current.not_yet_valid) throw conflict('This coupon cannot be used yet');
        if (result.refusal === 'OTHER_COUPON') throw conflict('This order already holds another coupon');
        // Released between our UPDATE and the read: try again.
      }
      throw conflict('This coupon is busy, please try again');
    },
    async confirmCouponHold(_parent, { couponId, orderId, holdUntil }, context) {
      requireService(context, 'order');
      checkOrderArgs(couponId, orderId);
      const until = new Date(holdUntil);
      if (Number.isNaN(until.getTime()) || until.getTime() <= Date.now() || until.getTime() > Date.now() + MAX_HOLD_DAYS * 86_400_000) {
        throw badInput(`holdUntil must be a time in the next ${MAX_HOLD_DAYS} days`, 'holdUntil');
      }
      const confirmed = await confirmCouponHold(context.db, couponId, orderId, until);
      const hold = confirmed ?? (await findCouponHold(context.db, orderId));
      if (!hold || String(hold.coupon_id) !== String(couponId)) throw notFound('This order holds no such coupon');
      if (hold.status === 'RELEASED') throw holdReleased();
      if (!confirmed && hold.status === 'LOCKED') {
        throw shopError('CONFLICT', 'This coupon hold was not confirmed in time and is being given back', { reason: 'HOLD_EXPIRED' });
      }
      const coupon = await context.loaders.couponById.clear(couponId).load(couponId);
      if (!coupon) throw notFound('No such coupon');
      return coupon;
    },
    async useCoupon(_parent, { couponId, orderId }, context) {
      requireService(context, 'order');
      checkOrderArgs(couponId, orderId);
      const userId = context.identity.userId ?? null;
      await settleCouponHold(context.db, orderId, 'USED', { userId });
      const current = await context.loaders.couponById.clear(couponId).load(couponId);
      if (!current || (userId && !(await usableByUser(context.db, [current], userId)).size)) throw notFound('No such coupon');
      if (current.status === 'USED' && current.order_id === orderId) return current;
      throw conflict('This coupon is not held by this order');
    },
    async releaseCoupon(_parent, { couponId, orderId }, context) {
      requireService(context, 'order');
      checkOrderArgs(couponId, orderId);
      const userId = context.identity.userId ?? null;
      // Leaves a marker when the order never locked: a lock of this order arriving later is refused (HOLD_RELEASED).
      const hold = await releaseCouponHold(context.db, couponId, orderId, userId);
      const current = await context.loaders.couponById.clear(couponId).load(couponId);
      if (!current || (userId && !(await usableByUser(context.db, [current], userId)).size)) throw notFound('No such coupon');
      if (hold.status === 'USED' && String(hold.coupon_id) === String(couponId)) throw conflict('This coupon was already used by this order');
      // Given back now, or not held by this order (already released, or held by another): nothing more to give back.
      return current;
    },
  },

  Coupon: {
    async __resolveReference(reference: { id: string }, context: PromoteContext) {
      const coupon = await context.loaders.couponById.load(reference.id);
      if (!coupon || coupon.family_id == null) return ownedOrNull(context.identity, coupon, (row) => row.user_id, 'promote:write');
      // A family's coupon is its members' to see (e.g. in a member's order that used it), besides services and staff.
      if (mayRead(context.identity, null, 'promote:write')) return coupon;
      const userId = context.identity.userId;
      return userId && (await context.loaders.familiesOfUser.load(userId)).has(String(coupon.family_id)) ? coupon : null;
    },
    familyId: (coupon) => (coupon.family_id == null ? null : String(coupon.family_id)),
    templateId: (coupon) => coupon.template_id,
    minSpend: (coupon) => coupon.min_spend,
    categoryIds: (coupon) => coupon.category_ids,
    productIds: (coupon) => coupon.product_ids,
    status: (coupon) => (coupon.expired ? 'EXPIRED' : coupon.status),
    validFrom: (coupon) => coupon.valid_from.toISOString(),
    validUntil: (coupon) => coupon.valid_until.toISOString(),
    claimedAt: (coupon) => coupon.claimed_at.toISOString(),
    usedAt: (coupon) => iso(coupon.used_at),
    counterCode: (coupon) => coupon.counter_code,
    usedAtStore: (coupon) => coupon.used_at_store,
  },

  CouponCode: adminResolvers.CouponCode,
  RedPacket: redPacketResolvers.RedPacket,
  RedPacketOpening: redPacketResolvers.RedPacketOpening,
  Invitation: inviteResolvers.Invitation,
  InviteRank: inviteResolvers.InviteRank,
  InviteProgress: inviteResolvers.InviteProgress,
  ReceivedInvitation: inviteResolvers.ReceivedInvitation,
  Activity: activityResolvers.Activity,
  StoreRedemption: storeRedemptionResolvers.StoreRedemption,

  CouponTemplate: {
    minSpend: (template: CouponTemplateRow) => template.min_spend,
    categoryIds: (template: CouponTemplateRow) => template.category_ids,
    productIds: (template: CouponTemplateRow) => template.product_ids,
    totalQuantity: (template: CouponTemplateRow) => template.total_quantity,
    issuedCount: (template: CouponTemplateRow) => template.issued_count,
    remainingQuantity: (template: CouponTemplateRow) =>
      template.total_quantity === null ? null : Math.max(0, template.total_quantity - template.issued_count),
    perUserLimit: (template: CouponTemplateRow) => template.per_user_limit,
    validDays: (template: CouponTemplateRow) => template.valid_days,
    validFrom: (template: CouponTemplateRow) => iso(template.valid_from),
    validUntil: (template: CouponTemplateRow) => iso(template.valid_until),
    createdAt: (template: CouponTemplateRow) => template.created_at.toISOString(),
  },
};
