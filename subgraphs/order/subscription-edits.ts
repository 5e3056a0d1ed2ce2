/**
 * Subscriptions after purchase (docs/subscriptions-purchase.md, "Edits" and "ERP statuses"):
 *
 * - `updateSubscriptionDelivery` (the shopper, seed `/subscribe/scene/order/update`): a new address (from their address
 *   book) and/or courier note for every package not handed to the ERP yet (SCHEDULED, FLAGGED). Under the order's row
 *   lock every period is made sure to exist first and the delivery is kept on the subscription, which packages created
 *   later copy: an edit racing the packages job or the scheduler is never lost, and never creates a package twice.
 * - `updateSubscriptionPackage` (order staff, `/package/update`): due date, quantity, note of one SCHEDULED / FLAGGED
 *   package. It counts an edit; the scheduler's stock taking only lands when no edit came in meanwhile (else it gives
 *   its pieces back and the next run takes the package as edited, under a new key).
 * - `reportPackageErpStatus` (the ERP account or order staff, `/package/update-status`): PICKING / PACKED on a TO_SHIP
 *   package (never backwards), EXCEPTION with a note on TO_SHIP / SHIPPED, DELIVERED: SHIPPED → RECEIVED.
 */
import { requireScope, requireUser } from '../../platform/context';
import { badInput, forbidden, notFound, shopError } from '../../platform/errors';
import { isBigintId } from '../../platform/loaders';
import { visibleOrder } from './access';
import { addressOf } from './checkout/summary';
import type { OrderContext } from './context';
import { lockOrder } from './data/checkout';
import type { OrderRow } from './data/orders';
import { EDITABLE, lockPackage, lockSubscription, setSubscriptionDelivery, updatePackage, type ErpStatus, type PackageRow } from './data/subscriptions';
import { createPackages, chinaDay } from './subscription-jobs';
import { forgetPackages } from './subscription-loaders';
import { requirePackageStaff, visiblePackage } from './subscriptions';

const MAX_NOTE = 200;
/** How far ahead staff may move a package. */
const MAX_DUE_DAYS = 400;

function noteOf(value: string | null | undefined, field: string): string | null | undefined {
  if (value === undefined || value === null) return value;
  const text = value.trim();
  if (text.length > MAX_NOTE || /[\u0000-\u001f\u007f]/.test(text)) throw badInput(`${field} must be at most ${MAX_NOTE} characters, without control characters`, field);
  return text || null;
}

const packageConflict = (row: PackageRow, want: string) => shopError('CONFLICT', `Package ${row.id} is ${row.status}: ${want}`, { currentStatus: row.status });

/** The shopper: a new address and/or note for the packages of their subscription not handed to the ERP yet. */
export async function updateSubscriptionDelivery(
  context: OrderContext,
  orderId: string,
  input: { addressId?: string | null; note?: string | null },
): Promise<{ order: OrderRow; updated: PackageRow[] }> {
  const userId = requireUser(context);
  const note = noteOf(input.note, 'note');
  if (input.addressId !== undefined && input.addressId !== null && !isBigintId(input.addressId)) throw badInput('No such address in your address book', 'addressId');
  if (!input.addressId && note === undefined) throw badInput('Give an addressId, a note or both', 'input');
  const current = await visibleOrder(context, orderId);
  if (current.user_id !== userId) throw forbidden('Only the shopper who subscribed can change its delivery');
  if (current.kind !== 'SUBSCRIPTION') throw shopError('CONFLICT', `Order ${current.id} is not a subscription`, { reason: 'NOT_A_SUBSCRIPTION' });
  // The address is read from the user subgraph before the transaction (no remote call under a row lock).
  const address = input.addressId ? await addressOf(context, userId, input.addressId) : undefined;
  const result = await context.db.transaction(async (trx) => {
    const order = (await lockOrder(trx, current.id))!;
    const subscription = (await lockSubscription(trx, order.id))!;
    if (subscription.cancelled_at) throw shopError('CONFLICT', 'This subscription is cancelled', { reason: 'ALREADY_CANCELLED' });
    if (order.status !== 'PAID' && order.status !== 'PENDING_PAYMENT') {
      throw shopError('CONFLICT', `Order ${order.id} is ${order.status}: its delivery cannot change`, { currentStatus: order.status });
    }
    // Every period exists before the update (idempotent: the packages job may be running right now).
    if (order.status === 'PAID') await createPackages(trx, order);
    const keepAddress = address === undefined ? subscription.delivery_address : address;
    const keepNote = note === undefined ? subscription.delivery_note : note;
    const updated = await setSubscriptionDelivery(trx, order.id, keepAddress ?? null, keepNote ?? null);
    return { order, updated: updated.sort((a, b) => a.period_no - b.period_no) };
  });
  forgetPackages(context, String(current.id));
  return result;
}

/** Order staff: due date, quantity and/or note of one package not handed to the ERP yet. */
export async function updateSubscriptionPackage(
  context: OrderContext,
  packageId: string,
  input: { dueDate?: string | null; quantity?: number | null; note?: string | null },
): Promise<PackageRow> {
  requireScope(context, 'order:write');
  const note = noteOf(input.note, 'note');
  const changes: Parameters<typeof updatePackage>[3] = {};
  if (input.dueDate !== undefined && input.dueDate !== null) {
    const first = chinaDay(new Date(), 1);
    const last = chinaDay(new Date(), MAX_DUE_DAYS);
    const valid = /^\d{4}-\d{2}-\d{2}$/.test(input.dueDate) && new Date(`${input.dueDate}T00:00:00Z`).toISOString().slice(0, 10) === input.dueDate;
    if (!valid || input.dueDate < first || input.dueDate > last) throw badInput(`dueDate must be a date (YYYY-MM-DD) from ${first} to ${last}`, 'dueDate');
    changes.due_date = input.dueDate;
  }
  if (input.quantity !== undefined && input.quantity !== null) {
    if (!Number.isInteger(input.quantity) || input.quantity < 1 || input.quantity > 99) throw badInput('quantity must be 1-99', 'quantity');
    changes.quantity = input.quantity;
  }
  if (note !== undefined) changes.delivery_note = note;
  if (!Object.keys(changes).length) throw badInput('Give a dueDate, a quantity or a note', 'input');
  const current = await visiblePackage(context, packageId);
  const row = await context.db.transaction(async (trx) => {
    const order = (await lockOrder(trx, String(current.order_id)))!;
    if (order.status !== 'PAID') throw shopError('CONFLICT', `Order ${order.id} is ${order.status}: its packages cannot change`, { currentStatus: order.status });
    const locked = (await lockPackage(trx, current.id))!;
    if (!EDITABLE.includes(locked.status)) throw packageConflict(locked, 'only a package not handed to the ERP yet (SCHEDULED, FLAGGED) can change');
    return (await updatePackage(trx, locked.id, EDITABLE, { ...changes, edits: locked.edits + 1 }))!;
  });
  forgetPackages(context, String(row.order_id));
  return row;
}

const ERP_RANK: Record<string, number> = { PICKING: 1, PACKED: 2 };

/** The ERP account or order staff: what the warehouse reports beyond "shipped". */
export async function reportPackageErpStatus(context: OrderContext, packageId: string, status: ErpStatus, rawNote?: string | null): Promise<PackageRow> {
  requirePackageStaff(context);
  const note = noteOf(rawNote, 'note') ?? null;
  if (status === 'EXCEPTION' && !note) throw badInput('An EXCEPTION needs a note saying what happened', 'note');
  const current = await visiblePackage(context, packageId).catch(() => {
    throw notFound('No such package');
  });
  const row = await context.db.transaction(async (trx) => {
    const locked = (await lockPackage(trx, current.id))!;
    const now = new Date();
    switch (status) {
      case 'PICKING':
      case 'PACKED': {
        if (locked.status !== 'TO_SHIP') throw packageConflict(locked, `${status} is reported for a package waiting to ship (TO_SHIP)`);
        const was = ERP_RANK[locked.erp_status ?? ''] ?? 0;
        if (was === ERP_RANK[status]) return locked; // a repeat
        if (was > ERP_RANK[status]) throw shopError('CONFLICT', `Package ${locked.id} is already ${locked.erp_status}`, { currentStatus: locked.status, erpStatus: locked.erp_status });
        return (await updatePackage(trx, locked.id, ['TO_SHIP'], { erp_status: status, erp_note: note, erp_status_at: now }))!;
      }
      case 'EXCEPTION':
        if (locked.status !== 'TO_SHIP' && locked.status !== 'SHIPPED') throw packageConflict(locked, 'an exception is reported for a package waiting to ship or on its way');
        return (await updatePackage(trx, locked.id, ['TO_SHIP', 'SHIPPED'], { erp_status: 'EXCEPTION', erp_note: note, erp_status_at: now }))!;
      case 'DELIVERED':
        // The shopper may have confirmed first: then the ERP's report is recorded, the receipt stays theirs.
        if (locked.status === 'RECEIVED') {
          if (locked.erp_status === 'DELIVERED') return locked;
          return (await updatePackage(trx, locked.id, ['RECEIVED'], { erp_status: 'DELIVERED', erp_note: note, erp_status_at: now }))!;
        }
        if (locked.status !== 'SHIPPED') throw packageConflict(locked, 'only a shipped package can be delivered');
        return (await updatePackage(trx, locked.id, ['SHIPPED'], { status: 'RECEIVED', received_at: now, erp_status: 'DELIVERED', erp_note: note, erp_status_at: now }))!;
    }
  });
  forgetPackages(context, String(row.order_id));
  return row;
}
