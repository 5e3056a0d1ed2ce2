/**
 * Staff edits of coupon templates (seed 000 `/promote/coupon/template/update`), scope promote:write, and the template
 * search filter (`/template/list`, `/template/search`).
 *
 * What may change after coupons were issued (issued_count > 0: claimed coupons or created codes):
 * - yes: name and description (the campaign's words; issued coupons show the new name), claimable, active,
 *   perUserLimit (lowering it takes nothing away), totalQuantity (never below issued_count), and the validity
 *   (validDays or the window): issued coupons keep the validity stamped on them when issued; new claims and codes
 *   redeemed later use the new one.
 * - no: the terms — type, amount, minSpend, scope, categoryIds, productIds. Coupons read their terms from the template,
 *   so a change would alter what shoppers already hold (and orders being priced): CONFLICT, reason TEMPLATE_ISSUED.
 *   Staff create a new template instead. While nothing was issued everything may change.
 *
 * The whole template is checked again with the creation rules (template-input.ts) before anything is written, inside
 * one transaction holding the template's row lock, the lock claims and code creation take: a claim cannot slip in
 * between the "nothing issued" check and a change of terms, nor push issued_count past a lowered total.
 */
import type { Knex } from 'knex';
import { badInput, notFound, shopError } from '../../platform/errors';
import { isBigintId } from '../../platform/loaders';
import type { MoneyLimits } from '../../platform/money';
import { lockTemplate, updateTemplate, type TemplateChanges, type TemplateFilter } from './data/template-admin';
import type { CouponTemplateRow } from './data/templates';
import type { CouponTemplateFilter, CouponTemplateInput, UpdateCouponTemplateInput } from './generated/resolvers-types';
import { parseTemplateInput } from './template-input';

const MAX_KEYWORD_LENGTH = 64;
/** The terms a coupon carries from its template: frozen once anything was issued. */
const TERMS = ['type', 'amount', 'min_spend', 'scope', 'category_ids', 'product_ids'] as const;

export function parseTemplateFilter(input: CouponTemplateFilter | null | undefined): TemplateFilter {
  const filter: TemplateFilter = {};
  if (!input) return filter;
  if (input.keyword != null) {
    const keyword = input.keyword.trim();
    if (!keyword || keyword.length > MAX_KEYWORD_LENGTH || keyword.includes('\u0000')) {
      throw badInput(`keyword must be 1-${MAX_KEYWORD_LENGTH} characters`, 'keyword');
    }
    filter.keyword = keyword;
  }
  if (input.type != null) filter.type = input.type;
  if (input.active != null) filter.active = input.active;
  if (input.claimable != null) filter.claimable = input.claimable;
  return filter;
}

const iso = (value: Date | null) => (value ? value.toISOString() : null);
const has = <K extends keyof UpdateCouponTemplateInput>(input: UpdateCouponTemplateInput, key: K) => input[key] !== undefined;
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** The template as it would be after the change, in the shape of a creation input (so the same rules check it). */
function mergedInput(row: CouponTemplateRow, input: UpdateCouponTemplateInput): CouponTemplateInput {
  const windowChange = has(input, 'validFrom') || has(input, 'validUntil');
  const daysChange = has(input, 'validDays');
  if (windowChange && daysChange) throw badInput('Give either validDays or validFrom/validUntil, not both', 'validDays');
  for (const key of ['name', 'type', 'amount', 'minSpend', 'scope', 'perUserLimit', 'claimable', 'active', 'validDays', 'validFrom', 'validUntil'] as const) {
    if (input[key] === null) throw badInput(`${key} cannot be null`, key);
  }
  const scopeIds = (key: 'categoryIds' | 'productIds', current: string[]) => (has(input, key) ? input[key] : current.map(String));
  return {
    name: input.name ?? row.name,
    description: has(input, 'description') ? input.description : row.description,
    type: input.type ?? row.type,
    amount: input.amount ?? row.amount,
    minSpend: input.minSpend ?? row.min_spend,
    scope: input.scope ?? row.scope,
    categoryIds: scopeIds('categoryIds', row.category_ids),
    productIds: scopeIds('productIds', row.product_ids),
    totalQuantity: has(input, 'totalQuantity') ? input.totalQuantity : row.total_quantity,
    perUserLimit: input.perUserLimit ?? row.per_user_limit,
    validDays: daysChange ? input.validDays : windowChange ? null : row.valid_days,
    validFrom: daysChange ? null : (input.validFrom ?? iso(row.valid_from)),
    validUntil: daysChange ? null : (input.validUntil ?? iso(row.valid_until)),
    claimable: input.claimable ?? row.claimable,
    active: input.active ?? row.active,
  };
}

export async function updateCouponTemplate(
  db: Knex,
  id: string,
  input: UpdateCouponTemplateInput,
  limits: MoneyLimits,
): Promise<CouponTemplateRow> {
  if (!isBigintId(id)) throw notFound('No such coupon template');
  return db.transaction(async (trx) => {
    const row = await lockTemplate(trx, id);
    if (!row) throw notFound('No such coupon template');
    const merged = mergedInput(row, input);
    // An end date left as it was may already be past (editing an ended campaign's name); a new one must be ahead.
    const now = has(input, 'validUntil') ? new Date() : new Date(0);
    const next = parseTemplateInput(merged, row.created_by ?? '', limits, now);
    if (next.total_quantity !== null && next.total_quantity < row.issued_count) {
      throw badInput(`totalQuantity cannot be below the ${row.issued_count} already issued`, 'totalQuantity');
    }
    const changes: TemplateChanges = {};
    for (const key of Object.keys(next) as (keyof typeof next)[]) {
      if (key === 'created_by') continue;
      if (!same(next[key], (row as unknown as Record<string, unknown>)[key])) (changes as Record<string, unknown>)[key] = next[key];
    }
    const changedTerms = TERMS.filter((key) => key in changes);
    if (row.issued_count > 0 && changedTerms.length) {
      throw shopError('CONFLICT', `Coupons of this template were already issued: its terms (${changedTerms.join(', ')}) can no longer change; create a new template`, {
        reason: 'TEMPLATE_ISSUED',
      });
    }
    if (Object.keys(changes).length === 0) return row;
    return updateTemplate(trx, id, changes);
  });
}
