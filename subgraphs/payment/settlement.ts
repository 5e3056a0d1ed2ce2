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
  closePayment,
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
import { isRefusal, markOrderPaid, markOrderRefunded } from './order-client';
import type { Providers } from './providers';
import { fenOf } from './providers/alipay';
import { ProviderError } from './providers/http';
import { settleRefund } from './refund-outcome';

export const PAYMENT_STREAM = 'shop.payment.payment';
export const JOB_SETTLE_ORDER = 'payment.settleOrder';
export const JOB_REFUND = 'payment.refund';
export const JOB_ORDER_REFUNDED = 'payment.orderRefunded';
export const JOB_RECONCILE = 'payment.reconcile';

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
 * Records that the provider took the money for `outTradeNo`; a duplicate (already SUCCEEDED or REFUNDED) changes
 * nothing. The amount must be the payment's (the order's server-side total) and the method the payment's.
 */
export async function recordProviderSuccess(
  trx: Knex.Transaction,
  input: { outTradeNo: string; method: string; amount: number; providerTxnId: string | null; paidAt?: Date },
): Promise<{ payment: PaymentRow; duplicate: boolean }> {
  const payment = await lockPayment(trx, { out_trade_no: input.outTradeNo });
  if (!payment || payment.method !== input.method) throw new SettlementRefused('UNKNOWN_ORDER', 404);
  if (input.amount !== payment.amount) throw new SettlementRefused('AMOUNT_MISMATCH');
  if (payment.status === 'SUCCEEDED' || payment.status === 'REFUNDED') return { payment, duplicate: true };
  // PENDING, or CLOSED by reconciliation before the money arrived: the money is ours now either way.
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
    console.warn(`[payment] order ${payment.order_id} refused payment ${payment.id} (${(error as Error).message}): refunding it`);
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
 * the completion is a fenced transaction that finds the refund still PENDING under its lock, or changes nothing.
 */
export async function refundJob(runtime: PaymentRuntime, job: Job<{ refundNo: string }>, ctx: JobContext): Promise<void> {
  const refund = await findRefundByNo(ctx.db, job.payload.refundNo);
  if (!refund || refund.status !== 'PENDING') return;
  const [payment] = await findPaymentsByIds(ctx.db, [refund.payment_id]);
  // The verdict goes through settleRefund (refund-outcome.ts): status, refunded_amount, event, the job telling order.
  const complete = (status: 'SUCCEEDED' | 'FAILED', providerRefundId: (trx: Knex.Transaction) => Promise<string | null>, failureReason?: string) =>
    ctx.fenced(async (trx) => {
      const pending = await trx<RefundRow>('refunds').where({ refund_no: refund.refund_no, status: 'PENDING' }).forUpdate().first();
      if (pending) await settleRefund(trx, refund.refund_no, { status, providerRefundId: await providerRefundId(trx), failureReason });
    }, { complete: true });
  if (payment.method === 'BALANCE') {
    // No provider: the wallet credit (unique ref) commits with the completion.
    await complete('SUCCEEDED', async (trx) => {
      const entry = await book(trx, { userId: payment.user_id, amount: refund.amount, kind: 'REFUND', ref: `refund:${refund.refund_no}`, note: refund.reason });
      return entry ? `wallet:${entry.id}` : null;
    });
    return;
  }
  let providerRefundId: string | null = null;
  if (payment.method === 'WECHAT') {
    const wechat = runtime.providers.wechat;
    if (!wechat) throw new Error('WeChat Pay is not configured: cannot refund');
    const result = await wechat.refund({ outTradeNo: payment.out_trade_no!, outRefundNo: refund.refund_no, reason: refund.reason, refund: refund.amount, total: payment.amount }).catch((error) => {
      // WeChat said no for good (see permanentRefusal): FAILED, staff see it, order is told; anything else: retry.
      if (!permanentRefusal(error)) throw error;
      return { refusal: (error as Error).message };
    });
    if ('refusal' in result) {
      await complete('FAILED', async () => null, result.refusal);
      return;
    }
    if (result.status === 'PROCESSING') throw new Error(`WeChat refund ${refund.refund_no} still processing`); // asked again later
    if (result.status !== 'SUCCESS') {
      await complete('FAILED', async () => result.refund_id, `WeChat refund ${result.status}`);
      return;
    }
    providerRefundId = result.refund_id;
  } else {
    const alipay = runtime.providers.alipay;
    if (!alipay) throw new Error('Alipay is not configured: cannot refund');
    const result = await alipay.refund({ outTradeNo: payment.out_trade_no!, outRequestNo: refund.refund_no, amount: refund.amount, reason: refund.reason });
    if (!result.ok && result.code === '40004') {
      // A business refusal (Alipay's 40004) is final: FAILED, staff see it, order is told. Anything else: retry.
      await complete('FAILED', async () => null, `Alipay refund refused: ${result.code} ${result.subCode ?? ''}`.trim());
      return;
    }
    if (!result.ok) throw new Error(`Alipay refund ${refund.refund_no} refused: ${result.code} ${result.subCode ?? ''}`);
  }
  await complete('SUCCEEDED', async () => providerRefundId);
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

/** Job payment.orderRefunded (legacy: jobs queued before payment.refundSettled): REFUNDING → REFUNDED at order. */
export async function orderRefundedJob(runtime: PaymentRuntime, job: Job<{ orderId: string }>): Promise<void> {
  try {
    await markOrderRefunded(runtime.services, job.payload.orderId);
  } catch (error) {
    if (!isRefusal(error)) throw error;
    console.warn(`[payment] order ${job.payload.orderId} did not take the refund completion: ${(error as Error).message}`);
  }
}

/** Open payments still unanswered after this long are closed (the order has long expired by then). */
const GIVE_UP_AFTER_MS = 24 * 3600_000;

/**
 * Job payment.reconcile (scheduled with every provider payment, PAYMENT_RECONCILE_AFTER_SECONDS later): a payment
 * still open is queried at its provider and settled exactly as its notification would have; otherwise it is asked
 * again later (a new job), until a day has passed and it is closed.
 */
export async function reconcileJob(runtime: PaymentRuntime, job: Job<{ paymentId: string; round?: number; everySeconds?: number }>, ctx: JobContext): Promise<void> {
  const [payment] = await findPaymentsByIds(ctx.db, [job.payload.paymentId]);
  if (!payment || payment.status !== 'PENDING' || !payment.out_trade_no) return;
  // The provider is asked outside any transaction; what the answer changes is written fenced, rechecked under the lock.
  let paid: { amount: number; txnId: string | null } | null = null;
  if (payment.method === 'WECHAT' && runtime.providers.wechat) {
    const trade = await runtime.providers.wechat.queryByOutTradeNo(payment.out_trade_no);
    const merchant = runtime.providers.wechat.merchant;
    if (trade && (trade.trade_state === 'SUCCESS' || trade.trade_state === 'REFUND') && trade.appid === merchant.appId && trade.mchid === merchant.mchId) {
      paid = { amount: trade.amount?.total ?? -1, txnId: trade.transaction_id ?? null };
    }
  } else if (payment.method === 'ALIPAY' && runtime.providers.alipay) {
    const trade = await runtime.providers.alipay.query(payment.out_trade_no);
    if (trade && (trade.trade_status === 'TRADE_SUCCESS' || trade.trade_status === 'TRADE_FINISHED')) {
      paid = { amount: fenOf(trade.total_amount) ?? -1, txnId: trade.trade_no ?? null };
    }
  }
  if (paid) {
    if (paid.amount !== payment.amount) {
      console.error(`[payment] reconciliation: ${payment.out_trade_no} paid ${paid.amount}, expected ${payment.amount}; left open for review`);
      return;
    }
    const txnId = paid.txnId;
    await ctx.fenced(async (trx) => {
      // Its notification may have settled it meanwhile: succeed() happens once per payment.
      const locked = await lockPayment(trx, { id: payment.id });
      if (locked?.status === 'PENDING') await succeed(trx, locked, txnId, new Date());
    }, { complete: true });
    return;
  }
  if (Date.now() - payment.created_at.getTime() > GIVE_UP_AFTER_MS) {
    await ctx.fenced((trx) => closePayment(trx, payment.id), { complete: true });
    return;
  }
  const round = (job.payload.round ?? 0) + 1;
  // The interval chosen when the payment was opened, whichever instance runs this.
  const everySeconds = Math.max(1, job.payload.everySeconds ?? runtime.config.payment.reconcileAfterSeconds);
  await ctx.fenced(async (trx) => {
    await scheduleJob(trx, {
      kind: JOB_RECONCILE,
      key: `${payment.id}:${round}`,
      runAt: new Date(Date.now() + everySeconds * 1000),
      payload: { paymentId: payment.id, round, everySeconds },
    });
  }, { complete: true });
}
