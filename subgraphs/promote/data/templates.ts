/** Data access for coupon templates. Knows knex, not GraphQL. */
import type { Knex } from 'knex';

export type CouponType = 'CASH' | 'FREE_SHIPPING';
export type CouponScope = 'ALL' | 'CATEGORIES' | 'PRODUCTS';

export interface CouponTemplateRow {
  id: string;
  name: string;
  /** Staff's note shown with the campaign (at most 200 characters); null when none. */
  description: string | null;
  type: CouponType;
  amount: number;
  min_spend: number;
  scope: CouponScope;
  category_ids: string[];
  product_ids: string[];
  total_quantity: number | null;
  issued_count: number;
  per_user_limit: number;
  valid_days: number | null;
  valid_from: Date | null;
  valid_until: Date | null;
  claimable: boolean;
  active: boolean;
  created_by: string | null;
  created_at: Date;
}

export type NewCouponTemplate = Omit<CouponTemplateRow, 'id' | 'issued_count' | 'created_at' | 'description'> & { description?: string | null };

/** A template with its state judged by the database clock: what a refused claim or redemption is explained with. */
export interface TemplateState extends CouponTemplateRow {
  not_started: boolean;
  ended: boolean;
  sold_out: boolean;
}

const STATE_COLUMNS = `*,
  (valid_from IS NOT NULL AND valid_from > now()) AS not_started,
  (valid_until IS NOT NULL AND valid_until < now()) AS ended,
  (total_quantity IS NOT NULL AND issued_count >= total_quantity) AS sold_out`;

/** SQL condition: the template (`alias`) is within its window right now, judged by the database clock. */
export const openNow = (alias: string) =>
  `(${alias}.valid_from IS NULL OR ${alias}.valid_from <= now()) AND (${alias}.valid_until IS NULL OR ${alias}.valid_until >= now())`;

export async function insertTemplate(db: Knex, template: NewCouponTemplate): Promise<CouponTemplateRow> {
  const [row] = await db<CouponTemplateRow>('coupon_templates').insert(template).returning('*');
  return row as CouponTemplateRow;
}

export async function updateTemplateActive(db: Knex, id: string, active: boolean): Promise<CouponTemplateRow | null> {
  const [row] = await db<CouponTemplateRow>('coupon_templates').where({ id }).update({ active }).returning('*');
  return (row as CouponTemplateRow | undefined) ?? null;
}

/** Whether promote issues from this template itself (red packet shares, migration 210): staff may not change it. */
export async function isSystemTemplate(db: Knex, id: string): Promise<boolean> {
  return !!(await db('promote_system_templates').where({ template_id: id }).first('purpose'));
}

export async function findTemplatesByIds(db: Knex, ids: readonly string[]): Promise<CouponTemplateRow[]> {
  return db<CouponTemplateRow>('coupon_templates').whereRaw('id = ANY(?::bigint[])', [[...ids]]);
}

/** The template and its state; `for update` also locks its row until the transaction ends. */
export async function findTemplateState(db: Knex, id: string, options: { lock?: boolean } = {}): Promise<TemplateState | null> {
  const { rows } = await db.raw(
    `SELECT ${STATE_COLUMNS} FROM coupon_templates WHERE id = ?${options.lock ? ' FOR NO KEY UPDATE' : ''}`,
    [id],
  );
  return (rows[0] as TemplateState | undefined) ?? null;
}

/**
 * Templates open for claiming now, oldest first, in one statement; with a user, without those the user already
 * holds `per_user_limit` coupons of.
 */
export async function findClaimableTemplates(db: Knex, userId: string | null): Promise<CouponTemplateRow[]> {
  const { rows } = await db.raw(
    `SELECT t.* FROM coupon_templates t
      WHERE t.active AND t.claimable AND ${openNow('t')}
        AND (t.total_quantity IS NULL OR t.issued_count < t.total_quantity)
        AND (?::bigint IS NULL
             OR (SELECT count(*) FROM coupons c WHERE c.template_id = t.id AND c.user_id = ?::bigint) < t.per_user_limit)
      ORDER BY t.id`,
    [userId, userId],
  );
  return rows as CouponTemplateRow[];
}

/**
 * Reserves `count` coupons of a template for redeem codes (one statement, row-locked): null when the template is
 * unknown, ended, or has fewer than `count` left.
 */
export async function reserveForCodes(trx: Knex.Transaction, id: string, count: number): Promise<CouponTemplateRow | null> {
  const [row] = await trx<CouponTemplateRow>('coupon_templates')
    .where({ id })
    .whereRaw('(valid_until IS NULL OR valid_until >= now())')
    .whereRaw('(total_quantity IS NULL OR issued_count + ? <= total_quantity)', [count])
    .increment('issued_count', count)
    .returning('*');
  return (row as CouponTemplateRow | undefined) ?? null;
}

/** Demo templates are looked up by name so seeding twice inserts nothing new. */
export async function findTemplateNames(db: Knex, names: string[]): Promise<Set<string>> {
  const rows = await db<CouponTemplateRow>('coupon_templates').select('name').whereIn('name', names);
  return new Set(rows.map((row) => row.name));
}
