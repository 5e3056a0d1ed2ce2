/**
 * How the checks classify an order by its stored status (order subgraph), and batched look-ups of orders by id.
 * The cross-subgraph join happens here, in the audit tool, never in a subgraph.
 */
import { orderStates, pageOrderStates, type OrderState } from '../../subgraphs/order/data/audit';
import type { StoredOrderStatus } from '../../subgraphs/order/data/orders';
import type { CheckContext } from './types';

/** Orders that may hold stock and a coupon: the saga is running, or the order waits for payment. */
export const LIVE_STATUSES: readonly StoredOrderStatus[] = ['CREATING', 'PENDING_PAYMENT'];
/** Orders whose money was taken (refunded or not): their stock is sold and their coupon used. */
export const PAID_STATUSES: readonly StoredOrderStatus[] = ['PAID', 'SHIPPED', 'COMPLETED', 'REFUNDING', 'REFUNDED'];

export const isLive = (order: OrderState | undefined) => Boolean(order && LIVE_STATUSES.includes(order.status));
export const isPaid = (order: OrderState | undefined) => Boolean(order && PAID_STATUSES.includes(order.status));
/** Cancelled (failed checkouts included) or unknown to the order subgraph: must hold nothing. */
export const isDead = (order: OrderState | undefined) => !order || order.status === 'CANCELLED';

/** The orders of these ids, by id (missing ids are unknown orders), read in pages. */
export async function ordersById(context: CheckContext, ids: readonly string[]): Promise<Map<string, OrderState>> {
  const unique = [...new Set(ids)];
  const found = new Map<string, OrderState>();
  for (let i = 0; i < unique.length; i += context.pageSize) {
    for (const order of await orderStates(context.dbs.order, unique.slice(i, i + context.pageSize))) found.set(order.id, order);
  }
  return found;
}

/** Every order in these statuses, one page at a time. */
export async function* ordersIn(context: CheckContext, statuses: readonly StoredOrderStatus[]): AsyncGenerator<OrderState[]> {
  let afterId: string | undefined;
  for (;;) {
    const page = await pageOrderStates(context.dbs.order, statuses, { afterId, limit: context.pageSize });
    if (page.length) yield page;
    if (page.length < context.pageSize) return;
    afterId = page[page.length - 1].id;
  }
}

/** Whether something that changed at `since` has had the grace period to settle. */
export const settled = (context: CheckContext, ...since: (Date | null | undefined)[]) =>
  since.every((at) => !at || at.getTime() <= context.now.getTime() - context.graceMs);
