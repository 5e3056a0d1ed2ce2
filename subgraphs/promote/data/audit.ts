/**
 * Read-only audit queries of coupon holds, for the invariant checker (audit/invariants). Knows knex, not GraphQL;
 * writes nothing.
 */
import type { Knex } from 'knex';

export interface CouponHold {
  couponId: string;
  userId: string;
  status: 'LOCKED' | 'USED';
  orderId: string | null;
  /** locked_at for LOCKED, used_at for USED. */
  since: Date | null;
}

const toHold = (row: { id: string; user_id: string; status: 'LOCKED' | 'USED'; order_id: string | null; locked_at: Date | null; used_at: Date | null }): CouponHold => ({
  couponId: row.id,
  userId: row.user_id,
  status: row.status,
  orderId: row.order_id,
  since: row.status === 'USED' ? row.used_at : row.locked_at,
});

/** One page (keyset by id) of the coupons an order holds (LOCKED) or used (USED); a store's redemptions are not orders'. */
export async function couponHolds(db: Knex, status: 'LOCKED' | 'USED', page: { afterId?: string; limit: number }): Promise<CouponHold[]> {
  const query = db('coupons').where({ status }).whereNull('used_at_store').select('id', 'user_id', 'status', 'order_id', 'locked_at', 'used_at').orderBy('id').limit(page.limit);
  if (page.afterId) query.where('id', '>', page.afterId);
  return (await query).map(toHold);
}

export interface CouponState {
  couponId: string;
  userId: string;
  status: 'AVAILABLE' | 'LOCKED' | 'USED';
  orderId: string | null;
}

export async function couponStates(db: Knex, couponIds: readonly string[]): Promise<CouponState[]> {
  if (!couponIds.length) return [];
  const rows = await db('coupons').whereRaw('id = ANY(?::bigint[])', [[...couponIds]]).select('id', 'user_id', 'status', 'order_id');
  return rows.map((row: { id: string; user_id: string; status: CouponState['status']; order_id: string | null }) => ({
    couponId: row.id,
    userId: row.user_id,
    status: row.status,
    orderId: row.order_id,
  }));
}

export interface CouponHoldMismatch {
  couponId: string | null;
  orderId: string | null;
  holdStatus: string | null;
  couponStatus: string | null;
  couponOrderId: string | null;
}

/**
 * Where the hold ledger (`coupon_holds`, one row per order: LOCKED / USED / RELEASED) and the coupons disagree: a
 * LOCKED or USED hold whose coupon is not in that state for that order, or a LOCKED / USED coupon without the
 * matching hold of its order (a coupon redeemed at a store has no order: store-redemptions.ts). One statement; empty =
 * consistent.
 */
export async function couponHoldMismatches(db: Knex): Promise<CouponHoldMismatch[]> {
  const { rows } = await db.raw(
    `SELECT h.coupon_id::text AS "couponId", h.order_id::text AS "orderId", h.status AS "holdStatus",
            c.status AS "couponStatus", c.order_id::text AS "couponOrderId"
       FROM coupon_holds h LEFT JOIN coupons c ON c.id = h.coupon_id
      WHERE h.status IN ('LOCKED', 'USED') AND (c.id IS NULL OR c.status <> h.status OR c.order_id IS DISTINCT FROM h.order_id)
     UNION ALL
     SELECT c.id::text, c.order_id::text, h.status, c.status, c.order_id::text
       FROM coupons c LEFT JOIN coupon_holds h ON h.order_id = c.order_id
      WHERE c.status IN ('LOCKED', 'USED') AND c.used_at_store IS NULL
        AND (h.order_id IS NULL OR h.status <> c.status OR h.coupon_id IS DISTINCT FROM c.id)`,
  );
  return rows;
}

export interface IssuedCountDiscrepancy {
  templateId: string;
  /** coupon_templates.issued_count. */
  kept: number;
  /** Claimed coupons + redeem codes that reserve one (not deleted unredeemed). */
  claimed: number;
  codes: number;
}

/**
 * Templates whose issued_count is not what it counts: coupons claimed (source CLAIM) plus redeem codes created (a code
 * reserves its coupon when created; deleting an unredeemed one gives it back; a redeemed one's coupon is the code's).
 */
export async function issuedCountDiscrepancies(db: Knex): Promise<IssuedCountDiscrepancy[]> {
  const { rows } = await db.raw<{ rows: { id: string; issued_count: number; claimed: number; codes: number }[] }>(
    `SELECT t.id::text, t.issued_count, COALESCE(c.claimed, 0) AS claimed, COALESCE(k.codes, 0) AS codes
       FROM coupon_templates t
       LEFT JOIN (SELECT template_id, count(*)::int AS claimed FROM coupons WHERE source = 'CLAIM' GROUP BY 1) c ON c.template_id = t.id
       LEFT JOIN (SELECT template_id, count(*)::int AS codes FROM coupon_codes WHERE deleted_at IS NULL OR redeemed_at IS NOT NULL GROUP BY 1) k
         ON k.template_id = t.id
      WHERE t.issued_count <> COALESCE(c.claimed, 0) + COALESCE(k.codes, 0)
      ORDER BY t.id`,
  );
  return rows.map((row) => ({ templateId: row.id, kept: Number(row.issued_count), claimed: Number(row.claimed), codes: Number(row.codes) }));
}
