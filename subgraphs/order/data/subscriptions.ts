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
  /** The shopper's delivery for packages not handed to the ERP yet (null: the order's address). */
  delivery_address: unknown | null;
  delivery_note: string | null;
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
  /** This package's delivery (null: the order's address). */
  delivery_address: unknown | null;
  delivery_note: string | null;
  erp_status: ErpStatus | null;
  erp_note: string | null;
  erp_status_at: Date | null;
  /** Staff edits so far (part of the stock key; the scheduler's update requires it unchanged). */
  edits: number;
  created_at: Date;
  updated_at: Date;
}

/** What the ERP reports beyond "shipped" (docs/subscriptions-purchase.md, "ERP statuses"). */
export type ErpStatus = 'PICKING' | 'PACKED' | 'EXCEPTION' | 'DELIVERED';
/** Packages the shopper's and staff's edits may still change: not handed to the ERP (TO_SHIP and on) yet. */
export const EDITABLE: readonly PackageStatus[] = ['SCHEDULED', 'FLAGGED'];

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

export async function insertSubscription(trx: Knex, row: Omit<SubscriptionRow, 'cancelled_at' | 'cancelled_by' | 'created_at' | 'delivery_address' | 'delivery_note'>): Promise<void> {
  await trx('subscriptions').insert(row);
}

export async function findSubscriptionsByOrderIds(db: Knex, orderIds: readonly string[]): Promise<SubscriptionRow[]> {
  return db('subscriptions').select(db.raw(SUBSCRIPTION_SELECT)).whereRaw('order_id = ANY(?::bigint[])', [[...orderIds]]);
}

/**
 * FOR NO KEY UPDATE, not FOR UPDATE: a package insert takes KEY SHARE on its subscription (the foreign key) after
 * placing its row, so a FOR UPDATE holder inserting the same period (cancel, delivery edit: createPackages) would
 * deadlock with a packages runner. NO KEY UPDATE still serializes the holders among themselves.
 */
export async function lockSubscription(trx: Knex, orderId: string): Promise<SubscriptionRow | undefined> {
  return trx('subscriptions').select(trx.raw(SUBSCRIPTION_SELECT)).where('order_id', orderId).forNoKeyUpdate().first();
}

/**
 * Package `periodNo` of the subscription unless it exists (unique (order_id, period_no)): the due date is the start
 * date plus (periodNo - 1) weeks or months (PostgreSQL's month arithmetic: Jan 31 + 1 month = Feb 28/29). True when
 * this call created it.
 */
export async function insertPackageOnce(db: Knex, subscription: SubscriptionRow, total: number, periodNo: number): Promise<boolean> {
  const step = subscription.cycle === 'WEEKLY' ? '1 week' : '1 month';
  const result = await db.raw(
    // The delivery is read from the subscription row in the same statement: an edit committed before is never lost.
    `INSERT INTO subscription_packages (order_id, user_id, period_no, due_date, sku_id, quantity, amount, delivery_address, delivery_note)
     SELECT ?::bigint, ?::bigint, ?::int, (?::date + (?::int * ?::interval))::date, ?::bigint, ?::int, ?::int, s.delivery_address, s.delivery_note
       FROM subscriptions s WHERE s.order_id = ?::bigint
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
      subscription.order_id,
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
  from: readonly PackageStatus[] | { statuses: readonly PackageStatus[]; edits: number },
  changes: Partial<
    Pick<PackageRow, 'status' | 'flag_reason' | 'stock_key' | 'shipment_id' | 'shipped_at' | 'received_at' | 'due_date' | 'quantity' | 'delivery_note' | 'edits' | 'erp_status' | 'erp_note' | 'erp_status_at'>
  > & { delivery_address?: unknown },
): Promise<PackageRow | undefined> {
  const statuses = 'statuses' in from ? from.statuses : from;
  const query = trx('subscription_packages').where('id', id).whereIn('status', [...statuses]);
  if ('edits' in from) query.where('edits', from.edits);
  const [row] = await query
    .update({ ...changes, ...(changes.delivery_address !== undefined ? { delivery_address: JSON.stringify(changes.delivery_address) } : {}), updated_at: trx.fn.now() } as never)
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

/**
 * The shopper's new delivery: kept on the subscription (packages created later copy it) and written to every package
 * of the order not handed to the ERP yet. Callers hold the order's row lock and made sure every period exists. Answers
 * the packages changed.
 */
export async function setSubscriptionDelivery(trx: Knex, orderId: string, address: unknown, note: string | null): Promise<PackageRow[]> {
  const json = address === null ? null : JSON.stringify(address);
  await trx('subscriptions').where('order_id', orderId).update({ delivery_address: json, delivery_note: note } as never);
  return trx('subscription_packages')
    .where('order_id', orderId)
    .whereIn('status', [...EDITABLE])
    .update({ delivery_address: json, delivery_note: note, updated_at: trx.fn.now() } as never)
    .returning(trx.raw(PACKAGE_SELECT) as never);
}
