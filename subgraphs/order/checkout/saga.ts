/**
 * createOrder as a saga:
 *   0. idempotency: (user, key) seen before → the same order (same input) or CONFLICT (another input);
 *   1. one transaction: the CREATING order with its item, price and address snapshots, its history row, and the
 *      `order.recoverSaga` job (so a crash at any later point is undone);
 *   2. reserveStock (product; idempotent per order id);
 *   3. lockCoupon (promote; idempotent per order);
 *   4. confirm both holds until the payment deadline + grace (hold-lease.ts; unconfirmed holds lapse within a minute);
 *   5. one transaction: CREATING → PENDING_PAYMENT with expiresAt, the `order.autoCancel` job, the recovery job
 *      cancelled, OrderPlaced (with the cart lines bought, which the cart removes) in the outbox.
 * A failing step compensates (compensation.ts) and the client gets the step's error (CONFLICT for out of stock or a
 * coupon taken). Pricing happens before step 1 with the shared price summary; a client price is never read.
 */
import { GraphQLError } from 'graphql';
import crypto from 'node:crypto';
import { requireUser } from '../../../platform/context';
import { badInput, shopError } from '../../../platform/errors';
import { appendEvent, cancelJob, scheduleJob } from '../../../platform/events';
import type { OrderContext } from '../context';
import { findOrderByIdempotencyKey, insertOrderOnce, lockOrder } from '../data/checkout';
import { insertItems } from '../data/order-items';
import type { OrderRow } from '../data/orders';
import { recordStatusChange } from '../data/status-history';
import { ORDER_STREAM } from '../events';
import { AUTO_CANCEL } from '../auto-cancel';
import { RELEASE_HOLDS, REMOVE_CART_LINES, scheduleHolds, type CartLinesPayload } from '../holds';
import { actors, transition } from '../lifecycle';
import { failCheckout, FAILED_STEP, RECOVER_SAGA } from './compensation';
import { confirmHolds, holdUntilOf } from './hold-lease';
import { fingerprint, normalizeInput, resolveCartLines, type CheckoutInputArgs } from './input';
import { takeCheckoutSlot } from './caps';
import { assertExpectedTotal, quoteCheckout, type CheckoutQuote } from './summary';
import { logger } from '../../../platform/log';

const log = logger({ component: 'order' });

export const ORDER_PLACED = 'OrderPlaced';

/** Payload of OrderPlaced (for consumers; the cart's lines are removed by the job order.removeCartLines). */
export interface OrderPlacedPayload {
  orderId: string;
  userId: string;
  cartItemIds: string[];
  total: number;
}

const RESERVE_STOCK = `mutation OrderReserveStock($o: ID!, $l: [StockLineInput!]!) { reserveStock(orderId: $o, lines: $l) { status } }`;
const LOCK_COUPON = `mutation OrderLockCoupon($c: ID!, $o: ID!) { lockCoupon(couponId: $c, orderId: $o) { status } }`;

/** How long a replay of a key waits for the first request's saga to finish before answering CONFLICT. */
const REPLAY_WAIT_MS = 15_000;
const REPLAY_POLL_MS = 100;

const newOrderNo = () => `${Date.now()}${crypto.randomInt(0, 1_000_000_000).toString().padStart(9, '0')}`;

function checkKey(key: string): string {
  const trimmed = key.trim();
  if (trimmed.length < 1 || trimmed.length > 64) throw badInput('idempotencyKey must be 1 to 64 characters', 'idempotencyKey');
  return trimmed;
}

/** Test-only fault injection (config.order.sagaCrashAfter is null unless NODE_ENV=test). */
function crashPoint(context: OrderContext, step: 'created' | 'reserve' | 'coupon'): void {
  if (context.config.order.sagaCrashAfter === step) {
    log.error(`ORDER_SAGA_CRASH_AFTER=${step}: exiting mid-saga`);
    process.exit(86);
  }
}

/** A key seen before: the same order for the same input, once its saga is over. */
async function replay(context: OrderContext, first: OrderRow, print: string): Promise<OrderRow> {
  if (first.request_fingerprint !== print) {
    throw shopError('CONFLICT', 'This idempotencyKey was already used for a different order', { reason: 'IDEMPOTENCY_KEY_REUSED', field: 'idempotencyKey' });
  }
  let order = first;
  const deadline = Date.now() + REPLAY_WAIT_MS;
  while (order.status === 'CREATING' && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, REPLAY_POLL_MS));
    context.loaders.orderById.clear(order.id);
    order = (await context.loaders.orderById.load(order.id)) ?? order;
  }
  if (order.status === 'CREATING') {
    throw shopError('CONFLICT', 'This order is still being placed; try again shortly', { reason: 'CHECKOUT_IN_PROGRESS' });
  }
  if (order.saga_step === FAILED_STEP) {
    throw shopError('CONFLICT', `This checkout failed (${order.cancel_reason}); use a new idempotencyKey to try again`, { reason: 'CHECKOUT_FAILED' });
  }
  return order;
}

/** Step 1: the CREATING order, its snapshots and the recovery job; undefined when another request took the key. */
async function insertCreating(context: OrderContext, userId: string, key: string, print: string, quote: CheckoutQuote) {
  const { summary, lines, address } = quote;
  return context.db.transaction(async (trx) => {
    // Anti-hoarding caps, race-safe under the shopper's checkout lock (caps.ts).
    if (!(await takeCheckoutSlot(trx, userId, key, lines, context.config.order))) return undefined;
    const order = await insertOrderOnce(trx, {
      orderNo: newOrderNo(),
      userId,
      status: 'CREATING',
      subtotal: summary.subtotal,
      discount: summary.discount,
      shippingFee: summary.shippingFee,
      total: summary.total,
      expiresAt: null,
      couponId: summary.coupon?.couponId ?? null,
      shippingAddress: address,
      idempotencyKey: key,
      requestFingerprint: print,
      sagaStep: 'CREATED',
    });
    if (!order) return undefined;
    await insertItems(
      trx,
      order.id,
      lines.map((line) => ({
        skuId: line.skuId,
        productId: line.productId,
        title: line.title,
        skuName: line.skuName ?? '',
        image: line.image,
        unitPrice: line.unitPrice,
        memberPriceApplied: line.memberPriceApplied,
        quantity: line.quantity,
      })),
    );
    await recordStatusChange(trx, { orderId: order.id, userId, from: null, to: 'CREATING', actor: actors.user(userId), reason: 'checkout started' });
    const runAt = new Date(Date.now() + context.config.order.sagaTimeoutSeconds * 1000);
    await scheduleJob(trx, { kind: RECOVER_SAGA, key: order.id, runAt, payload: { orderId: order.id } });
    return order;
  });
}

/**
 * Step 5: CREATING → PENDING_PAYMENT with the payment deadline the holds were confirmed for, the payment timeout job,
 * OrderPlaced; the recovery job is no longer needed.
 */
async function place(context: OrderContext, order: OrderRow, cartItemIds: string[], expiresAt: Date): Promise<OrderRow> {
  return context.db.transaction(async (trx) => {
    const placed = await transition(trx, {
      orderId: order.id,
      from: ['CREATING'],
      to: 'PENDING_PAYMENT',
      actor: actors.user(order.user_id),
      reason: 'order placed',
      changes: { expires_at: expiresAt, saga_step: 'PLACED' },
    });
    await scheduleJob(trx, { kind: AUTO_CANCEL, key: order.id, runAt: expiresAt, payload: { orderId: order.id } });
    await cancelJob(trx, RECOVER_SAGA, order.id);
    if (cartItemIds.length) {
      const lines: CartLinesPayload = { orderId: String(order.id), userId: String(order.user_id), cartItemIds };
      await scheduleJob(trx, { kind: REMOVE_CART_LINES, key: order.id, runAt: new Date(), payload: lines });
    }
    const payload: OrderPlacedPayload = { orderId: String(order.id), userId: String(order.user_id), cartItemIds, total: order.total };
    await appendEvent(trx, { stream: ORDER_STREAM, type: ORDER_PLACED, aggregateId: String(order.id), payload });
    return placed;
  });
}

/**
 * Undo: fail the order and release what it may hold; the original error goes to the client.
 * When the recovery job failed the order first (this saga outlived ORDER_SAGA_TIMEOUT_SECONDS), its release may have
 * run before this saga's later steps locked the coupon again: a second release job (key `<id>:saga`) covers that.
 */
async function compensate(context: OrderContext, order: OrderRow, error: unknown): Promise<void> {
  const reason = error instanceof GraphQLError ? error.message : 'internal error';
  let key = String(order.id);
  try {
    await context.db.transaction(async (trx) => {
      if (await failCheckout(trx, order.id, `checkout failed: ${reason}`)) return;
      // Not CREATING any more: only a cancelled (recovered) order is given a second release, never a placed one.
      if ((await lockOrder(trx, order.id))?.status !== 'CANCELLED') {
        key = '';
        return;
      }
      key = `${order.id}:saga`;
      await scheduleHolds(trx, RELEASE_HOLDS, order, ':saga');
    });
  } catch (failure) {
    // The recovery job fails the order later; the client still gets the original error.
    log.error({ err: failure, orderId: order.id }, `compensating order ${order.id} failed: ${(failure as Error).message}`);
    return;
  }
  if (key) await context.holds?.runNow(RELEASE_HOLDS, key);
}

export async function createOrder(context: OrderContext, input: CheckoutInputArgs, idempotencyKey: string): Promise<OrderRow> {
  const userId = requireUser(context);
  const key = checkKey(idempotencyKey);
  const normalized = normalizeInput(input);
  const print = fingerprint(normalized);
  const seen = await findOrderByIdempotencyKey(context.db, userId, key);
  if (seen) return replay(context, seen, print);

  const quote = await quoteCheckout(context, userId, await resolveCartLines(context.services, userId, normalized, context.requestId));
  assertExpectedTotal(quote);
  const created = await insertCreating(context, userId, key, print, quote);
  if (!created) {
    // A concurrent request with the same key won the insert.
    const winner = await findOrderByIdempotencyKey(context.db, userId, key);
    if (!winner) throw new Error(`order with idempotency key ${key} vanished`);
    return replay(context, winner, print);
  }
  crashPoint(context, 'created');
  // The payment deadline is fixed before anything is held: the holds are confirmed until it + grace (hold-lease.ts).
  const expiresAt = new Date(Date.now() + context.config.order.paymentTimeoutSeconds * 1000);
  try {
    const lines = quote.lines.map((line) => ({ skuId: line.skuId, quantity: line.quantity }));
    await context.services.request('product', RESERVE_STOCK, { o: created.id, l: lines }, { requestId: context.requestId, idempotent: true });
    crashPoint(context, 'reserve');
    if (created.coupon_id) {
      await context.services.request('promote', LOCK_COUPON, { c: created.coupon_id, o: created.id }, { userId, requestId: context.requestId, idempotent: true });
    }
    crashPoint(context, 'coupon');
    await confirmHolds(context.services, created, holdUntilOf(expiresAt, context.config.holds.graceSeconds), context.requestId);
    const placed = await place(context, created, normalized.cartItemIds, expiresAt);
    context.loaders.forgetOrder(placed.id, placed);
  } catch (error) {
    await compensate(context, created, error);
    throw error;
  }
  // Placed. The cart lines bought go now (a client reading its cart after createOrder no longer sees them); if cart is
  // unreachable, the durable job retries — the order stands either way.
  if (normalized.cartItemIds.length) await context.holds?.runNow(REMOVE_CART_LINES, String(created.id));
  return (await context.loaders.orderById.load(created.id))!;
}
