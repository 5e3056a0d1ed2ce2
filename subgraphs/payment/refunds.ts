/**
 * Refunds requested by staff (`refundOrder`, scope payment:refund) and by order for approved after-sales requests
 * (internal `refundAfterSale`), staff's list of failed refunds, and wallet credits by staff.
 *
 * A refund is keyed by its merchant refund number (`out_refund_no`), unique:
 * - staff with `idempotencyKey`: `SK<order>-<hash of the key>`, so the same key is the same refund, and two
 *   identical partial refunds with different keys are two refunds; with `refundNo`: that number;
 * - staff with neither: a fresh number per call — every call is a new refund (bounded by what is left to refund).
 *   A client that may retry must send a key;
 * - after-sales: `AS<request id>`; automatic refunds (a payment the order never took): `AR<payment id>`.
 *
 * Every refund is of the order's OWN payment (the one order recorded as taken), never just the latest one. A staff
 * refund is first registered at order (status, what is left, lines left — under the order's lock; a refusal there
 * changes nothing anywhere), then created here under the payment's row lock, checked against paid − succeeded −
 * in-flight refunds: two concurrent refunds can never exceed what was paid. The `payment.refund` job pays it back
 * and `settleRefund` (refund-outcome.ts) records the verdict and tells order.
 */
import crypto from 'node:crypto';
import { GraphQLError } from 'graphql';
import { requireScope, requireService } from '../../platform/context';
import { badInput, shopError } from '../../platform/errors';
import { isBigintId } from '../../platform/loaders';
import type { PaymentContext } from './context';
import { findRefundsNeedingStaff, findPayment, findRefundByNo, findSucceededPayment, insertRefund, lockPayment, type PaymentRow, type RefundRow } from './data/payments';
import { book, type WalletEntryRow } from './data/wallet';
import { registerOrderRefund, type RefundLineForOrder } from './order-client';
import { scheduleOrderVerdict } from './refund-outcome';
import { createRefund, JOB_REFUND, JOB_REFUND_QUERY } from './settlement';

const REFUND_NO = /^[A-Za-z0-9_\-|*@]{1,64}$/;
const IDEMPOTENCY_KEY = /^[A-Za-z0-9_\-:.]{1,64}$/;
const MAX_LINES = 200;

function reasonText(reason: string): string {
  const text = reason.trim();
  if (!text || text.length > 200) throw badInput('The reason must be 1 to 200 characters', 'reason');
  return text;
}

/** The refund number of a staff refund with an idempotency key: the same key for the same order is the same refund. */
export function staffRefundNo(orderId: string, idempotencyKey: string): string {
  return `SK${orderId}-${crypto.createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 24)}`;
}

function checkLines(lines: readonly RefundLineForOrder[] | null | undefined): RefundLineForOrder[] | null {
  if (!lines?.length) return null;
  if (lines.length > MAX_LINES) throw badInput(`At most ${MAX_LINES} lines`, 'lines');
  return lines.map((line, index) => {
    if (!isBigintId(line.skuId)) throw badInput('Unknown SKU', `lines.${index}.skuId`);
    if (!Number.isInteger(line.quantity) || line.quantity < 1) throw badInput('Quantity must be at least 1', `lines.${index}.quantity`);
    return { skuId: line.skuId, quantity: line.quantity, restock: line.restock ?? null };
  });
}

/** The order's own payment (as order recorded it), which must have succeeded. */
async function ordersPayment(context: PaymentContext, orderId: string, paymentId: string | null | undefined): Promise<PaymentRow> {
  const payment = paymentId && isBigintId(paymentId) ? await findPayment(context.db, paymentId) : undefined;
  if (!payment || String(payment.order_id) !== String(orderId) || !['SUCCEEDED', 'REFUNDED'].includes(payment.status)) {
    throw shopError('CONFLICT', `Order ${orderId} has no successful payment to refund`);
  }
  return payment;
}

function sameRefund(existing: RefundRow, orderId: string, amount: number): RefundRow {
  if (String(existing.order_id) !== String(orderId) || existing.amount !== amount) {
    throw shopError('CONFLICT', `Refund number ${existing.refund_no} was already used for another refund`, { refundNo: existing.refund_no, reason: 'REFUND_NO_REUSED' });
  }
  return existing;
}

const isCode = (error: unknown, ...codes: string[]) => error instanceof GraphQLError && codes.includes(String(error.extensions?.code));

export async function refundOrder(
  context: PaymentContext,
  input: {
    orderId: string;
    amount: number;
    reason: string;
    refundNo?: string | null;
    idempotencyKey?: string | null;
    lines?: readonly RefundLineForOrder[] | null;
  },
): Promise<RefundRow> {
  const staffId = requireScope(context, 'payment:refund');
  const reason = reasonText(input.reason);
  if (!isBigintId(input.orderId)) throw shopError('CONFLICT', `Order ${input.orderId} has no successful payment to refund`);
  if (input.refundNo && input.idempotencyKey) throw badInput('Give refundNo or idempotencyKey, not both', 'idempotencyKey');
  if (input.idempotencyKey != null && !IDEMPOTENCY_KEY.test(input.idempotencyKey)) {
    throw badInput('idempotencyKey: 1 to 64 letters, digits or _-:.', 'idempotencyKey');
  }
  const refundNo =
    input.refundNo ??
    (input.idempotencyKey ? staffRefundNo(input.orderId, input.idempotencyKey) : `SR${input.orderId}-${crypto.randomBytes(12).toString('hex')}`);
  if (!REFUND_NO.test(refundNo)) throw badInput('refundNo: 1 to 64 letters, digits or _-|*@', 'refundNo');
  if (!Number.isInteger(input.amount) || input.amount < 1) throw badInput('The refund must be at least 1 fen', 'amount');
  const lines = checkLines(input.lines);
  const existing = await findRefundByNo(context.db, refundNo);
  if (existing) return sameRefund(existing, input.orderId, input.amount);

  // Order first: its status, what is left and the lines left, under its lock; a refusal changes nothing anywhere.
  const registered = await registerOrderRefund(
    context.services,
    { orderId: input.orderId, refundNo, amount: input.amount, reason, requestedBy: `staff:${staffId}`, lines },
    context.requestId,
  );
  const payment = await ordersPayment(context, input.orderId, registered.paymentId);
  try {
    return await context.db.transaction((trx) =>
      createRefund(trx, payment, { refundNo, amount: input.amount, reason, source: 'STAFF', requestedBy: `staff:${staffId}`, lines }),
    );
  } catch (error) {
    if (!isCode(error, 'BAD_USER_INPUT')) throw error;
    // Order registered it but payment's own check refused (its books disagree): the refund is FAILED, and order
    // is told (durably) so nothing stays in flight there. The caller gets the refusal.
    await context.db.transaction(async (trx) => {
      await lockPayment(trx, { id: payment.id });
      if (await findRefundByNo(trx, refundNo)) return;
      const failed = await insertRefund(trx, {
        refund_no: refundNo,
        payment_id: payment.id,
        order_id: payment.order_id,
        amount: input.amount,
        reason,
        source: 'STAFF',
        requested_by: `staff:${staffId}`,
        lines,
        status: 'FAILED',
        failure_reason: `refused by payment: ${(error as Error).message}`.slice(0, 200),
      });
      await scheduleOrderVerdict(trx, failed);
    });
    throw error;
  }
}

/**
 * Internal, for order: an approved after-sales request, from the order's own payment (`paymentId`, as order knows
 * it; older callers without it get the order's successful payment). Idempotent per request id (`AS<id>`).
 */
export async function refundAfterSale(
  context: PaymentContext,
  input: { orderId: string; afterSaleId: string; amount: number; reason: string; paymentId?: string | null; lines?: readonly RefundLineForOrder[] | null },
): Promise<RefundRow> {
  requireService(context, 'order');
  const refundNo = `AS${input.afterSaleId}`;
  const existing = await findRefundByNo(context.db, refundNo);
  if (existing) return sameRefund(existing, input.orderId, input.amount);
  const payment = input.paymentId
    ? await ordersPayment(context, input.orderId, input.paymentId)
    : await ordersPayment(context, input.orderId, isBigintId(input.orderId) ? (await findSucceededPayment(context.db, input.orderId))?.id : null);
  return context.db.transaction((trx) =>
    createRefund(trx, payment, {
      refundNo,
      amount: input.amount,
      reason: reasonText(input.reason),
      source: 'AFTER_SALE',
      requestedBy: 'service:order',
      lines: checkLines(input.lines),
    }),
  );
}

/**
 * Internal, for order's watch on staff refunds: the refund with this number, or — when payment never recorded it —
 * a FAILED refund written now under that number, so the number can never move money later.
 */
export async function refundOutcome(
  context: PaymentContext,
  input: { orderId: string; refundNo: string; paymentId: string; amount: number },
): Promise<RefundRow> {
  requireService(context, 'order');
  if (!Number.isInteger(input.amount) || input.amount < 1) throw badInput('amount must be at least 1 fen', 'amount');
  const payment = await ordersPayment(context, input.orderId, input.paymentId);
  return context.db.transaction(async (trx) => {
    await lockPayment(trx, { id: payment.id });
    const existing = await findRefundByNo(trx, input.refundNo);
    if (existing) {
      if (String(existing.order_id) !== String(input.orderId)) throw shopError('CONFLICT', 'That refund number belongs to another order');
      return existing;
    }
    return insertRefund(trx, {
      refund_no: input.refundNo,
      payment_id: payment.id,
      order_id: payment.order_id,
      // As order registered it: a retry of the staff request with the same key answers this FAILED refund.
      amount: input.amount,
      reason: 'never recorded at payment',
      source: 'STAFF',
      requested_by: 'service:order',
      status: 'FAILED',
      failure_reason: 'payment never recorded this refund (the request that registered it did not finish)',
    });
  });
}

/**
 * Staff (payment:refund): refunds to act on, newest first: FAILED ones (re-issue with a new key, or pay otherwise) and
 * PENDING ones whose provider call the job runner gave up on (requeue the job once the cause is fixed: the reason says
 * which).
 */
export async function failedRefunds(context: PaymentContext, first?: number | null, before?: string | null): Promise<RefundRow[]> {
  requireScope(context, 'payment:refund');
  const limit = first ?? 50;
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw badInput('first must be 1 to 100', 'first');
  if (before != null && !isBigintId(before)) throw badInput('before must be a refund id', 'before');
  const rows = await findRefundsNeedingStaff(context.db, { limit, beforeId: before ?? undefined, jobKinds: [JOB_REFUND, JOB_REFUND_QUERY] });
  return rows.map(({ stuck, ...refund }) =>
    stuck
      ? {
          ...refund,
          failure_reason:
            `stuck: its provider call was given up after ${stuck.attempts} attempts (last error: ${stuck.lastError ?? 'none'}); ` +
            `requeue it once the cause is fixed: npm run jobs -- retry payment ${stuck.jobId}`,
        }
      : refund,
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
