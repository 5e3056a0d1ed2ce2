/** Data access for after_sales: a shopper's refund requests and staff decisions. Knows knex, not GraphQL. */
import type { Knex } from 'knex';

export type AfterSaleStatus = 'REQUESTED' | 'REVOKED' | 'APPROVED' | 'REJECTED';

export interface AfterSaleItem {
  skuId: string;
  quantity: number;
}

/** The GraphQL AfterSaleItem's row (its own name: codegen's type of that name would clash). */
export type AfterSaleItemRow = AfterSaleItem;

export interface AfterSaleRow {
  id: string;
  order_id: string;
  user_id: string;
  status: AfterSaleStatus;
  reason: string;
  amount: number;
  items: AfterSaleItem[] | null;
  staff_note: string | null;
  decided_by: string | null;
  created_at: Date;
  updated_at: Date;
  decided_at: Date | null;
  /** On approval: SKUs of `items` whose returned pieces go back to stock. */
  restock_sku_ids: string[] | null;
}

export async function insertAfterSale(
  trx: Knex,
  request: { orderId: string; userId: string; reason: string; amount: number; items: AfterSaleItem[] | null },
): Promise<AfterSaleRow> {
  const [row] = await trx<AfterSaleRow>('after_sales')
    .insert({
      order_id: request.orderId,
      user_id: request.userId,
      reason: request.reason,
      amount: request.amount,
      items: (request.items ? JSON.stringify(request.items) : null) as never,
    })
    .returning('*');
  return row;
}

export async function findAfterSale(db: Knex, id: string): Promise<AfterSaleRow | undefined> {
  return db<AfterSaleRow>('after_sales').where({ id }).first();
}

/** Moves a request out of REQUESTED; undefined when it was no longer REQUESTED (someone decided first). */
export async function decideAfterSale(
  trx: Knex,
  id: string,
  to: Exclude<AfterSaleStatus, 'REQUESTED'>,
  decision: { by: string; note?: string | null; restockSkuIds?: string[] },
): Promise<AfterSaleRow | undefined> {
  const now = trx.fn.now() as unknown as Date;
  const restock = decision.restockSkuIds?.length ? JSON.stringify(decision.restockSkuIds) : null;
  const [row] = await trx<AfterSaleRow>('after_sales')
    .where({ id, status: 'REQUESTED' })
    .update({ status: to, decided_by: decision.by, staff_note: decision.note ?? null, decided_at: now, updated_at: now, restock_sku_ids: restock as never })
    .returning('*');
  return row;
}

/** The requests of many orders in one statement, newest first. */
export async function findAfterSalesByOrderIds(db: Knex, orderIds: readonly string[]): Promise<AfterSaleRow[]> {
  return db<AfterSaleRow>('after_sales').whereRaw('order_id = ANY(?::bigint[])', [[...orderIds]]).orderBy('id', 'desc');
}
