/** Development demo data: a few claimable coupon templates (scope ALL: product ids are not known here). Idempotent. */
import type { Knex } from 'knex';
import type { Config } from '../../platform/config';
import { findTemplateNames, insertTemplate, type NewCouponTemplate } from './data/templates';

const DEMO_TEMPLATES: NewCouponTemplate[] = [
  { name: '满99减10', type: 'CASH', amount: 1000, min_spend: 9900, total_quantity: 10000, per_user_limit: 3, valid_days: 30 },
  { name: '满199减30', type: 'CASH', amount: 3000, min_spend: 19900, total_quantity: 5000, per_user_limit: 2, valid_days: 30 },
  { name: '新人无门槛5元', type: 'CASH', amount: 500, min_spend: 500, total_quantity: null, per_user_limit: 1, valid_days: 7 },
  { name: '包邮券', type: 'FREE_SHIPPING', amount: 0, min_spend: 0, total_quantity: null, per_user_limit: 5, valid_days: 14 },
].map((template) => ({
  ...template,
  type: template.type as NewCouponTemplate['type'],
  scope: 'ALL' as const,
  category_ids: [],
  product_ids: [],
  valid_from: null,
  valid_until: null,
  claimable: true,
  active: true,
  created_by: null,
}));

export async function seedDemo(db: Knex, _config: Config): Promise<void> {
  const existing = await findTemplateNames(db, DEMO_TEMPLATES.map((template) => template.name));
  for (const template of DEMO_TEMPLATES) {
    if (!existing.has(template.name)) await insertTemplate(db, template);
  }
}
