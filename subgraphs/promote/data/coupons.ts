/**
 * Data access for coupons (the wallet) and redeem codes. Knows knex, not GraphQL.
 * Every read returns a coupon joined with its template's terms (templates never change their terms, only `active`).
 */
import type { Knex } from 'knex';
import { findTemplateState, openNow, reserveForCodes, type CouponScope, type CouponTemplateRow, type CouponType, type TemplateState } from './templates';

/** Stored states; EXPIRED is derived (`expired`) so it can never go stale. */
export type StoredCouponStatus = 'AVAILABLE' | 'LOCKED' | 'USED';
export type CouponStatusFilter = StoredCouponStatus | 'EXPIRED';

export interface CouponRow {
  id: string;
  template_id: string;
  user_id: string;
  status: StoredCouponStatus;
  order_id: string | null;
  source: 'CLAIM' | 'CODE' | 'PACKET' | 'INVITE' | 'MEMBER';
  /** A family's coupon (docs/family-coupons.md): usable by its members; `user_id` is then the family's owner. */
  family_id: string | null;
  code_id: string | null;
  valid_from: Date;
  valid_until: Date;
  claimed_at: Date;
  locked_at: Date | null;
  used_at: Date | null;
  /** Shown at a store's counter to have the coupon redeemed there (store-redemptions.ts). */
  counter_code: string;
  /** The store that redeemed it (USED without an order). */
  used_at_store: string | null;
  // From the template:
  name: string;
  type: CouponType;
  amount: number;
  min_spend: number;
  scope: CouponScope;
  category_ids: string[];
  product_ids: string[];
  /** AVAILABLE but past valid_until (database clock). */
  expired: boolean;
  /** Before valid_from (database clock). */
  not_yet_valid: boolean;
}

// A red packet share (share_amount) carries its own amount and needs at least that much spend (docs/invites.md).
export const COUPON_COLUMNS = `c.*, t.name, t.type, COALESCE(c.share_amount, t.amount) AS amount,
  GREATEST(t.min_spend, COALESCE(c.share_amount, 0)) AS min_spend, t.scope, t.category_ids, t.product_ids,
  (c.status = 'AVAILABLE' AND c.valid_until < now()) AS expired,
  (c.valid_from > now()) AS not_yet_valid`;

/**
 * Coupon `c` may be used by the user bound twice after it: a personal coupon of theirs, or a coupon of a family they
 * belong to (promote's copy of the family, docs/family-coupons.md).
 */
const USABLE_BY_USER = `((c.family_id IS NULL AND c.user_id = ?) OR c.family_id IN (SELECT m.family_id FROM promote_family_members m WHERE m.user_id = ?))`;

/** AVAILABLE and within its validity right now. */
const USABLE = `c.status = 'AVAILABLE' AND c.valid_from <= now() AND c.valid_until >= now()`;

export async function findCouponsByIds(db: Knex, ids: readonly string[]): Promise<CouponRow[]> {
  const { rows } = await db.raw(
    `SELECT ${COUPON_COLUMNS} FROM coupons c JOIN coupon_templates t ON t.id = c.template_id WHERE c.id = ANY(?::bigint[])`,
    [[...ids]],
  );
  return rows as CouponRow[];
}

export const STATUS_FILTERS: Record<CouponStatusFilter, string> = {
  AVAILABLE: `c.status = 'AVAILABLE' AND c.valid_until >= now()`,
  EXPIRED: `c.status = 'AVAILABLE' AND c.valid_until < now()`,
  LOCKED: `c.status = 'LOCKED'`,
  USED: `c.status = 'USED'`,
};

/** A user's own coupons (not their families'), newest first, optionally with one (derived) status. */
export async function findUserCoupons(db: Knex, userId: string, status: CouponStatusFilter | null): Promise<CouponRow[]> {
  const { rows } = await db.raw(
    `SELECT ${COUPON_COLUMNS} FROM coupons c JOIN coupon_templates t ON t.id = c.template_id
      WHERE c.user_id = ? AND c.family_id IS NULL ${status ? `AND ${STATUS_FILTERS[status]}` : ''}
      ORDER BY c.id DESC`,
    [userId],
  );
  return rows as CouponRow[];
}

/** Every coupon the user can use right now (theirs and their families'), with its template's terms: one statement for a whole quote. */
export async function findUsableCoupons(db: Knex, userId: string): Promise<CouponRow[]> {
  const { rows } = await db.raw(
    `SELECT ${COUPON_COLUMNS} FROM coupons c JOIN coupon_templates t ON t.id = c.template_id
      WHERE ${USABLE_BY_USER} AND ${USABLE}`,
    [userId, userId],
  );
  return rows as CouponRow[];
}

// ---------------------------------------------------------------------------------------------------------------
// Issuing: claims and code redemptions.

export type IssueRefusal =
  | 'TEMPLATE_NOT_FOUND'
  | 'INACTIVE'
  | 'NOT_CLAIMABLE'
  | 'NOT_STARTED'
  | 'ENDED'
  | 'SOLD_OUT'
  | 'LIMIT_REACHED'
  | 'CODE_NOT_FOUND'
  | 'CODE_USED'
  | 'CODE_DISABLED'
  | 'CODE_EXPIRED';

export type IssueResult = { coupon: CouponRow } | { refusal: IssueRefusal; template: CouponTemplateRow | null };

/** Thrown inside a transaction to roll it back and report why nothing was issued. */
class Refused extends Error {
  constructor(
    readonly refusal: IssueRefusal,
    readonly template: CouponTemplateRow | null,
  ) {
    super(refusal);
  }
}

async function issueInTransaction(db: Knex, work: (trx: Knex.Transaction) => Promise<CouponRow>): Promise<IssueResult> {
  try {
    return { coupon: await db.transaction(work) };
  } catch (error) {
    if (error instanceof Refused) return { refusal: error.refusal, template: error.template };
    throw error;
  }
}

/** Why a template cannot issue now, in the order a shopper should hear it; null when it can. */
function templateRefusal(template: TemplateState | null, purpose: 'CLAIM' | 'REDEEM'): IssueRefusal | null {
  if (!template) return 'TEMPLATE_NOT_FOUND';
  if (!template.active) return 'INACTIVE';
  if (purpose === 'CLAIM' && !template.claimable) return 'NOT_CLAIMABLE';
  if (template.not_started) return 'NOT_STARTED';
  if (template.ended) return 'ENDED';
  // Codes reserved their coupon when they were created: only claims draw on what is left.
  if (purpose === 'CLAIM' && template.sold_out) return 'SOLD_OUT';
  return null;
}

async function countUserCoupons(db: Knex, templateId: string, userId: string): Promise<number> {
  const row = await db('coupons').where({ template_id: templateId, user_id: userId }).count<{ n: number }[]>({ n: '*' }).first();
  return Number(row?.n ?? 0);
}

/**
 * Inserts the user's coupon of a template unless the user already holds `per_user_limit` of it (used ones count).
 * Callers hold the template's row lock, which serializes this count-then-insert per template.
 */
async function insertCouponWithinLimit(
  trx: Knex.Transaction,
  template: CouponTemplateRow,
  userId: string,
  source: 'CLAIM' | 'CODE',
  codeId: string | null,
): Promise<CouponRow | null> {
  const { rows } = await trx.raw(
    `INSERT INTO coupons (template_id, user_id, status, source, code_id, valid_from, valid_until)
     SELECT t.id, ?, 'AVAILABLE', ?, ?, COALESCE(t.valid_from, now()), COALESCE(t.valid_until, now() + make_interval(days => t.valid_days))
       FROM coupon_templates t
      WHERE t.id = ?
        AND (SELECT count(*) FROM coupons c WHERE c.template_id = t.id AND c.user_id = ?) < t.per_user_limit
     RETURNING *`,
    [userId, source, codeId, template.id, userId],
  );
  const inserted = rows[0] as Omit<CouponRow, 'name' | 'type' | 'amount' | 'min_spend' | 'scope' | 'category_ids' | 'product_ids' | 'expired' | 'not_yet_valid'> | undefined;
  if (!inserted) return null;
  return {
    ...inserted,
    name: template.name,
    type: template.type,
    amount: template.amount,
    min_spend: template.min_spend,
    scope: template.scope,
    category_ids: template.category_ids,
    product_ids: template.product_ids,
    expired: false,
    not_yet_valid: false,
  };
}

/**
 * Claims one coupon: one transaction that takes one from the template's quantity with a conditional UPDATE (its row
 * lock serializes concurrent claims of the template, so totals and per-user limits hold under concurrency), then
 * inserts the coupon if the user is under the limit. Any refusal rolls the whole claim back.
 */
export async function claimCoupon(db: Knex, userId: string, templateId: string): Promise<IssueResult> {
  return issueInTransaction(db, async (trx) => {
    const [template] = (await trx('coupon_templates as t')
      .where('t.id', templateId)
      .whereRaw(`t.active AND t.claimable AND ${openNow('t')}`)
      .whereRaw('(t.total_quantity IS NULL OR t.issued_count < t.total_quantity)')
      .increment('issued_count', 1)
      .returning('*')) as CouponTemplateRow[];
    if (!template) {
      const state = await findTemplateState(trx, templateId);
      const refusal = templateRefusal(state, 'CLAIM') ?? 'SOLD_OUT';
      // A shopper who already holds the limit hears that rather than "sold out".
      if (refusal === 'SOLD_OUT' && state && (await countUserCoupons(trx, templateId, userId)) >= state.per_user_limit) {
        throw new Refused('LIMIT_REACHED', state);
      }
      throw new Refused(refusal, state);
    }
    const coupon = await insertCouponWithinLimit(trx, template, userId, 'CLAIM', null);
    if (!coupon) throw new Refused('LIMIT_REACHED', template);
    return coupon;
  });
}

/**
 * Redeems a code once: the conditional UPDATE of the code row lets exactly one of concurrent redemptions through;
 * the template's row lock then serializes the per-user count. A refusal rolls back, leaving the code unused.
 */
export async function redeemCode(db: Knex, userId: string, code: string): Promise<IssueResult> {
  return issueInTransaction(db, async (trx) => {
    // Staff may have disabled, expired or deleted the code (code-admin.ts): only a live one redeems.
    const [codeRow] = (await trx('coupon_codes')
      .where({ code })
      .whereNull('redeemed_at')
      .whereNull('disabled_at')
      .whereNull('deleted_at')
      .whereRaw('(expires_at IS NULL OR expires_at >= now())')
      .update({ redeemed_by: userId, redeemed_at: trx.fn.now() })
      .returning(['id', 'template_id'])) as { id: string; template_id: string }[];
    if (!codeRow) {
      const known = (await trx('coupon_codes')
        .where({ code })
        .first('redeemed_at', 'disabled_at', 'deleted_at', trx.raw('(expires_at IS NOT NULL AND expires_at < now()) AS expired'))) as
        | { redeemed_at: Date | null; disabled_at: Date | null; deleted_at: Date | null; expired: boolean }
        | undefined;
      const refusal: IssueRefusal =
        !known || known.deleted_at ? 'CODE_NOT_FOUND' : known.redeemed_at ? 'CODE_USED' : known.disabled_at ? 'CODE_DISABLED' : 'CODE_EXPIRED';
      throw new Refused(refusal, null);
    }
    const template = await findTemplateState(trx, codeRow.template_id, { lock: true });
    const refusal = templateRefusal(template, 'REDEEM');
    if (refusal || !template) throw new Refused(refusal ?? 'TEMPLATE_NOT_FOUND', template);
    const coupon = await insertCouponWithinLimit(trx, template, userId, 'CODE', codeRow.id);
    if (!coupon) throw new Refused('LIMIT_REACHED', template);
    return coupon;
  });
}

export type CodesResult = { codes: string[] } | { refusal: 'TEMPLATE_NOT_FOUND' | 'ENDED' | 'SOLD_OUT'; template: TemplateState | null };

/**
 * Creates `count` codes for a template, reserving as many coupons of its quantity in the same transaction.
 * `generate(n)` makes n candidate codes; the rare collision with an existing code is simply generated again.
 */
export async function createCodes(
  db: Knex,
  templateId: string,
  count: number,
  createdBy: string,
  generate: (n: number) => string[],
): Promise<CodesResult> {
  const trx = await db.transaction();
  try {
    const template = await reserveForCodes(trx, templateId, count);
    if (!template) {
      const state = await findTemplateState(trx, templateId);
      await trx.rollback();
      return { refusal: !state ? 'TEMPLATE_NOT_FOUND' : state.ended ? 'ENDED' : 'SOLD_OUT', template: state };
    }
    const codes: string[] = [];
    while (codes.length < count) {
      const rows = generate(count - codes.length).map((code) => ({ template_id: templateId, code, created_by: createdBy }));
      const inserted = (await trx('coupon_codes').insert(rows).onConflict('code').ignore().returning('code')) as { code: string }[];
      codes.push(...inserted.map((row) => row.code));
    }
    await trx.commit();
    return { codes };
  } catch (error) {
    if (!trx.isCompleted()) await trx.rollback();
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Holds by orders: conditional UPDATEs, so concurrent calls cannot both win.

/** Runs a conditional UPDATE on one coupon and returns the updated coupon joined with its template, or null. */
async function updateCouponWhere(db: Knex, set: string, where: string, bindings: Knex.RawBinding[]): Promise<CouponRow | null> {
  const { rows } = await db.raw(
    `WITH c AS (UPDATE coupons SET ${set} WHERE ${where} RETURNING *)
     SELECT ${COUPON_COLUMNS} FROM c JOIN coupon_templates t ON t.id = c.template_id`,
    bindings,
  );
  return (rows[0] as CouponRow | undefined) ?? null;
}

/**
 * AVAILABLE, valid now and usable by the user (theirs, or their family's) -> LOCKED by the order. Null when any
 * condition fails. The conditional UPDATE lets one of concurrent lockers win, family members included.
 */
export async function lockCouponForOrder(db: Knex, couponId: string, userId: string, orderId: string): Promise<CouponRow | null> {
  return updateCouponWhere(
    db,
    `status = 'LOCKED', order_id = ?, locked_at = now()`,
    `id = ? AND ${USABLE_BY_USER.replace(/\bc\./g, 'coupons.')} AND status = 'AVAILABLE' AND valid_from <= now() AND valid_until >= now()`,
    [orderId, couponId, userId, userId],
  );
}

/** LOCKED by the order -> USED. Null when it is not locked by that order (or not the user's, when given). */
export async function useCouponForOrder(db: Knex, couponId: string, orderId: string, userId: string | null): Promise<CouponRow | null> {
  return updateCouponWhere(
    db,
    `status = 'USED', used_at = now()`,
    `id = ? AND status = 'LOCKED' AND order_id = ? AND (?::bigint IS NULL OR user_id = ?::bigint)`,
    [couponId, orderId, userId, userId],
  );
}

/** LOCKED by the order -> AVAILABLE again. Null when it is not locked by that order (or not the user's, when given). */
export async function releaseCouponOfOrder(db: Knex, couponId: string, orderId: string, userId: string | null): Promise<CouponRow | null> {
  return updateCouponWhere(
    db,
    `status = 'AVAILABLE', order_id = NULL, locked_at = NULL`,
    `id = ? AND status = 'LOCKED' AND order_id = ? AND (?::bigint IS NULL OR user_id = ?::bigint)`,
    [couponId, orderId, userId, userId],
  );
}
