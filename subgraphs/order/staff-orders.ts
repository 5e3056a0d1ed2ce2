/**
 * The operations console's order reads for staff with order:write (docs/console.md): searching every shopper's
 * orders, and today's orders and sales per hour (China time).
 */
import { requireScope } from '../../platform/context';
import { pageRequest, toConnection } from '../../platform/connection';
import { badInput } from '../../platform/errors';
import { isBigintId } from '../../platform/loaders';
import { DAY_MS, shanghaiDate, shanghaiDayStart } from '../../platform/shanghai-time';
import type { OrderContext } from './context';
import type { StoredOrderStatus } from './data/orders';
import { hourFigures, refundedBetween, searchOrders, type StaffOrderSearch } from './data/staff-orders';

export interface StaffOrderFilterInput {
  orderNo?: string | null;
  shopperId?: string | null;
  status?: StoredOrderStatus | null;
  createdFrom?: string | null;
  createdTo?: string | null;
}

function instant(value: string, field: string): Date {
  const at = new Date(value);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(value) || Number.isNaN(at.getTime())) throw badInput(`${field} must be an ISO 8601 time`, field);
  return at;
}

export async function staffOrders(context: OrderContext, filter: StaffOrderFilterInput | null | undefined, args: { first?: number | null; after?: string | null }) {
  requireScope(context, 'order:write');
  const page = pageRequest('staff-order', args, context.config.maxPageSize);
  const search: StaffOrderSearch = {};
  const orderNo = filter?.orderNo?.trim();
  if (orderNo) {
    if (orderNo.length > 32) throw badInput('orderNo is at most 32 characters', 'orderNo');
    search.orderNo = orderNo;
  }
  if (filter?.shopperId) {
    if (!isBigintId(filter.shopperId)) throw badInput('shopperId is not a user id', 'shopperId');
    search.userId = filter.shopperId;
  }
  if (filter?.status) search.status = filter.status;
  if (filter?.createdFrom) search.createdFrom = instant(filter.createdFrom, 'createdFrom');
  if (filter?.createdTo) search.createdTo = instant(filter.createdTo, 'createdTo');
  const rows = await searchOrders(context.db, search, page);
  context.loaders.primeOrders(rows);
  return toConnection('staff-order', rows, page);
}

export async function orderSalesToday(context: OrderContext, now: number = Date.now()) {
  requireScope(context, 'order:write');
  const date = shanghaiDate(now);
  const from = shanghaiDayStart(date);
  const [rows, refunded] = await Promise.all([hourFigures(context.db, from), refundedBetween(context.db, from, new Date(from.getTime() + DAY_MS))]);
  const byHour = new Map(rows.map((row) => [row.hour, row]));
  const hours = Array.from({ length: 24 }, (_, hour) => ({ hour, orders: byHour.get(hour)?.orders ?? 0, sales: byHour.get(hour)?.sales ?? 0 }));
  return {
    date,
    orders: rows.reduce((sum, row) => sum + row.orders, 0),
    paidOrders: rows.reduce((sum, row) => sum + row.paid_orders, 0),
    sales: rows.reduce((sum, row) => sum + row.sales, 0),
    refunded,
    hours,
  };
}
