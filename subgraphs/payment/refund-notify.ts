/**
 * WeChat Pay refund notifications (REFUND.SUCCESS / REFUND.ABNORMAL / REFUND.CLOSED), POSTed to the same
 * `/notify/wechat` as payment notifications (the refund request's notify_url) and verified exactly like them before
 * this runs (signature, timestamp, AES-256-GCM; mchid). The resource names the refund (out_refund_no) of a trade of
 * ours (out_trade_no) and its amount; all three must match what we asked for. SUCCESS finishes the refund
 * SUCCEEDED, ABNORMAL and CLOSED finish it FAILED (staff see it), through `settleRefund` (refund-outcome.ts), once: a refund no longer
 * PENDING (the refund call, a query or an earlier notification finished it) makes the notification a duplicate.
 * Alipay has no refund notification to consume: its refund call answers synchronously (docs/payment.md).
 */
import type { Knex } from 'knex';
import type { RefundRow } from './data/payments';
import { lockPayment } from './data/payments';
import type { WechatRefundNotice } from './providers/wechat';
import { settleRefund } from './refund-outcome';
import { SettlementRefused } from './settlement';
import { logger } from '../../platform/log';

const log = logger({ component: 'payment' });

const OUTCOMES: Record<string, { status: 'SUCCEEDED' | 'FAILED'; refundStatus: WechatRefundNotice['refund_status'] }> = {
  'REFUND.SUCCESS': { status: 'SUCCEEDED', refundStatus: 'SUCCESS' },
  'REFUND.ABNORMAL': { status: 'FAILED', refundStatus: 'ABNORMAL' },
  'REFUND.CLOSED': { status: 'FAILED', refundStatus: 'CLOSED' },
};

/** Applies a verified refund notification in `trx`; `duplicate` when the refund had already ended. */
export async function recordRefundNotification(
  trx: Knex.Transaction,
  eventType: string,
  notice: WechatRefundNotice,
): Promise<{ refundNo: string; duplicate: boolean; status?: 'SUCCEEDED' | 'FAILED' }> {
  const outcome = OUTCOMES[eventType];
  if (!outcome || notice.refund_status !== outcome.refundStatus) throw new SettlementRefused('UNKNOWN_EVENT');
  const refund = typeof notice.out_refund_no === 'string' ? await trx<RefundRow>('refunds').where({ refund_no: notice.out_refund_no }).forUpdate().first() : undefined;
  if (!refund) throw new SettlementRefused('UNKNOWN_REFUND', 404);
  const payment = await lockPayment(trx, { id: refund.payment_id });
  if (!payment || payment.method !== 'WECHAT' || payment.out_trade_no !== notice.out_trade_no) throw new SettlementRefused('UNKNOWN_REFUND', 404);
  if (notice.amount?.refund !== refund.amount) throw new SettlementRefused('AMOUNT_MISMATCH');
  if (refund.status !== 'PENDING') {
    const expected = outcome.status;
    if (refund.status !== expected) log.error({ refundNo: refund.refund_no }, `${eventType} for refund ${refund.refund_no}, which is ${refund.status}: for staff`);
    return { refundNo: refund.refund_no, duplicate: true };
  }
  await settleRefund(trx, refund.refund_no, { status: outcome.status, providerRefundId: notice.refund_id ?? null, failureReason: `WeChat ${eventType}` });
  return { refundNo: refund.refund_no, duplicate: false, status: outcome.status };
}
