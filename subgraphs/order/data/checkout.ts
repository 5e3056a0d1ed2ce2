/** Data access for the checkout saga: the idempotent insert of a CREATING order and lookups by idempotency key. */
import type { Knex } from 'knex';
import type { NewOrder, OrderRow } from './orders';

/**
 * Inserts the order unless the shopper already has one with this idempotency key (a concurrent insert of the same key
 * waits for the other transaction, then inserts nothing). Undefined when the key was taken.
 */
export async function insertOrderOnce(trx: Knex, order: NewOrder): Promise<OrderRow | undefined> {
  const result = await trx.raw<{ rows: OrderRow[] }>(
    `INSERT INTO orders (order_no, user_id, status, subtotal, discount, shipping_fee, total, expires_at, coupon_id,
                         shipping_address, idempotency_key, request_fingerprint, saga_step)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?, ?, ?)
     ON CONFLICT (user_id, idempotency_key) DO NOTHING
     RETURNING *`,
    [
      order.orderNo,
      order.userId,
      order.status,
      order.subtotal,
      order.discount,
      order.shippingFee,
      order.total,
      order.expiresAt,
      order.couponId ?? null,
      order.shippingAddress ? JSON.stringify(order.shippingAddress) : null,
      order.idempotencyKey ?? null,
      order.requestFingerprint ?? null,
      order.sagaStep ?? null,
    ] as never,
  );
  return result.rows[0];
}

export async function findOrderByIdempotencyKey(db: Knex, userId: string, key: string): Promise<OrderRow | undefined> {
  return db<OrderRow>('orders').where({ user_id: userId, idempotency_key: key }).first();
}

/** The order row locked for the rest of the transaction. */
export async function lockOrder(trx: Knex.Transaction, id: string): Promise<OrderRow | undefined> {
  return trx<OrderRow>('orders').where({ id }).forUpdate().first();
}
