/** Thin resolvers: authorization and mapping; data comes from loaders and data/. */
import { ownedOrNull } from '../../platform/ownership';
import type { OrderContext } from './context';
import type { OrderRow } from './data/orders';
import type { Resolvers } from './generated/resolvers-types';

const iso = (value: Date | null) => (value ? value.toISOString() : null);

export const resolvers: Resolvers = {
  Query: {
    async order(_parent, { id }, context) {
      const userId = context.identity.userId;
      if (!userId) return null;
      const order = await context.loaders.orderById.load(id);
      return order && order.user_id === userId ? order : null;
    },
  },
  Order: {
    // Reached from other subgraphs (payment, later checkout): only its owner, order staff or a service sees it.
    async __resolveReference(reference: { id: string }, context: OrderContext) {
      return ownedOrNull(context.identity, await context.loaders.orderById.load(reference.id), (order) => order.user_id, 'order:write');
    },
    orderNo: (order: OrderRow) => order.order_no,
    status: (order: OrderRow) => order.status as never,
    shippingFee: (order: OrderRow) => order.shipping_fee,
    createdAt: (order: OrderRow) => order.created_at.toISOString(),
    expiresAt: (order: OrderRow) => iso(order.expires_at),
  },
};
