/**
 * What happens once money moved: a payment recorded as succeeded (from a notification, a balance debit or a
 * reconciliation query), the order told it is paid, refunds paid back, the order told it is refunded.
 *
 * Exactly once: the payment row is locked and moved PENDING → SUCCEEDED once; in that transaction the
 * PaymentSucceeded event goes to the outbox and a durable job `payment.settleOrder` (key: payment id) is scheduled.
 * The job calls order's `markOrderPaid`, idempotent per payment id, until it answers; if order refuses (cancelled,
 * expired, already paid by another payment) the job refunds this payment automatically. Refunds are rows keyed by
 * their merchant refund number; the job `payment.refund` (key: refund number) pays them back through the provider,
 * which is itself idempotent per refund number, or credits the wallet ledger (unique ref) for balance payments.
 *
 * The jobs call order and the providers outside any transaction (platform/events/jobs.ts); what they write goes in
 * short `ctx.fenced` transactions that re-check the row's state under its lock and mark the job done with it, so a
 * retried or stale run repeats only idempotent calls and never a database effect.
 */
import type { Knex } from 'knex';
import { appendEvent, scheduleJob, type Job, type JobContext } from '../../platform/events';
import type { Config } from '../../platform/config';
import { badInput, shopError } from '../../platform/errors';
import type { ServiceClient } from '../../platform/service-client';
import {
  findPaymentsByIds,
  findRefundByNo,
  insertRefund,
  lockPayment,
  markSucceeded,
  refundableAmount,
  type PaymentRow,
  type RefundRow,
} from './data/payments';
import { book } from './data/wallet';
import { bookFamily } from './data/family-wallet';
import { isRefusal, markOrderPaid, markOrderRefunded } from './order-client';
import type { Providers } from './providers';
import { flagPayment } from './data/trades';
import { ProviderError } from './providers/http';
import { settleRefund, type RefundOutcome } from './refund-outcome';
import { logger } from '../../platform/log';

const log = logger({ component: 'payment' });

export const PAYMENT_STREAM = 'shop.payment.payment';
export const JOB_SETTLE_ORDER = 'payment.settleOrder';
export const JOB_REFUND = 'payment.refund';
export const JOB_ORDER_REFUNDED = 'payment.orderRefunded';
export const JOB_RECONCILE = 'payment.reconcile';
/** Asks the provider about a refund it answered PROCESSING (reconcile.ts). */
export const JOB_REFUND_QUERY = 'payment.refundQuery';

export interface PaymentRuntime {
  db: Knex;
  services: ServiceClient;
  providers: Providers;
  config: Config;
}

/** A provider message we will not act on; the notify endpoint answers it with a 4xx and changes nothing. */
export class SettlementRefused extends Error {
  constructor(
    readonly reason: string,
    readonly status = 400,
  ) {
    super(reason);
  }
}

/**
 * Records that the provider took the money for `outTradeNo` (a verified notification or a query answer); a duplicate
 * (already SUCCEEDED, REFUNDED or FLAGGED) changes nothing. The method must be the payment's. An amount other than
 * the payment's (the order's server-side total) is not credited: the payment is FLAGGED for staff (docs/payment.md,
 * "Amount mismatch") instead of staying PENDING.
 */
export async function recordProviderSuccess(
  trx: Knex.Transaction,
  input: { outTradeNo: string; method: string; amount: number; providerTxnId: string | null; paidAt?: Date },
): Promise<{ payment: PaymentRow; duplicate: boolean; flagged?: boolean }> {
  const payment = await lockPayment(trx, { out_trade_no: input.outTradeNo });
  if (!payment || payment.method !== input.method) throw new SettlementRefused('UNKNOWN_ORDER', 404);
  if (payment.status === 'SUCCEEDED' || payment.status === 'REFUNDED' || payment.status === 'FLAGGED') {
    if (input.amount !== payment.amount && payment.status !== 'FLAGGED') {
      log.error({ outTradeNo: input.outTradeNo, paymentId: payment.id }, `${input.method} reports ${input.outTradeNo} paid ${input.amount}, recorded ${payment.amount} (${payment.status}): for staff`);
    }
    return { payment, duplicate: true };
  }
  if (input.amount !== payment.amount) {
    const flagged = await flagPayment(trx, payment.id, { reason: 'AMOUNT_MISMATCH', providerAmount: input.amount, providerTxnId: input.providerTxnId });
    log.error(
      { paymentId: payment.id, orderId: payment.order_id, outTradeNo: input.outTradeNo },
      `FLAGGED payment ${payment.id} (order ${payment.order_id}, ${input.method} ${input.outTradeNo}): provider reports ${input.amount} fen paid, expected ${payment.amount}; not credited, staff to resolve (flaggedPayments)`,
    );
    return { payment: flagged, duplicate: false, flagged: true };
  }
  // PENDING, or CLOSED (by us, or at its deadline) after the money arrived: the money is ours now either way, and
  // the settle job hands it to order — which refuses it for a cancelled order, so it is refunded automatically.
  return { payment: await succeed(trx, payment, input.providerTxnId, input.paidAt ?? new Date()), duplicate: false };
}

/** PENDING/CLOSED → SUCCEEDED with its event and the job that tells order. */
export async function succeed(trx: Knex.Transaction, payment: PaymentRow, providerTxnId: string | null, paidAt: Date): Promise<PaymentRow> {
  const row = await markSucceeded(trx, payment.id, providerTxnId, paidAt);
  await appendEvent(trx, {
    stream: PAYMENT_STREAM,
    type: 'PaymentSucceeded',
    aggregateId: row.id,
    payload: { paymentId: row.id, orderId: row.order_id, userId: row.user_id, amount: row.amount, method: row.method, paidAt: paidAt.toISOString() },
  });
  await scheduleJob(trx, { kind: JOB_SETTLE_ORDER, key: row.id, runAt: new Date(), payload: { paymentId: row.id } });
  return row;
}

/** Job payment.settleOrder: order PAID (idempotent per payment), or — if order refuses — refund this payment. */
export async function settleOrderJob(runtime: PaymentRuntime, job: Job<{ paymentId: string }>, ctx: JobContext): Promise<void> {
  const [payment] = await findPaymentsByIds(ctx.db, [job.payload.paymentId]);
  if (!payment || payment.status !== 'SUCCEEDED') return;
  try {
    await markOrderPaid(runtime.services, { orderId: payment.order_id, paymentId: payment.id, amount: payment.amount });
  } catch (error) {
    if (!isRefusal(error)) throw error; // order unreachable: the job retries with backoff
    log.warn({ orderId: payment.order_id, paymentId: payment.id }, `order ${payment.order_id} refused payment ${payment.id} (${(error as Error).message}): refunding it`);
    // The refund (its number is unique) and "done" commit together.
    await ctx.fenced(async (trx) => {
      const locked = (await lockPayment(trx, { id: payment.id }))!;
      const amount = await refundableAmount(trx, locked);
      if (amount > 0) {
        await createRefund(trx, locked, { refundNo: `AR${payment.id}`, amount, reason: 'order could not take this payment', source: 'AUTO', requestedBy: 'system' });
      }
    }, { complete: true });
  }
}

/**
 * Creates (or finds, by refund number) a refund of `payment` and schedules paying it back. The payment row is locked
 * first, so concurrent refunds of one payment are checked against what is still refundable one at a time.
 */
export async function createRefund(
  trx: Knex.Transaction,
  payment: PaymentRow,
  input: { refundNo: string; amount: number; reason: string; source: RefundRow['source']; requestedBy: string | null; lines?: RefundRow['lines'] },
): Promise<RefundRow> {
  await lockPayment(trx, { id: payment.id });
  const existing = await findRefundByNo(trx, input.refundNo);
  if (existing) {
    if (existing.payment_id !== payment.id || existing.amount !== input.amount) {
      throw shopError('CONFLICT', `Refund number ${input.refundNo} was already used for another refund`, { refundNo: input.refundNo });
    }
    return existing;
  }
  if (!Number.isInteger(input.amount) || input.amount < 1) throw badInput('The refund must be at least 1 fen', 'amount');
  const refundable = await refundableAmount(trx, payment);
  if (input.amount > refundable) throw badInput(`At most ${refundable} fen of this payment can still be refunded`, 'amount');
  const refund = await insertRefund(trx, {
    refund_no: input.refundNo,
    payment_id: payment.id,
    order_id: payment.order_id,
    amount: input.amount,
    reason: input.reason.slice(0, 200),
    source: input.source,
    requested_by: input.requestedBy,
    lines: input.lines ?? null,
  });
  await scheduleJob(trx, { kind: JOB_REFUND, key: refund.refund_no, runAt: new Date(), payload: { refundNo: refund.refund_no } });
  return refund;
}

/**
 * Job payment.refund: pay the refund back through its channel; on success the order is told (unless automatic).
 * The provider call happens outside any transaction (idempotent per refund number: a retry gets the same refund);
 * the verdict goes through `settleRefund` (refund-outcome.ts) in a fenced transaction, which finds the refund still
 * PENDING under its lock or changes nothing.
 */
export async function refundJob(runtime: PaymentRuntime, job: Job<{ refundNo: string }>, ctx: JobContext): Promise<void> {
  const refund = await findRefundByNo(ctx.db, job.payload.refundNo);
  if (!refund || refund.status !== 'PENDING') return;
  const [payment] = await findPaymentsByIds(ctx.db, [refund.payment_id]);
  const complete = (outcome: RefundOutcome) => ctx.fenced(async (trx) => void (await settleRefund(trx, refund.refund_no, outcome)), { complete: true });
  if (payment.method === 'BALANCE' || payment.method === 'FAMILY_BALANCE') {
    // No provider: the wallet credit (unique ref) commits with the verdict — back to the wallet that paid.
    await ctx.fenced(async (trx) => {
      const pending = await trx<RefundRow>('refunds').where({ refund_no: refund.refund_no, status: 'PENDING' }).forUpdate().first();
      if (!pending) return;
      const ref = `refund:${refund.refund_no}`;
      let providerRefundId: string | null;
      if (payment.method === 'BALANCE') {
        const entry = await book(trx, { userId: payment.user_id, amount: refund.amount, kind: 'REFUND', ref, note: refund.reason });
        providerRefundId = entry ? `wallet:${entry.id}` : null;
      } else {
        const entry = await bookFamily(trx, { familyId: String(payment.family_id), amount: refund.amount, kind: 'REFUND', ref, note: refund.reason, actor: 'system' });
        // Only past the Int column's range: never mark it paid back without the money; the job retries (staff see it).
        if (!entry) throw new Error(`family wallet ${payment.family_id} cannot take refund ${refund.refund_no}`);
        providerRefundId = `family-wallet:${entry.id}`;
      }
      await settleRefund(trx, refund.refund_no, { status: 'SUCCEEDED', providerRefundId });
    }, { complete: true });
    return;
  }
  let providerRefundId: string | null = null;
  if (payment.method === 'WECHAT') {
    const wechat = runtime.providers.wechat;
    if (!wechat) throw new Error('WeChat Pay is not configured: cannot refund');
    const result = await wechat.refund({
      outTradeNo: payment.out_trade_no!,
      outRefundNo: refund.refund_no,
      reason: refund.reason,
      refund: refund.amount,
      total: payment.amount,
      notifyUrl: `${runtime.config.payment.publicUrl}/notify/wechat`,
    }).catch((error) => {
      // WeChat said no for good (see permanentRefusal): FAILED, staff see it, order is told; anything else: retry.
      if (!permanentRefusal(error)) throw error;
      return { refusal: (error as Error).message } as const;
    });
    if ('refusal' in result) {
      await complete({ status: 'FAILED', failureReason: result.refusal });
      return;
    }
    // PROCESSING: its REFUND.* notification finishes it (refund-notify.ts); the refund query job is the guarantee.
    if (result.status === 'PROCESSING') {
      await ctx.fenced((trx) => scheduleRefundQuery(trx, refund.refund_no, runtime.config.payment.reconcileAfterSeconds), { complete: true });
      return;
    }
    if (result.status !== 'SUCCESS') {
      await complete({ status: 'FAILED', providerRefundId: result.refund_id, failureReason: `WeChat refund ${result.status}` });
      return;
    }
    providerRefundId = result.refund_id;
  } else {
    const alipay = runtime.providers.alipay;
    if (!alipay) throw new Error('Alipay is not configured: cannot refund');
    // Alipay answers synchronously. After a failed attempt (timeout: outcome unknown) ask first (refund query).
    const known = job.attempts > 1 ? await alipay.refundQuery(payment.out_trade_no!, refund.refund_no) : null;
    if (!known?.refunded) {
      const result = await alipay.refund({ outTradeNo: payment.out_trade_no!, outRequestNo: refund.refund_no, amount: refund.amount, reason: refund.reason });
      if (!result.ok) throw new Error(`Alipay refund ${refund.refund_no} refused: ${result.code} ${result.subCode ?? ''}`);
    }
  }
  await complete({ status: 'SUCCEEDED', providerRefundId });
}

/**
 * The first query of a refund in flight, PAYMENT_RECONCILE_AFTER_SECONDS after the provider answered PROCESSING
 * (reconcile.ts asks again, doubling); its notification normally finishes it first.
 */
export async function scheduleRefundQuery(trx: Knex.Transaction, refundNo: string, afterSeconds: number): Promise<void> {
  await scheduleJob(trx, { kind: JOB_REFUND_QUERY, key: refundNo, runAt: new Date(Date.now() + afterSeconds * 1000), payload: { refundNo, round: 0, everySeconds: afterSeconds } });
}

/** Job payment.orderRefunded: REFUNDING → REFUNDED at order (a repeat is a no-op there). */
export async function orderRefundedJob(runtime: PaymentRuntime, job: Job<{ orderId: string }>): Promise<void> {
  try {
    await markOrderRefunded(runtime.services, job.payload.orderId);
  } catch (error) {
    if (!isRefusal(error)) throw error;
    log.warn({ orderId: job.payload.orderId }, `order ${job.payload.orderId} did not take the refund completion: ${(error as Error).message}`);
  }
}

/**
 * WeChat refused this refund for good (400 PARAM_ERROR/INVALID_REQUEST, 403 NOT_ENOUGH/TRADE_ERROR/USER_ACCOUNT_ABNORMAL,
 * 404 the trade is unknown): the same request would be refused again. 401 (our signature: a configuration problem) and
 * 429 are retried, so fixing the keys lets the refunds through.
 */
function permanentRefusal(error: unknown): boolean {
  const status = error instanceof ProviderError ? error.status : undefined;
  return status === 400 || status === 403 || status === 404;
}
