/** Thin resolvers: authorization and mapping; rules live in orders.ts / after-sales.ts, data in loaders and data/. */
import { requireUser } from '../../platform/context';
import { pageRequest, toConnection } from '../../platform/connection';
import { canSee } from './access';
import { approveRefundRequest, rejectRefundRequest, requestRefund, revokeRefundRequest } from './after-sales';
import { buyAgain } from './buy-again';
import type { OrderContext } from './context';
import type { AfterSaleRow } from './data/after-sales';
import type { OrderItemRow } from './data/order-items';
import { countOrders, listOrders, type OrderCountsRow, type OrderRow } from './data/orders';
import type { StatusHistoryRow } from './data/status-history';
import type { Resolvers } from './generated/resolvers-types';
import { orderSalesToday, staffOrders } from './staff-orders';
import { cancelOrder, confirmReceipt, deleteOrder, markOrderPaid, markOrderRefunded } from './orders';
import { shipOrder } from './shipments';
import { isBigintId } from '../../platform/loaders';
import { registerOrderRefund, settleOrderRefund } from './payment-hooks';
import type { OrderRefundRow, RefundLine } from './data/refunds';
import { afterSalesDeadline } from './refunds';
import { orderHoldStates } from './hold-states';
import { shopperHasOrders } from './account-activity';
import { refundedLineQuantities } from './line-refunds';
import { previewOrder } from './checkout/preview';
import { createOrder } from './checkout/saga';

const iso = (value: Date | null) => (value ? value.toISOString() : null);

/** How the history's actor column reads to clients (user ids of staff are not shown to shoppers). */
function actorKind(actor: string): 'SHOPPER' | 'STAFF' | 'SYSTEM' {
  if (actor.startsWith('staff:')) return 'STAFF';
  if (actor === 'system' || actor.startsWith('service:')) return 'SYSTEM';
  return 'SHOPPER';
}

export const resolvers: Resolvers = {
  Query: {
    async order(_parent, { id }, context) {
      if (!context.identity.userId && !context.identity.service) return null;
      const order = isBigintId(id) ? await context.loaders.orderById.load(id) : null;
      return order && canSee(order, context.identity) ? order : null;
    },
    async orders(_parent, args, context) {
      const userId = requireUser(context);
      const page = pageRequest('order', args, context.config.maxPageSize);
      const rows = await listOrders(context.db, { userId, status: args.status }, page);
      context.loaders.primeOrders(rows);
      return toConnection('order', rows, page);
    },
    orderCounts: (_parent, _args, context) => countOrders(context.db, requireUser(context)),
    staffOrders: (_parent, { filter, first, after }, context) => staffOrders(context, filter, { first, after }),
    orderSalesToday: (_parent, _args, context) => orderSalesToday(context),
    previewOrder: (_parent, { input }, context) => previewOrder(context, input),
    orderHoldStates: (_parent, { ids }, context) => orderHoldStates(context, ids),
    shopperHasOrders: (_parent, { userId }, context) => shopperHasOrders(context, userId),
    refundedLineQuantities: (_parent, { orderItemIds }, context) => refundedLineQuantities(context, orderItemIds),
  },
  Mutation: {
    createOrder: (_parent, { input, idempotencyKey }, context) => createOrder(context, input, idempotencyKey),
    cancelOrder: (_parent, { id, reason }, context) => cancelOrder(context, id, reason),
    confirmReceipt: (_parent, { id }, context) => confirmReceipt(context, id),
    buyAgain: (_parent, { id }, context) => buyAgain(context, context.services, id),
    deleteOrder: (_parent, { id }, context) => deleteOrder(context, id),
    shipOrder: (_parent, { id, carrier, trackingNo }, context) => shipOrder(context, id, carrier, trackingNo),
    requestRefund: (_parent, { input }, context) => requestRefund(context, input),
    revokeRefundRequest: (_parent, { id }, context) => revokeRefundRequest(context, id),
    approveRefundRequest: (_parent, { id, note, restockSkuIds, returnAddressId }, context) =>
      approveRefundRequest(context, id, note, restockSkuIds, returnAddressId),
    rejectRefundRequest: (_parent, { id, note }, context) => rejectRefundRequest(context, id, note),
    markOrderPaid: (_parent, { orderId, paymentId, amount }, context) => markOrderPaid(context, orderId, paymentId, amount),
    markOrderRefunded: (_parent, { orderId }, context) => markOrderRefunded(context, orderId),
    registerOrderRefund: (_parent, args, context) => registerOrderRefund(context, args),
    settleOrderRefund: (_parent, args, context) => settleOrderRefund(context, args),
  },
  Order: {
    // Owner, order staff or another subgraph; anyone else resolves to null.
    async __resolveReference(reference: { id: string }, context: OrderContext) {
      const order = await context.loaders.orderById.load(reference.id);
      return order && canSee(order, context.identity) ? order : null;
    },
    orderNo: (order: OrderRow) => order.order_no,
    // Only reachable through `order`/`orders`/`staffOrders`, which show the owner and staff only.
    shopperId: (order: OrderRow) => order.user_id,
    status: (order: OrderRow) => order.status as never,
    items: (order: OrderRow, _args, context) => context.loaders.itemsByOrder.load(order.id),
    shippingFee: (order: OrderRow) => order.shipping_fee,
    createdAt: (order: OrderRow) => order.created_at.toISOString(),
    expiresAt: (order: OrderRow) => iso(order.expires_at),
    shippingAddress: (order: OrderRow) => order.shipping_address,
    paidAt: (order: OrderRow) => iso(order.paid_at),
    shippedAt: (order: OrderRow) => iso(order.shipped_at),
    trackingNo: (order: OrderRow) => order.tracking_no,
    completedAt: (order: OrderRow) => iso(order.completed_at),
    cancelledAt: (order: OrderRow) => iso(order.cancelled_at),
    cancelReason: (order: OrderRow) => order.cancel_reason,
    // The saga's internal CREATING step is not part of the shopper's story.
    statusHistory: async (order: OrderRow, _args, context) =>
      (await context.loaders.historyByOrder.load(order.id)).filter((change) => change.to_status !== 'CREATING'),
    afterSales: (order: OrderRow, _args, context) => context.loaders.afterSalesByOrder.load(order.id),
    buyerId: (order: OrderRow) => order.user_id,
    paymentId: (order: OrderRow) => order.payment_id,
    refundedAmount: (order: OrderRow) => order.refunded_amount ?? 0,
    refunds: (order: OrderRow, _args, context) => context.loaders.refundsByOrder.load(order.id),
    afterSalesDeadline: (order: OrderRow, _args, context) => iso(afterSalesDeadline(order, context.config.order)),
    autoConfirmAt: (order: OrderRow, _args, context) =>
      order.status === 'SHIPPED' && order.shipped_at
        ? new Date(order.shipped_at.getTime() + context.config.order.autoConfirmDays * 24 * 3600_000).toISOString()
        : null,
  },
  OrderRefund: {
    refundNo: (refund: OrderRefundRow) => refund.refund_no,
    status: (refund: OrderRefundRow) => refund.status as never,
    failureReason: (refund: OrderRefundRow) => refund.failure_reason,
    createdAt: (refund: OrderRefundRow) => refund.created_at.toISOString(),
    settledAt: (refund: OrderRefundRow) => iso(refund.settled_at),
  },
  OrderRefundLine: {
    sku: (line: RefundLine) => ({ __typename: 'Sku', id: line.skuId }),
  },
  OrderCounts: {
    pendingPayment: (counts: OrderCountsRow) => counts.pending_payment,
    pendingShipment: (counts: OrderCountsRow) => counts.pending_shipment,
    pendingReceipt: (counts: OrderCountsRow) => counts.pending_receipt,
  },
  OrderItem: {
    sku: (item: OrderItemRow) => ({ __typename: 'Sku', id: item.sku_id }),
    product: (item: OrderItemRow) => ({ __typename: 'Product', id: item.product_id }),
    skuName: (item: OrderItemRow) => item.sku_name,
    memberPriceApplied: (item: OrderItemRow) => item.member_price_applied,
    unitPrice: (item: OrderItemRow) => item.unit_price,
  },
  OrderStatusChange: {
    from: (change: StatusHistoryRow) => (change.from_status === 'CREATING' ? null : (change.from_status as never)),
    to: (change: StatusHistoryRow) => change.to_status as never,
    at: (change: StatusHistoryRow) => change.at.toISOString(),
    actor: (change: StatusHistoryRow) => actorKind(change.actor),
  },
  AfterSale: {
    async order(request: AfterSaleRow, _args, context) {
      const order = await context.loaders.orderById.load(request.order_id);
      if (!order) throw new Error(`after_sales ${request.id} points at a missing order`);
      return order;
    },
    staffNote: (request: AfterSaleRow) => request.staff_note,
    createdAt: (request: AfterSaleRow) => request.created_at.toISOString(),
    decidedAt: (request: AfterSaleRow) => iso(request.decided_at),
  },
  AfterSaleItem: {
    sku: (item: { skuId: string }) => ({ __typename: 'Sku', id: item.skuId }),
  },
};
