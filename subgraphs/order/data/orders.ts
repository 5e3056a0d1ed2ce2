/** Data access for the orders table. Knows knex, not GraphQL. */
import type { Knex } from 'knex';

/** Statuses stored in the table: the lifecycle's, plus CREATING while the checkout saga runs (never shown). */
export type StoredOrderStatus =
  | 'CREATING'
  | 'PENDING_PAYMENT'
  | 'PAID'
  | 'SHIPPED'
  | 'COMPLETED'
  | 'CANCELLED'
  | 'REFUNDING'
  | 'REFUNDED';

/** A snapshot of the delivery address taken when the order is placed (later edits of the address book don't move it). */
export interface AddressSnapshot {
  contactName: string;
  phone: string;
  province: string;
  city: string;
  district: string;
  detail: string;
}

export interface OrderRow {
  id: string;
  order_no: string;
  user_id: string;
  status: StoredOrderStatus;
  subtotal: number;
  discount: number;
  shipping_fee: number;
  total: number;
  created_at: Date;
  expires_at: Date | null;
  coupon_id: string | null;
  shipping_address: AddressSnapshot | null;
  idempotency_key: string | null;
  request_fingerprint: string | null;
  saga_step: string | null;
  payment_id: string | null;
  paid_at: Date | null;
  shipped_at: Date | null;
  carrier: string | null;
  tracking_no: string | null;
  completed_at: Date | null;
  cancelled_at: Date | null;
  cancel_reason: string | null;
  deleted_at: Date | null;
  updated_at: Date;
  /** Sum of the order's SUCCEEDED refunds, in fen. */
  refunded_amount: number;
  /** While REFUNDING: where the order goes back to if a refund in flight fails. */
  refund_return_status: StoredOrderStatus | null;
  /** GOODS (checkout) or SUBSCRIPTION (createSubscriptionOrder, docs/subscriptions-purchase.md). */
  kind: 'GOODS' | 'SUBSCRIPTION';
}

/** Columns a status change may set along with the status (timestamps, shipping info, payment). */
export type OrderChanges = Partial<
  Pick<OrderRow, 'paid_at' | 'payment_id' | 'shipped_at' | 'carrier' | 'tracking_no' | 'completed_at' | 'cancelled_at' | 'cancel_reason' | 'expires_at' | 'saga_step' | 'deleted_at' | 'refund_return_status'>
>;

export async function findOrdersByIds(db: Knex, ids: readonly string[]): Promise<OrderRow[]> {
  return db<OrderRow>('orders').whereRaw('id = ANY(?::bigint[])', [[...ids]]);
}

export async function findOrder(db: Knex, id: string): Promise<OrderRow | undefined> {
  return db<OrderRow>('orders').where({ id }).first();
}

/** Statuses a shopper sees (CREATING is the saga's own). */
export const VISIBLE_STATUSES: StoredOrderStatus[] = ['PENDING_PAYMENT', 'PAID', 'SHIPPED', 'COMPLETED', 'CANCELLED', 'REFUNDING', 'REFUNDED'];

/**
 * One page of a shopper's orders, newest first (keyset on id), soft-deleted and CREATING ones left out.
 * `limit` is the page size plus one (see platform/connection.ts).
 */
export async function listOrders(
  db: Knex,
  filter: { userId: string; status?: StoredOrderStatus | null },
  page: { limit: number; afterId?: string },
): Promise<OrderRow[]> {
  const query = db<OrderRow>('orders')
    .where('user_id', filter.userId)
    .whereNull('deleted_at')
    .whereIn('status', filter.status ? [filter.status] : VISIBLE_STATUSES)
    .orderBy('id', 'desc')
    .limit(page.limit);
  if (page.afterId) query.where('id', '<', page.afterId);
  return query;
}

export interface OrderCountsRow {
  pending_payment: number;
  pending_shipment: number;
  pending_receipt: number;
  refunding: number;
}

/** The badges of "my orders" in one statement. */
export async function countOrders(db: Knex, userId: string): Promise<OrderCountsRow> {
  const row = await db('orders')
    .where('user_id', userId)
    .whereNull('deleted_at')
    .first(
      db.raw(`count(*) FILTER (WHERE status = 'PENDING_PAYMENT')::int AS pending_payment`),
      db.raw(`count(*) FILTER (WHERE status = 'PAID')::int AS pending_shipment`),
      db.raw(`count(*) FILTER (WHERE status = 'SHIPPED')::int AS pending_receipt`),
      db.raw(`count(*) FILTER (WHERE status = 'REFUNDING')::int AS refunding`),
    );
  return row as OrderCountsRow;
}

/** Soft delete: only finished orders; returns the row, or undefined when it was not in one of `statuses` (or gone). */
export async function softDeleteOrder(db: Knex, id: string, statuses: StoredOrderStatus[]): Promise<OrderRow | undefined> {
  const [row] = await db<OrderRow>('orders')
    .where({ id })
    .whereNull('deleted_at')
    .whereRaw('status = ANY(?)', [statuses])
    .update({ deleted_at: db.fn.now() as unknown as Date, updated_at: db.fn.now() as unknown as Date })
    .returning('*');
  return row;
}

/** Unpaid orders past their deadline (for the auto-cancel sweep), oldest deadline first. */
export async function findExpiredOrderIds(db: Knex, now: Date, limit: number): Promise<string[]> {
  const rows = await db<OrderRow>('orders')
    .select('id')
    .where('status', 'PENDING_PAYMENT')
    .where('expires_at', '<=', now)
    .orderBy('expires_at')
    .limit(limit);
  return rows.map((row) => row.id);
}

/** What a new order is made of. Checkout computes it; the test fixture writes it directly. */
export interface NewOrder {
  orderNo: string;
  userId: string;
  status: StoredOrderStatus;
  subtotal: number;
  discount: number;
  shippingFee: number;
  total: number;
  expiresAt: Date | null;
  couponId?: string | null;
  shippingAddress?: AddressSnapshot | null;
  idempotencyKey?: string | null;
  requestFingerprint?: string | null;
  sagaStep?: string | null;
}

/** Inserts the order row (items and the first history row are written by the caller in the same transaction). */
export async function insertOrder(trx: Knex, order: NewOrder): Promise<OrderRow> {
  const [row] = await trx<OrderRow>('orders')
    .insert({
      order_no: order.orderNo,
      user_id: order.userId,
      status: order.status,
      subtotal: order.subtotal,
      discount: order.discount,
      shipping_fee: order.shippingFee,
      total: order.total,
      expires_at: order.expiresAt,
      coupon_id: order.couponId ?? null,
      // knex passes objects to pg as JSON for jsonb columns only when stringified.
      shipping_address: (order.shippingAddress ? JSON.stringify(order.shippingAddress) : null) as never,
      idempotency_key: order.idempotencyKey ?? null,
      request_fingerprint: order.requestFingerprint ?? null,
      saga_step: order.sagaStep ?? null,
    })
    .returning('*');
  return row;
}
