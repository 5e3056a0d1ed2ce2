import DataLoader from 'dataloader';
import type { Knex } from 'knex';
import { byIds, groupedBy, isBigintId } from '../../platform/loaders';
import type { ServiceClient } from '../../platform/service-client';
import { familyForPayment, type FamilyForPayment } from './user-client';
import { findLatestPaymentsByOrderIds, findPaymentsByIds, findRefundsByPaymentIds, type PaymentRow, type RefundRow } from './data/payments';

export function createPaymentLoaders(db: Knex, services?: ServiceClient, requestId?: string) {
  return {
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
