import DataLoader from 'dataloader';
import type { Knex } from 'knex';
import { byIds, groupedBy, isBigintId } from '../../platform/loaders';
import type { ServiceClient } from '../../platform/service-client';
import { familyForPayment, recordWalletReads, type FamilyForPayment } from './user-client';
import { walletBalances } from './data/wallet';
import { findLatestPaymentsByOrderIds, findPaymentsByIds, findRefundsByPaymentIds, type PaymentRow, type RefundRow } from './data/payments';

export function createPaymentLoaders(db: Knex, services?: ServiceClient, requestId?: string, viewerId?: string) {
  return {
    /** Wallet balances, one statement for every wallet of the request (staff views of several shoppers). */
    walletBalanceByUserId: new DataLoader<string, number>((ids) => walletBalances(db, ids)),
    /**
     * Staff wallet reads recorded in user's access log: one call for every shopper of the request, awaited before a
     * wallet is shown (no record, no data).
     */
    walletReadRecorded: new DataLoader<string, true>(async (shopperIds) => {
      if (!services || !viewerId) throw new Error('wallet reads need a signed-in staff member and the user subgraph');
      await recordWalletReads(services, viewerId, shopperIds, requestId);
      return shopperIds.map(() => true as const);
    }),
    /** A family's owner and members, from user: asked once per family per request (family wallets). */
    familyForPayment: new DataLoader<string, FamilyForPayment | null>((ids) =>
      Promise.all(ids.map((id) => (services && isBigintId(id) ? familyForPayment(services, id, requestId) : Promise.resolve(null)))),
    ),
    paymentById: new DataLoader<string, PaymentRow | null>(byIds((ids) => findPaymentsByIds(db, ids))),
    latestPaymentByOrderId: new DataLoader<string, PaymentRow | null>(async (orderIds) => {
      const valid = orderIds.filter(isBigintId);
      const rows = valid.length ? await findLatestPaymentsByOrderIds(db, valid) : [];
      const byOrder = new Map(rows.map((row) => [row.order_id, row]));
      return orderIds.map((id) => byOrder.get(id) ?? null);
    }),
    refundsByPaymentId: new DataLoader<string, RefundRow[]>(groupedBy((row: RefundRow) => row.payment_id, (ids) => findRefundsByPaymentIds(db, ids))),
  };
}
export type PaymentLoaders = ReturnType<typeof createPaymentLoaders>;
