/**
 * Checks a new coupon template from staff and turns it into a row to insert. Every rule is checked before anything is
 * written, so bad input changes nothing.
 */
import { badInput } from '../../platform/errors';
import { isBigintId } from '../../platform/loaders';
import { checkOrderAmount, type MoneyLimits } from '../../platform/money';
import type { NewCouponTemplate } from './data/templates';
import type { CouponTemplateInput } from './generated/resolvers-types';

const MAX_NAME_LENGTH = 64;
const MAX_DESCRIPTION_LENGTH = 200;
const MAX_SCOPE_IDS = 1000;
const MAX_VALID_DAYS = 3650;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/;

function idList(ids: readonly string[] | null | undefined, field: string): string[] {
  const unique = [...new Set(ids ?? [])];
  if (unique.length === 0) throw badInput(`${field} must name at least one id for this scope`, field);
  if (unique.length > MAX_SCOPE_IDS) throw badInput(`${field} takes at most ${MAX_SCOPE_IDS} ids`, field);
  const bad = unique.find((id) => !isBigintId(id));
  if (bad !== undefined) throw badInput(`${field} holds an invalid id: "${bad}"`, field);
  return unique;
}

/** Trimmed, at most 200 characters, no NUL; empty or null means none. */
export function parseDescription(value: string | null | undefined): string | null {
  const text = value?.trim() ?? '';
  if (text.includes('\u0000')) throw badInput('description must not contain NUL characters', 'description');
  if (text.length > MAX_DESCRIPTION_LENGTH) throw badInput(`description takes at most ${MAX_DESCRIPTION_LENGTH} characters`, 'description');
  return text || null;
}

function isoDate(value: string, field: string): Date {
  const date = new Date(value);
  if (!ISO_DATE.test(value) || Number.isNaN(date.getTime())) throw badInput(`${field} must be an ISO 8601 date-time`, field);
  return date;
}

export function parseTemplateInput(input: CouponTemplateInput, createdBy: string, limits: MoneyLimits, now = new Date()): NewCouponTemplate {
  const name = input.name.trim();
  if (!name || name.length > MAX_NAME_LENGTH || name.includes('\u0000')) throw badInput(`name must be 1-${MAX_NAME_LENGTH} characters`, 'name');

  if (input.amount < 0) throw badInput('amount cannot be negative', 'amount');
  // No order may total more than the maximum, so neither can a discount or a spend threshold (keeps quotes inside Int).
  checkOrderAmount(input.amount, limits, 'amount');
  if (input.type === 'CASH' && input.amount === 0) throw badInput('A CASH coupon needs an amount of at least 1 fen', 'amount');
  if (input.type === 'FREE_SHIPPING' && input.amount !== 0) throw badInput('A FREE_SHIPPING coupon has no amount: pass 0', 'amount');
  const minSpend = input.minSpend ?? (input.type === 'CASH' ? input.amount : 0);
  if (minSpend < 0) throw badInput('minSpend cannot be negative', 'minSpend');
  checkOrderAmount(minSpend, limits, 'minSpend');
  if (input.type === 'CASH' && minSpend < input.amount) throw badInput('minSpend cannot be below the amount of a CASH coupon', 'minSpend');

  const scope = input.scope ?? 'ALL';
  if (scope !== 'CATEGORIES' && input.categoryIds?.length) throw badInput('categoryIds go with scope CATEGORIES only', 'categoryIds');
  if (scope !== 'PRODUCTS' && input.productIds?.length) throw badInput('productIds go with scope PRODUCTS only', 'productIds');
  const categoryIds = scope === 'CATEGORIES' ? idList(input.categoryIds, 'categoryIds') : [];
  const productIds = scope === 'PRODUCTS' ? idList(input.productIds, 'productIds') : [];

  const totalQuantity = input.totalQuantity ?? null;
  if (totalQuantity !== null && totalQuantity < 1) throw badInput('totalQuantity must be at least 1 (or null for unlimited)', 'totalQuantity');
  const perUserLimit = input.perUserLimit ?? 1;
  if (perUserLimit < 1) throw badInput('perUserLimit must be at least 1', 'perUserLimit');

  const validDays = input.validDays ?? null;
  const hasWindow = input.validFrom != null || input.validUntil != null;
  if (validDays !== null && hasWindow) throw badInput('Give either validDays or validFrom/validUntil, not both', 'validDays');
  if (validDays === null && !hasWindow) throw badInput('Give validDays or a validFrom/validUntil window', 'validDays');
  let validFrom: Date | null = null;
  let validUntil: Date | null = null;
  if (validDays !== null) {
    if (validDays < 1 || validDays > MAX_VALID_DAYS) throw badInput(`validDays must be 1-${MAX_VALID_DAYS}`, 'validDays');
  } else {
    if (input.validFrom == null || input.validUntil == null) throw badInput('A validity window needs both validFrom and validUntil', 'validFrom');
    validFrom = isoDate(input.validFrom, 'validFrom');
    validUntil = isoDate(input.validUntil, 'validUntil');
    if (validUntil <= validFrom) throw badInput('validUntil must be after validFrom', 'validUntil');
    if (validUntil <= now) throw badInput('validUntil is already past', 'validUntil');
  }

  return {
    name,
    description: parseDescription(input.description),
    type: input.type,
    amount: input.amount,
    min_spend: minSpend,
    scope,
    category_ids: categoryIds,
    product_ids: productIds,
    total_quantity: totalQuantity,
    per_user_limit: perUserLimit,
    valid_days: validDays,
    valid_from: validFrom,
    valid_until: validUntil,
    claimable: input.claimable ?? true,
    active: input.active ?? true,
    created_by: createdBy,
  };
}
