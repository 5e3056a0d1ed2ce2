/**
 * What should become of the holds (reserved stock, locked coupon) of orders, as product's and promote's hold sweeps
 * ask it (`orderHoldStates`) and the invariant checker reads it. Pure knex on order's database.
 *   CREATING (checkout running) or PENDING_PAYMENT (can still be paid)  → KEEP
 *   paid (PAID, SHIPPED, COMPLETED, REFUNDING, REFUNDED: paid_at set)   → COMMIT
 *   CANCELLED (never paid: CANCELLED is reachable only before payment)   → RELEASE
 * An id order does not know is left out of the map (the caller's lease decides).
 */
import type { Knex } from 'knex';
import { isBigintId } from '../../../platform/loaders';
import type { StoredOrderStatus } from './orders';

export type HoldVerdict = 'KEEP' | 'COMMIT' | 'RELEASE';

export interface OrderHoldState {
  orderId: string;
  status: StoredOrderStatus;
  /** The payment deadline of an unpaid order. */
  expiresAt: Date | null;
  verdict: HoldVerdict;
  /** When the order stopped being live (cancelled or paid); null while it is. */
  endedAt: Date | null;
}

export function holdVerdict(status: StoredOrderStatus): HoldVerdict {
  if (status === 'CREATING' || status === 'PENDING_PAYMENT') return 'KEEP';
  if (status === 'CANCELLED') return 'RELEASE';
  return 'COMMIT';
}

/** The hold state of each known order among `ids` (non-numeric ids are simply unknown). One statement. */
export async function findHoldVerdicts(db: Knex, ids: readonly string[]): Promise<Map<string, OrderHoldState>> {
  const numeric = [...new Set(ids.filter(isBigintId))];
  if (!numeric.length) return new Map();
  const { rows } = await db.raw(
    // Asked by the hold sweeps: periodic work, not a shopper's request (statement counters leave it out).
    '/* background */ SELECT id, status, expires_at, paid_at, cancelled_at FROM orders WHERE id = ANY(?::bigint[])',
    [numeric],
  );
  return new Map(
    (rows as { id: string; status: StoredOrderStatus; expires_at: Date | null; paid_at: Date | null; cancelled_at: Date | null }[]).map((row) => [
      String(row.id),
      {
        orderId: String(row.id),
        status: row.status,
        expiresAt: row.expires_at,
        verdict: holdVerdict(row.status),
        endedAt: row.paid_at ?? row.cancelled_at ?? null,
      },
    ]),
  );
}
