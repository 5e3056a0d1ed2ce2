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
  /** Sum of its SUCCEEDED refunds as the order records it (Order.refundedAmount). */
  refundedAmount: number;
}

const COLUMNS = ['id', 'user_id', 'status', 'total', 'coupon_id', 'payment_id', 'saga_step', 'updated_at', 'refunded_amount'];

const toState = (row: Record<string, any>): OrderState => ({
  id: String(row.id),
  userId: String(row.user_id),
  status: row.status,
  total: Number(row.total),
  couponId: row.coupon_id === null ? null : String(row.coupon_id),
  paymentId: row.payment_id,
  sagaStep: row.saga_step,
  updatedAt: row.updated_at,
  refundedAmount: Number(row.refunded_amount),
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

export interface OrderRefundBookDiscrepancy {
  orderId: string;
  problem: 'REFUNDED_QUANTITY_EXCEEDS_ORDERED' | 'ORDER_REFUNDED_AMOUNT_MISMATCH' | 'ORDER_REFUNDED_STATUS_MISMATCH';
  status: string;
  total: number;
  refundedAmount: number;
  /** Sum of the order's SUCCEEDED order_refunds. */
  succeeded: number;
  /** For REFUNDED_QUANTITY_EXCEEDS_ORDERED: the SKU, pieces ordered and pieces in refunds not FAILED. */
  skuId: string | null;
  ordered: number | null;
  refunded: number | null;
}

/**
 * Orders whose refunds do not add up on the order side alone (one statement, empty = consistent): pieces of a SKU
 * in refunds not FAILED above the pieces ordered; `refunded_amount` ≠ its SUCCEEDED refunds; REFUNDED without the
 * SUCCEEDED refunds reaching the total, or a paid order refunded in full that is not REFUNDED.
 */
export async function orderRefundBookDiscrepancies(db: Knex): Promise<OrderRefundBookDiscrepancy[]> {
  const { rows } = await db.raw(
    `WITH pieces AS (
       SELECT r.order_id, (l->>'skuId')::bigint AS sku_id, sum((l->>'quantity')::int)::int AS refunded
       FROM order_refunds r CROSS JOIN LATERAL jsonb_array_elements(COALESCE(r.lines, '[]'::jsonb)) l
       WHERE r.status <> 'FAILED' GROUP BY 1, 2),
     ordered AS (SELECT order_id, sku_id, sum(quantity)::int AS ordered FROM order_items GROUP BY 1, 2),
     succeeded AS (SELECT order_id, sum(amount)::int AS succeeded FROM order_refunds WHERE status = 'SUCCEEDED' GROUP BY 1)
     SELECT o.id::text AS "orderId", 'REFUNDED_QUANTITY_EXCEEDS_ORDERED' AS problem, o.status, o.total,
            o.refunded_amount AS "refundedAmount", COALESCE(s.succeeded, 0) AS succeeded,
            p.sku_id::text AS "skuId", COALESCE(d.ordered, 0) AS ordered, p.refunded
       FROM pieces p JOIN orders o ON o.id = p.order_id
       LEFT JOIN ordered d ON d.order_id = p.order_id AND d.sku_id = p.sku_id
       LEFT JOIN succeeded s ON s.order_id = o.id
      WHERE p.refunded > COALESCE(d.ordered, 0)
     UNION ALL
     SELECT o.id::text, CASE WHEN o.refunded_amount <> COALESCE(s.succeeded, 0) THEN 'ORDER_REFUNDED_AMOUNT_MISMATCH'
                             ELSE 'ORDER_REFUNDED_STATUS_MISMATCH' END,
            o.status, o.total, o.refunded_amount, COALESCE(s.succeeded, 0), NULL, NULL, NULL
       FROM orders o LEFT JOIN succeeded s ON s.order_id = o.id
      WHERE o.refunded_amount <> COALESCE(s.succeeded, 0)
         OR (o.status = 'REFUNDED' AND COALESCE(s.succeeded, 0) < o.total)
         OR (o.status IN ('PAID', 'SHIPPED', 'COMPLETED', 'REFUNDING') AND o.total > 0 AND COALESCE(s.succeeded, 0) >= o.total)
     ORDER BY 1`,
  );
  return rows;
}

export interface OrderRefundRow {
  refundNo: string;
  orderId: string;
  amount: number;
  status: 'PENDING' | 'SUCCEEDED' | 'FAILED';
  /** [{ skuId, quantity, restock }] or null (an amount only). */
  lines: { skuId: string; quantity: number; restock?: boolean }[] | null;
  settledAt: Date | null;
  createdAt: Date;
}

const toRefundRow = (row: Record<string, any>): OrderRefundRow => ({
  refundNo: row.refund_no,
  orderId: String(row.order_id),
  amount: Number(row.amount),
  status: row.status,
  lines: row.lines,
  settledAt: row.settled_at,
  createdAt: row.created_at,
});

/**
 * One page (keyset by refund id) of the SUCCEEDED refunds with restocked lines of orders placed through checkout
 * (fixtures hold no stock and are not restocked): each should have its pieces back in stock at product.
 */
export async function pageRestockingRefunds(db: Knex, page: { afterId?: string; limit: number }): Promise<(OrderRefundRow & { id: string })[]> {
  const { rows } = await db.raw(
    `SELECT r.id::text, r.refund_no, r.order_id, r.amount, r.status, r.lines, r.settled_at, r.created_at
       FROM order_refunds r JOIN orders o ON o.id = r.order_id
      WHERE r.status = 'SUCCEEDED' AND o.saga_step IS NOT NULL AND (?::bigint IS NULL OR r.id > ?::bigint)
        AND EXISTS (SELECT 1 FROM jsonb_array_elements(COALESCE(r.lines, '[]'::jsonb)) l WHERE (l->>'restock')::boolean)
      ORDER BY r.id LIMIT ?`,
    [page.afterId ?? null, page.afterId ?? null, page.limit],
  );
  return rows.map((row: Record<string, any>) => ({ ...toRefundRow(row), id: row.id }));
}

/** The order's refunds of these refund numbers (payment's merchant refund numbers). */
export async function orderRefundsByNo(db: Knex, refundNos: readonly string[]): Promise<OrderRefundRow[]> {
  if (!refundNos.length) return [];
  const rows = await db('order_refunds')
    .whereIn('refund_no', [...new Set(refundNos)])
    .select('refund_no', 'order_id', 'amount', 'status', 'lines', 'settled_at', 'created_at');
  return rows.map(toRefundRow);
}

/** An exchange whose returned pieces came back (staff marked the parcel received), keyed as product's stock return. */
export interface ExchangeReturnRow {
  /** Product's stock-return key: `EXR<after-sales id>`. */
  key: string;
  orderId: string;
  /** Whether staff sent the pieces back on sale (false: kept out, e.g. damaged). */
  restock: boolean;
  items: { skuId: string; quantity: number }[];
  receivedAt: Date;
}

const EXCHANGE_KEY = /^EXR([1-9][0-9]{0,18})$/;

const toExchangeReturn = (row: Record<string, any>): ExchangeReturnRow => ({
  key: `EXR${row.id}`,
  orderId: String(row.order_id),
  restock: row.return_restock === true,
  items: (row.items ?? []).map((item: { skuId: string; quantity: number }) => ({ skuId: String(item.skuId), quantity: Number(item.quantity) })),
  receivedAt: row.received_at,
});

/** The received exchanges behind these stock-return keys (keys that are not `EXR<id>` are skipped). */
export async function exchangeReturnsByKey(db: Knex, keys: readonly string[]): Promise<ExchangeReturnRow[]> {
  const ids = [...new Set(keys.map((key) => EXCHANGE_KEY.exec(key)?.[1]).filter((id): id is string => Boolean(id)))];
  if (!ids.length) return [];
  const rows = await db('after_sales')
    .whereIn('id', ids)
    .where({ kind: 'EXCHANGE' })
    .whereNotNull('received_at')
    .select('id', 'order_id', 'return_restock', 'items', 'received_at');
  return rows.map(toExchangeReturn);
}

/**
 * One page (keyset by request id) of the received exchanges restocked by staff, of orders placed through checkout
 * (fixtures hold no stock): each should have its pieces back in stock at product under `EXR<id>`.
 */
export async function pageRestockedExchanges(db: Knex, page: { afterId?: string; limit: number }): Promise<(ExchangeReturnRow & { id: string })[]> {
  const { rows } = await db.raw(
    `SELECT a.id::text, a.order_id, a.return_restock, a.items, a.received_at
       FROM after_sales a JOIN orders o ON o.id = a.order_id
      WHERE a.kind = 'EXCHANGE' AND a.return_restock AND a.received_at IS NOT NULL AND o.saga_step IS NOT NULL
        AND (?::bigint IS NULL OR a.id > ?::bigint)
      ORDER BY a.id LIMIT ?`,
    [page.afterId ?? null, page.afterId ?? null, page.limit],
  );
  return rows.map((row: Record<string, any>) => ({ ...toExchangeReturn(row), id: row.id }));
}
