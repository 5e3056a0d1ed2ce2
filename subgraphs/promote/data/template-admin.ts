/** Data access for staff edits and search of coupon templates (template-admin.ts). Knows knex, not GraphQL. */
import type { Knex } from 'knex';
import type { CouponTemplateRow, CouponType, NewCouponTemplate } from './templates';

export interface TemplateFilter {
  /** Matched case-insensitively anywhere in the name or the description. */
  keyword?: string;
  type?: CouponType;
  active?: boolean;
  claimable?: boolean;
}

const escapeLike = (text: string) => text.replace(/[\\%_]/g, (ch) => `\\${ch}`);

/** A page of templates matching the filter, newest first: `limit` rows below `beforeId`. */
export async function searchTemplates(db: Knex, filter: TemplateFilter, limit: number, beforeId: string | null): Promise<CouponTemplateRow[]> {
  const query = db<CouponTemplateRow>('coupon_templates').orderBy('id', 'desc').limit(limit);
  if (filter.keyword) {
    const pattern = `%${escapeLike(filter.keyword)}%`;
    query.where((where) => where.whereRaw("name ILIKE ? ESCAPE '\\'", [pattern]).orWhereRaw("description ILIKE ? ESCAPE '\\'", [pattern]));
  }
  if (filter.type) query.where({ type: filter.type });
  if (filter.active !== undefined) query.where({ active: filter.active });
  if (filter.claimable !== undefined) query.where({ claimable: filter.claimable });
  if (beforeId) query.whereRaw('id < ?::bigint', [beforeId]);
  return query;
}

/** The template with its row locked until the transaction ends (claims, code creation and redemptions wait). */
export async function lockTemplate(trx: Knex.Transaction, id: string): Promise<CouponTemplateRow | undefined> {
  return trx<CouponTemplateRow>('coupon_templates').where({ id }).forUpdate().first() as Promise<CouponTemplateRow | undefined>;
}

export type TemplateChanges = Partial<Omit<NewCouponTemplate, 'created_by'>>;

export async function updateTemplate(trx: Knex.Transaction, id: string, changes: TemplateChanges): Promise<CouponTemplateRow> {
  const [row] = await trx<CouponTemplateRow>('coupon_templates').where({ id }).update(changes).returning('*');
  return row as CouponTemplateRow;
}
