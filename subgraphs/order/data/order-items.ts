/** Data access for order_items: the lines of an order, snapshots of what was bought at which price. */
import type { Knex } from 'knex';

export interface OrderItemRow {
  id: string;
  order_id: string;
  sku_id: string;
  product_id: string;
  title: string;
  sku_name: string;
  image: string | null;
  unit_price: number;
  /** Bought at the SKU's member price (the shopper was a member then). */
  member_price_applied: boolean;
  quantity: number;
}

export interface NewOrderItem {
  skuId: string;
  productId: string;
  title: string;
  skuName?: string;
  image?: string | null;
  unitPrice: number;
  memberPriceApplied?: boolean;
  quantity: number;
}

/** The items of many orders in one statement, in insertion order. */
export async function findItemsByOrderIds(db: Knex, orderIds: readonly string[]): Promise<OrderItemRow[]> {
  return db<OrderItemRow>('order_items').whereRaw('order_id = ANY(?::bigint[])', [[...orderIds]]).orderBy('id');
}

export async function insertItems(trx: Knex, orderId: string, items: readonly NewOrderItem[]): Promise<OrderItemRow[]> {
  if (items.length === 0) return [];
  return trx<OrderItemRow>('order_items')
    .insert(
      items.map((item) => ({
        order_id: orderId,
        sku_id: item.skuId,
        product_id: item.productId,
        title: item.title,
        sku_name: item.skuName ?? '',
        image: item.image ?? null,
        unit_price: item.unitPrice,
        member_price_applied: item.memberPriceApplied ?? false,
        quantity: item.quantity,
      })),
    )
    .returning('*');
}
