/**
 * Refunds as the order sees them: which pieces and how much of an order are refunded, and what that does to its
 * status. Payment holds the money (its refund rows, checked against the payment under a row lock); the order holds
 * the lines and the status, in `order_refunds`, one row per merchant refund number (the refund's idempotency key).
 *
 * - `registerRefund` (after-sales approval, or payment before a staff refund moves money): under the order's row
 *   lock, checks the status (PAID, SHIPPED, or COMPLETED within the after-sales window), the amount against what is
 *   neither refunded nor in flight, and each line against the pieces not yet refunded; records the refund PENDING.
 * - `settleRefund` (payment's verdict, or a refusal): records SUCCEEDED/FAILED, keeps `orders.refunded_amount` = the
 *   sum of SUCCEEDED refunds, and moves the status.
 *
 * Status: a partial refund leaves it alone (the rest of the order still ships and completes). REFUNDING means the
 * refunds in flight cover everything not refunded yet; if one of them fails the order goes back to where it was
 * (`refund_return_status`, with a history row saying why). REFUNDED only when everything paid is refunded.
 */
import type { Knex } from 'knex';
import type { OrderConfig } from '../../platform/config';
import { scheduleJob } from '../../platform/events';
import { badInput, shopError } from '../../platform/errors';
import { isBigintId } from '../../platform/loaders';
import { noSuchOrder } from './access';
import { findItemsByOrderIds } from './data/order-items';
import type { OrderRow, StoredOrderStatus } from './data/orders';
import {
  findOrderRefund,
  insertOrderRefund,
  refundedPieces,
  refundTotals,
  setOrderRefundStatus,
  setRefundedAmount,
  type OrderRefundRow,
  type OrderRefundSource,
  type RefundLine,
} from './data/refunds';
import { holdsSomething } from './holds';
import { actors, transition } from './lifecycle';
import { logger } from '../../platform/log';

const log = logger({ component: 'order' });

/** Job kinds of the refund flow (handlers in refund-jobs.ts). */
export const JOB_REQUEST_REFUND = 'order.requestRefund';
export const JOB_RETURN_STOCK = 'order.returnStock';
export const JOB_REFUND_WATCH = 'order.refundWatch';
export const JOB_AUTO_CONFIRM = 'order.autoConfirm';

/** Statuses in which money was taken and the order is not (being) refunded in full. */
export const REFUNDABLE_STATUSES: readonly StoredOrderStatus[] = ['PAID', 'SHIPPED', 'COMPLETED'];

const DAY_MS = 24 * 3600_000;

/** When after-sales closes for a received order (completion + AFTER_SALES_WINDOW_DAYS); null before receipt. */
export function afterSalesDeadline(order: Pick<OrderRow, 'status' | 'completed_at'>, config: OrderConfig): Date | null {
  if (!order.completed_at) return null;
  return new Date(order.completed_at.getTime() + config.afterSalesWindowDays * DAY_MS);
}

/**
 * CONFLICT unless the order can take a refund now: PAID, SHIPPED, or COMPLETED within the after-sales window
 * (`extensions.reason`: AFTER_SALES_WINDOW_CLOSED, REFUND_IN_FLIGHT, NOT_REFUNDABLE).
 */
export function assertRefundable(order: OrderRow, config: OrderConfig, options: { window?: boolean; now?: Date } = {}): void {
  if (order.status === 'COMPLETED') {
    if (options.window === false) return;
    const deadline = afterSalesDeadline(order, config);
    // A COMPLETED order without completed_at (never written by the lifecycle) counts as closed.
    if (!deadline || deadline.getTime() <= (options.now ?? new Date()).getTime()) {
      throw shopError(
        'CONFLICT',
        `Order ${order.id} was received more than ${config.afterSalesWindowDays} days ago: after-sales is closed${deadline ? ` since ${deadline.toISOString()}` : ''}`,
        { reason: 'AFTER_SALES_WINDOW_CLOSED', currentStatus: order.status, deadline: deadline?.toISOString() ?? null },
      );
    }
    return;
  }
  if (REFUNDABLE_STATUSES.includes(order.status)) return;
  if (order.status === 'REFUNDING') {
    throw shopError('CONFLICT', `Order ${order.id} is REFUNDING: refunds in flight already cover all it has left`, {
      reason: 'REFUND_IN_FLIGHT',
      currentStatus: order.status,
    });
  }
  throw shopError('CONFLICT', `Order ${order.id} is ${order.status}: only paid, shipped or received orders can be refunded`, {
    reason: 'NOT_REFUNDABLE',
    currentStatus: order.status,
  });
}

async function lockOrder(trx: Knex.Transaction, orderId: string): Promise<OrderRow> {
  const order = isBigintId(orderId) ? await trx<OrderRow>('orders').where({ id: orderId }).forUpdate().first() : undefined;
  if (!order) throw noSuchOrder();
  return order;
}

/** What of the order is still refundable (the total less refunds succeeded or in flight). */
export async function remainingRefundable(db: Knex, order: Pick<OrderRow, 'id' | 'total'>): Promise<number> {
  const { succeeded, pending } = await refundTotals(db, order.id);
  return Math.max(0, order.total - succeeded - pending);
}

export interface RefundLineInput {
  skuId: string;
  quantity: number;
  restock?: boolean | null;
}

/**
 * Lines within what is left of the order: each SKU of the order once, 1 .. its ordered quantity less the pieces in
 * refunds not FAILED. `restock` defaults to true for an order not shipped yet (the pieces never left the shop).
 */
async function checkLines(trx: Knex, order: OrderRow, lines: readonly RefundLineInput[]): Promise<RefundLine[]> {
  const ordered = new Map<string, number>();
  for (const item of await findItemsByOrderIds(trx, [order.id])) {
    ordered.set(String(item.sku_id), (ordered.get(String(item.sku_id)) ?? 0) + item.quantity);
  }
  const refunded = await refundedPieces(trx, order.id);
  const seen = new Set<string>();
  return lines.map((line, index) => {
    const skuId = isBigintId(line.skuId) ? BigInt(line.skuId).toString() : line.skuId;
    const max = ordered.get(skuId);
    if (max === undefined || seen.has(skuId)) throw badInput(`SKU ${line.skuId} is not in this order (or listed twice)`, `lines.${index}.skuId`);
    seen.add(skuId);
    const left = max - (refunded.get(skuId) ?? 0);
    if (!Number.isInteger(line.quantity) || line.quantity < 1 || line.quantity > left) {
      throw shopError('BAD_USER_INPUT', `${left} of ${max} pieces of SKU ${skuId} can still be refunded`, {
        field: `lines.${index}.quantity`,
        skuId,
        refundable: left,
      });
    }
    return { skuId, quantity: line.quantity, restock: line.restock ?? order.status === 'PAID' };
  });
}

export interface RefundRegistration {
  orderId: string;
  refundNo: string;
  amount: number;
  reason: string;
  source: Exclude<OrderRefundSource, 'PAYMENT'>;
  /** Who asked, as the history records actors ('staff:<id>', 'service:payment'). */
  requestedBy: string;
  lines?: readonly RefundLineInput[] | null;
  /** False for the approval of a request made in time: the window was checked when the shopper asked. */
  checkWindow?: boolean;
}

/**
 * Records a refund PENDING (see the module comment for the checks); the same refund number again answers the row
 * it made (CONFLICT when it was for another order or amount). Caller's transaction: on a refusal it rolls back.
 */
export async function registerRefund(
  trx: Knex.Transaction,
  config: OrderConfig,
  input: RefundRegistration,
): Promise<{ order: OrderRow; refund: OrderRefundRow; created: boolean }> {
  const order = await lockOrder(trx, input.orderId);
  const existing = await findOrderRefund(trx, input.refundNo);
  if (existing) {
    if (String(existing.order_id) !== String(order.id) || existing.amount !== input.amount) {
      throw shopError('CONFLICT', `Refund number ${input.refundNo} was already used for another refund`, { reason: 'REFUND_NO_REUSED' });
    }
    return { order, refund: existing, created: false };
  }
  assertRefundable(order, config, { window: input.checkWindow ?? true });
  const { succeeded, pending } = await refundTotals(trx, order.id);
  const remaining = order.total - succeeded - pending;
  if (!Number.isInteger(input.amount) || input.amount < 1 || input.amount > remaining) {
    throw shopError('BAD_USER_INPUT', `The refund must be between 1 and ${remaining} fen (paid ${order.total}, refunded ${succeeded}, in flight ${pending})`, {
      field: 'amount',
      refundable: remaining,
    });
  }
  const lines = input.lines?.length ? await checkLines(trx, order, input.lines) : null;
  const refund = await insertOrderRefund(trx, {
    order_id: order.id,
    refund_no: input.refundNo,
    source: input.source,
    amount: input.amount,
    lines,
    reason: input.reason.slice(0, 200),
    requested_by: input.requestedBy,
  });
  let current = order;
  if (succeeded + pending + input.amount >= order.total) {
    // Everything left is now being refunded: nothing more can ship or be refunded until this settles.
    current = await transition(trx, {
      orderId: order.id,
      from: REFUNDABLE_STATUSES,
      to: 'REFUNDING',
      actor: input.requestedBy,
      reason: `refund ${input.refundNo} of ${input.amount} fen (all that was left): ${input.reason}`.slice(0, 200),
      changes: { refund_return_status: order.status },
    });
  }
  return { order: current, refund, created: true };
}

export interface RefundVerdict {
  orderId: string;
  refundNo: string;
  status: 'SUCCEEDED' | 'FAILED';
  /** The refund's amount (used when the order had not registered it: a refund made at payment alone). */
  amount: number;
  failureReason?: string | null;
  actor: string;
}

/**
 * Records payment's verdict on a refund (idempotent: the same verdict again changes nothing; a FAILED after
 * SUCCEEDED is ignored, money that moved stays moved; SUCCEEDED after FAILED is taken, payment is the authority on
 * money). Keeps refunded_amount, moves the status, and schedules what follows in the same transaction: pieces back
 * to stock, the receipt timer again for an order back in SHIPPED.
 */
export async function settleRefund(
  trx: Knex.Transaction,
  config: OrderConfig,
  verdict: RefundVerdict,
): Promise<{ order: OrderRow; refund: OrderRefundRow; changed: boolean }> {
  let order = await lockOrder(trx, verdict.orderId);
  let refund = await findOrderRefund(trx, verdict.refundNo);
  if (refund && String(refund.order_id) !== String(order.id)) throw badInput(`Refund ${verdict.refundNo} belongs to another order`, 'refundNo');
  if (!refund) {
    // Payment refunded something the order never registered (e.g. made before this model): take it as a fact.
    refund = await insertOrderRefund(trx, {
      order_id: order.id,
      refund_no: verdict.refundNo,
      source: 'PAYMENT',
      amount: verdict.amount,
      lines: null,
      reason: 'refund made at payment',
      requested_by: verdict.actor,
    });
  }
  if (refund.status === verdict.status || (refund.status === 'SUCCEEDED' && verdict.status === 'FAILED')) {
    if (refund.status !== verdict.status) log.error({ refundNo: refund.refund_no }, `refund ${refund.refund_no} reported FAILED after SUCCEEDED: ignored`);
    return { order, refund, changed: false };
  }
  const failureReason = verdict.status === 'FAILED' ? (verdict.failureReason ?? 'refused by the payment channel').slice(0, 200) : null;
  refund = await setOrderRefundStatus(trx, refund.id, verdict.status, failureReason);
  const { succeeded, pending } = await refundTotals(trx, order.id);
  await setRefundedAmount(trx, order.id, succeeded);
  order = { ...order, refunded_amount: succeeded };

  if (succeeded >= order.total && order.status !== 'REFUNDED') {
    order = await transition(trx, {
      orderId: order.id,
      from: [...REFUNDABLE_STATUSES, 'REFUNDING'],
      to: 'REFUNDED',
      actor: verdict.actor,
      reason: `refund ${refund.refund_no} completed: everything paid (${order.total} fen) is refunded`,
      changes: { refund_return_status: null },
    });
  } else if (order.status === 'REFUNDING' && succeeded + pending < order.total) {
    // A refund in flight failed: the order goes back to where it was, and says why.
    const back = order.refund_return_status && order.refund_return_status !== 'REFUNDING' ? order.refund_return_status : 'PAID';
    order = await transition(trx, {
      orderId: order.id,
      from: ['REFUNDING'],
      to: back,
      actor: verdict.actor,
      reason: `refund ${refund.refund_no} failed (${failureReason}): back to ${back}`.slice(0, 200),
      changes: { refund_return_status: null },
    });
    if (back === 'SHIPPED') await scheduleAutoConfirm(trx, config, order, `${order.id}:${refund.refund_no}`);
  }
  if (verdict.status === 'SUCCEEDED') {
    const restock = (refund.lines ?? []).filter((line) => line.restock);
    if (restock.length && holdsSomething(order)) {
      await scheduleJob(trx, {
        kind: JOB_RETURN_STOCK,
        key: refund.refund_no,
        runAt: new Date(),
        payload: { orderId: String(order.id), key: refund.refund_no, lines: restock.map(({ skuId, quantity }) => ({ skuId, quantity })) },
      });
    }
  }
  return { order, refund, changed: true };
}

/**
 * The receipt timer: `order.autoConfirm` at shipped_at + ORDER_AUTO_CONFIRM_DAYS (or now, if that has passed), in
 * the caller's transaction. `key` defaults to the order id; a re-arm after a failed refund uses its own key.
 */
export async function scheduleAutoConfirm(
  trx: Knex,
  config: OrderConfig,
  order: Pick<OrderRow, 'id' | 'shipped_at'>,
  key: string = String(order.id),
): Promise<void> {
  const shippedAt = order.shipped_at ?? new Date();
  const runAt = new Date(Math.max(Date.now(), shippedAt.getTime() + config.autoConfirmDays * DAY_MS));
  await scheduleJob(trx, { kind: JOB_AUTO_CONFIRM, key, runAt, payload: { orderId: String(order.id) } });
}

/** The system confirms receipt: SHIPPED → COMPLETED (actor system). False when the order is no longer SHIPPED. */
export async function autoConfirmReceipt(trx: Knex.Transaction, config: OrderConfig, orderId: string): Promise<boolean> {
  const order = await trx<OrderRow>('orders').where({ id: orderId }).first();
  if (!order || order.status !== 'SHIPPED') return false;
  await transition(trx, {
    orderId,
    from: ['SHIPPED'],
    to: 'COMPLETED',
    actor: actors.system,
    reason: `receipt confirmed automatically ${config.autoConfirmDays} days after shipping`,
    changes: { completed_at: new Date() },
  });
  return true;
}
