/**
 * Refunds requested by staff (`refundOrder`, scope payment:refund) and by order for approved after-sales requests
 * (internal `refundAfterSale`), and wallet credits by staff. A refund is keyed by its merchant refund number:
 * staff may give one (`refundNo`), otherwise it is derived from (order, amount, reason) so a retried request is the
 * same refund; after-sales refunds are `AS<request id>`.
 *
 * Staff refunds and the order: a PAID or SHIPPED order first moves to REFUNDING (order's `markOrderRefunding`),
 * then the refund is paid back, then order moves REFUNDING → REFUNDED. Any other order status is a CONFLICT.
 */
import crypto from 'node:crypto';
import { requireScope, requireService } from '../../platform/context';
import { badInput, shopError } from '../../platform/errors';
import { isBigintId } from '../../platform/loaders';
import type { PaymentContext } from './context';
import { findRefundByNo, findSucceededPayment, type RefundRow } from './data/payments';
import { book, type WalletEntryRow } from './data/wallet';
import { markOrderRefunding } from './order-client';
import { createRefund } from './settlement';

const REFUND_NO = /^[A-Za-z0-9_\-|*@]{1,64}$/;

function reasonText(reason: string): string {
  const text = reason.trim();
  if (!text || text.length > 200) throw badInput('The reason must be 1 to 200 characters', 'reason');
  return text;
}

async function paidPayment(context: PaymentContext, orderId: string) {
  const payment = isBigintId(orderId) ? await findSucceededPayment(context.db, orderId) : undefined;
  if (!payment) throw shopError('CONFLICT', `Order ${orderId} has no successful payment to refund`);
  return payment;
}

export async function refundOrder(
  context: PaymentContext,
  input: { orderId: string; amount: number; reason: string; refundNo?: string | null },
): Promise<RefundRow> {
  const staffId = requireScope(context, 'payment:refund');
  const reason = reasonText(input.reason);
  const refundNo =
    input.refundNo ?? `SR${input.orderId}-${crypto.createHash('sha256').update(`${input.amount}|${reason}`).digest('hex').slice(0, 16)}`;
  if (!REFUND_NO.test(refundNo)) throw badInput('refundNo: 1 to 64 letters, digits or _-|*@', 'refundNo');
  const payment = await paidPayment(context, input.orderId);
  const existing = await findRefundByNo(context.db, refundNo);
  if (existing) {
    if (existing.payment_id !== payment.id || existing.amount !== input.amount) {
      throw shopError('CONFLICT', `Refund number ${refundNo} was already used for another refund`, { refundNo });
    }
    return existing;
  }
  if (!Number.isInteger(input.amount) || input.amount < 1 || input.amount > payment.amount - payment.refunded_amount) {
    throw badInput(`The refund must be between 1 and ${payment.amount - payment.refunded_amount} fen`, 'amount');
  }
  // The order first (PAID/SHIPPED → REFUNDING, a repeat is a no-op): no money leaves for an order that cannot be refunded.
  await markOrderRefunding(context.services, payment.order_id, `refund ${refundNo}: ${reason}`, context.requestId);
  return context.db.transaction((trx) =>
    createRefund(trx, payment, { refundNo, amount: input.amount, reason, source: 'STAFF', requestedBy: `staff:${staffId}` }),
  );
}

/** Internal, for order: an approved after-sales request (the order is already REFUNDING). Idempotent per request id. */
export async function refundAfterSale(
  context: PaymentContext,
  input: { orderId: string; afterSaleId: string; amount: number; reason: string },
): Promise<RefundRow> {
  requireService(context, 'order');
  const payment = await paidPayment(context, input.orderId);
  return context.db.transaction((trx) =>
    createRefund(trx, payment, {
      refundNo: `AS${input.afterSaleId}`,
      amount: input.amount,
      reason: reasonText(input.reason),
      source: 'AFTER_SALE',
      requestedBy: 'service:order',
    }),
  );
}

/** Staff (payment:refund): credits a shopper's wallet once per idempotency key. */
export async function creditWallet(
  context: PaymentContext,
  input: { userId: string; amount: number; note: string; idempotencyKey: string },
): Promise<WalletEntryRow> {
  const staffId = requireScope(context, 'payment:refund');
  if (!isBigintId(input.userId)) throw badInput('No such user', 'userId');
  const max = context.config.money.maxOrderTotalFen;
  if (!Number.isInteger(input.amount) || input.amount < 1 || input.amount > max) throw badInput(`The amount must be between 1 and ${max} fen`, 'amount');
  if (!/^[A-Za-z0-9_\-:.]{8,64}$/.test(input.idempotencyKey)) throw badInput('idempotencyKey: 8 to 64 letters, digits or _-:.', 'idempotencyKey');
  const note = reasonText(input.note);
  const entry = await context.db.transaction((trx) =>
    book(trx, { userId: input.userId, amount: input.amount, kind: 'CREDIT', ref: `credit:${input.idempotencyKey}`, note: `${note} (staff:${staffId})` }),
  );
  if (!entry || entry.user_id !== input.userId || entry.amount !== input.amount) {
    throw shopError('CONFLICT', 'This idempotency key was already used for another credit');
  }
  return entry;
}
