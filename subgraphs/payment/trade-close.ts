/**
 * Closing provider trades. A trade of an order that can no longer be paid — cancelled by the shopper, by staff or by
 * the payment timeout — is closed at its provider, so the shopper cannot pay it any more:
 *
 * - Payment consumes order's `OrderStatusChanged` events (stream `shop.order.order`, consumer group `payment`,
 *   idempotent through processed_events). A change to CANCELLED schedules the durable job `payment.closeTrade`
 *   (key = payment id) for each open WECHAT/ALIPAY payment of the order, in the transaction that records the event.
 * - The job calls the provider's close API outside any transaction (WeChat `POST /v3/pay/transactions/out-trade-no/
 *   {no}/close`, Alipay `alipay.trade.close`), then, fenced, moves the payment PENDING → CLOSED. When the provider
 *   will not close because the trade was paid meanwhile, the job asks the trade and records the payment exactly as
 *   its notification would (SUCCEEDED → the settle job → order refuses a cancelled order → automatic refund).
 *
 * Why events rather than order calling payment: order already writes every status change to its outbox in the
 * transaction that makes it, for all three ways an order is cancelled; payment alone knows which trades are open.
 * Order stays unaware of providers, and nothing new has to be called or retried from order.
 */
import type { EventConsumerSpec } from '../../platform/events';
import { scheduleJob } from '../../platform/events';
import type { Knex } from 'knex';
import type { Job } from '../../platform/events';
import { LEDGER_METHODS } from './data/payments';
import { findOpenProviderPayments, findPayment, closeTrade, type TradePaymentRow } from './data/trades';
import type { JobContext } from '../../platform/events';
import { recordProviderSuccess, type PaymentRuntime } from './settlement';
import { fenOf } from './providers/alipay';
import { ProviderError } from './providers/http';
import { logger } from '../../platform/log';

const log = logger({ component: 'payment' });

/** Order's stream and event (subgraphs/order/events.ts, docs/events.md); payment only reads them. */
export const ORDER_STREAM = 'shop.order.order';
export const ORDER_STATUS_CHANGED = 'OrderStatusChanged';
export const JOB_CLOSE_TRADE = 'payment.closeTrade';

interface OrderStatusChanged {
  orderId: string;
  to: string;
  reason?: string | null;
}

/** Schedules closing every open provider trade of `orderId` (in the caller's transaction); the job keys are the payment ids. */
export async function scheduleTradeCloses(trx: Knex | Knex.Transaction, orderId: string, reason: string, keySuffix = ''): Promise<number> {
  const open = await findOpenProviderPayments(trx, orderId);
  for (const payment of open) {
    await scheduleJob(trx, { kind: JOB_CLOSE_TRADE, key: `${payment.id}${keySuffix}`, runAt: new Date(), payload: { paymentId: payment.id, reason } });
  }
  return open.length;
}

/** The consumer: an order that became CANCELLED gets its open trades closed. */
export function closeTradesOfCancelledOrders(): EventConsumerSpec<OrderStatusChanged> {
  return {
    stream: ORDER_STREAM,
    types: [ORDER_STATUS_CHANGED],
    effect: async (event, trx) => {
      if (event.payload.to !== 'CANCELLED') return;
      await scheduleTradeCloses(trx, event.payload.orderId, `order cancelled${event.payload.reason ? `: ${event.payload.reason}` : ''}`);
    },
  };
}

/** What the provider says about a trade we want closed. */
export type CloseOutcome =
  | { kind: 'closed' }
  | { kind: 'paid'; amount: number; txnId: string | null; paidAt?: Date }
  /** Not closable yet (e.g. the shopper is entering the password): ask again later. */
  | { kind: 'open'; state: string };

/** Asks the provider to close the trade of `payment` (no transaction held). Idempotent: a closed trade stays closed. */
export async function closeAtProvider(runtime: PaymentRuntime, payment: TradePaymentRow): Promise<CloseOutcome> {
  const outTradeNo = payment.out_trade_no!;
  if (payment.method === 'WECHAT') {
    const wechat = runtime.providers.wechat;
    if (!wechat) throw new Error('WeChat Pay is not configured: cannot close');
    const answer = await wechat.close(outTradeNo);
    if (answer.closed) return { kind: 'closed' };
    // Not closed (ORDERPAID, ORDER_NOT_EXIST, ORDER_CLOSED, …): the trade's state decides.
    const trade = await wechat.queryByOutTradeNo(outTradeNo);
    if (!trade) return { kind: 'closed' }; // WeChat never had it (the prepay did not happen): nothing can be paid
    if (trade.appid !== wechat.merchant.appId || trade.mchid !== wechat.merchant.mchId) throw new ProviderError(`WeChat answered ${outTradeNo} for another merchant`);
    if (trade.trade_state === 'SUCCESS' || trade.trade_state === 'REFUND') {
      return { kind: 'paid', amount: trade.amount?.total ?? -1, txnId: trade.transaction_id ?? null, paidAt: trade.success_time ? new Date(trade.success_time) : undefined };
    }
    if (trade.trade_state === 'CLOSED' || trade.trade_state === 'REVOKED') return { kind: 'closed' };
    return { kind: 'open', state: `${trade.trade_state} (close answered ${answer.code ?? answer.status})` };
  }
  const alipay = runtime.providers.alipay;
  if (!alipay) throw new Error('Alipay is not configured: cannot close');
  const answer = await alipay.close(outTradeNo);
  // ACQ.TRADE_NOT_EXIST: Alipay has no trade yet (the cashier was never opened). Nothing to close there; the order
  // string stays payable until its time_expire at most, and such a payment is refunded automatically.
  if (answer.code === '10000' || answer.subCode === 'ACQ.TRADE_NOT_EXIST') return { kind: 'closed' };
  const trade = await alipay.query(outTradeNo);
  if (!trade) return { kind: 'closed' };
  if (trade.trade_status === 'TRADE_SUCCESS' || trade.trade_status === 'TRADE_FINISHED') {
    return { kind: 'paid', amount: fenOf(trade.total_amount) ?? -1, txnId: trade.trade_no ?? null };
  }
  if (trade.trade_status === 'TRADE_CLOSED') return { kind: 'closed' };
  return { kind: 'open', state: `${trade.trade_status ?? 'unknown'} (close answered ${answer.code} ${answer.subCode ?? ''})` };
}

/**
 * Closes the trade of an open payment and records the outcome, fenced: CLOSED, or the payment the provider says was
 * made (settled, or flagged on an amount mismatch). Throws (→ retry) when the provider cannot close it yet.
 * Shared by the close job and by reconciliation past the trade's deadline.
 */
export async function closeOpenTrade(
  runtime: PaymentRuntime,
  ctx: JobContext,
  paymentId: string,
  reason: string,
  options: { evenIfClosed?: boolean } = {},
): Promise<'closed' | 'paid' | 'skipped'> {
  const payment = await findPayment(ctx.db, paymentId);
  // evenIfClosed: a payment we closed before its prepay reached the provider (pay.ts): close the provider's trade too.
  const open = payment?.status === 'PENDING' || (options.evenIfClosed && payment?.status === 'CLOSED');
  if (!payment || !open || !payment.out_trade_no || LEDGER_METHODS.includes(payment.method)) return 'skipped';
  const outcome = await closeAtProvider(runtime, payment);
  if (outcome.kind === 'open') throw new Error(`trade ${payment.out_trade_no} cannot be closed yet: ${outcome.state}`);
  return ctx.fenced(
    async (trx) => {
      if (outcome.kind === 'closed') {
        if (await closeTrade(trx, payment.id, reason)) log.info({ orderId: payment.order_id, outTradeNo: payment.out_trade_no }, `closed trade ${payment.out_trade_no} of order ${payment.order_id} (${reason})`);
        return 'closed' as const;
      }
      // Paid before it could be closed: recorded like its notification (a cancelled order refuses it → refunded).
      await recordProviderSuccess(trx, { outTradeNo: payment.out_trade_no!, method: payment.method, amount: outcome.amount, providerTxnId: outcome.txnId, paidAt: outcome.paidAt });
      return 'paid' as const;
    },
    { complete: true },
  );
}

/** Job payment.closeTrade (key: payment id). */
export async function closeTradeJob(
  runtime: PaymentRuntime,
  job: Job<{ paymentId: string; reason?: string; evenIfClosed?: boolean }>,
  ctx: JobContext,
): Promise<void> {
  await closeOpenTrade(runtime, ctx, job.payload.paymentId, job.payload.reason ?? 'closed', { evenIfClosed: job.payload.evenIfClosed });
}
