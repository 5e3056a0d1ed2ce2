/**
 * Coupon holds by orders, as leases with a fence (docs/orders.md, "Holds"). Knows knex, not GraphQL.
 *
 * `coupon_holds` has one row per order: LOCKED (the order holds its coupon), USED, or RELEASED — given back, or a
 * release that came before any lock, which then refuses a lock of that order arriving late. Every change of a
 * coupon by an order goes through its hold row first: the primary key on order_id serializes a lock and a release
 * of the same order (the second waits for the first to commit), so a lock cannot slip in after its release.
 */
import type { Knex } from 'knex';
import { lockCouponForOrder, type CouponRow } from './coupons';

export type CouponHoldStatus = 'LOCKED' | 'RELEASED' | 'USED';

export interface CouponHoldRow {
  order_id: string;
  coupon_id: string | null;
  user_id: string | null;
  status: CouponHoldStatus;
  /** A LOCKED hold still held after this is given back by the sweep (null: held until order says otherwise). */
  lease_until: Date | null;
  confirmed_at: Date | null;
  checked_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

export type LockResult =
  | { coupon: CouponRow }
  /** The order already holds (or used) this coupon: a repeat. */
  | { repeated: true }
  /** RELEASED: the order's hold was given back (or its release came first); OTHER_COUPON: the order holds another coupon; NOT_AVAILABLE: see the coupon. */
  | { refusal: 'RELEASED' | 'OTHER_COUPON' | 'NOT_AVAILABLE' };

class NotAvailable extends Error {}

export async function findCouponHold(db: Knex, orderId: string): Promise<CouponHoldRow | undefined> {
  return db<CouponHoldRow>('coupon_holds').where('order_id', orderId).first();
}

/**
 * AVAILABLE, valid now and the user's → LOCKED by the order, leased for `leaseSeconds` until the order confirms it.
 * A repeat for the same order and coupon returns the coupon (idempotent); nothing changes on a refusal.
 */
export async function lockCouponHold(
  db: Knex,
  input: { couponId: string; userId: string; orderId: string; leaseSeconds: number },
): Promise<LockResult> {
  try {
    return await db.transaction(async (trx) => {
      // A concurrent lock or release of the same order waits here on the primary key until the first one ends.
      const { rows } = await trx.raw(
        `INSERT INTO coupon_holds (order_id, coupon_id, user_id, status, lease_until)
         VALUES (?, ?, ?, 'LOCKED', now() + ? * interval '1 second') ON CONFLICT (order_id) DO NOTHING RETURNING order_id`,
        [input.orderId, input.couponId, input.userId, input.leaseSeconds],
      );
      if (!rows.length) {
        const hold = (await findCouponHold(trx, input.orderId))!;
        if (hold.status === 'RELEASED') return { refusal: 'RELEASED' as const };
        if (String(hold.coupon_id) !== String(input.couponId)) return { refusal: 'OTHER_COUPON' as const };
        return { repeated: true as const };
      }
      const coupon = await lockCouponForOrder(trx, input.couponId, input.userId, input.orderId);
      if (!coupon) throw new NotAvailable();
      return { coupon };
    });
  } catch (error) {
    if (error instanceof NotAvailable) return { refusal: 'NOT_AVAILABLE' };
    throw error;
  }
}

/**
 * The placed order confirms its hold: held until `holdUntil` instead of the short unconfirmed lease. Only while
 * LOCKED and not lapsed (or confirmed before); undefined otherwise, and nothing changes.
 */
export async function confirmCouponHold(db: Knex, couponId: string, orderId: string, holdUntil: Date): Promise<CouponHoldRow | undefined> {
  const [row] = await db<CouponHoldRow>('coupon_holds')
    .where({ order_id: orderId, coupon_id: couponId, status: 'LOCKED' })
    .where((q) => q.whereNotNull('confirmed_at').orWhereNull('lease_until').orWhere('lease_until', '>', db.fn.now()))
    .update({ confirmed_at: db.raw('COALESCE(confirmed_at, now())'), lease_until: holdUntil, updated_at: db.fn.now() } as never)
    .returning('*');
  return row;
}

/**
 * LOCKED → RELEASED (coupon AVAILABLE again) or → USED (coupon USED), both rows in one transaction. With
 * `onlyLapsed`, only a hold whose lease ran out. Undefined when the order's hold was not LOCKED (or not `userId`'s).
 */
export async function settleCouponHold(
  db: Knex,
  orderId: string,
  to: 'RELEASED' | 'USED',
  options: { onlyLapsed?: boolean; userId?: string | null } = {},
): Promise<CouponHoldRow | undefined> {
  return db.transaction(async (trx) => {
    const query = trx<CouponHoldRow>('coupon_holds').where({ order_id: orderId, status: 'LOCKED' });
    if (options.onlyLapsed) query.where('lease_until', '<', trx.fn.now());
    if (options.userId) query.where('user_id', options.userId);
    const [hold] = await query.update({ status: to, updated_at: trx.fn.now() } as never).returning('*');
    if (!hold) return undefined;
    const set = to === 'USED' ? { status: 'USED', used_at: trx.fn.now() } : { status: 'AVAILABLE', order_id: null, locked_at: null };
    await trx('coupons').where({ id: hold.coupon_id, status: 'LOCKED', order_id: orderId }).update(set);
    return hold;
  });
}

/**
 * Gives the order's coupon back. When the order never locked one, leaves the RELEASED marker that refuses a later
 * lock of that order. Returns the hold as it is now.
 */
export async function releaseCouponHold(db: Knex, couponId: string, orderId: string, userId: string | null): Promise<CouponHoldRow> {
  for (let round = 0; round < 3; round++) {
    const released = await settleCouponHold(db, orderId, 'RELEASED', { userId });
    if (released) return released;
    const { rows } = await db.raw(
      `INSERT INTO coupon_holds (order_id, coupon_id, user_id, status) VALUES (?, ?, ?, 'RELEASED')
       ON CONFLICT (order_id) DO NOTHING RETURNING *`,
      [orderId, couponId, userId],
    );
    if (rows.length) return rows[0] as CouponHoldRow;
    const hold = (await findCouponHold(db, orderId))!;
    // LOCKED: a lock committed between the two statements (or another user's: left alone, reported as it is).
    if (hold.status !== 'LOCKED' || (userId && hold.user_id && String(hold.user_id) !== String(userId))) return hold;
  }
  return (await findCouponHold(db, orderId))!;
}

/**
 * Retention of the fence: deletes release markers (RELEASED rows inserted by a release for an order that never locked:
 * never leased, never confirmed) written more than `olderThanMs` ago, in batches; returns how many went. Once no lock of
 * that order can still arrive (docs/orders.md, "Holds"), a marker guards nothing. Released real holds are kept.
 */
export async function pruneCouponReleaseMarkers(db: Knex, olderThanMs: number, batch = 1000): Promise<number> {
  let total = 0;
  for (;;) {
    const result = await db.raw(
      `/* background */ DELETE FROM coupon_holds WHERE order_id IN (
         SELECT order_id FROM coupon_holds
         WHERE status = 'RELEASED' AND lease_until IS NULL AND confirmed_at IS NULL
           AND created_at < now() - ? * interval '1 millisecond' LIMIT ?)`,
      [olderThanMs, batch],
    );
    const count = Number(result.rowCount ?? 0);
    total += count;
    if (count < batch) return total;
  }
}

/** LOCKED holds the sweep asks order about: not confirmed yet, due for a re-check, or lapsed. */
export async function findCouponHoldsToCheck(db: Knex, recheckSeconds: number, limit: number): Promise<CouponHoldRow[]> {
  const { rows } = await db.raw(
    `/* background */ SELECT * FROM coupon_holds
     WHERE status = 'LOCKED'
       AND (confirmed_at IS NULL OR checked_at IS NULL OR checked_at < now() - ? * interval '1 second' OR lease_until < now())
     ORDER BY (lease_until < now()) DESC NULLS LAST, checked_at NULLS FIRST, order_id LIMIT ?`,
    [recheckSeconds, limit],
  );
  return rows;
}

export async function markCouponHoldsChecked(db: Knex, orderIds: readonly string[]): Promise<void> {
  if (!orderIds.length) return;
  await db.raw(`/* background */ UPDATE coupon_holds SET checked_at = now() WHERE order_id = ANY(?::bigint[]) AND status = 'LOCKED'`, [[...orderIds]]);
}

export async function findLapsedCouponHolds(db: Knex, limit: number): Promise<string[]> {
  const { rows } = await db.raw(`/* background */ SELECT order_id FROM coupon_holds WHERE status = 'LOCKED' AND lease_until < now() ORDER BY lease_until LIMIT ?`, [limit]);
  return rows.map((row: { order_id: string }) => String(row.order_id));
}

export type HoldVerdict = 'KEEP' | 'COMMIT' | 'RELEASE';

export interface CouponHoldProblem {
  order_id: string;
  coupon_id: string | null;
  /**
   * DEAD_ORDER: locked for an order that order says is not live; LEASE_LAPSED: locked past its lease;
   * MISMATCH: the coupon row and its hold disagree (a LOCKED/USED coupon without the same hold, or the reverse).
   */
  problem: 'DEAD_ORDER' | 'LEASE_LAPSED' | 'MISMATCH';
}

/**
 * Invariant for audits and `npm run check:invariants`, pure knex on promote's database: coupons held for orders that
 * are not live, holds past their lease, and coupons that disagree with their hold. `verdicts` answers for order ids
 * (e.g. `(ids) => findHoldVerdicts(orderDb, ids)` from `subgraphs/order/data/hold-states.ts`); omitted, only leases
 * and consistency are checked. Holds younger than `toleranceSeconds` (default 60, the sweep's bound) are not
 * reported as dead or lapsed. Empty = fine.
 */
export async function findCouponHoldProblems(
  db: Knex,
  verdicts?: (orderIds: string[]) => Promise<Map<string, { verdict: HoldVerdict; endedAt: Date | null }>>,
  options: { toleranceSeconds?: number } = {},
): Promise<CouponHoldProblem[]> {
  const tolerance = options.toleranceSeconds ?? 60;
  const problems: CouponHoldProblem[] = [];
  const { rows: mismatched } = await db.raw(
    `SELECT COALESCE(h.order_id, c.order_id) AS order_id, COALESCE(h.coupon_id, c.id) AS coupon_id
     FROM coupons c FULL JOIN coupon_holds h ON h.coupon_id = c.id AND h.order_id = c.order_id AND h.status = c.status
     WHERE (c.status IN ('LOCKED', 'USED') AND h.order_id IS NULL)
        OR (h.status IN ('LOCKED', 'USED') AND c.id IS NULL)`,
  );
  for (const row of mismatched) problems.push({ order_id: String(row.order_id), coupon_id: row.coupon_id && String(row.coupon_id), problem: 'MISMATCH' });
  const { rows } = await db.raw(
    `SELECT order_id, coupon_id, created_at, (lease_until < now() - ? * interval '1 second') AS lapsed, now() AS db_now
     FROM coupon_holds WHERE status = 'LOCKED' ORDER BY order_id`,
    [tolerance],
  );
  const held = rows as { order_id: string; coupon_id: string | null; created_at: Date; lapsed: boolean | null; db_now: Date }[];
  const states = verdicts && held.length ? await verdicts(held.map((row) => String(row.order_id))) : new Map();
  for (const row of held) {
    const state = states.get(String(row.order_id));
    const since = Math.max(row.created_at.getTime(), state?.endedAt?.getTime() ?? 0);
    const base = { order_id: String(row.order_id), coupon_id: row.coupon_id && String(row.coupon_id) };
    if (verdicts && (!state || state.verdict === 'RELEASE') && row.db_now.getTime() - since > tolerance * 1000) {
      problems.push({ ...base, problem: 'DEAD_ORDER' });
    } else if (row.lapsed) problems.push({ ...base, problem: 'LEASE_LAPSED' });
  }
  return problems;
}
