/** Data access for after_sales: a shopper's refund requests and staff decisions. Knows knex, not GraphQL. */
import type { Knex } from 'knex';

/**
 * REQUESTED → REVOKED | REJECTED | APPROVED; a return or exchange then goes APPROVED → RETURNING (the shopper sent the
 * parcel) → RECEIVED (staff got it); an exchange goes on RECEIVED → REPLACEMENT_SHIPPED → COMPLETED (docs/orders.md).
 */
export type AfterSaleStatus = 'REQUESTED' | 'REVOKED' | 'APPROVED' | 'REJECTED' | 'RETURNING' | 'RECEIVED' | 'REPLACEMENT_SHIPPED' | 'COMPLETED';
export type AfterSaleKind = 'REFUND' | 'EXCHANGE';

/** The shop's return address as copied onto a request when it was approved. */
export interface ReturnAddressSnapshot {
  id: string;
  label: string;
  contactName: string;
  phone: string;
  province: string;
  city: string;
  district: string;
  detail: string;
}

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
  kind: AfterSaleKind;
  /** https URLs of the shopper's photos. */
  photos: string[] | null;
  /** EXCHANGE: the SKU sent instead of the returned one. */
  replacement_sku_id: string | null;
  return_address: ReturnAddressSnapshot | null;
  received_at: Date | null;
  received_by: string | null;
  /** EXCHANGE, once received: whether the returned pieces went back to stock (product's return `EXR<id>`). */
  return_restock: boolean | null;
}

export async function insertAfterSale(
  trx: Knex,
  request: {
    orderId: string;
    userId: string;
    reason: string;
    amount: number;
    items: AfterSaleItem[] | null;
    kind?: AfterSaleKind;
    photos?: string[] | null;
    replacementSkuId?: string | null;
  },
): Promise<AfterSaleRow> {
  const [row] = await trx<AfterSaleRow>('after_sales')
    .insert({
      order_id: request.orderId,
      user_id: request.userId,
      reason: request.reason,
      amount: request.amount,
      items: (request.items ? JSON.stringify(request.items) : null) as never,
      kind: request.kind ?? 'REFUND',
      photos: (request.photos?.length ? JSON.stringify(request.photos) : null) as never,
      replacement_sku_id: request.replacementSkuId ?? null,
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
  decision: { by: string; note?: string | null; restockSkuIds?: string[]; returnAddress?: ReturnAddressSnapshot | null },
): Promise<AfterSaleRow | undefined> {
  const now = trx.fn.now() as unknown as Date;
  const restock = decision.restockSkuIds?.length ? JSON.stringify(decision.restockSkuIds) : null;
  const returnAddress = decision.returnAddress ? JSON.stringify(decision.returnAddress) : null;
  const [row] = await trx<AfterSaleRow>('after_sales')
    .where({ id, status: 'REQUESTED' })
    .update({
      status: to,
      decided_by: decision.by,
      staff_note: decision.note ?? null,
      decided_at: now,
      updated_at: now,
      restock_sku_ids: restock as never,
      return_address: returnAddress as never,
    })
    .returning('*');
  return row;
}

/** Moves a request from one of `from` to `to` (with extra columns); undefined when it was elsewhere. */
export async function advanceAfterSale(
  trx: Knex,
  id: string,
  from: readonly AfterSaleStatus[],
  to: AfterSaleStatus,
  changes: Partial<Pick<AfterSaleRow, 'received_at' | 'received_by' | 'return_restock'>> = {},
): Promise<AfterSaleRow | undefined> {
  const [row] = await trx<AfterSaleRow>('after_sales')
    .where({ id })
    .whereIn('status', [...from])
    .update({ status: to, ...changes, updated_at: trx.fn.now() as unknown as Date })
    .returning('*');
  return row;
}

/** The request locked for a change that depends on its status (FOR UPDATE). */
export async function lockAfterSale(trx: Knex, id: string): Promise<AfterSaleRow | undefined> {
  return trx<AfterSaleRow>('after_sales').where({ id }).forUpdate().first();
}

/** The requests of many orders in one statement, newest first. */
export async function findAfterSalesByOrderIds(db: Knex, orderIds: readonly string[]): Promise<AfterSaleRow[]> {
  return db<AfterSaleRow>('after_sales').whereRaw('order_id = ANY(?::bigint[])', [[...orderIds]]).orderBy('id', 'desc');
}
