/**
 * Reconciliation: asking providers about what we have not heard of.
 *
 * Trades (`payment.reconcile`, scheduled with every provider payment PAYMENT_RECONCILE_AFTER_SECONDS after it
 * opens): a payment that is no longer PENDING (SUCCEEDED, REFUNDED, CLOSED, FLAGGED) is final here and never asked
 * about again. A PENDING one is queried: paid → recorded exactly as its notification would be (an amount mismatch is
 * flagged); closed at the provider → CLOSED; otherwise asked again with exponential backoff (the first interval
 * doubling, at most PAYMENT_RECONCILE_MAX_INTERVAL_SECONDS, never past the trade's deadline). Once its time_expire has passed the
 * trade is closed at the provider (trade-close.ts), which settles the race with a last-second payment: the provider
 * either closes it (→ CLOSED) or answers that it was paid (→ recorded).
 *
 * Refunds in flight (`payment.refundQuery`, scheduled PAYMENT_RECONCILE_AFTER_SECONDS after WeChat answers a refund
 * PROCESSING): its REFUND.* notification normally finishes it first; the query (WeChat
 * `GET /v3/refund/domestic/refunds/{out_refund_no}`) is the guarantee, asked with the same backoff until the refund
 * is SUCCESS (→ SUCCEEDED) or CLOSED/ABNORMAL (→ FAILED).
 */
import type { Job } from '../../platform/events';
import { scheduleJob } from '../../platform/events';
import { findPayment, closeTrade, type TradePaymentRow } from './data/trades';
import type { RefundRow } from './data/payments';
import type { JobContext } from '../../platform/events';
import { JOB_RECONCILE, JOB_REFUND_QUERY, recordProviderSuccess, type PaymentRuntime } from './settlement';
import { settleRefund } from './refund-outcome';
import { closeOpenTrade } from './trade-close';
import { fenOf } from './providers/alipay';
import { LEDGER_METHODS, lockPayment } from './data/payments';

/** Payments opened before trades had a deadline (no expires_at) are closed a day after they opened, as before. */
const LEGACY_DEADLINE_MS = 24 * 3600_000;

export const tradeDeadline = (payment: TradePaymentRow) => payment.expires_at ?? new Date(payment.created_at.getTime() + LEGACY_DEADLINE_MS);

type TradeAnswer = { kind: 'paid'; amount: number; txnId: string | null; paidAt?: Date } | { kind: 'closed' } | { kind: 'open' };

/** The provider's view of an open trade (no transaction held). */
async function queryTrade(runtime: PaymentRuntime, payment: TradePaymentRow): Promise<TradeAnswer> {
  if (payment.method === 'WECHAT' && runtime.providers.wechat) {
    const wechat = runtime.providers.wechat;
    const trade = await wechat.queryByOutTradeNo(payment.out_trade_no!);
    if (!trade || trade.appid !== wechat.merchant.appId || trade.mchid !== wechat.merchant.mchId) return { kind: 'open' };
    if (trade.trade_state === 'SUCCESS' || trade.trade_state === 'REFUND') {
      return { kind: 'paid', amount: trade.amount?.total ?? -1, txnId: trade.transaction_id ?? null, paidAt: trade.success_time ? new Date(trade.success_time) : undefined };
    }
    return trade.trade_state === 'CLOSED' || trade.trade_state === 'REVOKED' ? { kind: 'closed' } : { kind: 'open' };
  }
  if (payment.method === 'ALIPAY' && runtime.providers.alipay) {
    const trade = await runtime.providers.alipay.query(payment.out_trade_no!);
    if (trade?.trade_status === 'TRADE_SUCCESS' || trade?.trade_status === 'TRADE_FINISHED') {
      return { kind: 'paid', amount: fenOf(trade.total_amount) ?? -1, txnId: trade.trade_no ?? null };
    }
    return trade?.trade_status === 'TRADE_CLOSED' ? { kind: 'closed' } : { kind: 'open' };
  }
  return { kind: 'open' };
}

/** Job payment.reconcile (keys: payment id, then `<payment id>:<round>`). */
export async function reconcileJob(
  runtime: PaymentRuntime,
  job: Job<{ paymentId: string; round?: number; everySeconds?: number }>,
  ctx: JobContext,
): Promise<void> {
  const payment = await findPayment(ctx.db, job.payload.paymentId);
  // Final (or not a provider trade): nothing to ask, ever again.
  if (!payment || payment.status !== 'PENDING' || !payment.out_trade_no || LEDGER_METHODS.includes(payment.method)) return;
  const deadline = tradeDeadline(payment);
  if (Date.now() >= deadline.getTime()) {
    await closeOpenTrade(runtime, ctx, payment.id, 'payment deadline passed');
    return;
  }
  const answer = await queryTrade(runtime, payment);
  await ctx.fenced(
    async (trx) => {
      const locked = await lockPayment(trx, { id: payment.id });
      if (!locked || locked.status !== 'PENDING') return;
      if (answer.kind === 'paid') {
        await recordProviderSuccess(trx, { outTradeNo: payment.out_trade_no!, method: payment.method, amount: answer.amount, providerTxnId: answer.txnId, paidAt: answer.paidAt });
        return;
      }
      if (answer.kind === 'closed') {
        await closeTrade(trx, payment.id, 'closed at the provider');
        return;
      }
      const round = (job.payload.round ?? 0) + 1;
      // The first interval chosen when the payment was opened, whichever instance runs this; doubling each round.
      const everyMs = Math.max(1, job.payload.everySeconds ?? runtime.config.payment.reconcileAfterSeconds) * 1000;
      const waitMs = Math.min(runtime.config.payment.reconcileMaxIntervalSeconds * 1000, everyMs * 2 ** Math.min(round, 20));
      await scheduleJob(trx, {
        kind: JOB_RECONCILE,
        key: `${payment.id}:${round}`,
        runAt: new Date(Math.min(Date.now() + waitMs, deadline.getTime())),
        payload: { paymentId: payment.id, round, everySeconds: everyMs / 1000 },
      });
    },
    { complete: true },
  );
}

/** Job payment.refundQuery (key: refund number; later rounds `<refund no>:<round>`): a refund the provider is still processing. */
export async function refundQueryJob(runtime: PaymentRuntime, job: Job<{ refundNo: string; round?: number; everySeconds?: number }>, ctx: JobContext): Promise<void> {
  const refund = await ctx.db<RefundRow>('refunds').where({ refund_no: job.payload.refundNo }).first();
  if (!refund || refund.status !== 'PENDING') return;
  const payment = await findPayment(ctx.db, refund.payment_id);
  if (!payment) return;
  let outcome: { status: 'SUCCEEDED' | 'FAILED'; providerRefundId: string | null; failureReason?: string } | null = null;
  if (payment.method === 'WECHAT' && runtime.providers.wechat) {
    const answer = await runtime.providers.wechat.queryRefund(refund.refund_no);
    if (!answer) throw new Error(`WeChat has no refund ${refund.refund_no}`); // retried; the refund job is idempotent per number
    if (answer.status === 'SUCCESS') outcome = { status: 'SUCCEEDED', providerRefundId: answer.refund_id };
    else if (answer.status === 'CLOSED' || answer.status === 'ABNORMAL') outcome = { status: 'FAILED', providerRefundId: answer.refund_id, failureReason: `WeChat refund ${answer.status}` };
  } else if (payment.method === 'ALIPAY' && runtime.providers.alipay) {
    const answer = await runtime.providers.alipay.refundQuery(payment.out_trade_no!, refund.refund_no);
    if (answer.refunded) outcome = { status: 'SUCCEEDED', providerRefundId: null };
  }
  await ctx.fenced(
    async (trx) => {
      const locked = await trx<RefundRow>('refunds').where({ id: refund.id }).forUpdate().first();
      if (!locked || locked.status !== 'PENDING') return;
      if (outcome) {
        await settleRefund(trx, locked.refund_no, outcome);
        return;
      }
      const round = (job.payload.round ?? 0) + 1;
      const everyMs = Math.max(1, job.payload.everySeconds ?? runtime.config.payment.reconcileAfterSeconds) * 1000;
      await scheduleJob(trx, {
        kind: JOB_REFUND_QUERY,
        key: `${refund.refund_no}:${round}`,
        runAt: new Date(Date.now() + Math.min(runtime.config.payment.reconcileMaxIntervalSeconds * 1000, everyMs * 2 ** Math.min(round, 20))),
        payload: { refundNo: refund.refund_no, round, everySeconds: everyMs / 1000 },
      });
    },
    { complete: true },
  );
}
