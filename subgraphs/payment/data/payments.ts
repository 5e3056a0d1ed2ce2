/** Data access for the payments table. Knows knex, not GraphQL. */
import type { Knex } from 'knex';

export interface PaymentRow {
  id: string;
  order_id: string;
  user_id: string;
  amount: number;
  method: string;
  status: string;
  paid_at: Date | null;
  created_at: Date;
}

export async function findPaymentsByIds(db: Knex, ids: readonly string[]): Promise<PaymentRow[]> {
  return db<PaymentRow>('payments').whereRaw('id = ANY(?::bigint[])', [[...ids]]);
}

/** The latest payment of each order, in one statement. */
export async function findLatestPaymentsByOrderIds(db: Knex, orderIds: readonly string[]): Promise<PaymentRow[]> {
  return db<PaymentRow>('payments')
    .distinctOn('order_id')
    .whereRaw('order_id = ANY(?::bigint[])', [[...orderIds]])
    .orderBy([{ column: 'order_id' }, { column: 'id', order: 'desc' }]);
}
