/**
 * Staff management of redeem codes (seed 000 `/promote/coupon/code/list|updtae|delete`), scope promote:write.
 *
 * - Codes are single-use by design (each reserves one coupon of its template when created): the seed's per-code
 *   "quantity" (num / active_num) is the number of codes created for a template (createCouponCodes) and the
 *   template's totalQuantity, not a counter on one code.
 * - An edit sets or clears the code's own expiry (`expiresAt`, in the future) and disables or re-enables it. A
 *   disabled or expired code keeps its reservation (it may be re-enabled or extended); a redeemed code cannot be
 *   edited (CONFLICT, reason CODE_REDEEMED): its history stays as it happened.
 * - Deleting is soft: the row stays with `deletedAt`, hidden from the list unless asked for by status DELETED. An
 *   unredeemed code's reserved coupon returns to the template's quantity; a redeemed code's coupon is untouched. A
 *   deleted code no longer redeems (NOT_FOUND, like an unknown code) and cannot be edited; deleting again is a no-op.
 * - Each change runs in one transaction holding the code's row lock, the lock a redemption takes first: a redemption
 *   and a delete/disable of the same code never both win.
 */
import type { Knex } from 'knex';
import { badInput, notFound, shopError } from '../../platform/errors';
import { isBigintId } from '../../platform/loaders';
import { lockCode, softDeleteCode, updateCode, type CodeFilter, type CouponCodeRow, type CouponCodeStatus } from './data/code-admin';
import { CODE_ALPHABET, CODE_LENGTH } from './redeem-codes';

const NO_SUCH_CODE = 'No such redeem code';
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T[\d:.]+(Z|[+-]\d{2}:?\d{2})$/;

export interface CodeFilterInput {
  templateId?: string | null;
  status?: CouponCodeStatus | null;
  code?: string | null;
  redeemedBy?: string | null;
}

/** The list filter, checked: a code (or its beginning) as a shopper would type it, ids as ids. */
export function parseCodeFilter(input: CodeFilterInput | null | undefined): CodeFilter {
  const filter: CodeFilter = {};
  if (!input) return filter;
  if (input.templateId != null) {
    if (!isBigintId(input.templateId)) throw badInput('templateId is not a valid id', 'templateId');
    filter.templateId = input.templateId;
  }
  if (input.redeemedBy != null) {
    if (!isBigintId(input.redeemedBy)) throw badInput('redeemedBy is not a valid id', 'redeemedBy');
    filter.redeemedBy = input.redeemedBy;
  }
  if (input.status != null) filter.status = input.status;
  if (input.code != null) {
    const prefix = input.code.toUpperCase().replace(/[\s-]/g, '');
    if (!prefix || prefix.length > CODE_LENGTH || [...prefix].some((ch) => !CODE_ALPHABET.includes(ch))) {
      throw badInput(`code must be 1-${CODE_LENGTH} characters of a redeem code`, 'code');
    }
    filter.codePrefix = prefix;
  }
  return filter;
}

const redeemed = () =>
  shopError('CONFLICT', 'This code has been redeemed; it stays as it was (delete it to hide it from the list)', { reason: 'CODE_REDEEMED' });

async function lockLive(trx: Knex.Transaction, id: string): Promise<CouponCodeRow> {
  const code = await lockCode(trx, id);
  if (!code || code.deleted_at) throw notFound(NO_SUCH_CODE);
  return code;
}

export interface UpdateCodeInput {
  expiresAt?: string | null;
  disabled?: boolean | null;
}

export async function updateCouponCode(db: Knex, staffId: string, id: string, input: UpdateCodeInput): Promise<CouponCodeRow> {
  if (!isBigintId(id)) throw notFound(NO_SUCH_CODE);
  const changes: { expires_at?: Date | null; disabled_at?: Date | null | Knex.Raw } = {};
  if (input.expiresAt !== undefined) {
    if (input.expiresAt === null) changes.expires_at = null;
    else {
      const at = new Date(input.expiresAt);
      if (!ISO_DATE_TIME.test(input.expiresAt) || Number.isNaN(at.getTime())) throw badInput('expiresAt must be an ISO 8601 date-time', 'expiresAt');
      if (at.getTime() <= Date.now()) throw badInput('expiresAt must be in the future (disable the code to stop it now)', 'expiresAt');
      changes.expires_at = at;
    }
  }
  return db.transaction(async (trx) => {
    const code = await lockLive(trx, id);
    if (code.redeemed_at) throw redeemed();
    // Disabling keeps the first time it was disabled; re-enabling clears it.
    if (input.disabled === true && !code.disabled_at) changes.disabled_at = trx.fn.now();
    if (input.disabled === false) changes.disabled_at = null;
    if (Object.keys(changes).length === 0) return code;
    return updateCode(trx, id, changes, staffId);
  });
}

export async function deleteCouponCode(db: Knex, staffId: string, id: string): Promise<CouponCodeRow> {
  if (!isBigintId(id)) throw notFound(NO_SUCH_CODE);
  return db.transaction(async (trx) => {
    const code = await lockCode(trx, id);
    if (!code) throw notFound(NO_SUCH_CODE);
    if (code.deleted_at) return code;
    return softDeleteCode(trx, code, staffId);
  });
}
