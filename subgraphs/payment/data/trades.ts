/**
 * Data access for the provider trade lifecycle: a payment's trade deadline, closing it, flagging it for staff.
 * Knows knex, not GraphQL. (Payments and refunds themselves: data/payments.ts.)
 */
import type { Knex } from 'knex';
import type { PaymentRow } from './payments';

/** A payment with its trade lifecycle columns (migration 092_trade_lifecycle). */
export interface TradePaymentRow extends PaymentRow {
  /** time_expire sent to the provider (the order's payment deadline); null for balance payments and older rows. */
  expires_at: Date | null;
  close_reason: string | null;
  flag_reason: string | null;
  flagged_at: Date | null;
  /** What the provider said was paid, when it differs from `amount` (FLAGGED). */
  provider_amount: number | null;
  flag_resolution: string | null;
  flag_resolved_at: Date | null;
  flag_resolved_by: string | null;
}

export type FlagReason = 'AMOUNT_MISMATCH';

export async function findPayment(db: Knex | Knex.Transaction, paymentId: string): Promise<TradePaymentRow | undefined> {
  return db<TradePaymentRow>('payments').where({ id: paymentId }).first();
}

/** The open (PENDING) provider payments of an order: the trades a cancelled order must close. */
export async function findOpenProviderPayments(db: Knex | Knex.Transaction, orderId: string): Promise<TradePaymentRow[]> {
  return db<TradePaymentRow>('payments').where({ order_id: orderId, status: 'PENDING' }).whereIn('method', ['WECHAT', 'ALIPAY']).orderBy('id');
}

/** Records the trade deadline of a payment that has none yet (the first payOrder of it). */
export async function setTradeDeadline(db: Knex | Knex.Transaction, paymentId: string, expiresAt: Date): Promise<void> {
  await db('payments').where({ id: paymentId }).whereNull('expires_at').update({ expires_at: expiresAt, updated_at: db.fn.now() });
}

/** PENDING → CLOSED (the provider trade is closed and can no longer be paid); false when it was no longer PENDING. */
export async function closeTrade(trx: Knex.Transaction, paymentId: string, reason: string): Promise<boolean> {
  const count = await trx('payments')
    .where({ id: paymentId, status: 'PENDING' })
    .update({ status: 'CLOSED', closed_at: trx.fn.now(), close_reason: reason.slice(0, 100), updated_at: trx.fn.now() });
  return Number(count) > 0;
}

/** PENDING/CLOSED → FLAGGED: the provider reported a payment staff must look at; nothing is credited. */
export async function flagPayment(
  trx: Knex.Transaction,
  paymentId: string,
  input: { reason: FlagReason; providerAmount: number; providerTxnId: string | null },
): Promise<TradePaymentRow> {
  const [row] = await trx<TradePaymentRow>('payments')
    .where({ id: paymentId })
    .whereIn('status', ['PENDING', 'CLOSED'])
    .update({
      status: 'FLAGGED',
      flag_reason: input.reason,
      flagged_at: trx.fn.now(),
      provider_amount: input.providerAmount,
      provider_txn_id: input.providerTxnId,
      updated_at: trx.fn.now(),
    } as never)
    .returning('*');
  return row;
}

/** Flagged payments, newest first, for staff (keyset: `beforeId`); unresolved ones only unless asked. */
export async function listFlaggedPayments(db: Knex, limit: number, options: { beforeId?: string; includeResolved?: boolean } = {}): Promise<TradePaymentRow[]> {
  const query = db<TradePaymentRow>('payments').where({ status: 'FLAGGED' }).orderBy('id', 'desc').limit(limit);
  if (options.beforeId) query.where('id', '<', options.beforeId);
  if (!options.includeResolved) query.whereNull('flag_resolved_at');
  return query;
}

/** Records staff's resolution of a flagged payment, once (a resolved one is answered as it is). Undefined if not FLAGGED. */
export async function resolveFlag(db: Knex, paymentId: string, resolution: string, staff: string): Promise<TradePaymentRow | undefined> {
  await db('payments')
    .where({ id: paymentId, status: 'FLAGGED' })
    .whereNull('flag_resolved_at')
    .update({ flag_resolution: resolution, flag_resolved_at: db.fn.now(), flag_resolved_by: staff, updated_at: db.fn.now() });
  return db<TradePaymentRow>('payments').where({ id: paymentId, status: 'FLAGGED' }).first();
}
