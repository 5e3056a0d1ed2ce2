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

/** First key of the per-shopper checkout lock ("ordr"), apart from every other advisory lock of the shop. */
const SHOPPER_CHECKOUT_LOCK = 0x6f726472;

/**
 * Serializes the checkouts of one shopper until the transaction ends (pg_advisory_xact_lock on the user id): the
 * caps check and the insert of the CREATING order are then one step for that shopper, so two concurrent checkouts
 * cannot both pass a cap. Other shoppers are not affected (ids folded into int4: a collision only serializes two).
 */
export async function lockShopperCheckouts(trx: Knex.Transaction, userId: string): Promise<void> {
  await trx.raw('SELECT pg_advisory_xact_lock(?, (?::bigint % 2147483647)::int)', [SHOPPER_CHECKOUT_LOCK, userId]);
}

/** What a shopper holds unpaid: orders being placed or waiting for payment, and their units of the given SKUs. */
export interface UnpaidHoldings {
  orders: number;
  units: Map<string, number>;
}

/** One statement, on orders_user_status_idx: the shopper's unpaid orders and the units of `skuIds` they hold. */
export async function unpaidHoldings(trx: Knex, userId: string, skuIds: readonly string[]): Promise<UnpaidHoldings> {
  const result = await trx.raw<{ rows: { orders: number; units: { skuId: string; quantity: number }[] | null }[] }>(
    `WITH unpaid AS (
       SELECT id FROM orders WHERE user_id = ? AND status IN ('CREATING', 'PENDING_PAYMENT')
     )
     SELECT (SELECT count(*)::int FROM unpaid) AS orders,
            (SELECT json_agg(json_build_object('skuId', i.sku_id::text, 'quantity', i.quantity))
               FROM (SELECT oi.sku_id, sum(oi.quantity)::int AS quantity
                       FROM order_items oi JOIN unpaid u ON u.id = oi.order_id
                      WHERE oi.sku_id = ANY(?::bigint[])
                      GROUP BY oi.sku_id) i) AS units`,
    [userId, `{${skuIds.join(',')}}`],
  );
  const row = result.rows[0];
  return { orders: Number(row.orders), units: new Map((row.units ?? []).map((unit) => [String(unit.skuId), Number(unit.quantity)])) };
}
