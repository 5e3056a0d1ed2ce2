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

/** One page (keyset by id) of the coupons an order holds (LOCKED) or used (USED). */
export async function couponHolds(db: Knex, status: 'LOCKED' | 'USED', page: { afterId?: string; limit: number }): Promise<CouponHold[]> {
  const query = db('coupons').where({ status }).select('id', 'user_id', 'status', 'order_id', 'locked_at', 'used_at').orderBy('id').limit(page.limit);
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
