/** Data access for payments and refunds. Knows knex, not GraphQL. */
import crypto from 'node:crypto';
import type { Knex } from 'knex';

/** Methods paid from one of our own ledgers (no provider trade, no reconciliation, refunds booked back). */
export const LEDGER_METHODS: readonly string[] = ['BALANCE', 'FAMILY_BALANCE'];

export interface PaymentRow {
  id: string;
  order_id: string;
  user_id: string;
  amount: number;
  method: string;
  status: string;
  paid_at: Date | null;
  created_at: Date;
  out_trade_no: string | null;
  provider_txn_id: string | null;
  prepay_id: string | null;
  refunded_amount: number;
  closed_at: Date | null;
  updated_at: Date;
  /** FAMILY_BALANCE: the family whose wallet paid. */
  family_id?: string | null;
}

export interface RefundRow {
  id: string;
  refund_no: string;
  payment_id: string;
  order_id: string;
  amount: number;
  reason: string;
  source: 'STAFF' | 'AFTER_SALE' | 'AUTO';
  status: 'PENDING' | 'SUCCEEDED' | 'FAILED';
  provider_refund_id: string | null;
  requested_by: string | null;
  created_at: Date;
  completed_at: Date | null;
  /** The pieces refunded, as order checked them; null for an amount only. */
  lines: { skuId: string; quantity: number; restock?: boolean | null }[] | null;
  /** Why it FAILED (provider's answer, or payment's own refusal). */
  failure_reason: string | null;
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

export async function findRefundsByPaymentIds(db: Knex, paymentIds: readonly string[]): Promise<RefundRow[]> {
  return db<RefundRow>('refunds').whereRaw('payment_id = ANY(?::bigint[])', [[...paymentIds]]).orderBy('id');
}

/** A merchant order number: letter of the method, time, randomness; 6–32 characters of [A-Za-z0-9] as providers require. */
export function newOutTradeNo(method: string): string {
  return `${method[0]}${Date.now()}${crypto.randomInt(0, 1e8).toString().padStart(8, '0')}`;
}

/**
 * The open (PENDING) payment of this order and method, created if there is none; a retry gets the same row.
 * The partial unique index `payments_one_open` makes two racing first attempts end with one row.
 */
export async function openPayment(
  trx: Knex | Knex.Transaction,
  input: { orderId: string; userId: string; method: string; amount: number; familyId?: string | null },
): Promise<PaymentRow> {
  await trx.raw(
    `INSERT INTO payments (order_id, user_id, amount, method, status, out_trade_no, family_id)
     VALUES (?, ?, ?, ?, 'PENDING', ?, ?)
     ON CONFLICT (order_id, method) WHERE status = 'PENDING' DO NOTHING`,
    [input.orderId, input.userId, input.amount, input.method, newOutTradeNo(input.method), input.familyId ?? null],
  );
  const row = await trx<PaymentRow>('payments').where({ order_id: input.orderId, method: input.method, status: 'PENDING' }).first();
  if (!row) throw new Error('open payment vanished');
  return row;
}

export async function lockPendingPayment(trx: Knex.Transaction, orderId: string, method: string): Promise<PaymentRow | undefined> {
  return trx<PaymentRow>('payments').where({ order_id: orderId, method, status: 'PENDING' }).forUpdate().first();
}

/** A payment of this order that already succeeded (paid, possibly refunded since). */
export async function findSucceededPayment(db: Knex | Knex.Transaction, orderId: string): Promise<PaymentRow | undefined> {
  return db<PaymentRow>('payments').where({ order_id: orderId }).whereIn('status', ['SUCCEEDED', 'REFUNDED']).orderBy('id', 'desc').first();
}

export async function lockPayment(trx: Knex.Transaction, where: { id: string } | { out_trade_no: string }): Promise<PaymentRow | undefined> {
  return trx<PaymentRow>('payments').where(where).forUpdate().first();
}

export async function setPrepayId(db: Knex, paymentId: string, prepayId: string): Promise<void> {
  await db('payments').where({ id: paymentId }).whereNull('prepay_id').update({ prepay_id: prepayId, updated_at: db.fn.now() });
}

export async function markSucceeded(trx: Knex.Transaction, paymentId: string, providerTxnId: string | null, paidAt: Date): Promise<PaymentRow> {
  const [row] = await trx<PaymentRow>('payments')
    .where({ id: paymentId })
    .update({ status: 'SUCCEEDED', provider_txn_id: providerTxnId, paid_at: paidAt, updated_at: trx.fn.now() } as never)
    .returning('*');
  return row;
}

export async function closePayment(trx: Knex.Transaction, paymentId: string): Promise<void> {
  await trx('payments').where({ id: paymentId, status: 'PENDING' }).update({ status: 'CLOSED', closed_at: trx.fn.now(), updated_at: trx.fn.now() });
}

export async function findRefundByNo(db: Knex | Knex.Transaction, refundNo: string): Promise<RefundRow | undefined> {
  return db<RefundRow>('refunds').where({ refund_no: refundNo }).first();
}

/** What of this payment is still refundable: its amount less every refund not FAILED. */
export async function refundableAmount(trx: Knex.Transaction, payment: PaymentRow): Promise<number> {
  const row = await trx('refunds').where({ payment_id: payment.id }).whereNot({ status: 'FAILED' }).sum<{ sum: string | null }>({ sum: 'amount' }).first();
  return payment.amount - Number(row?.sum ?? 0);
}

export async function insertRefund(
  trx: Knex.Transaction,
  input: Pick<RefundRow, 'refund_no' | 'payment_id' | 'order_id' | 'amount' | 'reason' | 'source' | 'requested_by'> &
    Partial<Pick<RefundRow, 'lines' | 'status' | 'failure_reason'>>,
): Promise<RefundRow> {
  const row = { ...input, lines: input.lines ? JSON.stringify(input.lines) : null, ...(input.status === 'FAILED' ? { completed_at: trx.fn.now() } : {}) };
  const [inserted] = await trx<RefundRow>('refunds').insert(row as never).returning('*');
  return inserted;
}

export async function findPayment(db: Knex | Knex.Transaction, id: string): Promise<PaymentRow | undefined> {
  return db<PaymentRow>('payments').where({ id }).first();
}

/** FAILED refunds, newest first (staff's list), `limit` rows before the id `beforeId`. */
/** A PENDING refund whose provider call was given up by the job runner (dead-lettered): it needs a person too. */
export interface StuckRefundJob {
  jobId: string;
  attempts: number;
  lastError: string | null;
}

/**
 * Refunds staff must act on, newest first: FAILED ones, and PENDING ones whose job (one of `jobKinds`, keyed by the
 * refund number) is dead — without this they would wait unseen until someone read the job runner's log.
 */
export async function findRefundsNeedingStaff(
  db: Knex,
  options: { limit: number; beforeId?: string; jobKinds: readonly string[] },
): Promise<(RefundRow & { stuck: StuckRefundJob | null })[]> {
  const rows = await db
    .select('r.*', db.raw('j.id AS dead_job_id'), db.raw('j.attempts AS dead_job_attempts'), db.raw('j.last_error AS dead_job_error'))
    .from('refunds as r')
    .joinRaw(
      `LEFT JOIN LATERAL (SELECT id, attempts, last_error FROM jobs
         WHERE key = r.refund_no AND kind = ANY(?::text[]) AND dead_at IS NOT NULL AND done_at IS NULL
         ORDER BY id DESC LIMIT 1) j ON r.status = 'PENDING'`,
      [[...options.jobKinds]],
    )
    .where((where) => where.where('r.status', 'FAILED').orWhereNotNull('j.id'))
    .modify((query) => {
      if (options.beforeId) query.where('r.id', '<', options.beforeId);
    })
    .orderBy('r.id', 'desc')
    .limit(options.limit);
  return rows.map(({ dead_job_id, dead_job_attempts, dead_job_error, ...refund }: Record<string, any>) => ({
    ...(refund as RefundRow),
    stuck: dead_job_id == null ? null : { jobId: String(dead_job_id), attempts: Number(dead_job_attempts), lastError: dead_job_error ?? null },
  }));
}

export async function completeRefund(
  trx: Knex.Transaction,
  refund: RefundRow,
  status: 'SUCCEEDED' | 'FAILED',
  providerRefundId: string | null,
  failureReason: string | null = null,
): Promise<RefundRow> {
  const [row] = await trx<RefundRow>('refunds')
    .where({ id: refund.id, status: 'PENDING' })
    .update({ status, provider_refund_id: providerRefundId, completed_at: trx.fn.now(), failure_reason: failureReason } as never)
    .returning('*');
  if (status === 'SUCCEEDED') {
    // The CHECK (refunded_amount <= amount) is the last guard against paying back more than was paid.
    await trx.raw(
      `UPDATE payments SET refunded_amount = refunded_amount + ?,
         status = CASE WHEN refunded_amount + ? = amount THEN 'REFUNDED' ELSE status END, updated_at = now()
       WHERE id = ?`,
      [refund.amount, refund.amount, refund.payment_id],
    );
  }
  return row;
}
