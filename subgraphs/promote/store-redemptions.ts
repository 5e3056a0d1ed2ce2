/**
 * Coupon redemption at a store (核销, seed 001; docs/back-office.md). A staff member or terminal of the store scans the
 * code the shopper shows (the coupon's counter code, or the redeem code it came from) and the coupon is used there:
 * once — the conditional UPDATE in data/store-redemptions.ts decides between concurrent redemptions and against an
 * order locking the coupon — recorded with store, staff account, terminal and time, and announced on the outbox
 * (`shop.promote.coupon` CouponRedeemedAtStore) in the same transaction.
 * Whether the caller may act for the store is user's answer (user-client.ts), asked before anything is written.
 */
import type { Knex } from 'knex';
import { appendEvent } from '../../platform/events';
import { badInput, notFound, shopError } from '../../platform/errors';
import { findCouponsByIds } from './data/coupons';
import { findCouponIdByCode, findStoreRedemption, insertStoreRedemption, markRedeemedAtStore, type StoreRedemptionRow } from './data/store-redemptions';
import type { StoreAccess } from './user-client';

export const COUPON_STREAM = 'shop.promote.coupon';

export interface CouponRedeemedAtStore {
  couponId: string;
  userId: string;
  templateId: string;
  amount: number;
  storeCode: string;
  staffUserId: string;
  terminalId: string | null;
  redeemedAt: string;
}

/** Upper-cased, without spaces and dashes; BAD_USER_INPUT when it cannot be a code. */
export function normalizeCounterCode(raw: string): string {
  const code = raw.toUpperCase().replace(/[\s-]/g, '');
  if (!/^[0-9A-Z]{8,16}$/.test(code)) throw badInput('A coupon code is 8–16 letters or digits', 'code');
  return code;
}

export async function couponOwnerByCode(db: Knex, raw: string): Promise<{ couponId: string; userId: string } | null> {
  const code = raw.toUpperCase().replace(/[\s-]/g, '');
  if (!/^[0-9A-Z]{8,16}$/.test(code)) return null;
  const found = await findCouponIdByCode(db, code);
  return found ? { couponId: String(found.id), userId: String(found.user_id) } : null;
}

/** FORBIDDEN / NOT_FOUND from user's answer. */
export function requireAllowed(access: StoreAccess): asserts access is StoreAccess & { storeId: string } {
  if (access.reason === 'NO_SUCH_STORE') throw notFound(`No store ${access.storeCode}`);
  if (!access.allowed) throw shopError('FORBIDDEN', `This account cannot act for store ${access.storeCode}`, { reason: access.reason });
}

const when = (date: Date) => date.toISOString().replace('T', ' ').slice(0, 19);

export async function redeemAtStore(db: Knex, access: StoreAccess & { storeId: string }, staffUserId: string, rawCode: string): Promise<StoreRedemptionRow> {
  const code = normalizeCounterCode(rawCode);
  const found = await findCouponIdByCode(db, code);
  if (!found) throw notFound('No coupon has this code');
  const couponId = String(found.id);
  return db.transaction(async (trx) => {
    const used = await markRedeemedAtStore(trx, couponId, access.storeCode);
    if (!used) {
      // Not usable: say why, from the row as it is now (the winner of a race has committed or holds the lock).
      const previous = await findStoreRedemption(trx, couponId);
      if (previous) {
        throw shopError('CONFLICT', `This coupon was already redeemed at store ${previous.store_code} on ${when(previous.redeemed_at)} UTC`, {
          reason: 'ALREADY_REDEEMED',
          storeCode: previous.store_code,
          redeemedAt: previous.redeemed_at.toISOString(),
        });
      }
      const [coupon] = await findCouponsByIds(trx, [couponId]);
      if (coupon.status === 'USED') throw shopError('CONFLICT', 'This coupon was already used by an order', { reason: 'COUPON_USED' });
      if (coupon.status === 'LOCKED') throw shopError('CONFLICT', 'This coupon is held by an order waiting for payment', { reason: 'COUPON_LOCKED' });
      if (coupon.expired) throw shopError('CONFLICT', 'This coupon has expired', { reason: 'COUPON_EXPIRED' });
      throw shopError('CONFLICT', 'This coupon cannot be used yet', { reason: 'COUPON_NOT_YET_VALID' });
    }
    const row = await insertStoreRedemption(trx, {
      coupon_id: couponId,
      store_code: access.storeCode,
      store_id: access.storeId,
      staff_user_id: staffUserId,
      terminal_id: access.terminalId,
      user_id: used.user_id,
      template_id: used.template_id,
      amount: Number(used.amount),
    });
    const payload: CouponRedeemedAtStore = {
      couponId,
      userId: String(used.user_id),
      templateId: String(used.template_id),
      amount: Number(used.amount),
      storeCode: access.storeCode,
      staffUserId,
      terminalId: access.terminalId,
      redeemedAt: row.redeemed_at.toISOString(),
    };
    await appendEvent(trx, { stream: COUPON_STREAM, type: 'CouponRedeemedAtStore', aggregateId: couponId, payload });
    return row;
  });
}
