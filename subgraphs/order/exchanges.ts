/**
 * Exchanges and return parcels in after-sales (docs/orders.md, "Exchanges"). The state machine of an EXCHANGE request:
 *
 *   REQUESTED ──staff approve──▶ APPROVED ──shopper sends the parcel──▶ RETURNING ──staff: received──▶ RECEIVED
 *       │  └──staff reject──▶ REJECTED                                                                   │
 *       └──shopper revoke──▶ REVOKED              staff ship the replacement (stock taken at product) ◀──┘
 *                                                   ▼
 *                                          REPLACEMENT_SHIPPED ──carrier/staff: delivered──▶ COMPLETED
 *
 * (Staff may also mark an APPROVED exchange received when the parcel arrived without a tracking number entered.)
 * A REFUND request with items that was approved may get a return parcel too (the refund itself is paid on approval,
 * as before); its status stays APPROVED and `receivedAt` records its arrival.
 * The replacement's stock is taken through product's reservations (reserve + commit, idempotent per request), before
 * anything changes here: out of stock is a CONFLICT and nothing changes. Price differences between the returned and
 * the replacement SKU are neither charged nor refunded (an exchange is for another variant of the same product).
 */
import { assertGoodsOrder } from './order-kinds';
import { requireScope, requireUser } from '../../platform/context';
import { scheduleJob } from '../../platform/events';
import { badInput, notFound, shopError } from '../../platform/errors';
import { isBigintId } from '../../platform/loaders';
import { createSkuFactsLoader } from '../../platform/price-summary-services';
import { ownOrder } from './access';
import type { OrderContext } from './context';
import { advanceAfterSale, findAfterSale, insertAfterSale, lockAfterSale, type AfterSaleItem, type AfterSaleRow } from './data/after-sales';
import { findOrder } from './data/orders';
import { refundedPieces } from './data/refunds';
import { holdsSomething } from './holds';
import { actors } from './lifecycle';
import { reasonText } from './orders';
import { takeReplacementStock } from './product-client';
import { afterSalesDeadline, JOB_RETURN_STOCK } from './refunds';
import { carrierOf, checkShipmentText, recordShipment } from './shipments';
import { hasRequestShipment, type ShipmentRow } from './data/shipments';
import { subscribeNow } from './tracking-subscription';

export const MAX_PHOTOS = 9;
const MAX_PHOTO_URL = 500;

/** Photos of a request: at most 9 https URLs of at most 500 characters, no spaces or control characters. */
export function checkPhotos(photos: readonly string[] | null | undefined): string[] | null {
  if (!photos?.length) return null;
  if (photos.length > MAX_PHOTOS) throw badInput(`At most ${MAX_PHOTOS} photos`, 'photos');
  return photos.map((raw, index) => {
    const text = raw.trim();
    let url: URL | null = null;
    try {
      url = new URL(text);
    } catch {
      url = null;
    }
    if (!url || url.protocol !== 'https:' || text.length > MAX_PHOTO_URL || /[\s\u0000-\u001f]/.test(text) || url.username || url.password) {
      throw badInput(`Photo ${index + 1} must be an https URL of at most ${MAX_PHOTO_URL} characters`, 'photos');
    }
    return text;
  });
}

export interface ExchangeRequestInput {
  orderId: string;
  reason: string;
  skuId: string;
  quantity: number;
  replacementSkuId?: string | null;
  photos?: readonly string[] | null;
}

const noSuchRequest = () => notFound('No such after-sales request');

/** Exchanges between approval and the replacement's delivery: their pieces are taken. */
const ACTIVE_EXCHANGE: readonly AfterSaleRow['status'][] = ['APPROVED', 'RETURNING', 'RECEIVED', 'REPLACEMENT_SHIPPED'];

/** The shopper asks to exchange pieces of one line of a shipped or received order (within the after-sales window). */
export async function requestExchange(context: OrderContext, input: ExchangeRequestInput): Promise<AfterSaleRow> {
  const reason = reasonText(input.reason);
  if (!reason) throw badInput('Say why you want an exchange', 'reason');
  const photos = checkPhotos(input.photos);
  const { order, userId } = await ownOrder(context, input.orderId);
  assertGoodsOrder(order);
  if (order.status === 'COMPLETED') {
    const deadline = afterSalesDeadline(order, context.config.order);
    if (!deadline || deadline.getTime() <= Date.now()) {
      throw shopError('CONFLICT', 'After-sales for this order is closed', { reason: 'AFTER_SALES_WINDOW_CLOSED', deadline: deadline?.toISOString() ?? null });
    }
  } else if (order.status !== 'SHIPPED') {
    throw shopError('CONFLICT', `Order ${order.id} is ${order.status}: only shipped or received orders can be exchanged`, { currentStatus: order.status });
  }
  const line = (await context.loaders.itemsByOrder.load(order.id)).find((item) => String(item.sku_id) === input.skuId);
  if (!line) throw badInput(`SKU ${input.skuId} is not in this order`, 'skuId');
  const refunded = (await refundedPieces(context.db, order.id)).get(input.skuId) ?? 0;
  // Pieces already on their way through another exchange cannot be exchanged twice at once.
  const exchanging = (await context.loaders.afterSalesByOrder.load(order.id))
    .filter((request) => request.kind === 'EXCHANGE' && ACTIVE_EXCHANGE.includes(request.status))
    .flatMap((request) => request.items ?? [])
    .filter((item) => item.skuId === input.skuId)
    .reduce((sum, item) => sum + item.quantity, 0);
  const max = line.quantity - refunded - exchanging;
  if (max < 1) throw shopError('CONFLICT', `No piece of SKU ${input.skuId} is left to exchange`, { reason: 'NOTHING_LEFT_TO_EXCHANGE' });
  if (!Number.isInteger(input.quantity) || input.quantity < 1 || input.quantity > max) throw badInput(`Between 1 and ${max} pieces can be exchanged`, 'quantity');
  const replacementSkuId = input.replacementSkuId ?? input.skuId;
  if (replacementSkuId !== input.skuId) {
    // Another variant of the same product, on sale now (stock itself is taken when the replacement ships).
    const facts = isBigintId(replacementSkuId) ? await createSkuFactsLoader(context.services).load(replacementSkuId) : null;
    if (!facts || String(facts.product.id) !== String(line.product_id)) {
      throw badInput('The replacement must be a SKU of the same product', 'replacementSkuId');
    }
    if (!facts.available) throw shopError('CONFLICT', 'The replacement SKU is not available now', { reason: 'OUT_OF_STOCK', skuIds: [replacementSkuId] });
  }
  const items: AfterSaleItem[] = [{ skuId: input.skuId, quantity: input.quantity }];
  try {
    const request = await insertAfterSale(context.db, { orderId: order.id, userId, reason, amount: 0, items, kind: 'EXCHANGE', photos, replacementSkuId });
    context.loaders.afterSalesByOrder.clear(order.id);
    return request;
  } catch (error) {
    if ((error as { code?: string }).code === '23505') throw shopError('CONFLICT', 'This order already has an open after-sales request');
    throw error;
  }
}

function wrongState(request: AfterSaleRow, wanted: string) {
  return shopError('CONFLICT', `This after-sales request is ${request.status}: ${wanted}`, { currentStatus: request.status });
}

/** Requests that send goods back: every exchange, and approved refunds of some items. */
const sendsGoodsBack = (request: AfterSaleRow) => request.kind === 'EXCHANGE' || Boolean(request.items?.length);

/** The shopper enters the carrier and tracking number of the parcel sent back (seed `/order/reverse/update-express`). */
export async function submitReturnShipment(
  context: OrderContext,
  input: { requestId: string; carrierCode: string; trackingNumber: string },
): Promise<AfterSaleRow> {
  const userId = requireUser(context);
  const { name, tracking } = checkShipmentText(input.carrierCode, input.trackingNumber, { carrier: 'carrierCode', tracking: 'trackingNumber' });
  const found = isBigintId(input.requestId) ? await findAfterSale(context.db, input.requestId) : undefined;
  if (!found || found.user_id !== userId) throw noSuchRequest();
  const carrier = await carrierOf(context.db, name, 'carrierCode');
  let parcel: ShipmentRow | undefined;
  const updated = await context.db.transaction(async (trx) => {
    const request = (await lockAfterSale(trx, found.id))!;
    if (request.status !== 'APPROVED' || !sendsGoodsBack(request)) throw wrongState(request, 'a return parcel goes with an approved return or exchange');
    if (request.received_at) throw wrongState(request, 'the parcel was already received');
    if (await hasRequestShipment(trx, request.id, 'RETURN')) throw shopError('CONFLICT', 'The return parcel of this request was already entered', { reason: 'RETURN_ALREADY_SHIPPED' });
    parcel = await recordShipment(
      trx,
      context,
      { orderId: request.order_id, kind: 'RETURN', afterSaleId: request.id, carrierCode: carrier.code, trackingNumber: tracking, createdBy: actors.user(userId) },
      request.user_id,
    );
    if (request.kind !== 'EXCHANGE') return request;
    return (await advanceAfterSale(trx, request.id, ['APPROVED'], 'RETURNING'))!;
  });
  if (parcel) subscribeNow(context.holds, context.config.logistics, parcel);
  forget(context, updated);
  return updated;
}

/** Product's stock-return key of an exchange's returned pieces (a refund's return is keyed by its refund number). */
export const exchangeReturnKey = (requestId: string) => `EXR${requestId}`;

/**
 * Staff: the returned parcel arrived. An exchange moves to RECEIVED and, unless `restock` is false (a damaged piece),
 * its returned pieces go back on sale: product's `returnStock` under `EXR<id>` (sold → available), a durable job
 * scheduled in the same transaction, for orders whose stock product holds (placed through checkout). A refund's
 * return just records the time (its restock was decided on approval and follows the refund).
 */
export async function markReturnReceived(context: OrderContext, requestId: string, restock?: boolean | null): Promise<AfterSaleRow> {
  const staffId = requireScope(context, 'order:write');
  if (!isBigintId(requestId)) throw noSuchRequest();
  const updated = await context.db.transaction(async (trx) => {
    const request = await lockAfterSale(trx, requestId);
    if (!request) throw noSuchRequest();
    if (!sendsGoodsBack(request) || request.received_at) throw wrongState(request, 'nothing is on its way back');
    const changes = { received_at: new Date(), received_by: actors.staff(staffId) };
    if (request.kind === 'EXCHANGE') {
      const back = restock ?? true;
      const moved = await advanceAfterSale(trx, request.id, ['APPROVED', 'RETURNING'], 'RECEIVED', { ...changes, return_restock: back });
      if (!moved) throw wrongState(request, 'only an approved exchange can be received');
      const order = await findOrder(trx, request.order_id);
      if (back && order && holdsSomething(order)) {
        const key = exchangeReturnKey(request.id);
        const lines = (request.items ?? []).map(({ skuId, quantity }) => ({ skuId: String(skuId), quantity }));
        await scheduleJob(trx, { kind: JOB_RETURN_STOCK, key, runAt: new Date(), payload: { orderId: String(order.id), key, lines } });
      }
      return moved;
    }
    if (restock != null) throw badInput("A refund's returned pieces are restocked as decided on approval (restockSkuIds)", 'restock');
    const moved = await advanceAfterSale(trx, request.id, ['APPROVED'], 'APPROVED', changes);
    if (!moved) throw wrongState(request, 'only an approved return can be received');
    return moved;
  });
  forget(context, updated);
  return updated;
}

/**
 * Staff: ships the replacement of a RECEIVED exchange. Stock first, at product (reserve + commit, idempotent per
 * request: a retry takes nothing twice); out of stock → CONFLICT and nothing changes here. Then, in one transaction,
 * the EXCHANGE shipment (OrderShipped) and RECEIVED → REPLACEMENT_SHIPPED.
 */
export async function shipExchangeReplacement(
  context: OrderContext,
  input: { requestId: string; carrierCode: string; trackingNumber: string },
): Promise<ShipmentRow> {
  const staffId = requireScope(context, 'order:write');
  const { name, tracking } = checkShipmentText(input.carrierCode, input.trackingNumber, { carrier: 'carrierCode', tracking: 'trackingNumber' });
  const request = isBigintId(input.requestId) ? await findAfterSale(context.db, input.requestId) : undefined;
  if (!request) throw noSuchRequest();
  if (request.kind !== 'EXCHANGE' || request.status !== 'RECEIVED') throw wrongState(request, 'only a received exchange gets its replacement');
  const carrier = await carrierOf(context.db, name, 'carrierCode');
  const item = request.items![0];
  const replacement = { skuId: String(request.replacement_sku_id ?? item.skuId), quantity: item.quantity };
  await takeReplacementStock(context.services, `EX${request.id}`, [replacement]);
  const shipment = await context.db.transaction(async (trx) => {
    const locked = (await lockAfterSale(trx, request.id))!;
    if (locked.status !== 'RECEIVED') throw wrongState(locked, 'the replacement was shipped already');
    const row = await recordShipment(
      trx,
      context,
      { orderId: locked.order_id, kind: 'EXCHANGE', afterSaleId: locked.id, carrierCode: carrier.code, trackingNumber: tracking, lines: [replacement], createdBy: actors.staff(staffId) },
      locked.user_id,
    );
    await advanceAfterSale(trx, locked.id, ['RECEIVED'], 'REPLACEMENT_SHIPPED');
    return row;
  });
  subscribeNow(context.holds, context.config.logistics, shipment);
  forget(context, request);
  return shipment;
}

function forget(context: OrderContext, request: Pick<AfterSaleRow, 'id' | 'order_id'>) {
  context.loaders.afterSalesByOrder.clear(request.order_id);
  context.loaders.shipmentsByAfterSale.clear(request.id);
  context.loaders.shipmentsByOrder.clear(request.order_id);
}
