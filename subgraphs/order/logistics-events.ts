/**
 * Events of shipments and after-sales decisions on the order stream (`shop.order.order`), appended to the outbox in the
 * transaction that made the change (contract in docs/logistics.md and docs/events.md):
 *   OrderShipped       {orderId, userId, shipmentId, carrierCode, carrierName, trackingNumber, shippedAt, kind}
 *   ShipmentDelivered  {orderId, userId, shipmentId, deliveredAt, kind}
 *   AfterSalesDecided  {orderId, userId, requestId, kind, decision, refundAmount}
 * `kind` on the shipment events is an addition to the contract (OUTBOUND or EXCHANGE; return parcels publish neither).
 */
import type { Knex } from 'knex';
import { appendEvent } from '../../platform/events';
import type { AfterSaleRow } from './data/after-sales';
import type { ShipmentRow } from './data/shipments';
import { ORDER_STREAM } from './events';

export const ORDER_SHIPPED = 'OrderShipped';
export const SHIPMENT_DELIVERED = 'ShipmentDelivered';
export const AFTER_SALES_DECIDED = 'AfterSalesDecided';

export interface OrderShippedPayload {
  orderId: string;
  userId: string;
  shipmentId: string;
  carrierCode: string;
  carrierName: string;
  trackingNumber: string;
  shippedAt: string;
  kind: 'OUTBOUND' | 'EXCHANGE';
}

export interface ShipmentDeliveredPayload {
  orderId: string;
  userId: string;
  shipmentId: string;
  deliveredAt: string;
  kind: 'OUTBOUND' | 'EXCHANGE';
}

export interface AfterSalesDecidedPayload {
  orderId: string;
  userId: string;
  requestId: string;
  kind: 'REFUND' | 'EXCHANGE';
  decision: 'APPROVED' | 'REJECTED';
  /** Fen paid back on approval of a refund; 0 for exchanges and rejections. */
  refundAmount: number;
}

/** Shipments the shopper receives (the order's goods, an exchange's replacement) are published; return parcels are not. */
const published = (shipment: ShipmentRow): shipment is ShipmentRow & { kind: 'OUTBOUND' | 'EXCHANGE' } => shipment.kind !== 'RETURN';

export async function appendOrderShipped(trx: Knex, shipment: ShipmentRow, userId: string): Promise<void> {
  if (!published(shipment)) return;
  const payload: OrderShippedPayload = {
    orderId: String(shipment.order_id),
    userId: String(userId),
    shipmentId: String(shipment.id),
    carrierCode: shipment.carrier_code,
    carrierName: shipment.carrier_name,
    trackingNumber: shipment.tracking_number,
    shippedAt: shipment.shipped_at.toISOString(),
    kind: shipment.kind,
  };
  await appendEvent(trx, { stream: ORDER_STREAM, type: ORDER_SHIPPED, aggregateId: shipment.order_id, payload });
}

export async function appendShipmentDelivered(trx: Knex, shipment: ShipmentRow, userId: string, deliveredAt: Date): Promise<void> {
  if (!published(shipment)) return;
  const payload: ShipmentDeliveredPayload = {
    orderId: String(shipment.order_id),
    userId: String(userId),
    shipmentId: String(shipment.id),
    deliveredAt: deliveredAt.toISOString(),
    kind: shipment.kind,
  };
  await appendEvent(trx, { stream: ORDER_STREAM, type: SHIPMENT_DELIVERED, aggregateId: shipment.order_id, payload });
}

export async function appendAfterSalesDecided(trx: Knex, request: AfterSaleRow, decision: 'APPROVED' | 'REJECTED'): Promise<void> {
  const payload: AfterSalesDecidedPayload = {
    orderId: String(request.order_id),
    userId: String(request.user_id),
    requestId: String(request.id),
    kind: request.kind,
    decision,
    refundAmount: decision === 'APPROVED' && request.kind === 'REFUND' ? request.amount : 0,
  };
  await appendEvent(trx, { stream: ORDER_STREAM, type: AFTER_SALES_DECIDED, aggregateId: request.order_id, payload });
}
