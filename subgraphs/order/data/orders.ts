/** Data access for the orders table. Knows knex, not GraphQL. */
import type { Knex } from 'knex';

export interface OrderRow {
  id: string;
  order_no: string;
  user_id: string;
  status: string;
  subtotal: number;
  discount: number;
  shipping_fee: number;
  total: number;
  created_at: Date;
  expires_at: Date | null;
}

export async function findOrdersByIds(db: Knex, ids: readonly string[]): Promise<OrderRow[]> {
  return db<OrderRow>('orders').whereRaw('id = ANY(?::bigint[])', [[...ids]]);
}
