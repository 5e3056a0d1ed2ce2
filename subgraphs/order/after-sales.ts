/**
 * After-sales (seed 000 `reverse`): a shopper asks for a refund of a paid order (reason, amount up to what is left to
 * refund, optionally some of the items) while it is PAID, SHIPPED, or COMPLETED within AFTER_SALES_WINDOW_DAYS of
 * receipt; may revoke it while undecided; staff with order:write approve or reject.
 *
 * Exchanges (kind EXCHANGE, exchanges.ts) are requested with `requestExchange` and decided here too: approving one
 * moves no money. Every decision publishes AfterSalesDecided with it (logistics-events.ts).
 *
 * Approval, in one transaction: the decision, the refund registered as the order's (refunds.ts: refund number
 * `AS<request id>`, lines and the pieces staff say came back sellable), and the durable job `order.requestRefund`
 * that asks payment to pay it back (refund-jobs.ts) — retried until payment answers, so a refund approved while
 * payment is down completes once it is back. The order keeps its status unless the refund covers all that is left
 * (then REFUNDING). Payment reports the verdict with `settleOrderRefund`.
 */
import { assertGoodsOrder } from './order-kinds';
import { requireScope, requireUser } from '../../platform/context';
import { badInput, notFound, shopError } from '../../platform/errors';
import { scheduleJob } from '../../platform/events';
import { isBigintId } from '../../platform/loaders';
import { ownOrder } from './access';
import type { OrderContext } from './context';
import { decideAfterSale, findAfterSale, insertAfterSale, type AfterSaleItem, type AfterSaleRow, type ReturnAddressSnapshot } from './data/after-sales';
import { checkPhotos } from './exchanges';
import { appendAfterSalesDecided } from './logistics-events';
import { chooseReturnAddress } from './return-addresses';
import { refundedPieces } from './data/refunds';
import { actors } from './lifecycle';
import { reasonText } from './orders';
import { assertRefundable, JOB_REQUEST_REFUND, registerRefund, remainingRefundable } from './refunds';
import type { RequestRefundPayload } from './refund-jobs';

/** The refund number (payment's idempotency key) of an after-sales request. */
export const afterSaleRefundNo = (requestId: string) => `AS${requestId}`;

const noSuchRequest = () => notFound('No such after-sales request');

function alreadyDecided(request: AfterSaleRow) {
  return shopError('CONFLICT', `This after-sales request is already ${request.status}`, { currentStatus: request.status });
}

export interface RefundRequestInput {
  orderId: string;
  reason: string;
  amount: number;
  items?: readonly AfterSaleItem[] | null;
  photos?: readonly string[] | null;
}

export async function requestRefund(context: OrderContext, input: RefundRequestInput): Promise<AfterSaleRow> {
  const reason = reasonText(input.reason);
  if (!reason) throw badInput('Say why you want a refund', 'reason');
  const photos = checkPhotos(input.photos);
  const { order, userId } = await ownOrder(context, input.orderId);
  assertGoodsOrder(order);
  assertRefundable(order, context.config.order);
  // The order's total is what was paid (markOrderPaid insists on it); refunds succeeded or in flight are not left.
  const left = await remainingRefundable(context.db, order);
  if (!Number.isInteger(input.amount) || input.amount < 1 || input.amount > left) {
    throw shopError('BAD_USER_INPUT', `The refund must be between 1 and ${left} fen`, { field: 'amount', refundable: left });
  }
  const items = input.items?.length ? await checkItems(context, order.id, input.items) : null;
  try {
    const request = await insertAfterSale(context.db, { orderId: order.id, userId, reason, amount: input.amount, items, photos });
    context.loaders.afterSalesByOrder.clear(order.id);
    return request;
  } catch (error) {
    if ((error as { code?: string }).code === '23505') {
      throw shopError('CONFLICT', 'This order already has an open after-sales request');
    }
    throw error;
  }
}

/** Items returned must be in the order, each at most its ordered quantity less pieces already refunded, each SKU once. */
async function checkItems(context: OrderContext, orderId: string, items: readonly AfterSaleItem[]): Promise<AfterSaleItem[]> {
  const refunded = await refundedPieces(context.db, orderId);
  const ordered = new Map(
    (await context.loaders.itemsByOrder.load(orderId)).map((item) => [String(item.sku_id), item.quantity - (refunded.get(String(item.sku_id)) ?? 0)]),
  );
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

/**
 * Staff: approve → the refund is registered as the order's and payment is asked to pay it (a durable job), in one
 * transaction with the decision (or nothing changes). `restockSkuIds`: SKUs of the request whose returned pieces are
 * sellable and go back to stock once the refund succeeded (pieces of an order not shipped yet always do).
 */
export async function approveRefundRequest(
  context: OrderContext,
  id: string,
  note?: string | null,
  restockSkuIds?: readonly string[] | null,
  returnAddressId?: string | null,
): Promise<AfterSaleRow> {
  const staffId = requireScope(context, 'order:write');
  const staffNote = reasonText(note, 'note');
  const request = await visibleRequest(context, id);
  // Where goods come back to, copied onto the request (exchanges need one; refunds of items get one when the shop has one).
  const returnAddress = request.kind === 'EXCHANGE' || request.items?.length || returnAddressId ? await chooseReturnAddress(context, returnAddressId) : null;
  if (request.kind === 'EXCHANGE') {
    if (restockSkuIds?.length) throw badInput('An exchange restocks nothing on approval', 'restockSkuIds');
    if (!returnAddress) throw shopError('CONFLICT', 'Set up a return address first (createReturnAddress)', { reason: 'NO_RETURN_ADDRESS' });
    return approveExchange(context, request, staffId, staffNote, returnAddress);
  }
  const restock = new Set((restockSkuIds ?? []).map(String));
  for (const skuId of restock) {
    if (!request.items?.some((item) => item.skuId === skuId)) throw badInput(`SKU ${skuId} is not among the items of this request`, 'restockSkuIds');
  }
  const refundNo = afterSaleRefundNo(request.id);
  const approved = await context.db.transaction(async (trx) => {
    const decided = await decideAfterSale(trx, request.id, 'APPROVED', { by: actors.staff(staffId), note: staffNote, restockSkuIds: [...restock], returnAddress });
    if (!decided) throw alreadyDecided((await findAfterSale(trx, request.id))!);
    await appendAfterSalesDecided(trx, decided, 'APPROVED');
    const { order, refund } = await registerRefund(trx, context.config.order, {
      orderId: request.order_id,
      refundNo,
      amount: request.amount,
      reason: `after-sales #${request.id} approved: ${request.reason}`,
      source: 'AFTER_SALE',
      requestedBy: actors.staff(staffId),
      checkWindow: false,
      lines: request.items?.map((item) => ({ skuId: item.skuId, quantity: item.quantity, restock: restock.has(item.skuId) || null })),
    });
    const payload: RequestRefundPayload = {
      orderId: String(order.id),
      afterSaleId: String(request.id),
      refundNo,
      amount: refund.amount,
      reason: `after-sales #${request.id}: ${request.reason}`.slice(0, 200),
      lines: refund.lines,
    };
    await scheduleJob(trx, { kind: JOB_REQUEST_REFUND, key: refundNo, runAt: new Date(), payload });
    return { decided, order };
  });
  context.loaders.forgetOrder(approved.order.id, approved.order);
  context.loaders.afterSalesByOrder.clear(request.order_id);
  return approved.decided;
}

/** An exchange moves no money: the decision, its return address and the event, in one transaction. */
async function approveExchange(
  context: OrderContext,
  request: AfterSaleRow,
  staffId: string,
  staffNote: string | null,
  returnAddress: ReturnAddressSnapshot,
): Promise<AfterSaleRow> {
  const approved = await context.db.transaction(async (trx) => {
    const decided = await decideAfterSale(trx, request.id, 'APPROVED', { by: actors.staff(staffId), note: staffNote, returnAddress });
    if (!decided) throw alreadyDecided((await findAfterSale(trx, request.id))!);
    await appendAfterSalesDecided(trx, decided, 'APPROVED');
    return decided;
  });
  context.loaders.afterSalesByOrder.clear(request.order_id);
  return approved;
}

/** Staff: reject with an optional note for the shopper; the order is unchanged. */
export async function rejectRefundRequest(context: OrderContext, id: string, note?: string | null): Promise<AfterSaleRow> {
  const staffId = requireScope(context, 'order:write');
  const staffNote = reasonText(note, 'note');
  const request = await visibleRequest(context, id);
  const rejected = await context.db.transaction(async (trx) => {
    const decided = await decideAfterSale(trx, request.id, 'REJECTED', { by: actors.staff(staffId), note: staffNote });
    if (!decided) throw alreadyDecided((await findAfterSale(trx, request.id))!);
    await appendAfterSalesDecided(trx, decided, 'REJECTED');
    return decided;
  });
  context.loaders.afterSalesByOrder.clear(request.order_id);
  return rejected;
}
