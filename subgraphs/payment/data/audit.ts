/**
 * Read-only audit queries of payments, refunds and the wallet ledger, for the invariant checker
 * (audit/invariants). Each *Discrepancies function is one statement over the payment schema alone and returns only
 * what is wrong (empty = the books hold). Knows knex, not GraphQL; writes nothing.
 */
import type { Knex } from 'knex';

export interface PaymentState {
  id: string;
  orderId: string;
  userId: string;
  amount: number;
  method: string;
  status: string;
  refundedAmount: number;
  /** Refunds not FAILED (PENDING or SUCCEEDED), in fen. */
  refundsInFlight: number;
  /** SUCCEEDED refunds, in fen. */
  refundsSucceeded: number;
  updatedAt: Date;
}

const SELECT_STATE = `SELECT p.id::text, p.order_id::text AS "orderId", p.user_id::text AS "userId", p.amount, p.method, p.status,
    p.refunded_amount AS "refundedAmount", p.updated_at AS "updatedAt",
    COALESCE((SELECT sum(r.amount) FROM refunds r WHERE r.payment_id = p.id AND r.status <> 'FAILED'), 0)::int AS "refundsInFlight",
    COALESCE((SELECT sum(r.amount) FROM refunds r WHERE r.payment_id = p.id AND r.status = 'SUCCEEDED'), 0)::int AS "refundsSucceeded"
  FROM payments p`;

/** Every payment of these orders. */
export async function paymentsOfOrders(db: Knex, orderIds: readonly string[]): Promise<PaymentState[]> {
  if (!orderIds.length) return [];
  return (await db.raw(`${SELECT_STATE} WHERE p.order_id = ANY(?::bigint[]) ORDER BY p.id`, [[...orderIds]])).rows;
}

/** One page (keyset by id) of the payments whose money was taken (SUCCEEDED, or REFUNDED). */
export async function pageCapturedPayments(db: Knex, page: { afterId?: string; limit: number }): Promise<PaymentState[]> {
  const { rows } = await db.raw(
    `${SELECT_STATE} WHERE p.status IN ('SUCCEEDED', 'REFUNDED') AND (?::bigint IS NULL OR p.id > ?::bigint) ORDER BY p.id LIMIT ?`,
    [page.afterId ?? null, page.afterId ?? null, page.limit],
  );
  return rows;
}

export interface RefundDiscrepancy {
  paymentId: string;
  orderId: string;
  amount: number;
  status: string;
  refundedAmount: number;
  /** sum of SUCCEEDED refunds */
  succeeded: number;
  /** sum of refunds not FAILED */
  notFailed: number;
  problem: 'REFUNDED_AMOUNT_MISMATCH' | 'REFUNDS_EXCEED_PAYMENT' | 'REFUND_OF_UNCAPTURED_PAYMENT' | 'STATUS_MISMATCH';
}

/**
 * Payments whose refunds do not add up: refunded_amount ≠ the SUCCEEDED refunds; refunds not FAILED above the
 * amount paid; a refund of a payment that never took money; REFUNDED without being refunded in full (or the reverse).
 */
export async function refundDiscrepancies(db: Knex): Promise<RefundDiscrepancy[]> {
  const { rows } = await db.raw(
    `WITH r AS (
       SELECT payment_id,
              sum(amount) FILTER (WHERE status = 'SUCCEEDED')::int AS succeeded,
              sum(amount) FILTER (WHERE status <> 'FAILED')::int AS not_failed
       FROM refunds GROUP BY payment_id),
     p AS (
       SELECT p.id::text AS "paymentId", p.order_id::text AS "orderId", p.amount, p.status, p.refunded_amount AS "refundedAmount",
              COALESCE(r.succeeded, 0) AS succeeded, COALESCE(r.not_failed, 0) AS "notFailed"
       FROM payments p LEFT JOIN r ON r.payment_id = p.id)
     SELECT *, CASE
         WHEN "notFailed" > amount THEN 'REFUNDS_EXCEED_PAYMENT'
         WHEN "notFailed" > 0 AND status NOT IN ('SUCCEEDED', 'REFUNDED') THEN 'REFUND_OF_UNCAPTURED_PAYMENT'
         WHEN succeeded <> "refundedAmount" THEN 'REFUNDED_AMOUNT_MISMATCH'
         ELSE 'STATUS_MISMATCH' END AS problem
     FROM p
     WHERE "notFailed" > amount
        OR ("notFailed" > 0 AND status NOT IN ('SUCCEEDED', 'REFUNDED'))
        OR succeeded <> "refundedAmount"
        OR (status = 'REFUNDED') <> ("refundedAmount" = amount AND amount > 0)
     ORDER BY p."paymentId"::bigint`,
  );
  return rows;
}

export interface OrderRefundDiscrepancy {
  orderId: string;
  /** Money taken for the order: the amounts of its SUCCEEDED / REFUNDED payments. */
  captured: number;
  /** Refunds not FAILED across all its payments. */
  refunded: number;
}

/** Orders whose refunds (not FAILED, over every payment) exceed what was taken for them. */
export async function orderRefundDiscrepancies(db: Knex): Promise<OrderRefundDiscrepancy[]> {
  const { rows } = await db.raw(
    `WITH captured AS (
       SELECT order_id, sum(amount)::int AS captured FROM payments WHERE status IN ('SUCCEEDED', 'REFUNDED') GROUP BY order_id),
     refunded AS (
       SELECT order_id, sum(amount)::int AS refunded FROM refunds WHERE status <> 'FAILED' GROUP BY order_id)
     SELECT refunded.order_id::text AS "orderId", COALESCE(captured.captured, 0) AS captured, refunded.refunded
     FROM refunded LEFT JOIN captured ON captured.order_id = refunded.order_id
     WHERE refunded.refunded > COALESCE(captured.captured, 0)
     ORDER BY refunded.order_id`,
  );
  return rows;
}

export interface SucceededRefund {
  id: string;
  refundNo: string;
  paymentId: string;
  orderId: string;
  amount: number;
  /** STAFF, AFTER_SALE, or AUTO (a second payment or money for an unpaid order given back). */
  source: string;
  /** When it succeeded (created_at if not recorded). */
  completedAt: Date;
}

/** One page (keyset by id) of the SUCCEEDED refunds. */
export async function pageSucceededRefunds(db: Knex, page: { afterId?: string; limit: number }): Promise<SucceededRefund[]> {
  const { rows } = await db.raw(
    `SELECT id::text, refund_no AS "refundNo", payment_id::text AS "paymentId", order_id::text AS "orderId", amount, source,
            COALESCE(completed_at, created_at) AS "completedAt"
       FROM refunds WHERE status = 'SUCCEEDED' AND (?::bigint IS NULL OR id > ?::bigint) ORDER BY id LIMIT ?`,
    [page.afterId ?? null, page.afterId ?? null, page.limit],
  );
  return rows;
}

export interface UnresolvedFlaggedPayment {
  paymentId: string;
  orderId: string;
  userId: string;
  method: string;
  amount: number;
  /** What the provider says was paid (null if it did not say). */
  providerAmount: number | null;
  flagReason: string | null;
  flaggedAt: Date | null;
}

/** Payments FLAGGED for review (an amount mismatch) that staff have not resolved (`resolveFlaggedPayment`). */
export async function unresolvedFlaggedPayments(db: Knex): Promise<UnresolvedFlaggedPayment[]> {
  const { rows } = await db.raw(
    `SELECT id::text AS "paymentId", order_id::text AS "orderId", user_id::text AS "userId", method, amount,
            provider_amount AS "providerAmount", flag_reason AS "flagReason", flagged_at AS "flaggedAt"
       FROM payments WHERE status = 'FLAGGED' AND flag_resolved_at IS NULL ORDER BY id`,
  );
  return rows;
}

export interface WalletDiscrepancy {
  userId: string;
  problem: 'BALANCE_NOT_LEDGER_SUM' | 'BALANCE_NOT_LAST_ENTRY' | 'LEDGER_CHAIN_BROKEN' | 'NEGATIVE_BALANCE' | 'BALANCE_PAYMENT_UNBOOKED' | 'BOOKED_PAYMENT_NOT_CAPTURED';
  balance: number | null;
  ledger: number | null;
  /** The entry (chain) or payment (payment problems) concerned. */
  ref: string | null;
}

/**
 * Wallets whose books do not balance: balance ≠ sum of entries, ≠ the last entry's balance_after, an entry whose
 * balance_after is not the previous one plus its amount, a negative balance; a balance payment that took money
 * without its `pay:<payment id>` debit, or a debit for a payment that never succeeded.
 */
export async function walletDiscrepancies(db: Knex): Promise<WalletDiscrepancy[]> {
  const { rows } = await db.raw(
    `WITH sums AS (
       SELECT user_id, sum(amount)::int AS ledger,
              (array_agg(balance_after ORDER BY id DESC))[1] AS last_after
       FROM wallet_entries GROUP BY user_id),
     chain AS (
       SELECT user_id, ref, balance_after, amount,
              COALESCE(lag(balance_after) OVER (PARTITION BY user_id ORDER BY id), 0) AS before
       FROM wallet_entries)
     SELECT a.user_id::text AS "userId", 'BALANCE_NOT_LEDGER_SUM' AS problem, a.balance, COALESCE(s.ledger, 0) AS ledger, NULL AS ref
       FROM wallet_accounts a LEFT JOIN sums s ON s.user_id = a.user_id WHERE a.balance <> COALESCE(s.ledger, 0)
     UNION ALL
     SELECT a.user_id::text, 'BALANCE_NOT_LAST_ENTRY', a.balance, s.last_after, NULL
       FROM wallet_accounts a JOIN sums s ON s.user_id = a.user_id WHERE a.balance <> s.last_after
     UNION ALL
     SELECT s.user_id::text, 'BALANCE_NOT_LEDGER_SUM', NULL, s.ledger, NULL
       FROM sums s WHERE NOT EXISTS (SELECT 1 FROM wallet_accounts a WHERE a.user_id = s.user_id)
     UNION ALL
     SELECT c.user_id::text, 'LEDGER_CHAIN_BROKEN', c.balance_after, c.before + c.amount, c.ref
       FROM chain c WHERE c.balance_after <> c.before + c.amount
     UNION ALL
     SELECT a.user_id::text, 'NEGATIVE_BALANCE', a.balance, NULL, NULL FROM wallet_accounts a WHERE a.balance < 0
     UNION ALL
     SELECT p.user_id::text, 'BALANCE_PAYMENT_UNBOOKED', NULL, NULL, p.id::text
       FROM payments p WHERE p.method = 'BALANCE' AND p.status IN ('SUCCEEDED', 'REFUNDED')
        AND NOT EXISTS (SELECT 1 FROM wallet_entries e WHERE e.ref = 'pay:' || p.id AND e.amount = -p.amount)
     UNION ALL
     SELECT e.user_id::text, 'BOOKED_PAYMENT_NOT_CAPTURED', NULL, e.amount, e.ref
       FROM wallet_entries e WHERE e.kind = 'PAYMENT'
        AND NOT EXISTS (SELECT 1 FROM payments p WHERE 'pay:' || p.id = e.ref AND p.status IN ('SUCCEEDED', 'REFUNDED'))`,
  );
  return rows;
}

export interface FamilyWalletDiscrepancy {
  familyId: string;
  problem: 'BALANCE_NOT_LEDGER_SUM' | 'BALANCE_NOT_LAST_ENTRY' | 'LEDGER_CHAIN_BROKEN' | 'NEGATIVE_BALANCE' | 'FAMILY_PAYMENT_UNBOOKED' | 'BOOKED_PAYMENT_NOT_CAPTURED';
  balance: number | null;
  ledger: number | null;
  ref: string | null;
}

/**
 * Family wallets whose books do not balance (the same rules as walletDiscrepancies, per family): balance ≠ sum of
 * entries or ≠ the last balance_after, a broken chain, a negative balance; a FAMILY_BALANCE payment that took money
 * without its `pay:<payment id>` debit on its family, or a debit for a payment that never succeeded.
 */
export async function familyWalletDiscrepancies(db: Knex): Promise<FamilyWalletDiscrepancy[]> {
  const { rows } = await db.raw(
    `WITH sums AS (
       SELECT family_id, sum(amount)::bigint AS ledger, (array_agg(balance_after ORDER BY id DESC))[1] AS last_after
       FROM family_wallet_entries GROUP BY family_id),
     chain AS (
       SELECT family_id, ref, balance_after, amount,
              COALESCE(lag(balance_after) OVER (PARTITION BY family_id ORDER BY id), 0) AS before
       FROM family_wallet_entries)
     SELECT a.family_id::text AS "familyId", 'BALANCE_NOT_LEDGER_SUM' AS problem, a.balance, COALESCE(s.ledger, 0)::int AS ledger, NULL AS ref
       FROM family_wallet_accounts a LEFT JOIN sums s ON s.family_id = a.family_id WHERE a.balance <> COALESCE(s.ledger, 0)
     UNION ALL
     SELECT a.family_id::text, 'BALANCE_NOT_LAST_ENTRY', a.balance, s.last_after, NULL
       FROM family_wallet_accounts a JOIN sums s ON s.family_id = a.family_id WHERE a.balance <> s.last_after
     UNION ALL
     SELECT s.family_id::text, 'BALANCE_NOT_LEDGER_SUM', NULL, s.ledger::int, NULL
       FROM sums s WHERE NOT EXISTS (SELECT 1 FROM family_wallet_accounts a WHERE a.family_id = s.family_id)
     UNION ALL
     SELECT c.family_id::text, 'LEDGER_CHAIN_BROKEN', c.balance_after, c.before + c.amount, c.ref
       FROM chain c WHERE c.balance_after <> c.before + c.amount
     UNION ALL
     SELECT a.family_id::text, 'NEGATIVE_BALANCE', a.balance, NULL, NULL FROM family_wallet_accounts a WHERE a.balance < 0
     UNION ALL
     SELECT p.family_id::text, 'FAMILY_PAYMENT_UNBOOKED', NULL, NULL, p.id::text
       FROM payments p WHERE p.method = 'FAMILY_BALANCE' AND p.status IN ('SUCCEEDED', 'REFUNDED')
        AND NOT EXISTS (SELECT 1 FROM family_wallet_entries e WHERE e.ref = 'pay:' || p.id AND e.amount = -p.amount AND e.family_id = p.family_id)
     UNION ALL
     SELECT e.family_id::text, 'BOOKED_PAYMENT_NOT_CAPTURED', NULL, e.amount, e.ref
       FROM family_wallet_entries e WHERE e.kind = 'PAYMENT'
        AND NOT EXISTS (SELECT 1 FROM payments p WHERE 'pay:' || p.id = e.ref AND p.method = 'FAMILY_BALANCE' AND p.status IN ('SUCCEEDED', 'REFUNDED'))`,
  );
  return rows;
}

/** Member card orders PAID before `settledBefore` whose year is not recorded as granted (payment's side of the grant). */
export async function ungrantedMemberCards(db: Knex, settledBefore: Date): Promise<{ id: string; familyId: string; paidAt: Date }[]> {
  const { rows } = await db.raw(
    `SELECT id::text, family_id::text AS "familyId", paid_at AS "paidAt" FROM member_card_orders
      WHERE status = 'PAID' AND granted_at IS NULL AND paid_at < ? ORDER BY id LIMIT 1000`,
    [settledBefore],
  );
  return rows;
}
