/**
 * Shipments of orders (docs/logistics.md). Staff ship a PAID order (`shipOrder`, the original contract: PAID →
 * SHIPPED, now also a shipment) and may add further parcels (`addShipment`, PAID or SHIPPED). Each shipment names a
 * carrier of the carrier list (code, name or alias) and its tracking number, optionally the lines it holds; creating
 * one publishes OrderShipped in the same transaction and subscribes it to tracking (a durable job, when configured).
 * Staff may add tracking events by hand (`addShipmentEvent`), merged like a carrier's (tracking.ts).
 */
import type { Knex } from 'knex';
import { requireScope } from '../../platform/context';
import { badInput, notFound, shopError } from '../../platform/errors';
import { isBigintId } from '../../platform/loaders';
import { visibleOrder } from './access';
import type { OrderContext } from './context';
import type { OrderRow } from './data/orders';
import { findCarrier, findShipment, insertShipment, lockShipment, type CarrierRow, type NewShipment, type ShipmentLine, type ShipmentRow, type ShipmentStatus } from './data/shipments';
import { actors, transition } from './lifecycle';
import { appendOrderShipped } from './logistics-events';
import { scheduleTrackingSubscription, subscribeNow } from './tracking-subscription';
import { scheduleAutoConfirm } from './refunds';
import { mergeTracking } from './tracking';
import { assertGoodsOrder } from './order-kinds';

const CARRIER_TEXT = /^\S(.{0,62}\S)?$/u;
const TRACKING_NUMBER = /^[A-Za-z0-9-]{6,40}$/;
const MAX_LINES = 99;

/** Checks the shape of a carrier text and tracking number (no database): BAD_USER_INPUT. */
export function checkShipmentText(carrier: string, trackingNumber: string, fields = { carrier: 'carrier', tracking: 'trackingNo' }) {
  const name = carrier.trim();
  if (!CARRIER_TEXT.test(name)) throw badInput('carrier must be 1 to 64 characters', fields.carrier);
  const tracking = trackingNumber.trim();
  if (!TRACKING_NUMBER.test(tracking)) throw badInput('The tracking number must be 6 to 40 letters, digits or dashes', fields.tracking);
  return { name, tracking };
}

/** The carrier of the list that `text` names (code, name or alias); BAD_USER_INPUT (reason UNKNOWN_CARRIER) otherwise. */
export async function carrierOf(db: Knex, text: string, field = 'carrier'): Promise<CarrierRow> {
  const carrier = await findCarrier(db, text.trim());
  if (!carrier) throw shopError('BAD_USER_INPUT', `Unknown carrier "${text.trim()}": use a code of the carrier list (carriers)`, { field, reason: 'UNKNOWN_CARRIER' });
  return carrier;
}

/** Lines of a parcel: SKUs of the order, each once, 1 .. the quantity ordered. */
export async function checkLines(context: OrderContext, orderId: string, lines: readonly ShipmentLine[] | null | undefined): Promise<ShipmentLine[] | null> {
  if (!lines?.length) return null;
  if (lines.length > MAX_LINES) throw badInput(`At most ${MAX_LINES} lines`, 'lines');
  const ordered = new Map((await context.loaders.itemsByOrder.load(orderId)).map((item) => [String(item.sku_id), item.quantity]));
  const seen = new Set<string>();
  for (const line of lines) {
    const max = ordered.get(line.skuId);
    if (max === undefined || seen.has(line.skuId)) throw badInput(`SKU ${line.skuId} is not in this order (or listed twice)`, 'lines');
    if (!Number.isInteger(line.quantity) || line.quantity < 1 || line.quantity > max) throw badInput(`Between 1 and ${max} of SKU ${line.skuId}`, 'lines');
    seen.add(line.skuId);
  }
  return lines.map((line) => ({ skuId: line.skuId, quantity: line.quantity }));
}

const trackingTaken = () =>
  shopError('CONFLICT', 'This order already has a shipment with this carrier’s tracking number', { reason: 'TRACKING_NUMBER_TAKEN' });

/** Inserts the shipment, publishes OrderShipped and schedules its tracking subscription, inside `trx`. */
export async function recordShipment(trx: Knex, context: Pick<OrderContext, 'config'>, shipment: NewShipment, userId: string): Promise<ShipmentRow> {
  let row: ShipmentRow;
  try {
    // A savepoint: the unique violation must not abort the caller's transaction before it can answer CONFLICT.
    row = await trx.transaction((sp) => insertShipment(sp, shipment));
  } catch (error) {
    if ((error as { code?: string }).code === '23505') throw trackingTaken();
    throw error;
  }
  await appendOrderShipped(trx, row, userId);
  await scheduleTrackingSubscription(trx, context.config.logistics, row);
  return row;
}

/** Staff with order:write: PAID → SHIPPED with the carrier and tracking number the shopper then sees, as a shipment. */
export async function shipOrder(
  context: OrderContext,
  id: string,
  carrier: string,
  trackingNo: string,
  lines?: readonly ShipmentLine[] | null,
): Promise<OrderRow> {
  const staffId = requireScope(context, 'order:write');
  const { name, tracking } = checkShipmentText(carrier, trackingNo);
  const current = await visibleOrder(context, id);
  assertGoodsOrder(current);
  const known = await carrierOf(context.db, name);
  const parcel = await checkLines(context, current.id, lines);
  // The receipt timer starts with the shipment (durable job, same transaction): SHIPPED confirms itself.
  const { order, shipment } = await context.db.transaction(async (trx) => {
    const row = await transition(trx, {
      orderId: current.id,
      from: ['PAID'],
      to: 'SHIPPED',
      actor: actors.staff(staffId),
      reason: `shipped with ${known.name} ${tracking}`,
      changes: { shipped_at: new Date(), carrier: known.name, tracking_no: tracking },
    });
    await scheduleAutoConfirm(trx, context.config.order, row);
    const created = await recordShipment(trx, context, { orderId: row.id, kind: 'OUTBOUND', carrierCode: known.code, trackingNumber: tracking, lines: parcel, createdBy: actors.staff(staffId) }, row.user_id);
    return { order: row, shipment: created };
  });
  subscribeNow(context.holds, context.config.logistics, shipment);
  context.loaders.forgetOrder(order.id, order);
  context.loaders.shipmentsByOrder.clear(order.id);
  return order;
}

/**
 * Staff with order:write: one more parcel of an order. A PAID order becomes SHIPPED with its first parcel (as with
 * shipOrder); a SHIPPED one just gains the parcel. Other statuses: CONFLICT.
 */
export async function addShipment(
  context: OrderContext,
  input: { orderId: string; carrierCode: string; trackingNumber: string; lines?: readonly ShipmentLine[] | null },
): Promise<ShipmentRow> {
  const staffId = requireScope(context, 'order:write');
  const { name, tracking } = checkShipmentText(input.carrierCode, input.trackingNumber, { carrier: 'carrierCode', tracking: 'trackingNumber' });
  const current = await visibleOrder(context, input.orderId);
  assertGoodsOrder(current);
  const known = await carrierOf(context.db, name, 'carrierCode');
  const parcel = await checkLines(context, current.id, input.lines);
  const shipment = await context.db.transaction(async (trx) => {
    const order = await trx<OrderRow>('orders').where({ id: current.id }).forUpdate().first();
    if (!order) throw notFound('No such order');
    let row = order;
    if (order.status === 'PAID') {
      row = await transition(trx, {
        orderId: order.id,
        from: ['PAID'],
        to: 'SHIPPED',
        actor: actors.staff(staffId),
        reason: `shipped with ${known.name} ${tracking}`,
        changes: { shipped_at: new Date(), carrier: known.name, tracking_no: tracking },
      });
      await scheduleAutoConfirm(trx, context.config.order, row);
    } else if (order.status !== 'SHIPPED') {
      throw shopError('CONFLICT', `Order ${order.id} is ${order.status}: only paid or shipped orders get parcels`, { currentStatus: order.status });
    }
    const created = await recordShipment(trx, context, { orderId: order.id, kind: 'OUTBOUND', carrierCode: known.code, trackingNumber: tracking, lines: parcel, createdBy: actors.staff(staffId) }, order.user_id);
    return { created, row };
  });
  subscribeNow(context.holds, context.config.logistics, shipment.created);
  context.loaders.forgetOrder(current.id, shipment.row);
  context.loaders.shipmentsByOrder.clear(current.id);
  return shipment.created;
}

const STAFF_STATUSES: readonly ShipmentStatus[] = ['COLLECTED', 'IN_TRANSIT', 'DISPATCHING', 'DELIVERED', 'TROUBLE', 'RETURNING', 'RETURNED', 'REJECTED', 'TRANSFERRED', 'CUSTOMS'];

/** Staff with order:write: a tracking event entered by hand (e.g. a carrier without pushes), merged like a push. */
export async function addShipmentEvent(
  context: OrderContext,
  input: { shipmentId: string; at?: string | null; status: ShipmentStatus; description: string; location?: string | null },
): Promise<ShipmentRow> {
  requireScope(context, 'order:write');
  const at = input.at ? new Date(input.at) : new Date();
  if (Number.isNaN(at.getTime()) || at.getTime() > Date.now() + 5 * 60_000) throw badInput('at must be an ISO 8601 time, not in the future', 'at');
  const description = input.description.replace(/\u0000/g, '').trim();
  if (!description || description.length > 500) throw badInput('description must be 1 to 500 characters', 'description');
  const location = input.location?.replace(/\u0000/g, '').trim() || null;
  if (location && location.length > 200) throw badInput('location may have at most 200 characters', 'location');
  if (!STAFF_STATUSES.includes(input.status)) throw badInput('Not a status staff can report', 'status');
  if (!isBigintId(input.shipmentId)) throw notFound('No such shipment');
  const merged = await context.db.transaction(async (trx) => {
    const shipment = await lockShipment(trx, input.shipmentId);
    if (!shipment) throw notFound('No such shipment');
    await mergeTracking(trx, shipment, { events: [{ at, status: input.status, description, location }], status: null }, 'STAFF');
    return shipment;
  });
  context.loaders.shipmentsByOrder.clear(merged.order_id);
  context.loaders.eventsByShipment.clear(merged.id);
  return (await findShipment(context.db, merged.id))!;
}
