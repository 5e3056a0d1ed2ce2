/**
 * Data access for order_status_history, and THE one place a status change is recorded.
 * Every status write goes through `recordStatusChange` inside the transaction that changed the status, so
 * publishing the change (the events platform's outbox) is one added line here, in the same transaction.
 */
import type { Knex } from 'knex';
import { appendOrderStatusChanged } from '../events';

export interface StatusHistoryRow {
  id: string;
  order_id: string;
  from_status: string | null;
  to_status: string;
  at: Date;
  actor: string;
  reason: string | null;
}

export interface StatusChange {
  orderId: string;
  /** The order's owner: subscribers and consumers learn whose order changed without reading it back. */
  userId: string;
  /** Null when the order is created. */
  from: string | null;
  to: string;
  /** '<user id>', 'staff:<user id>', 'service:<name>' or 'system'. */
  actor: string;
  reason?: string | null;
}

export async function recordStatusChange(trx: Knex, change: StatusChange): Promise<StatusHistoryRow> {
  const [row] = await trx<StatusHistoryRow>('order_status_history')
    .insert({
      order_id: change.orderId,
      from_status: change.from,
      to_status: change.to,
      actor: change.actor,
      reason: change.reason ?? null,
    })
    .returning('*');
  // Published with the change (same transaction): see subgraphs/order/events.ts. A checkout that never placed its
  // order (CREATING, and CREATING → CANCELLED when it fails) is internal: no shopper or subgraph ever saw that order.
  const internal = change.to === 'CREATING' || (change.from === 'CREATING' && change.to === 'CANCELLED');
  if (!internal) await appendOrderStatusChanged(trx, { ...change, at: row.at });
  return row;
}

/** The history of many orders in one statement, oldest first. */
export async function findHistoryByOrderIds(db: Knex, orderIds: readonly string[]): Promise<StatusHistoryRow[]> {
  return db<StatusHistoryRow>('order_status_history').whereRaw('order_id = ANY(?::bigint[])', [[...orderIds]]).orderBy('id');
}
