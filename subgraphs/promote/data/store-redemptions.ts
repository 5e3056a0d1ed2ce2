/** Data access for coupons redeemed at a store (核销). Knows knex, not GraphQL. */
import type { Knex } from 'knex';

export interface StoreRedemptionRow {
  coupon_id: string;
  store_code: string;
  store_id: string;
  staff_user_id: string;
  terminal_id: string | null;
  user_id: string;
  template_id: string;
  amount: number;
  redeemed_at: Date;
}

/** The coupon a code names: its counter code, or the redeem code it was issued from. */
export async function findCouponIdByCode(db: Knex, code: string): Promise<{ id: string; user_id: string } | undefined> {
  const byCounter = await db('coupons').select('id', 'user_id').where({ counter_code: code }).first();
  if (byCounter) return byCounter;
  return db('coupons as c').join('coupon_codes as k', 'k.id', 'c.code_id').select('c.id', 'c.user_id').where('k.code', code).first();
}

/**
 * Marks the coupon USED at the store if it is usable now (AVAILABLE, within its validity). The conditional UPDATE takes
 * the row lock: of concurrent redemptions (or a redemption and an order's lock) exactly one finds it AVAILABLE.
 * Returns the coupon's holder, template and amount, or undefined when it was not usable.
 */
export async function markRedeemedAtStore(
  trx: Knex.Transaction,
  couponId: string,
  storeCode: string,
): Promise<{ user_id: string; template_id: string; amount: number } | undefined> {
  const { rows } = await trx.raw(
    `UPDATE coupons c SET status = 'USED', used_at = now(), used_at_store = ?
       FROM coupon_templates t
      WHERE c.id = ? AND t.id = c.template_id AND c.status = 'AVAILABLE' AND c.valid_from <= now() AND c.valid_until >= now()
      RETURNING c.user_id::text, c.template_id::text, COALESCE(c.share_amount, t.amount) AS amount`,
    [storeCode, couponId],
  );
  return rows[0];
}

export async function insertStoreRedemption(trx: Knex.Transaction, row: Omit<StoreRedemptionRow, 'redeemed_at'>): Promise<StoreRedemptionRow> {
  const [inserted] = await trx('coupon_store_redemptions').insert(row).returning('*');
  return inserted;
}

export async function findStoreRedemption(db: Knex, couponId: string): Promise<StoreRedemptionRow | undefined> {
  return db('coupon_store_redemptions').where({ coupon_id: couponId }).first();
}

/** Keyset page of a store's redemptions, newest first (by coupon id within equal times is not needed: id order). */
export async function pageStoreRedemptions(
  db: Knex,
  storeCode: string,
  range: { from: Date; to: Date },
  limit: number,
  afterId: string | null,
): Promise<StoreRedemptionRow[]> {
  const query = db('coupon_store_redemptions')
    .where({ store_code: storeCode })
    .where('redeemed_at', '>=', range.from)
    .where('redeemed_at', '<', range.to)
    .orderBy('coupon_id', 'desc')
    .limit(limit);
  if (afterId) query.where('coupon_id', '<', afterId);
  return query;
}
