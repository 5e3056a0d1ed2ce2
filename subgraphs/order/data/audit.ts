/**
 * Read-only audit queries of orders, for the invariant checker (audit/invariants). Knows knex, not GraphQL;
 * writes nothing.
 */
import type { Knex } from 'knex';
import type { StoredOrderStatus } from './orders';

export interface OrderState {
  id: string;
  userId: string;
  status: StoredOrderStatus;
  total: number;
  couponId: string | null;
  paymentId: string | null;
  /** Null for orders written without checkout (they hold nothing). */
  sagaStep: string | null;
  /** When the order last changed (status changes set it). */
  updatedAt: Date;
}

const COLUMNS = ['id', 'user_id', 'status', 'total', 'coupon_id', 'payment_id', 'saga_step', 'updated_at'];

const toState = (row: Record<string, any>): OrderState => ({
  id: String(row.id),
  userId: String(row.user_id),
  status: row.status,
  total: Number(row.total),
  couponId: row.coupon_id === null ? null : String(row.coupon_id),
  paymentId: row.payment_id,
  sagaStep: row.saga_step,
  updatedAt: row.updated_at,
});

/** The orders of these ids that exist (ids that are not bigint-shaped are skipped: they cannot be orders). */
export async function orderStates(db: Knex, ids: readonly string[]): Promise<OrderState[]> {
  const valid = [...new Set(ids.filter((id) => /^[1-9][0-9]{0,18}$/.test(id)))];
  if (!valid.length) return [];
  return (await db('orders').whereRaw('id = ANY(?::bigint[])', [valid]).select(COLUMNS)).map(toState);
}

/** One page (keyset by id) of the orders in these statuses. */
export async function pageOrderStates(
  db: Knex,
  statuses: readonly StoredOrderStatus[],
  page: { afterId?: string; limit: number },
): Promise<OrderState[]> {
  const query = db('orders').whereIn('status', [...statuses]).select(COLUMNS).orderBy('id').limit(page.limit);
  if (page.afterId) query.where('id', '>', page.afterId);
  return (await query).map(toState);
}
