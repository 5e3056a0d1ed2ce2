/**
 * The back office's statistics (经营统计概览, 销售统计列表; docs/back-office.md): a read model per store and Shanghai day,
 * kept by idempotent consumers of the owners' events — order's `shop.order.order` (OrderPlaced, OrderStatusChanged,
 * OrderCompleted) and promote's `shop.promote.coupon` (CouponRedeemedAtStore). Each effect runs in the transaction
 * that records the event as processed (platform/events), so a redelivered event never counts twice.
 *
 * What the data says, honestly: online orders are not placed at a store, so they count under the store code ONLINE
 * (the online shop as its own store); a physical store's figures today are its coupon redemptions. Sales per SKU come
 * from completed orders (OrderCompleted lists the lines, without prices: units and orders, not money).
 */
import type { Knex } from 'knex';
import type { EventConsumerSpec, EventEnvelope } from '../../platform/events';
import { addDays, shanghaiDate } from '../../platform/shanghai-time';
import { badInput } from '../../platform/errors';
import { addSkuSales, addToDay, findDays, findOrder, findSkuSales, rememberOrder, type DayRow } from './data/store-stats';

export const ONLINE_STORE = 'ONLINE';
const ORDER_STREAM = 'shop.order.order';
const COUPON_STREAM = 'shop.promote.coupon';

interface OrderPlaced {
  orderId: string;
  total: number;
}
interface OrderStatusChanged {
  orderId: string;
  to: string;
  at: string;
}
interface OrderCompleted {
  orderId: string;
  completedAt: string;
  lines: { productId: string; skuId: string; quantity: number }[];
}
interface CouponRedeemedAtStore {
  storeCode: string;
  amount: number;
  redeemedAt: string;
}

async function onOrderEvent(event: EventEnvelope<unknown>, trx: Knex.Transaction): Promise<void> {
  if (event.type === 'OrderPlaced') {
    const { orderId, total } = event.payload as OrderPlaced;
    const placedAt = new Date(event.occurredAt);
    await rememberOrder(trx, { order_id: String(orderId), store_code: ONLINE_STORE, total, placed_at: placedAt });
    await addToDay(trx, ONLINE_STORE, shanghaiDate(placedAt), { orders_placed: 1 });
  } else if (event.type === 'OrderStatusChanged') {
    const { orderId, to, at } = event.payload as OrderStatusChanged;
    const order = await findOrder(trx, String(orderId));
    const day = shanghaiDate(new Date(at));
    const store = order?.store_code ?? ONLINE_STORE;
    // An order placed before this read model existed has no known total: it counts, with amount 0.
    const total = Number(order?.total ?? 0);
    if (to === 'PAID') await addToDay(trx, store, day, { orders_paid: 1, sales_amount: total });
    else if (to === 'CANCELLED') await addToDay(trx, store, day, { orders_cancelled: 1 });
    else if (to === 'REFUNDED') await addToDay(trx, store, day, { orders_refunded: 1, refunded_amount: total });
  } else if (event.type === 'OrderCompleted') {
    const { completedAt, lines } = event.payload as OrderCompleted;
    await addSkuSales(
      trx,
      ONLINE_STORE,
      shanghaiDate(new Date(completedAt)),
      lines.map((line) => ({ skuId: String(line.skuId), productId: String(line.productId), quantity: line.quantity })),
    );
  }
}

/** The consumers (group user; names of their own in processed_events). */
export function storeStatsConsumers(): EventConsumerSpec[] {
  return [
    { stream: ORDER_STREAM, types: ['OrderPlaced', 'OrderStatusChanged', 'OrderCompleted'], name: 'store-stats', effect: onOrderEvent },
    {
      stream: COUPON_STREAM,
      types: ['CouponRedeemedAtStore'],
      name: 'store-stats-coupons',
      effect: async (event, trx) => {
        const { storeCode, amount, redeemedAt } = event.payload as CouponRedeemedAtStore;
        await addToDay(trx, storeCode, shanghaiDate(new Date(redeemedAt)), { coupons_redeemed: 1, coupon_amount: amount });
      },
    },
  ];
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const MAX_DAYS = 366;

/** Validates a period of Shanghai dates (inclusive, at most 366 days). */
export function period(from: string, to: string): { from: string; to: string } {
  if (!DATE.test(from) || Number.isNaN(Date.parse(from))) throw badInput('from is a date like 2026-12-01', 'from');
  if (!DATE.test(to) || Number.isNaN(Date.parse(to))) throw badInput('to is a date like 2026-12-31', 'to');
  if (to < from) throw badInput('to must not be before from', 'to');
  if (addDays(from, MAX_DAYS - 1) < to) throw badInput(`A period is at most ${MAX_DAYS} days`, 'to');
  return { from, to };
}

export interface OverviewView {
  storeCode: string | null;
  from: string;
  to: string;
  totals: DayView;
  days: DayView[];
}

export interface DayView {
  day: string;
  ordersPlaced: number;
  ordersPaid: number;
  salesAmount: number;
  ordersCancelled: number;
  ordersRefunded: number;
  refundedAmount: number;
  couponsRedeemed: number;
  couponAmount: number;
}

const toView = (row: DayRow): DayView => ({
  day: row.day,
  ordersPlaced: row.orders_placed,
  ordersPaid: row.orders_paid,
  salesAmount: Number(row.sales_amount),
  ordersCancelled: row.orders_cancelled,
  ordersRefunded: row.orders_refunded,
  refundedAmount: Number(row.refunded_amount),
  couponsRedeemed: row.coupons_redeemed,
  couponAmount: Number(row.coupon_amount),
});

/** 经营统计概览: per day (every day of the period, zeros included) and the period's totals; stores summed. */
export async function overview(db: Knex, storeCodes: string[] | null, storeCode: string | null, range: { from: string; to: string }): Promise<OverviewView> {
  const rows = (await findDays(db, storeCodes, range.from, range.to)).map(toView);
  const days: DayView[] = [];
  for (let day = range.from; day <= range.to; day = addDays(day, 1)) {
    const views = rows.filter((row) => row.day === day);
    days.push(sum(day, views));
  }
  return { storeCode, from: range.from, to: range.to, totals: sum(`${range.from}..${range.to}`, days), days };
}

function sum(day: string, views: DayView[]): DayView {
  const total: DayView = { day, ordersPlaced: 0, ordersPaid: 0, salesAmount: 0, ordersCancelled: 0, ordersRefunded: 0, refundedAmount: 0, couponsRedeemed: 0, couponAmount: 0 };
  for (const view of views) {
    for (const key of Object.keys(total) as (keyof DayView)[]) if (key !== 'day') (total[key] as number) += view[key] as number;
  }
  return total;
}

/** 销售统计列表: units per SKU over the period, best sellers first (at most `limit`). */
export async function skuSales(db: Knex, storeCode: string, range: { from: string; to: string }, limit: number) {
  return (await findSkuSales(db, storeCode, range.from, range.to, limit)).map((row) => ({
    skuId: String(row.sku_id),
    productId: String(row.product_id),
    quantity: row.quantity,
    orders: row.orders,
  }));
}
