/** Thin resolvers of logistics (shipments, tracking, carriers, return addresses, exchanges); rules live in their modules. */
import { isBigintId } from '../../platform/loaders';
import { canSee } from './access';
import type { OrderContext } from './context';
import type { AfterSaleRow, ReturnAddressSnapshot } from './data/after-sales';
import type { OrderRow } from './data/orders';
import type { ReturnAddressRow } from './data/return-addresses';
import { findShipment, listCarriers, type ShipmentEventRow, type ShipmentLine, type ShipmentRow } from './data/shipments';
import { allCarriers, createCarrier, updateCarrier } from './carrier-admin';
import { markReturnReceived, requestExchange, shipExchangeReplacement, submitReturnShipment } from './exchanges';
import type { Resolvers } from './generated/resolvers-types';
import { createReturnAddress, deleteReturnAddress, returnAddresses, updateReturnAddress } from './return-addresses';
import { addShipment, addShipmentEvent } from './shipments';

const iso = (value: Date | null) => (value ? value.toISOString() : null);

export const logisticsResolvers: Resolvers = {
  Query: {
    carriers: (_parent, _args, context) => listCarriers(context.db),
    allCarriers: (_parent, _args, context) => allCarriers(context),
    returnAddresses: (_parent, _args, context) => returnAddresses(context),
    async shipment(_parent, { id }, context) {
      if (!context.identity.userId && !context.identity.service) return null;
      const shipment = isBigintId(id) ? await findShipment(context.db, id) : undefined;
      if (!shipment) return null;
      const order = await context.loaders.orderById.load(String(shipment.order_id));
      return order && canSee(order, context.identity) ? shipment : null;
    },
  },
  Mutation: {
    addShipment: (_parent, { input }, context) => addShipment(context, input),
    addShipmentEvent: (_parent, { input }, context) => addShipmentEvent(context, input),
    requestExchange: (_parent, { input }, context) => requestExchange(context, input),
    submitReturnShipment: (_parent, { input }, context) => submitReturnShipment(context, input),
    markReturnReceived: (_parent, { id, restock }, context) => markReturnReceived(context, id, restock),
    createCarrier: (_parent, { input }, context) => createCarrier(context, input),
    updateCarrier: (_parent, { code, input }, context) => updateCarrier(context, code, input),
    shipExchangeReplacement: (_parent, { input }, context) => shipExchangeReplacement(context, input),
    createReturnAddress: (_parent, { input }, context) => createReturnAddress(context, input),
    updateReturnAddress: (_parent, { id, input }, context) => updateReturnAddress(context, id, input),
    deleteReturnAddress: (_parent, { id }, context) => deleteReturnAddress(context, id),
  },
  Order: {
    shipments: (order: OrderRow, _args, context) => context.loaders.shipmentsByOrder.load(String(order.id)),
  },
  Shipment: {
    id: (shipment: ShipmentRow) => String(shipment.id),
    carrier: (shipment: ShipmentRow) => ({ code: shipment.carrier_code, name: shipment.carrier_name }),
    trackingNumber: (shipment: ShipmentRow) => shipment.tracking_number,
    status: (shipment: ShipmentRow) => shipment.status as never,
    shippedAt: (shipment: ShipmentRow) => shipment.shipped_at.toISOString(),
    deliveredAt: (shipment: ShipmentRow) => iso(shipment.delivered_at),
    trackingNote: (shipment: ShipmentRow) => shipment.tracking_note,
    events: (shipment: ShipmentRow, _args, context: OrderContext) => context.loaders.eventsByShipment.load(String(shipment.id)),
    afterSaleId: (shipment: ShipmentRow) => (shipment.after_sale_id ? String(shipment.after_sale_id) : null),
  },
  ShipmentLine: {
    sku: (line: ShipmentLine) => ({ __typename: 'Sku', id: line.skuId }),
  },
  ShipmentEvent: {
    at: (event: ShipmentEventRow) => event.at.toISOString(),
    status: (event: ShipmentEventRow) => event.status as never,
  },
  ReturnAddress: {
    contactName: (row: ReturnAddressRow) => row.contact_name,
    isDefault: (row: ReturnAddressRow) => row.is_default,
  },
  ReturnAddressCopy: {
    contactName: (copy: ReturnAddressSnapshot) => copy.contactName,
  },
  AfterSale: {
    kind: (request: AfterSaleRow) => request.kind,
    photos: (request: AfterSaleRow) => request.photos ?? [],
    replacementSku: (request: AfterSaleRow) => (request.replacement_sku_id ? { __typename: 'Sku', id: String(request.replacement_sku_id) } : null),
    returnAddress: (request: AfterSaleRow) => request.return_address,
    returnShipment: async (request: AfterSaleRow, _args, context) =>
      (await context.loaders.shipmentsByAfterSale.load(String(request.id))).find((s) => s.kind === 'RETURN') ?? null,
    replacementShipment: async (request: AfterSaleRow, _args, context) =>
      (await context.loaders.shipmentsByAfterSale.load(String(request.id))).find((s) => s.kind === 'EXCHANGE') ?? null,
    receivedAt: (request: AfterSaleRow) => iso(request.received_at),
    returnRestocked: (request: AfterSaleRow) => request.return_restock,
  },
};

/** The subgraph's resolver map with these merged in, type by type. */
export function withLogistics(base: Resolvers): Resolvers {
  const merged: Record<string, unknown> = { ...base };
  for (const [type, fields] of Object.entries(logisticsResolvers)) {
    merged[type] = { ...((base as Record<string, object | undefined>)[type] ?? {}), ...(fields as object) };
  }
  return merged as Resolvers;
}
