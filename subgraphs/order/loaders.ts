/**
 * Per-request loaders: a page of orders with their items, history and after-sales costs one statement per
 * table, whatever the number of orders.
 */
import DataLoader from 'dataloader';
import type { Knex } from 'knex';
import { byIds, groupedBy } from '../../platform/loaders';
import { findAfterSalesByOrderIds, type AfterSaleRow } from './data/after-sales';
import { findItemsByOrderIds, type OrderItemRow } from './data/order-items';
import { findOrdersByIds, type OrderRow } from './data/orders';
import { findRefundsByOrderIds, type OrderRefundRow } from './data/refunds';
import { findHistoryByOrderIds, type StatusHistoryRow } from './data/status-history';
import { findEventsByShipmentIds, findShipmentsByAfterSaleIds, findShipmentsByOrderIds, type ShipmentEventRow, type ShipmentRow } from './data/shipments';

export function createOrderLoaders(db: Knex) {
  const orderById = new DataLoader<string, OrderRow | null>(byIds((ids) => findOrdersByIds(db, ids)));
  const itemsByOrder = new DataLoader<string, OrderItemRow[]>(groupedBy((row) => row.order_id, (ids) => findItemsByOrderIds(db, ids)));
  const historyByOrder = new DataLoader<string, StatusHistoryRow[]>(
    groupedBy((row) => row.order_id, (ids) => findHistoryByOrderIds(db, ids)),
  );
  const afterSalesByOrder = new DataLoader<string, AfterSaleRow[]>(
    groupedBy((row) => row.order_id, (ids) => findAfterSalesByOrderIds(db, ids)),
  );
  const refundsByOrder = new DataLoader<string, OrderRefundRow[]>(groupedBy((row) => row.order_id, (ids) => findRefundsByOrderIds(db, ids)));
  // Shipments (with their carrier's name) and tracking events: one statement each for a whole page of orders.
  const shipmentsByOrder = new DataLoader<string, ShipmentRow[]>(groupedBy((row) => String(row.order_id), (ids) => findShipmentsByOrderIds(db, ids)));
  const shipmentsByAfterSale = new DataLoader<string, ShipmentRow[]>(
    groupedBy((row) => String(row.after_sale_id), (ids) => findShipmentsByAfterSaleIds(db, ids)),
  );
  const eventsByShipment = new DataLoader<string, ShipmentEventRow[]>(groupedBy((row) => String(row.shipment_id), (ids) => findEventsByShipmentIds(db, ids)));
  return {
    orderById,
    shipmentsByOrder,
    shipmentsByAfterSale,
    eventsByShipment,
    refundsByOrder,
    itemsByOrder,
    historyByOrder,
    afterSalesByOrder,
    /** Rows listed by a query are already loaded: later `order(id)` / references in the request reuse them. */
    primeOrders(rows: readonly OrderRow[]) {
      for (const row of rows) orderById.prime(row.id, row);
    },
    /** After a status change: the fresh row, and the history is read again. */
    forgetOrder(id: string, row?: OrderRow) {
      orderById.clear(id);
      if (row) orderById.prime(id, row);
      historyByOrder.clear(id);
      refundsByOrder.clear(id);
    },
  };
}
export type OrderLoaders = ReturnType<typeof createOrderLoaders>;
