/**
 * Order's side of payment: the internal `markOrderRefunding` (staff refunds started at payment) and, after staff
 * approve an after-sales request, the call asking payment to pay it back (`refundAfterSale`, idempotent per request:
 * payment's refund number is `AS<request id>`). Payment then calls `markOrderRefunded` when the money is back.
 *
 * The call is made after the approval committed, retried on network failures (idempotent). If payment cannot be
 * reached at all, the order stays REFUNDING with the approval recorded and the error is logged: staff complete it
 * with `refundOrder(orderId, amount, reason, refundNo: "AS<request id>")`, which is the same refund.
 */
import { requireService } from '../../platform/context';
import { isBigintId } from '../../platform/loaders';
import { noSuchOrder } from './access';
import type { OrderContext } from './context';
import type { AfterSaleRow } from './data/after-sales';
import { findOrder, type OrderRow } from './data/orders';
import { actors, transition } from './lifecycle';

/** PAID/SHIPPED → REFUNDING for a refund payment starts; already REFUNDING is a no-op; anything else CONFLICT. */
export async function markOrderRefunding(context: OrderContext, orderId: string, reason: string): Promise<OrderRow> {
  const service = requireService(context, 'payment');
  const current = isBigintId(orderId) ? await findOrder(context.db, orderId) : undefined;
  if (!current) throw noSuchOrder();
  if (current.status === 'REFUNDING') return current;
  try {
    const order = await context.db.transaction((trx) =>
      transition(trx, { orderId, from: ['PAID', 'SHIPPED'], to: 'REFUNDING', actor: actors.service(service), reason: reason.slice(0, 200) }),
    );
    context.loaders.forgetOrder(order.id, order);
    return order;
  } catch (error) {
    // A retry racing the first call: the winner moved it to REFUNDING, which is what was asked.
    const now = await findOrder(context.db, orderId);
    if (now?.status === 'REFUNDING') return now;
    throw error;
  }
}

export async function askPaymentToRefund(context: OrderContext, request: AfterSaleRow): Promise<void> {
  try {
    await context.services.request(
      'payment',
      'mutation($o: ID!, $a: ID!, $m: Int!, $r: String!) { refundAfterSale(orderId: $o, afterSaleId: $a, amount: $m, reason: $r) { id } }',
      { o: request.order_id, a: request.id, m: request.amount, r: `after-sales #${request.id}: ${request.reason}`.slice(0, 200) },
      { idempotent: true, requestId: context.requestId },
    );
  } catch (error) {
    console.error(`[order] asking payment to refund after-sales #${request.id} failed (order stays REFUNDING):`, (error as Error).message);
  }
}
