/**
 * After-sales (seed 000 `reverse`): a shopper asks for a refund of a paid order (reason, amount up to what was
 * paid, optionally some of the items), may revoke it while undecided; staff with order:write approve or reject.
 * Approval records the decision and moves the order to REFUNDING in one transaction.
 *
 * NEXT STEP (payment issue): after approval, ask payment to refund (`refundOrder(orderId, amount, reason)`,
 * idempotent per after-sales id); payment then calls `markOrderRefunded`, which moves REFUNDING → REFUNDED.
 */
import { requireScope, requireUser } from '../../platform/context';
import { badInput, notFound, shopError } from '../../platform/errors';
import { isBigintId } from '../../platform/loaders';
import { ownOrder } from './access';
import type { OrderContext } from './context';
import { decideAfterSale, findAfterSale, insertAfterSale, type AfterSaleItem, type AfterSaleRow } from './data/after-sales';
import { actors, transition } from './lifecycle';
import { reasonText } from './orders';
import { askPaymentToRefund } from './payment-hooks';

/** Statuses in which the shopper has paid and the goods are not yet accepted: refundable. */
const REFUNDABLE = ['PAID', 'SHIPPED'] as const;

const noSuchRequest = () => notFound('No such after-sales request');

function alreadyDecided(request: AfterSaleRow) {
  return shopError('CONFLICT', `This after-sales request is already ${request.status}`, { currentStatus: request.status });
}

export interface RefundRequestInput {
  orderId: string;
  reason: string;
  amount: number;
  items?: readonly AfterSaleItem[] | null;
}

export async function requestRefund(context: OrderContext, input: RefundRequestInput): Promise<AfterSaleRow> {
  const reason = reasonText(input.reason);
  if (!reason) throw badInput('Say why you want a refund', 'reason');
  const { order, userId } = await ownOrder(context, input.orderId);
  if (!(REFUNDABLE as readonly string[]).includes(order.status)) {
    throw shopError('CONFLICT', `Order ${order.id} is ${order.status}: only paid or shipped orders can be refunded`, {
      currentStatus: order.status,
    });
  }
  // The order's total is what was paid (markOrderPaid insists on it).
  if (!Number.isInteger(input.amount) || input.amount < 1 || input.amount > order.total) {
    throw badInput(`The refund must be between 1 and ${order.total} fen`, 'amount');
  }
  const items = input.items?.length ? await checkItems(context, order.id, input.items) : null;
  try {
    const request = await insertAfterSale(context.db, { orderId: order.id, userId, reason, amount: input.amount, items });
    context.loaders.afterSalesByOrder.clear(order.id);
    return request;
  } catch (error) {
    if ((error as { code?: string }).code === '23505') {
      throw shopError('CONFLICT', 'This order already has an open after-sales request');
    }
    throw error;
  }
}

/** Items returned must be in the order, each at most its ordered quantity, each SKU once. */
async function checkItems(context: OrderContext, orderId: string, items: readonly AfterSaleItem[]): Promise<AfterSaleItem[]> {
  const ordered = new Map((await context.loaders.itemsByOrder.load(orderId)).map((item) => [item.sku_id, item.quantity]));
  const seen = new Set<string>();
  for (const item of items) {
    const max = ordered.get(item.skuId);
    if (max === undefined || seen.has(item.skuId)) throw badInput(`SKU ${item.skuId} is not in this order (or listed twice)`, 'items');
    if (!Number.isInteger(item.quantity) || item.quantity < 1 || item.quantity > max) {
      throw badInput(`Between 1 and ${max} of SKU ${item.skuId} can be returned`, 'items');
    }
    seen.add(item.skuId);
  }
  return items.map((item) => ({ skuId: item.skuId, quantity: item.quantity }));
}

/** The request if the caller may see it: its shopper or order staff; NOT_FOUND for anyone else. */
async function visibleRequest(context: OrderContext, id: string): Promise<AfterSaleRow> {
  const userId = requireUser(context);
  const request = isBigintId(id) ? await findAfterSale(context.db, id) : undefined;
  const staff = context.identity.scopes.includes('order:write');
  if (!request || (request.user_id !== userId && !staff)) throw noSuchRequest();
  return request;
}

/** The shopper withdraws an undecided request. */
export async function revokeRefundRequest(context: OrderContext, id: string): Promise<AfterSaleRow> {
  const userId = requireUser(context);
  const request = await visibleRequest(context, id);
  if (request.user_id !== userId) throw noSuchRequest();
  const revoked = await decideAfterSale(context.db, request.id, 'REVOKED', { by: actors.user(userId) });
  if (!revoked) throw alreadyDecided((await findAfterSale(context.db, request.id))!);
  context.loaders.afterSalesByOrder.clear(request.order_id);
  return revoked;
}

/** Staff: approve → the order goes PAID/SHIPPED → REFUNDING in the same transaction (or nothing changes). */
export async function approveRefundRequest(context: OrderContext, id: string, note?: string | null): Promise<AfterSaleRow> {
  const staffId = requireScope(context, 'order:write');
  const staffNote = reasonText(note, 'note');
  const request = await visibleRequest(context, id);
  const approved = await context.db.transaction(async (trx) => {
    const decided = await decideAfterSale(trx, request.id, 'APPROVED', { by: actors.staff(staffId), note: staffNote });
    if (!decided) throw alreadyDecided((await findAfterSale(trx, request.id))!);
    const order = await transition(trx, {
      orderId: request.order_id,
      from: REFUNDABLE,
      to: 'REFUNDING',
      actor: actors.staff(staffId),
      reason: `after-sales #${request.id} approved: refund ${request.amount} fen (${request.reason})`,
    });
    // Next step (payment issue): request the refund of `request.amount` from payment here, after commit.
    return { decided, order };
  });
  context.loaders.forgetOrder(approved.order.id, approved.order);
  context.loaders.afterSalesByOrder.clear(request.order_id);
  await askPaymentToRefund(context, approved.decided);
  return approved.decided;
}

/** Staff: reject with an optional note for the shopper; the order is unchanged. */
export async function rejectRefundRequest(context: OrderContext, id: string, note?: string | null): Promise<AfterSaleRow> {
  const staffId = requireScope(context, 'order:write');
  const staffNote = reasonText(note, 'note');
  const request = await visibleRequest(context, id);
  const rejected = await decideAfterSale(context.db, request.id, 'REJECTED', { by: actors.staff(staffId), note: staffNote });
  if (!rejected) throw alreadyDecided((await findAfterSale(context.db, request.id))!);
  context.loaders.afterSalesByOrder.clear(request.order_id);
  return rejected;
}
