/**
 * Merging tracking events into a shipment, whoever reports them (a verified carrier push or staff), under the
 * shipment's row lock, in the caller's transaction:
 *
 * - Events are stored once per (time, description): a replayed push, and the whole history Kuaidi100 repeats in each
 *   push, add nothing (unique index, ON CONFLICT DO NOTHING).
 * - The shipment's status follows the newest report by event time. A report whose newest event is older than the
 *   newest known (an out-of-order push) adds its events to the history but does not move the status.
 * - DELIVERED is terminal against reports of the same age (a replay, a second report of the delivery time), but an
 *   event strictly newer than the delivery may move it on (a parcel signed, then refused and returned: 签收 → 退签).
 * - The first time a shipment becomes DELIVERED, `delivered_at` is set and ShipmentDelivered is published (once,
 *   ever: a later un-delivery and re-delivery does not publish again). A delivered exchange replacement completes
 *   its after-sales request.
 */
import type { Knex } from 'knex';
import { advanceAfterSale } from './data/after-sales';
import type { OrderRow } from './data/orders';
import { insertNewEvents, updateShipment, type NewShipmentEvent, type ShipmentChanges, type ShipmentRow, type ShipmentStatus } from './data/shipments';
import { appendShipmentDelivered } from './logistics-events';

export interface TrackingReport {
  events: NewShipmentEvent[];
  /** The reporter's status for the shipment as of its newest event (Kuaidi100 `lastResult.state`); else the newest event's. */
  status: ShipmentStatus | null;
  /** Why tracking stopped (Kuaidi100 abort), stored as given. */
  note?: string | null;
}

export interface MergeResult {
  inserted: number;
  /** The status after the merge. */
  status: ShipmentStatus;
  /** Whether this merge moved the status. */
  moved: boolean;
  deliveredNow: boolean;
}

const newest = (events: readonly NewShipmentEvent[]) =>
  events.reduce<NewShipmentEvent | null>((best, e) => (!best || e.at.getTime() > best.at.getTime() ? e : best), null);

export async function mergeTracking(trx: Knex, shipment: ShipmentRow, report: TrackingReport, source: 'CARRIER' | 'STAFF'): Promise<MergeResult> {
  const inserted = await insertNewEvents(trx, shipment.id, source, report.events);
  const top = newest(report.events);
  const changes: ShipmentChanges = {};
  if (report.note !== undefined && report.note !== shipment.tracking_note) changes.tracking_note = report.note;
  let status = shipment.status;
  let deliveredNow = false;
  if (top) {
    const known = shipment.latest_event_at?.getTime() ?? -Infinity;
    const at = top.at.getTime();
    const reported = report.status ?? top.status;
    const newer = at > known;
    const sameAge = at === known && shipment.status !== 'DELIVERED';
    if ((newer || sameAge) && reported) status = reported;
    if (newer) changes.latest_event_at = top.at;
    if (status === 'DELIVERED' && !shipment.delivered_at) {
      // The delivery time is the newest signed event's, else the report's newest.
      const signed = newest(report.events.filter((e) => e.status === 'DELIVERED')) ?? top;
      changes.delivered_at = signed.at;
      deliveredNow = true;
    }
  }
  const moved = status !== shipment.status;
  if (moved) changes.status = status;
  if (Object.keys(changes).length) await updateShipment(trx, shipment.id, changes);
  if (deliveredNow) {
    const order = await trx<OrderRow>('orders').where({ id: shipment.order_id }).first('user_id');
    await appendShipmentDelivered(trx, shipment, order!.user_id, changes.delivered_at!);
    if (shipment.kind === 'EXCHANGE' && shipment.after_sale_id) {
      await advanceAfterSale(trx, shipment.after_sale_id, ['REPLACEMENT_SHIPPED'], 'COMPLETED');
    }
  }
  return { inserted: inserted.length, status, moved, deliveredNow };
}
