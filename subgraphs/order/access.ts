/**
 * Who may see and act on an order: its owner, staff holding order:write, and other subgraphs (service calls).
 * Anyone else gets NOT_FOUND, exactly as for an order that does not exist, so ids reveal nothing.
 */
import { requireUser } from '../../platform/context';
import { forbidden, notFound } from '../../platform/errors';
import type { Identity } from '../../platform/identity';
import { isBigintId } from '../../platform/loaders';
import type { OrderContext } from './context';
import type { OrderRow } from './data/orders';
import { actors } from './lifecycle';

export const isOrderStaff = (identity: Identity) => Boolean(identity.userId) && identity.scopes.includes('order:write');

/** Owners don't see orders they deleted nor orders still being created; staff and services see every row. */
export function canSee(order: OrderRow, identity: Identity): boolean {
  if (identity.service || isOrderStaff(identity)) return true;
  return order.user_id === identity.userId && order.deleted_at === null && order.status !== 'CREATING';
}

export const noSuchOrder = () => notFound('No such order');

/** The order if the caller may see it (signed-in user or service), else NOT_FOUND. */
export async function visibleOrder(context: OrderContext, id: string): Promise<OrderRow> {
  if (!context.identity.service) requireUser(context);
  const order = isBigintId(id) ? await context.loaders.orderById.load(id) : null;
  if (!order || !canSee(order, context.identity)) throw noSuchOrder();
  return order;
}

/** Actions only the shopper who placed the order takes (confirm receipt, delete, buy again, ask for a refund). */
export async function ownOrder(context: OrderContext, id: string): Promise<{ order: OrderRow; userId: string }> {
  const userId = requireUser(context);
  const order = await visibleOrder(context, id);
  if (order.user_id !== userId) throw forbidden('Only the shopper who placed this order can do this');
  return { order, userId };
}

/** How the history names the caller: the owner by id, staff as staff:<id>, a subgraph as service:<name>. */
export function actorOf(context: OrderContext, order: Pick<OrderRow, 'user_id'>): string {
  const { identity } = context;
  if (identity.userId && identity.userId === order.user_id) return actors.user(identity.userId);
  if (identity.userId && isOrderStaff(identity)) return actors.staff(identity.userId);
  if (identity.service) return actors.service(identity.service);
  return actors.system;
}
