/** Data access for order_refunds: the refunds of an order as the order knows them (lines, status). Knows knex, not GraphQL. */
import type { Knex } from 'knex';

export type OrderRefundStatus = 'PENDING' | 'SUCCEEDED' | 'FAILED';
export type OrderRefundSource = 'STAFF' | 'AFTER_SALE' | 'PAYMENT';

export interface RefundLine {
  skuId: string;
  quantity: number;
  /** The pieces came back sellable: they go back to available stock when the refund succeeds. */
  restock: boolean;
}

export interface OrderRefundRow {
  id: string;
  order_id: string;
  refund_no: string;
  source: OrderRefundSource;
  amount: number;
  lines: RefundLine[] | null;
  status: OrderRefundStatus;
  reason: string;
  failure_reason: string | null;
  requested_by: string | null;
  created_at: Date;
  settled_at: Date | null;
}

export async function findOrderRefund(db: Knex, refundNo: string): Promise<OrderRefundRow | undefined> {
  return db<OrderRefundRow>('order_refunds').where({ refund_no: refundNo }).first();
}

export async function findOrderRefunds(db: Knex, orderId: string): Promise<OrderRefundRow[]> {
  return db<OrderRefundRow>('order_refunds').where({ order_id: orderId }).orderBy('id');
}

/** The refunds of many orders in one statement, oldest first. */
export async function findRefundsByOrderIds(db: Knex, orderIds: readonly string[]): Promise<OrderRefundRow[]> {
  return db<OrderRefundRow>('order_refunds').whereRaw('order_id = ANY(?::bigint[])', [[...orderIds]]).orderBy('id');
}

export async function insertOrderRefund(
  trx: Knex,
  refund: Pick<OrderRefundRow, 'order_id' | 'refund_no' | 'source' | 'amount' | 'lines' | 'reason' | 'requested_by'> &
    Partial<Pick<OrderRefundRow, 'status' | 'failure_reason'>>,
): Promise<OrderRefundRow> {
  const [row] = await trx<OrderRefundRow>('order_refunds')
    .insert({ ...refund, lines: (refund.lines ? JSON.stringify(refund.lines) : null) as never })
    .returning('*');
  return row;
}

export async function setOrderRefundStatus(
  trx: Knex,
  id: string,
  status: Exclude<OrderRefundStatus, 'PENDING'>,
  failureReason: string | null,
): Promise<OrderRefundRow> {
  const [row] = await trx<OrderRefundRow>('order_refunds')
    .where({ id })
    .update({ status, failure_reason: failureReason, settled_at: trx.fn.now() as unknown as Date })
    .returning('*');
  return row;
}

/** Sums of the order's SUCCEEDED and PENDING (in flight) refunds. */
export async function refundTotals(db: Knex, orderId: string): Promise<{ succeeded: number; pending: number }> {
  const row = await db('order_refunds')
    .where({ order_id: orderId })
    .select(
      db.raw(`COALESCE(sum(amount) FILTER (WHERE status = 'SUCCEEDED'), 0)::int AS succeeded`),
      db.raw(`COALESCE(sum(amount) FILTER (WHERE status = 'PENDING'), 0)::int AS pending`),
    )
    .first();
  return { succeeded: Number(row?.succeeded ?? 0), pending: Number(row?.pending ?? 0) };
}

/** Pieces per SKU in refunds not FAILED (succeeded or in flight). */
export async function refundedPieces(db: Knex, orderId: string): Promise<Map<string, number>> {
  const result = await db.raw(
    `SELECT l->>'skuId' AS sku_id, sum((l->>'quantity')::int)::int AS quantity
       FROM order_refunds r CROSS JOIN LATERAL jsonb_array_elements(COALESCE(r.lines, '[]'::jsonb)) l
      WHERE r.order_id = ? AND r.status <> 'FAILED' GROUP BY 1`,
    [orderId],
  );
  return new Map(result.rows.map((row: { sku_id: string; quantity: number }) => [String(row.sku_id), Number(row.quantity)]));
}

export async function setRefundedAmount(trx: Knex, orderId: string, amount: number): Promise<void> {
  await trx('orders').where({ id: orderId }).update({ refunded_amount: amount, updated_at: trx.fn.now() });
}

/**
 * Pieces of each of these order lines that SUCCEEDED refunds took back, in one statement. Refund lines name SKUs, not
 * order lines: an order's refunded pieces of a SKU are given to its lines of that SKU in line order (the first line
 * filled first), which is exact for the usual one line per SKU. Unknown line ids are absent.
 */
export async function refundedLineQuantities(db: Knex, orderItemIds: readonly string[]): Promise<Map<string, number>> {
  if (!orderItemIds.length) return new Map();
  const { rows } = await db.raw(
    `WITH asked AS (SELECT DISTINCT order_id FROM order_items WHERE id = ANY(?::bigint[])),
     refunded AS (
       SELECT r.order_id, (l->>'skuId')::bigint AS sku_id, sum((l->>'quantity')::int)::int AS pieces
         FROM order_refunds r CROSS JOIN LATERAL jsonb_array_elements(COALESCE(r.lines, '[]'::jsonb)) l
        WHERE r.order_id IN (SELECT order_id FROM asked) AND r.status = 'SUCCEEDED' GROUP BY 1, 2),
     lines AS (
       SELECT i.id, i.order_id, i.sku_id, i.quantity,
              COALESCE(sum(i.quantity) OVER (PARTITION BY i.order_id, i.sku_id ORDER BY i.id ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS before
         FROM order_items i WHERE i.order_id IN (SELECT order_id FROM asked))
     SELECT l.id::text, GREATEST(0, LEAST(l.quantity, COALESCE(f.pieces, 0) - l.before))::int AS refunded
       FROM lines l LEFT JOIN refunded f ON f.order_id = l.order_id AND f.sku_id = l.sku_id
      WHERE l.id = ANY(?::bigint[])`,
    [[...orderItemIds], [...orderItemIds]],
  );
  return new Map(rows.map((row: { id: string; refunded: number }) => [row.id, Number(row.refunded)]));
}
