/**
 * Staff view of payments FLAGGED for review (scope payment:refund): the provider reported a payment whose amount is
 * not the order's total, so nothing was credited (settlement.ts, recordProviderSuccess). What staff do then:
 * docs/payment.md, "Amount mismatch".
 */
import { requireScope } from '../../platform/context';
import { badInput } from '../../platform/errors';
import { isBigintId } from '../../platform/loaders';
import type { PaymentContext } from './context';
import { listFlaggedPayments, type TradePaymentRow } from './data/trades';

export async function flaggedPayments(context: PaymentContext, first?: number | null, before?: string | null): Promise<TradePaymentRow[]> {
  requireScope(context, 'payment:refund');
  const limit = first ?? 50;
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw badInput('first must be between 1 and 100', 'first');
  if (before != null && !isBigintId(before)) throw badInput('before must be a payment id', 'before');
  return listFlaggedPayments(context.db, limit, before ?? undefined);
}
