/**
 * Paying an order (a goods order or a subscription order: order reports both alike) from a family's wallet
 * (payOrder FAMILY_BALANCE, seed /pay/wx/subscribe "支持家庭余额支付"). Only the family's owner spends it
 * (family-wallet.ts). Like BALANCE: one transaction holds the open payment of the order (locked), the conditional
 * debit of the family's balance (refused below zero, so racing payments on one wallet never overdraw) and the move to
 * SUCCEEDED with its event and settle job; a refused debit rolls everything back. Refunds of such a payment are
 * booked back to the same family (settlement.ts refundJob, ref refund:<refund no>).
 */
import { shopError } from '../../platform/errors';
import { isBigintId } from '../../platform/loaders';
import { requireUser } from '../../platform/context';
import type { PaymentContext } from './context';
import { findSucceededPayment, lockPendingPayment, openPayment, type PaymentRow } from './data/payments';
import { bookFamily, familyBalance } from './data/family-wallet';
import { visibleFamily } from './family-wallet';
import { markOrderPaid, type OrderForPayment } from './order-client';
import { succeed } from './settlement';
import type { FamilyForPayment } from './user-client';

/** The family the signed-in shopper may pay from: theirs (NOT_FOUND for others'; FORBIDDEN for a mere member). */
export async function spendableFamily(context: PaymentContext, familyId: string): Promise<FamilyForPayment> {
  const { family, role } = await visibleFamily(context, familyId);
  if (role !== 'OWNER') {
    throw shopError('FORBIDDEN', "Only the family's owner can pay with its balance", { reason: 'NOT_FAMILY_OWNER', field: 'familyId' });
  }
  return family;
}

/** paymentMethods' view of FAMILY_BALANCE for the family named (or why it cannot be used). */
export async function familyMethodState(context: PaymentContext, familyId: string | null | undefined): Promise<{ balance: number | null; reason: string | null }> {
  if (!familyId) return { balance: null, reason: 'Choose a family to pay from (familyId)' };
  const userId = requireUser(context);
  const family = isBigintId(familyId) ? await context.loaders.familyForPayment.load(familyId) : null;
  if (!family || (family.ownerId !== userId && !family.memberUserIds.includes(userId))) return { balance: null, reason: 'No such family' };
  const balance = await familyBalance(context.db, family.id);
  return { balance, reason: family.ownerId === userId ? null : "Only the family's owner can pay with its balance" };
}

export async function payWithFamilyBalance(context: PaymentContext, order: OrderForPayment, familyId: string): Promise<PaymentRow> {
  const description = `订单 ${order.orderNo}`;
  const payment = await context.db.transaction(async (trx) => {
    await openPayment(trx, { orderId: order.id, userId: order.buyerId, method: 'FAMILY_BALANCE', amount: order.total, familyId });
    const open = await lockPendingPayment(trx, order.id, 'FAMILY_BALANCE');
    if (!open || (await findSucceededPayment(trx, order.id))) throw shopError('CONFLICT', `Order ${order.id} is already paid`, { currentStatus: 'PAID' });
    const entry = await bookFamily(trx, { familyId, amount: -open.amount, kind: 'PAYMENT', ref: `pay:${open.id}`, note: description, actor: order.buyerId });
    if (!entry) throw shopError('CONFLICT', 'Insufficient family balance', { reason: 'INSUFFICIENT_BALANCE' });
    return succeed(trx, open, `family-wallet:${entry.id}`, new Date());
  });
  // The settle job is the guarantee; telling order now just spares the shopper the job's poll interval.
  await markOrderPaid(context.services, { orderId: payment.order_id, paymentId: payment.id, amount: payment.amount }).catch(() => undefined);
  return payment;
}
