/**
 * Staff view of payments FLAGGED for review (scope payment:refund): the provider reported a payment whose amount is
 * not the order's total, so nothing was credited (settlement.ts, recordProviderSuccess). What staff do then:
 * docs/payment.md, "Amount mismatch".
 */
import { requireScope } from '../../platform/context';
import { badInput, notFound } from '../../platform/errors';
import { isBigintId } from '../../platform/loaders';
import type { PaymentContext } from './context';
import { listFlaggedPayments, resolveFlag, type TradePaymentRow } from './data/trades';

export async function flaggedPayments(
  context: PaymentContext,
  input: { first?: number | null; before?: string | null; includeResolved?: boolean | null },
): Promise<TradePaymentRow[]> {
  requireScope(context, 'payment:refund');
  const limit = input.first ?? 50;
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw badInput('first must be between 1 and 100', 'first');
  if (input.before != null && !isBigintId(input.before)) throw badInput('before must be a payment id', 'before');
  return listFlaggedPayments(context.db, limit, { beforeId: input.before ?? undefined, includeResolved: input.includeResolved ?? false });
}

/** Staff: what was done about a flagged payment (e.g. refunded in the merchant console); the payment stays FLAGGED. */
export async function resolveFlaggedPayment(context: PaymentContext, paymentId: string, note: string): Promise<TradePaymentRow> {
  const staffId = requireScope(context, 'payment:refund');
  const text = note.trim();
  if (!text || text.length > 200) throw badInput('The note must be 1 to 200 characters', 'note');
  const payment = isBigintId(paymentId) ? await resolveFlag(context.db, paymentId, text, `staff:${staffId}`) : undefined;
  if (!payment) throw notFound('No such flagged payment');
  return payment;
}
