/**
 * Resolvers of subscription orders and packages (docs/subscriptions-purchase.md): thin — the rules are in
 * subscriptions.ts and subscription-jobs.ts, reads in data/subscriptions.ts through per-request loaders.
 */
import { badInput } from '../../platform/errors';
import { isBigintId } from '../../platform/loaders';
import { isOrderStaff } from './access';
import type { OrderContext } from './context';
import type { OrderRow } from './data/orders';
import { findPackagePage, type PackageRow, type PackageStatus, type SubscriptionRow } from './data/subscriptions';
import type { Resolvers } from './generated/resolvers-types';
import { subscriptionLoaders } from './subscription-loaders';
import { reportPackageErpStatus, updateSubscriptionDelivery, updateSubscriptionPackage } from './subscription-edits';
import { cancelSubscription, confirmPackageReceipt, createSubscriptionOrder, requirePackageStaff, shipSubscriptionPackage, SUBSCRIPTION_ERP, visiblePackage } from './subscriptions';

const iso = (value: Date | null) => (value ? new Date(value).toISOString() : null);
const DAY = /^\d{4}-\d{2}-\d{2}$/;

const cursorOf = (row: PackageRow) => Buffer.from(`SubscriptionPackage:${row.due_date}:${row.id}`).toString('base64url');
function afterOf(cursor: string | null | undefined): { dueDate: string; id: string } | undefined {
  if (cursor === null || cursor === undefined) return undefined;
  const [kind, dueDate, id, extra] = Buffer.from(cursor, 'base64url').toString('utf8').split(':');
  if (kind !== 'SubscriptionPackage' || !DAY.test(dueDate ?? '') || !isBigintId(id) || extra !== undefined) throw badInput('after is not a cursor of this list', 'after');
  return { dueDate, id };
}
function day(value: string | null | undefined, field: string): string | undefined {
  if (value === null || value === undefined) return undefined;
  if (!DAY.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`))) throw badInput(`${field} must be a date, YYYY-MM-DD`, field);
  return value;
}

export const subscriptionResolvers: Resolvers = {
  Query: {
    async subscriptionPackage(_parent, { id }, context) {
      return visiblePackage(context, id).catch((error) => {
        if (error.extensions?.code === 'NOT_FOUND') return null;
        throw error;
      });
    },
    async subscriptionPackages(_parent, args, context) {
      requirePackageStaff(context);
      const size = args.first ?? 20;
      if (!Number.isInteger(size) || size < 1 || size > context.config.maxPageSize) throw badInput(`first must be between 1 and ${context.config.maxPageSize}`, 'first');
      const rows = await findPackagePage(context.db, {
        status: (args.status ?? undefined) as PackageStatus | undefined,
        from: day(args.dueFrom, 'dueFrom'),
        to: day(args.dueTo, 'dueTo'),
        after: afterOf(args.after),
        limit: size + 1,
      });
      const edges = rows.slice(0, size).map((node) => ({ cursor: cursorOf(node), node }));
      return {
        edges,
        pageInfo: { hasNextPage: rows.length > size, hasPreviousPage: Boolean(args.after), startCursor: edges[0]?.cursor ?? null, endCursor: edges.at(-1)?.cursor ?? null },
      };
    },
  },
  Mutation: {
    createSubscriptionOrder: (_parent, { input }, context) => createSubscriptionOrder(context, input),
    cancelSubscription: (_parent, { orderId, reason }, context) => cancelSubscription(context, orderId, reason),
    shipSubscriptionPackage: (_parent, args, context) => shipSubscriptionPackage(context, args),
    confirmPackageReceipt: (_parent, { packageId }, context) => confirmPackageReceipt(context, packageId),
    updateSubscriptionDelivery: (_parent, { orderId, input }, context) => updateSubscriptionDelivery(context, orderId, input),
    updateSubscriptionPackage: (_parent, { packageId, input }, context) => updateSubscriptionPackage(context, packageId, input),
    reportPackageErpStatus: (_parent, { packageId, status, note }, context) => reportPackageErpStatus(context, packageId, status, note),
  },
  Order: {
    kind: (order: OrderRow) => order.kind ?? 'GOODS',
    subscription: async (order: OrderRow, _args, context) =>
      order.kind === 'SUBSCRIPTION' ? subscriptionLoaders(context).subscriptionByOrder.load(String(order.id)) : null,
  },
  OrderSubscription: {
    wares: (row: SubscriptionRow) => ({ __typename: 'SubscriptionWares', id: String(row.wares_id) }),
    quantityPerPeriod: (row: SubscriptionRow) => row.quantity_per_period,
    startDate: (row: SubscriptionRow) => row.start_date,
    cancelledAt: (row: SubscriptionRow) => iso(row.cancelled_at),
    packages: (row: SubscriptionRow, _args, context: OrderContext) => subscriptionLoaders(context).packagesByOrder.load(String(row.order_id)),
  },
  SubscriptionPackage: {
    id: (row: PackageRow) => String(row.id),
    order: async (row: PackageRow, _args, context: OrderContext) => (await context.loaders.orderById.load(String(row.order_id)))!,
    periodNo: (row: PackageRow) => row.period_no,
    dueDate: (row: PackageRow) => row.due_date,
    sku: (row: PackageRow) => ({ __typename: 'Sku', id: String(row.sku_id) }),
    // Why a package waits is for staff; the shopper sees FLAGGED only.
    flagReason: (row: PackageRow, _args, context: OrderContext) => (isOrderStaff(context.identity) || context.identity.scopes.includes(SUBSCRIPTION_ERP) || context.identity.service ? row.flag_reason : null),
    shipment: async (row: PackageRow, _args, context: OrderContext) =>
      row.shipment_id ? ((await context.loaders.shipmentsByOrder.load(String(row.order_id))).find((s) => String(s.id) === String(row.shipment_id)) ?? null) : null,
    shippedAt: (row: PackageRow) => iso(row.shipped_at),
    receivedAt: (row: PackageRow) => iso(row.received_at),
    deliveryAddress: async (row: PackageRow, _args, context: OrderContext) =>
      (row.delivery_address as OrderRow['shipping_address'] | null) ?? (await context.loaders.orderById.load(String(row.order_id)))?.shipping_address ?? null,
    deliveryNote: (row: PackageRow) => row.delivery_note,
    erpStatus: (row: PackageRow) => row.erp_status,
    erpNote: (row: PackageRow, _args, context: OrderContext) =>
      isOrderStaff(context.identity) || context.identity.scopes.includes(SUBSCRIPTION_ERP) || context.identity.service ? row.erp_note : null,
    erpStatusAt: (row: PackageRow) => iso(row.erp_status_at),
  },
};

/** The subgraph's resolver map with these merged in, type by type. */
export function withSubscriptions(base: Resolvers): Resolvers {
  const merged: Record<string, unknown> = { ...base };
  for (const [type, fields] of Object.entries(subscriptionResolvers)) {
    merged[type] = { ...((base as Record<string, object | undefined>)[type] ?? {}), ...(fields as object) };
  }
  return merged as Resolvers;
}
