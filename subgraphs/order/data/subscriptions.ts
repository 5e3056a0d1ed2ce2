/** Data access for subscriptions and their packages (docs/subscriptions-purchase.md). Knows knex, not GraphQL. */
import type { Knex } from 'knex';

export type SubscriptionCycle = 'WEEKLY' | 'MONTHLY';
export type PackageStatus = 'SCHEDULED' | 'FLAGGED' | 'TO_SHIP' | 'SHIPPED' | 'RECEIVED' | 'CANCELLED';
/** Packages whose goods have not left: a cancellation refunds their amounts. */
export const UNSHIPPED: readonly PackageStatus[] = ['SCHEDULED', 'FLAGGED', 'TO_SHIP'];

export interface SubscriptionRow {
  order_id: string;
  user_id: string;
  wares_id: string;
  product_id: string;
  sku_id: string;
  title: string;
  cycle: SubscriptionCycle;
  periods: number;
  quantity_per_period: number;
  /** YYYY-MM-DD (pg date parsed as text, see `DATE_AS_TEXT`). */
  start_date: string;
  cancelled_at: Date | null;
  cancelled_by: string | null;
  created_at: Date;
}

export interface PackageRow {
  id: string;
  order_id: string;
  user_id: string;
  period_no: number;
  due_date: string;
  sku_id: string;
  quantity: number;
  amount: number;
  status: PackageStatus;
  flag_reason: string | null;
  stock_key: string | null;
  shipment_id: string | null;
  shipped_at: Date | null;
  received_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

/** Dates are read as YYYY-MM-DD text (no time-zone shift through a JS Date). */
const PACKAGE_SELECT = `*, to_char(due_date, 'YYYY-MM-DD') AS due_date`;
const SUBSCRIPTION_SELECT = `*, to_char(start_date, 'YYYY-MM-DD') AS start_date`;

/**
 * A period's share of the total, in fen: total / periods rounded down, and the last period absorbs the remainder, so
 * the shares of all periods add up to the total exactly.
 */
export function periodAmount(total: number, periods: number, periodNo: number): number {
  const share = Math.floor(total / periods);
  return periodNo === periods ? total - share * (periods - 1) : share;
}

export async function insertSubscription(trx: Knex, row: Omit<SubscriptionRow, 'cancelled_at' | 'cancelled_by' | 'created_at'>): Promise<void> {
  await trx('subscriptions').insert(row);
}

export async function findSubscriptionsByOrderIds(db: Knex, orderIds: readonly string[]): Promise<SubscriptionRow[]> {
  return db('subscriptions').select(db.raw(SUBSCRIPTION_SELECT)).whereRaw('order_id = ANY(?::bigint[])', [[...orderIds]]);
}

export async function lockSubscription(trx: Knex, orderId: string): Promise<SubscriptionRow | undefined> {
  return trx('subscriptions').select(trx.raw(SUBSCRIPTION_SELECT)).where('order_id', orderId).forUpdate().first();
}

/**
 * Package `periodNo` of the subscription unless it exists (unique (order_id, period_no)): the due date is the start
 * date plus (periodNo - 1) weeks or months (PostgreSQL's month arithmetic: Jan 31 + 1 month = Feb 28/29). True when
 * this call created it.
 */
export async function insertPackageOnce(db: Knex, subscription: SubscriptionRow, total: number, periodNo: number): Promise<boolean> {
  const step = subscription.cycle === 'WEEKLY' ? '1 week' : '1 month';
  const result = await db.raw(
    `INSERT INTO subscription_packages (order_id, user_id, period_no, due_date, sku_id, quantity, amount)
     VALUES (?, ?, ?, (?::date + (? * ?::interval))::date, ?, ?, ?)
     ON CONFLICT (order_id, period_no) DO NOTHING`,
    [
      subscription.order_id,
      subscription.user_id,
      periodNo,
      subscription.start_date,
      periodNo - 1,
      step,
      subscription.sku_id,
      subscription.quantity_per_period,
      periodAmount(total, subscription.periods, periodNo),
    ],
  );
  return (result.rowCount ?? 0) > 0;
}

export async function findPackagesByOrderIds(db: Knex, orderIds: readonly string[]): Promise<PackageRow[]> {
  return db('subscription_packages')
    .select(db.raw(PACKAGE_SELECT))
    .whereRaw('order_id = ANY(?::bigint[])', [[...orderIds]])
    .orderBy([{ column: 'order_id' }, { column: 'period_no' }]);
}

export async function findPackage(db: Knex, id: string): Promise<PackageRow | undefined> {
  return db('subscription_packages').select(db.raw(PACKAGE_SELECT)).where('id', id).first();
}

export async function lockPackage(trx: Knex, id: string): Promise<PackageRow | undefined> {
  return trx('subscription_packages').select(trx.raw(PACKAGE_SELECT)).where('id', id).forUpdate().first();
}

export async function lockPackagesOfOrder(trx: Knex, orderId: string): Promise<PackageRow[]> {
  return trx('subscription_packages').select(trx.raw(PACKAGE_SELECT)).where('order_id', orderId).orderBy('period_no').forUpdate();
}

/**
 * Scheduled or flagged packages due on or before `day` (YYYY-MM-DD), oldest first, of orders still PAID (an order
 * refunded by staff at payment, or otherwise moved on, takes no more stock).
 */
export async function findDuePackageIds(db: Knex, day: string, limit: number): Promise<string[]> {
  const rows = await db('subscription_packages as p')
    .join('orders as o', 'o.id', 'p.order_id')
    .select('p.id')
    .whereIn('p.status', ['SCHEDULED', 'FLAGGED'])
    .where('p.due_date', '<=', day)
    .where('o.status', 'PAID')
    .orderBy([{ column: 'p.due_date' }, { column: 'p.id' }])
    .limit(limit);
  return rows.map((row: { id: string }) => String(row.id));
}

export async function updatePackage(
  trx: Knex,
  id: string,
  from: readonly PackageStatus[],
  changes: Partial<Pick<PackageRow, 'status' | 'flag_reason' | 'stock_key' | 'shipment_id' | 'shipped_at' | 'received_at'>>,
): Promise<PackageRow | undefined> {
  const [row] = await trx('subscription_packages')
    .where('id', id)
    .whereIn('status', [...from])
    .update({ ...changes, updated_at: trx.fn.now() })
    .returning(trx.raw(PACKAGE_SELECT) as never);
  return row;
}

/** Staff list: packages by status and/or due-date range, by due date then id, keyset after (due_date, id). */
export async function findPackagePage(
  db: Knex,
  query: { status?: PackageStatus; from?: string; to?: string; after?: { dueDate: string; id: string }; limit: number },
): Promise<PackageRow[]> {
  const q = db('subscription_packages').select(db.raw(PACKAGE_SELECT)).orderBy([{ column: 'subscription_packages.due_date' }, { column: 'id' }]).limit(query.limit);
  if (query.status) q.where('status', query.status);
  if (query.from) q.where('subscription_packages.due_date', '>=', query.from);
  if (query.to) q.where('subscription_packages.due_date', '<=', query.to);
  if (query.after) q.whereRaw('(subscription_packages.due_date, id) > (?::date, ?::bigint)', [query.after.dueDate, query.after.id]);
  return q;
}
