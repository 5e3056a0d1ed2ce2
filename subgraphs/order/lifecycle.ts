/**
 * The order lifecycle: which status changes exist, and the one way to make one.
 *
 *   CREATING ──▶ PENDING_PAYMENT ──▶ PAID ──▶ SHIPPED ──▶ COMPLETED
 *                     │                │         │            │
 *                     ▼                └─────────┼────────────┘
 *                 CANCELLED                      ▼  (a refund of the whole remainder starts; back if it fails)
 *                                      REFUNDING ──▶ REFUNDED (everything paid is refunded)
 *
 * CREATING is internal to the checkout saga (CREATING → CANCELLED when checkout gives up).
 * Refunds (refunds.ts): a partial refund leaves the status alone; REFUNDING means "refunds in flight cover all that
 * is not refunded yet" and returns to the status it came from (refund_return_status) when one of them fails;
 * PAID/SHIPPED/COMPLETED → REFUNDED directly when the last refund completes without a REFUNDING step.
 * Anything else is a CONFLICT. `transition` is a conditional UPDATE (status = ANY(from)), so of two racing
 * changes exactly one wins; the history row is written in the same transaction.
 */
import type { Knex } from 'knex';
import { notFound, shopError } from '../../platform/errors';
import type { OrderChanges, OrderRow, StoredOrderStatus } from './data/orders';
import { recordStatusChange } from './data/status-history';
import { appendOrderCompleted } from './events';

export const TRANSITIONS: Readonly<Record<StoredOrderStatus, readonly StoredOrderStatus[]>> = {
  CREATING: ['PENDING_PAYMENT', 'CANCELLED'],
  PENDING_PAYMENT: ['PAID', 'CANCELLED'],
  PAID: ['SHIPPED', 'REFUNDING', 'REFUNDED'],
  SHIPPED: ['COMPLETED', 'REFUNDING', 'REFUNDED'],
  // After receipt: after-sales (returns, refunds) within AFTER_SALES_WINDOW_DAYS of completion.
  COMPLETED: ['REFUNDING', 'REFUNDED'],
  CANCELLED: [],
  // A refund of the whole remainder failed: back to where the order was before it started.
  REFUNDING: ['REFUNDED', 'PAID', 'SHIPPED', 'COMPLETED'],
  REFUNDED: [],
};

export const canTransition = (from: StoredOrderStatus, to: StoredOrderStatus) => TRANSITIONS[from].includes(to);

/** Orders that are over: the only ones a shopper may delete (hide) from their list. */
export const FINISHED_STATUSES: StoredOrderStatus[] = ['COMPLETED', 'CANCELLED', 'REFUNDED'];

/** Who makes a change, as the history records it. */
export const actors = {
  user: (userId: string) => userId,
  staff: (userId: string) => `staff:${userId}`,
  service: (name: string) => `service:${name}`,
  system: 'system',
} as const;

/** CONFLICT for an illegal change; `extensions.currentStatus` says where the order actually is. */
export function illegalTransition(orderId: string, current: StoredOrderStatus, to: StoredOrderStatus) {
  return shopError('CONFLICT', `Order ${orderId} is ${current} and cannot become ${to}`, {
    currentStatus: current,
    requestedStatus: to,
  });
}

export interface TransitionRequest {
  orderId: string;
  /** The statuses the order may be in for this change (each must be allowed to move to `to`). */
  from: readonly StoredOrderStatus[];
  to: StoredOrderStatus;
  actor: string;
  reason?: string | null;
  /** Columns written with the status (paid_at, carrier, ...). */
  changes?: OrderChanges;
}

/**
 * Changes an order's status inside `trx`: UPDATE ... WHERE id AND status = ANY(from) RETURNING, then the
 * history row. No row updated → NOT_FOUND (no such order) or CONFLICT with the current status; the caller's
 * transaction should then roll back, leaving nothing changed.
 */
export async function transition(trx: Knex.Transaction, request: TransitionRequest): Promise<OrderRow> {
  const { orderId, from, to } = request;
  for (const status of from) {
    // A programming error, not a client one: the table above is the single source of truth.
    if (!canTransition(status, to)) throw new Error(`The lifecycle has no transition ${status} → ${to}`);
  }
  // Column names come from the OrderChanges type, never from clients; values are bound.
  const sets: [string, unknown][] = [['status', to], ...Object.entries(request.changes ?? {})];
  // The CTE locks the row and reads its latest committed status (the "from" of the history row); the UPDATE
  // applies only when that status is one of `from`. One statement, race-free under READ COMMITTED.
  const result = await trx.raw<{ rows: (OrderRow & { previous_status: StoredOrderStatus })[] }>(
    `WITH before AS (SELECT id, status FROM orders WHERE id = ? FOR UPDATE)
     UPDATE orders AS o SET ${sets.map(() => '?? = ?').join(', ')}, updated_at = now()
       FROM before
      WHERE o.id = before.id AND before.status = ANY(?::text[])
      RETURNING o.*, before.status AS previous_status`,
    [orderId, ...sets.flatMap(([column, value]) => [column, value ?? null]), [...from]] as never,
  );
  const [row] = result.rows;
  if (!row) {
    const current = await trx<OrderRow>('orders').where({ id: orderId }).first('status');
    if (!current) throw notFound('No such order');
    throw illegalTransition(orderId, current.status, to);
  }
  const { previous_status: previous, ...order } = row;
  await recordStatusChange(trx, { orderId, userId: order.user_id, from: previous, to, actor: request.actor, reason: request.reason });
  // Received: confirmed by the shopper or automatically, whichever path made the change (not a return from REFUNDING).
  if (to === 'COMPLETED' && previous === 'SHIPPED') await appendOrderCompleted(trx, order as OrderRow);
  return order as OrderRow;
}
