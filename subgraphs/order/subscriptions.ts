/**
 * Subscription orders (docs/subscriptions-purchase.md): an order of kind SUBSCRIPTION bought for a subscribable wares
 * of the product subgraph, paid like any order (payment's `payOrder`), delivered as one package per period.
 *
 * - `createSubscriptionOrder`: the shopper; the price, terms and SKU come from product (server side only), the address
 *   from the user subgraph; the order waits for payment with the usual timeout job and unpaid-orders cap.
 * - Paid (`markOrderPaid`): the packages job is scheduled with the transition (subscription-jobs.ts).
 * - `shipSubscriptionPackage` (staff): a TO_SHIP package leaves with a carrier and tracking number, as a shipment of
 *   the order (shipments.ts: OrderShipped, tracking pushes); `confirmPackageReceipt` (owner): SHIPPED → RECEIVED.
 * - `cancelSubscription` (owner or order staff): the packages not shipped yet are cancelled and their shares of the
 *   total refunded through the after-sales path (an after-sales request approved at once, `AS<id>`, refunded by the
 *   `order.requestRefund` job at payment). Stock already taken for a TO_SHIP package goes back to product.
 * The order stays PAID for the life of the subscription (it never goes SHIPPED: no order-wide receipt timer).
 */
import type { Knex } from 'knex';
import { requireScope, requireUser } from '../../platform/context';
import { badInput, forbidden, notFound, shopError } from '../../platform/errors';
import { cancelJob, scheduleJob } from '../../platform/events';
import { isBigintId } from '../../platform/loaders';
import { actorOf, isOrderStaff, visibleOrder } from './access';
import { afterSaleRefundNo } from './after-sales';
import { AUTO_CANCEL } from './auto-cancel';
import { addressOf } from './checkout/summary';
import type { OrderContext } from './context';
import { decideAfterSale, insertAfterSale } from './data/after-sales';
import { lockOrder, lockShopperCheckouts, unpaidHoldings } from './data/checkout';
import { insertItems } from './data/order-items';
import type { OrderRow } from './data/orders';
import { recordStatusChange } from './data/status-history';
import {
  findPackage,
  insertSubscription,
  lockPackage,
  lockPackagesOfOrder,
  lockSubscription,
  UNSHIPPED,
  updatePackage,
  type PackageRow,
} from './data/subscriptions';
import { actors, transition } from './lifecycle';
import { appendAfterSalesDecided } from './logistics-events';
import { reasonText } from './orders';
import { JOB_REQUEST_REFUND, JOB_RETURN_STOCK, registerRefund } from './refunds';
import type { RequestRefundPayload } from './refund-jobs';
import { carrierOf, checkShipmentText, recordShipment } from './shipments';
import { createPackages, chinaDay } from './subscription-jobs';
import { subscribeNow } from './tracking-subscription';
import { forgetPackages } from './subscription-loaders';

/** How far ahead a subscription may start. */
const MAX_START_DAYS = 60;

const WARES = `query OrderSubscriptionWares($id: ID!) {
  subscriptionWares(id: $id) { id title cycle periods quantityPerPeriod price onShelf
    product { id title images onShelf } sku { id name deleted } }
}`;

interface WaresForOrder {
  id: string;
  title: string;
  cycle: 'WEEKLY' | 'MONTHLY';
  periods: number;
  quantityPerPeriod: number;
  price: number;
  onShelf: boolean;
  product: { id: string; title: string; images: string[]; onShelf: boolean };
  sku: { id: string; name: string; deleted: boolean };
}

const newOrderNo = () => `S${Date.now()}${Math.floor(Math.random() * 1e8).toString().padStart(8, '0')}`;

/** YYYY-MM-DD from tomorrow (China time) to MAX_START_DAYS ahead; default tomorrow. */
export function startDateOf(value: string | null | undefined, now = new Date()): string {
  const first = chinaDay(now, 1);
  if (value === null || value === undefined) return first;
  const valid = /^\d{4}-\d{2}-\d{2}$/.test(value) && new Date(`${value}T00:00:00Z`).toISOString().slice(0, 10) === value;
  if (!valid || value < first || value > chinaDay(now, MAX_START_DAYS)) {
    throw badInput(`startDate must be a date (YYYY-MM-DD) from ${first} to ${chinaDay(now, MAX_START_DAYS)}`, 'startDate');
  }
  return value;
}

export async function createSubscriptionOrder(
  context: OrderContext,
  input: { waresId: string; addressId: string; startDate?: string | null },
): Promise<OrderRow> {
  const userId = requireUser(context);
  if (!isBigintId(input.waresId)) throw badInput('No such subscribable wares', 'waresId');
  if (!isBigintId(input.addressId)) throw badInput('No such address in your address book', 'addressId');
  const startDate = startDateOf(input.startDate);
  const [data, address] = await Promise.all([
    context.services.request<{ subscriptionWares: WaresForOrder | null }>('product', WARES, { id: input.waresId }, { requestId: context.requestId }),
    addressOf(context, userId, input.addressId),
  ]);
  const wares = data.subscriptionWares;
  // Product answers null for off-shelf wares and wares of off-shelf products (a service caller sees what shoppers see).
  if (!wares) throw badInput('No such subscribable wares', 'waresId');
  if (wares.sku.deleted) throw shopError('CONFLICT', 'This subscription cannot be bought now', { reason: 'WARES_UNAVAILABLE' });
  if (wares.price > context.config.money.maxOrderTotalFen) throw shopError('CONFLICT', 'The subscription costs more than one order may', { reason: 'ORDER_TOTAL_TOO_HIGH' });
  const expiresAt = new Date(Date.now() + context.config.order.paymentTimeoutSeconds * 1000);
  const order = await context.db.transaction(async (trx) => {
    // The same unpaid-orders cap as checkout, under the same per-shopper lock (checkout/caps.ts).
    await lockShopperCheckouts(trx, userId);
    const held = await unpaidHoldings(trx, userId, []);
    if (held.orders >= context.config.order.maxUnpaidOrdersPerShopper) {
      throw shopError('CONFLICT', `You have ${held.orders} unpaid orders: pay or cancel one before placing another`, { reason: 'TOO_MANY_UNPAID_ORDERS' });
    }
    const [row] = await trx<OrderRow>('orders')
      .insert({
        order_no: newOrderNo(),
        user_id: userId,
        kind: 'SUBSCRIPTION',
        status: 'PENDING_PAYMENT',
        subtotal: wares.price,
        discount: 0,
        shipping_fee: 0,
        total: wares.price,
        expires_at: expiresAt,
        shipping_address: JSON.stringify(address) as never,
      } as never)
      .returning('*');
    // One line: the whole subscription at its price (refunds of a subscription are amounts, never lines).
    await insertItems(trx, row.id, [
      {
        skuId: wares.sku.id,
        productId: wares.product.id,
        title: wares.product.title,
        skuName: `${wares.sku.name} · ${wares.title}`.slice(0, 200),
        image: wares.product.images[0] ?? null,
        unitPrice: wares.price,
        quantity: 1,
      },
    ]);
    await insertSubscription(trx, {
      order_id: row.id,
      user_id: userId,
      wares_id: wares.id,
      product_id: wares.product.id,
      sku_id: wares.sku.id,
      title: wares.title,
      cycle: wares.cycle,
      periods: wares.periods,
      quantity_per_period: wares.quantityPerPeriod,
      start_date: startDate,
    });
    await recordStatusChange(trx, { orderId: row.id, userId, from: null, to: 'PENDING_PAYMENT', actor: actors.user(userId), reason: 'subscription order placed' });
    await scheduleJob(trx, { kind: AUTO_CANCEL, key: row.id, runAt: expiresAt, payload: { orderId: row.id } });
    return row;
  });
  context.loaders.forgetOrder(order.id, order);
  return order;
}

async function subscriptionOrder(context: OrderContext, orderId: string): Promise<OrderRow> {
  const order = await visibleOrder(context, orderId);
  if (order.kind !== 'SUBSCRIPTION') throw shopError('CONFLICT', `Order ${order.id} is not a subscription`, { reason: 'NOT_A_SUBSCRIPTION' });
  return order;
}

/**
 * The owner or order staff: a PAID subscription's packages not shipped yet are cancelled and their amounts refunded
 * (an unpaid one is simply cancelled). Answers the order (REFUNDING when every period is refunded, else still PAID).
 */
export async function cancelSubscription(context: OrderContext, orderId: string, reason?: string | null): Promise<OrderRow> {
  const text = reasonText(reason);
  const current = await subscriptionOrder(context, orderId);
  const owner = context.identity.userId === current.user_id;
  if (!owner && !isOrderStaff(context.identity)) throw forbidden('Only the shopper or order staff can cancel a subscription');
  const actor = actorOf(context, current);
  const outcome = await context.db.transaction(async (trx) => {
    const order = (await lockOrder(trx, current.id))!;
    const subscription = (await lockSubscription(trx, order.id))!;
    if (subscription.cancelled_at) throw shopError('CONFLICT', 'This subscription is already cancelled', { reason: 'ALREADY_CANCELLED' });
    await trx('subscriptions').where('order_id', order.id).update({ cancelled_at: trx.fn.now(), cancelled_by: actor });
    if (order.status === 'PENDING_PAYMENT') {
      const cancelled = await transition(trx, {
        orderId: order.id,
        from: ['PENDING_PAYMENT'],
        to: 'CANCELLED',
        actor,
        reason: text ?? 'subscription cancelled before payment',
        changes: { cancelled_at: new Date(), cancel_reason: text, expires_at: null },
      });
      await cancelJob(trx, AUTO_CANCEL, order.id);
      return { order: cancelled, refundNo: null };
    }
    if (order.status !== 'PAID') {
      throw shopError('CONFLICT', `Order ${order.id} is ${order.status}: only a paid subscription can be cancelled`, { currentStatus: order.status });
    }
    // Every period exists before counting (the packages job may not have run yet): creation is idempotent.
    await createPackages(trx, order);
    const open = (await lockPackagesOfOrder(trx, order.id)).filter((row) => UNSHIPPED.includes(row.status));
    if (!open.length) throw shopError('CONFLICT', 'Every package has been shipped: nothing is left to cancel', { reason: 'NOTHING_LEFT' });
    const amount = open.reduce((sum, row) => sum + row.amount, 0);
    await trx('subscription_packages').whereIn('id', open.map((row) => row.id)).update({ status: 'CANCELLED', updated_at: trx.fn.now() });
    const why = `subscription cancelled: ${open.length} of ${subscription.periods} periods not shipped${text ? ` (${text})` : ''}`.slice(0, 200);
    let request;
    try {
      request = await trx.transaction((sp) => insertAfterSale(sp, { orderId: order.id, userId: order.user_id, reason: why, amount, items: null }));
    } catch (error) {
      if ((error as { code?: string }).code === '23505') {
        throw shopError('CONFLICT', 'An after-sales request of this order is open: wait for its decision or revoke it', { reason: 'REQUEST_OPEN' });
      }
      throw error;
    }
    const decided = (await decideAfterSale(trx, request.id, 'APPROVED', { by: actor, note: 'approved automatically: subscription cancelled' }))!;
    await appendAfterSalesDecided(trx, decided, 'APPROVED');
    const refundNo = afterSaleRefundNo(request.id);
    const registered = await registerRefund(trx, context.config.order, { orderId: order.id, refundNo, amount, reason: why, source: 'AFTER_SALE', requestedBy: actor, checkWindow: false, lines: null });
    const payload: RequestRefundPayload = { orderId: String(order.id), afterSaleId: String(request.id), refundNo, amount, reason: why, lines: null };
    await scheduleJob(trx, { kind: JOB_REQUEST_REFUND, key: refundNo, runAt: new Date(), payload });
    // Stock already taken for a package about to ship goes back on the shelf (product's returnStock, per hold key).
    for (const row of open.filter((p) => p.stock_key)) {
      const lines = [{ skuId: String(row.sku_id), quantity: row.quantity }];
      await scheduleJob(trx, { kind: JOB_RETURN_STOCK, key: row.stock_key!, runAt: new Date(), payload: { orderId: row.stock_key, key: row.stock_key, lines } });
    }
    return { order: registered.order, refundNo };
  });
  if (outcome.refundNo) await context.holds?.runNow(JOB_REQUEST_REFUND, outcome.refundNo);
  context.loaders.forgetOrder(outcome.order.id, outcome.order);
  context.loaders.afterSalesByOrder.clear(outcome.order.id);
  forgetPackages(context, outcome.order.id);
  return outcome.order;
}

/** The package if the caller may see its order (owner, order staff, services), else NOT_FOUND. */
export async function visiblePackage(context: OrderContext, id: string): Promise<PackageRow> {
  const row = isBigintId(id) ? await findPackage(context.db, id) : undefined;
  if (!row) throw notFound('No such package');
  if (context.identity.userId && context.identity.scopes.includes(SUBSCRIPTION_ERP)) return row;
  await visibleOrder(context, String(row.order_id)).catch(() => {
    throw notFound('No such package');
  });
  return row;
}

const packageConflict = (row: PackageRow, want: string) =>
  shopError('CONFLICT', `Package ${row.id} is ${row.status}: ${want}`, { currentStatus: row.status });

/** The scope of the ERP's service account: packages only (list, ship), none of the other order staff powers. */
export const SUBSCRIPTION_ERP = 'subscription:erp';

/** Order staff or the ERP account; answers the user id. */
export function requirePackageStaff(context: OrderContext): string {
  return isOrderStaff(context.identity) ? requireScope(context, 'order:write') : requireScope(context, SUBSCRIPTION_ERP);
}

/**
 * Order staff or the ERP (subscription:erp): a TO_SHIP package leaves as a shipment of its order (OrderShipped,
 * tracking subscription).
 */
export async function shipSubscriptionPackage(
  context: OrderContext,
  input: { packageId: string; carrierCode: string; trackingNumber: string },
): Promise<PackageRow> {
  const staffId = requirePackageStaff(context);
  const { name, tracking } = checkShipmentText(input.carrierCode, input.trackingNumber, { carrier: 'carrierCode', tracking: 'trackingNumber' });
  const current = await visiblePackage(context, input.packageId);
  const known = await carrierOf(context.db, name, 'carrierCode');
  const { row, shipment } = await context.db.transaction(async (trx) => {
    const order = (await lockOrder(trx, String(current.order_id)))!;
    if (order.status !== 'PAID') throw shopError('CONFLICT', `Order ${order.id} is ${order.status}: its packages cannot ship`, { currentStatus: order.status });
    const locked = (await lockPackage(trx, current.id))!;
    if (locked.status !== 'TO_SHIP') throw packageConflict(locked, 'only a package whose stock is taken (TO_SHIP) can ship');
    const created = await recordShipment(
      trx as Knex,
      context,
      { orderId: order.id, kind: 'OUTBOUND', carrierCode: known.code, trackingNumber: tracking, lines: null, createdBy: actors.staff(staffId) },
      order.user_id,
    );
    const shipped = await updatePackage(trx, locked.id, ['TO_SHIP'], { status: 'SHIPPED', shipment_id: created.id, shipped_at: new Date() });
    return { row: shipped!, shipment: created };
  });
  subscribeNow(context.holds, context.config.logistics, shipment);
  context.loaders.shipmentsByOrder.clear(String(row.order_id));
  forgetPackages(context, String(row.order_id));
  return row;
}

/** The owner: a SHIPPED package was received. A second confirmation is a CONFLICT; nothing changes then. */
export async function confirmPackageReceipt(context: OrderContext, packageId: string): Promise<PackageRow> {
  const userId = requireUser(context);
  const current = await visiblePackage(context, packageId);
  if (current.user_id !== userId) throw forbidden('Only the shopper who subscribed can confirm receipt');
  const row = await context.db.transaction(async (trx) => {
    const locked = (await lockPackage(trx, current.id))!;
    if (locked.status !== 'SHIPPED') throw packageConflict(locked, 'only a shipped package can be received');
    return (await updatePackage(trx, locked.id, ['SHIPPED'], { status: 'RECEIVED', received_at: new Date() }))!;
  });
  forgetPackages(context, String(row.order_id));
  return row;
}

