/**
 * Data access for staff management of redeem codes (code-admin.ts): the filtered list, edits and soft deletion.
 * Knows knex, not GraphQL. A code's status is derived in SQL from its timestamps with the database clock, so the list
 * filter and the status shown always agree.
 */
import type { Knex } from 'knex';

export type CouponCodeStatus = 'ACTIVE' | 'REDEEMED' | 'EXPIRED' | 'DISABLED' | 'DELETED';

export interface CouponCodeRow {
  id: string;
  template_id: string;
  code: string;
  created_by: string | null;
  created_at: Date;
  redeemed_by: string | null;
  redeemed_at: Date | null;
  expires_at: Date | null;
  disabled_at: Date | null;
  deleted_at: Date | null;
  updated_at: Date | null;
  updated_by: string | null;
  /** Derived (see STATUS). */
  status: CouponCodeStatus;
}

/** Precedence: deleted, then redeemed (history), then disabled, then expired. */
const STATUS = `CASE WHEN deleted_at IS NOT NULL THEN 'DELETED'
  WHEN redeemed_at IS NOT NULL THEN 'REDEEMED'
  WHEN disabled_at IS NOT NULL THEN 'DISABLED'
  WHEN expires_at IS NOT NULL AND expires_at < now() THEN 'EXPIRED'
  ELSE 'ACTIVE' END AS status`;

/** SQL condition per status (the same precedence as STATUS); without a status: everything not deleted. */
const STATUS_WHERE: Record<CouponCodeStatus | 'ANY', string> = {
  ANY: 'deleted_at IS NULL',
  DELETED: 'deleted_at IS NOT NULL',
  REDEEMED: 'deleted_at IS NULL AND redeemed_at IS NOT NULL',
  DISABLED: 'deleted_at IS NULL AND redeemed_at IS NULL AND disabled_at IS NOT NULL',
  EXPIRED: 'deleted_at IS NULL AND redeemed_at IS NULL AND disabled_at IS NULL AND expires_at IS NOT NULL AND expires_at < now()',
  ACTIVE: 'deleted_at IS NULL AND redeemed_at IS NULL AND disabled_at IS NULL AND (expires_at IS NULL OR expires_at >= now())',
};

export interface CodeFilter {
  templateId?: string;
  status?: CouponCodeStatus;
  /** Normalized (upper case, no dashes): codes starting with it. */
  codePrefix?: string;
  redeemedBy?: string;
}

/** A page of codes, newest first: `limit` rows below `beforeId`. */
export async function pageCodes(db: Knex, filter: CodeFilter, limit: number, beforeId: string | null): Promise<CouponCodeRow[]> {
  const query = db('coupon_codes').select(db.raw(`*, ${STATUS}`)).whereRaw(STATUS_WHERE[filter.status ?? 'ANY']).orderBy('id', 'desc').limit(limit);
  if (filter.templateId) query.where({ template_id: filter.templateId });
  // The prefix holds code characters only (checked by the caller): nothing to escape for LIKE.
  if (filter.codePrefix) query.whereRaw('code LIKE ?', [`${filter.codePrefix}%`]);
  if (filter.redeemedBy) query.where({ redeemed_by: filter.redeemedBy });
  if (beforeId) query.whereRaw('id < ?::bigint', [beforeId]);
  return query;
}

export async function findCodesByIds(db: Knex, ids: readonly string[]): Promise<CouponCodeRow[]> {
  return db('coupon_codes').select(db.raw(`*, ${STATUS}`)).whereRaw('id = ANY(?::bigint[])', [[...ids]]);
}

/** The code with its row locked until the transaction ends (redemptions of it wait). */
export async function lockCode(trx: Knex.Transaction, id: string): Promise<CouponCodeRow | undefined> {
  return trx('coupon_codes').select(trx.raw(`*, ${STATUS}`)).where({ id }).forUpdate().first();
}

export async function updateCode(
  trx: Knex.Transaction,
  id: string,
  changes: { expires_at?: Date | null; disabled_at?: Date | null | Knex.Raw },
  staffId: string,
): Promise<CouponCodeRow> {
  await trx('coupon_codes').where({ id }).update({ ...changes, updated_at: trx.fn.now(), updated_by: staffId });
  return (await lockCode(trx, id))!;
}

/**
 * Deletes a code softly (the row stays: a redeemed code's coupon refers to it, and the list can still show it). An
 * unredeemed code's reserved coupon goes back to its template's quantity, in the same transaction.
 */
export async function softDeleteCode(trx: Knex.Transaction, code: CouponCodeRow, staffId: string): Promise<CouponCodeRow> {
  await trx('coupon_codes').where({ id: code.id }).update({ deleted_at: trx.fn.now(), updated_at: trx.fn.now(), updated_by: staffId });
  if (!code.redeemed_at) await trx('coupon_templates').where({ id: code.template_id }).decrement('issued_count', 1);
  return (await lockCode(trx, code.id))!;
}
