/** Thin resolvers of the staff code and template management (spread into resolvers.ts); rules in code-admin.ts / template-admin.ts. */
import { requireScope } from '../../platform/context';
import { shopError } from '../../platform/errors';
import { pageRequest, toConnection } from '../../platform/connection';
import { deleteCouponCode, parseCodeFilter, updateCouponCode } from './code-admin';
import { pageCodes, type CouponCodeRow } from './data/code-admin';
import type { CouponCodeResolvers, MutationResolvers, QueryResolvers } from './generated/resolvers-types';
import { isSystemTemplate } from './data/templates';
import { isBigintId } from '../../platform/loaders';
import { updateCouponTemplate } from './template-admin';

export const STAFF_SCOPE = 'promote:write';

/** Templates promote issues from itself (red packet shares) are not staff's to change or give codes for. */
export const systemTemplateError = () =>
  shopError('CONFLICT', 'This template is used by the shop itself (red packets, invitation rewards) and cannot be changed', { reason: 'SYSTEM_TEMPLATE' });

const iso = (value: Date | null) => (value ? value.toISOString() : null);

export const adminResolvers: {
  Query: Pick<QueryResolvers, 'couponCodes'>;
  Mutation: Pick<MutationResolvers, 'updateCouponTemplate' | 'updateCouponCode' | 'deleteCouponCode'>;
  CouponCode: CouponCodeResolvers;
} = {
  Query: {
    async couponCodes(_parent, { first, after, filter }, context) {
      requireScope(context, STAFF_SCOPE);
      const page = pageRequest('CouponCode', { first, after }, context.config.maxPageSize);
      return toConnection('CouponCode', await pageCodes(context.db, parseCodeFilter(filter), page.limit, page.afterId ?? null), page);
    },
  },
  Mutation: {
    async updateCouponTemplate(_parent, { id, input }, context) {
      requireScope(context, STAFF_SCOPE);
      if (isBigintId(id) && (await isSystemTemplate(context.db, id))) throw systemTemplateError();
      const row = await updateCouponTemplate(context.db, id, input, context.config.money);
      context.loaders.templateById.clear(id);
      return row;
    },
    async updateCouponCode(_parent, { id, input }, context) {
      return updateCouponCode(context.db, requireScope(context, STAFF_SCOPE), id, input);
    },
    async deleteCouponCode(_parent, { id }, context) {
      return deleteCouponCode(context.db, requireScope(context, STAFF_SCOPE), id);
    },
  },
  CouponCode: {
    template: async (code: CouponCodeRow, _args, context) => (await context.loaders.templateById.load(code.template_id))!,
    expiresAt: (code: CouponCodeRow) => iso(code.expires_at),
    disabledAt: (code: CouponCodeRow) => iso(code.disabled_at),
    deletedAt: (code: CouponCodeRow) => iso(code.deleted_at),
    redeemedBy: (code: CouponCodeRow) => code.redeemed_by,
    redeemedAt: (code: CouponCodeRow) => iso(code.redeemed_at),
    createdAt: (code: CouponCodeRow) => code.created_at.toISOString(),
  },
};
