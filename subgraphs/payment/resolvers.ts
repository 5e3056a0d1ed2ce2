/** Thin resolvers: payments are visible only to the order's owner. */
import { ownedOrNull } from '../../platform/ownership';
import type { PaymentContext } from './context';
import type { PaymentRow } from './data/payments';
import type { Resolvers } from './generated/resolvers-types';

export const resolvers: Resolvers = {
  Payment: {
    async __resolveReference(reference: { id: string }, context: PaymentContext) {
      const payment = await context.loaders.paymentById.load(reference.id);
      return ownedOrNull(context.identity, payment, (row) => row.user_id, 'payment:refund');
    },
    method: (payment: PaymentRow) => payment.method as never,
    status: (payment: PaymentRow) => payment.status as never,
    paidAt: (payment: PaymentRow) => (payment.paid_at ? payment.paid_at.toISOString() : null),
  },
  Order: {
    async payment(order: { id: string }, _args: unknown, context: PaymentContext) {
      const payment = await context.loaders.latestPaymentByOrderId.load(order.id);
      return ownedOrNull(context.identity, payment, (row) => row.user_id, 'payment:refund');
    },
  },
};
