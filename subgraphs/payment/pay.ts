/**
 * Paying an order: the methods on offer (from configuration), and `payOrder`, which always charges the order's
 * server-side total as order reports it. Provider payments (WeChat Pay, Alipay) open one PENDING payment per order
 * and method — a retry reuses it and its prepay — and schedule the reconciliation query; the notification (or that
 * query) settles it. Balance payments debit the wallet ledger and succeed in one transaction.
 */
import { requireUser } from '../../platform/context';
import { badInput, notFound, shopError } from '../../platform/errors';
import { isBigintId } from '../../platform/loaders';
import { scheduleJob } from '../../platform/events';
import type { PaymentContext } from './context';
import { findSucceededPayment, lockPendingPayment, openPayment, setPrepayId, type PaymentRow } from './data/payments';
import { book, walletBalance } from './data/wallet';
import { markOrderPaid, orderForPayment, payerOpenId, type OrderForPayment } from './order-client';
import { JOB_RECONCILE, succeed } from './settlement';
import { findPayment, setTradeDeadline, type TradePaymentRow } from './data/trades';
import { JOB_CLOSE_TRADE } from './trade-close';
import type { WechatClientParams } from './providers/wechat-protocol';
import { familyMethodState, payWithFamilyBalance, spendableFamily } from './family-balance-pay';

export const METHOD_TYPES = ['WECHAT', 'ALIPAY', 'BALANCE', 'FAMILY_BALANCE'] as const;
export type MethodType = (typeof METHOD_TYPES)[number];

/** How each method is shown; which are offered, and in what order, is configuration (PAYMENT_METHODS). */
const DISPLAY: Record<MethodType, { title: string; description: string; icon: string }> = {
  WECHAT: { title: '微信支付', description: '使用微信支付付款', icon: 'wechat-pay' },
  ALIPAY: { title: '支付宝', description: '使用支付宝付款', icon: 'alipay' },
  BALANCE: { title: '余额支付', description: '使用账户余额付款', icon: 'wallet' },
  FAMILY_BALANCE: { title: '家庭余额支付', description: '使用家庭账户余额付款', icon: 'family-wallet' },
};

export interface PaymentMethodView {
  type: MethodType;
  title: string;
  description: string;
  icon: string;
  available: boolean;
  unavailableReason: string | null;
  balance: number | null;
  sandbox: boolean;
}

export interface PayOrderResultView {
  payment: PaymentRow;
  wechat: WechatClientParams | null;
  alipayOrderString: string | null;
  sandboxPayUrl: string | null;
}

export function enabledMethods(context: PaymentContext): MethodType[] {
  return context.config.payment.methods.filter((m): m is MethodType => (METHOD_TYPES as readonly string[]).includes(m));
}

/** The order as order reports it, if it is the caller's; NOT_FOUND otherwise (as for an order that does not exist). */
async function ownOrder(context: PaymentContext, orderId: string): Promise<OrderForPayment> {
  const userId = requireUser(context);
  const order = isBigintId(orderId) ? await orderForPayment(context.services, orderId, context.requestId) : null;
  if (!order || order.buyerId !== userId) throw notFound('No such order');
  return order;
}

function unavailable(context: PaymentContext, method: MethodType): string | null {
  if (method === 'WECHAT' && !context.providers.wechat) return 'WeChat Pay is not configured on this server';
  if (method === 'ALIPAY' && !context.providers.alipay) return 'Alipay is not configured on this server';
  return null;
}

export async function paymentMethods(context: PaymentContext, orderId: string, familyId?: string | null): Promise<PaymentMethodView[]> {
  const order = await ownOrder(context, orderId);
  const methods = enabledMethods(context);
  const balance = await walletBalance(context.db, order.buyerId);
  const family = methods.includes('FAMILY_BALANCE') ? await familyMethodState(context, familyId) : null;
  const notPayable = order.status === 'PENDING_PAYMENT' ? null : `The order is ${order.status}`;
  return methods.map((type) => {
    const reason =
      notPayable ??
      unavailable(context, type) ??
      (type === 'BALANCE' && balance < order.total ? 'Insufficient wallet balance' : null) ??
      (type === 'FAMILY_BALANCE' ? (family!.reason ?? (family!.balance! < order.total ? 'Insufficient family balance' : null)) : null);
    const mode = type === 'WECHAT' ? context.providers.mode.wechat : type === 'ALIPAY' ? context.providers.mode.alipay : 'live';
    const shownBalance = type === 'BALANCE' ? balance : type === 'FAMILY_BALANCE' ? family!.balance : null;
    return { type, ...DISPLAY[type], available: reason === null, unavailableReason: reason, balance: shownBalance, sandbox: mode === 'sandbox' };
  });
}

export async function payOrder(context: PaymentContext, orderId: string, method: MethodType, familyId?: string | null): Promise<PayOrderResultView> {
  if (!enabledMethods(context).includes(method)) throw badInput(`${method} is not offered`, 'method');
  if (method === 'FAMILY_BALANCE' && !familyId) throw badInput('FAMILY_BALANCE needs the family to pay from (familyId)', 'familyId');
  if (method !== 'FAMILY_BALANCE' && familyId) throw badInput('familyId is only for FAMILY_BALANCE', 'familyId');
  // The family before the order: naming a family that is not yours is NOT_FOUND whatever the order.
  const payer = method === 'FAMILY_BALANCE' ? await spendableFamily(context, familyId!) : null;
  const order = await ownOrder(context, orderId);
  if (order.status !== 'PENDING_PAYMENT') {
    throw shopError('CONFLICT', `Order ${order.id} is ${order.status}: only orders waiting for payment can be paid`, { currentStatus: order.status });
  }
  if (await findSucceededPayment(context.db, order.id)) throw shopError('CONFLICT', `Order ${order.id} is already paid`, { currentStatus: 'PAID' });
  const reason = unavailable(context, method);
  if (reason) {
    throw shopError('BAD_USER_INPUT', `${reason}: ${method} needs its merchant keys (the payment sandbox is off); pay with another method`, {
      field: 'method',
      reason: 'PAYMENT_METHOD_UNAVAILABLE',
    });
  }
  if (method === 'BALANCE') return { payment: await payWithBalance(context, order), wechat: null, alipayOrderString: null, sandboxPayUrl: null };
  if (payer) return { payment: await payWithFamilyBalance(context, order, payer.id), wechat: null, alipayOrderString: null, sandboxPayUrl: null };
  return method === 'WECHAT' ? payWithWechat(context, order) : payWithAlipay(context, order);
}

const notifyUrl = (context: PaymentContext, channel: string) => `${context.config.payment.publicUrl}/notify/${channel}`;
const description = (order: OrderForPayment) => `订单 ${order.orderNo}`;

/** The reconciliation query of a provider payment, due PAYMENT_RECONCILE_AFTER_SECONDS after it was opened. */
async function scheduleReconcile(context: PaymentContext, payment: PaymentRow) {
  await scheduleJob(context.db, {
    kind: JOB_RECONCILE,
    key: payment.id,
    runAt: new Date(payment.created_at.getTime() + context.config.payment.reconcileAfterSeconds * 1000),
    payload: { paymentId: payment.id, everySeconds: context.config.payment.reconcileAfterSeconds },
  });
}

/**
 * The trade's deadline (time_expire): the order's payment deadline, after which order cancels it anyway. An order
 * already past it cannot be paid (CONFLICT, reason PAYMENT_DEADLINE_PASSED) even before its cancellation has run.
 */
function tradeDeadline(context: PaymentContext, order: OrderForPayment): Date {
  const deadline = order.expiresAt ? new Date(order.expiresAt) : new Date(Date.now() + context.config.order.paymentTimeoutSeconds * 1000);
  if (deadline.getTime() <= Date.now()) {
    throw shopError('CONFLICT', `Order ${order.id} is past its payment deadline`, { currentStatus: order.status, reason: 'PAYMENT_DEADLINE_PASSED' });
  }
  return deadline;
}

/**
 * The open payment of this order and method with its trade deadline (kept from the first attempt, so a retry sends
 * the provider the same content and gets the same prepay).
 */
async function openProviderPayment(context: PaymentContext, order: OrderForPayment, method: 'WECHAT' | 'ALIPAY') {
  const deadline = tradeDeadline(context, order);
  const payment = (await openPayment(context.db, { orderId: order.id, userId: order.buyerId, method, amount: order.total })) as TradePaymentRow;
  if (!payment.expires_at) await setTradeDeadline(context.db, payment.id, deadline);
  const expiresAt = payment.expires_at ?? (await findPayment(context.db, payment.id))?.expires_at ?? deadline;
  await scheduleReconcile(context, payment);
  return { payment, expiresAt };
}

/**
 * After the trade exists: was the order cancelled meanwhile (its close may have run before this payment existed), or
 * this payment closed before the provider had the trade? Then it is closed (again) and the shopper gets CONFLICT,
 * never a prepay that could be paid for a cancelled order.
 */
async function ensureStillPayable(context: PaymentContext, order: OrderForPayment, paymentId: string): Promise<void> {
  const [now, payment] = await Promise.all([orderForPayment(context.services, order.id, context.requestId), findPayment(context.db, paymentId)]);
  if (now?.status === 'PENDING_PAYMENT' && payment?.status === 'PENDING') return;
  await scheduleJob(context.db, {
    kind: JOB_CLOSE_TRADE,
    key: `${paymentId}:after-prepay`,
    runAt: new Date(),
    payload: { paymentId, reason: `order ${now?.status ?? 'gone'} while paying`, evenIfClosed: true },
  });
  throw shopError('CONFLICT', `Order ${order.id} is ${now?.status ?? 'gone'}: only orders waiting for payment can be paid`, { currentStatus: now?.status ?? null });
}

async function payWithWechat(context: PaymentContext, order: OrderForPayment): Promise<PayOrderResultView> {
  const wechat = context.providers.wechat!;
  const sandbox = context.providers.mode.wechat === 'sandbox';
  const openid = sandbox ? `sandbox-openid-${order.buyerId}` : await payerOpenId(context.services, order.buyerId);
  if (!openid) throw badInput('WeChat Pay needs an account signed in with WeChat (loginWithWechat)', 'method');
  const { payment, expiresAt } = await openProviderPayment(context, order, 'WECHAT');
  let prepayId = payment.prepay_id;
  if (!prepayId) {
    // WeChat answers the same prepay for the same out_trade_no and content, so racing retries agree.
    prepayId = await wechat.jsapiPrepay({
      outTradeNo: payment.out_trade_no!,
      description: description(order),
      total: payment.amount,
      notifyUrl: notifyUrl(context, 'wechat'),
      openid,
      timeExpire: expiresAt,
    });
    await setPrepayId(context.db, payment.id, prepayId);
  }
  await ensureStillPayable(context, order, payment.id);
  return {
    payment: { ...payment, prepay_id: prepayId },
    wechat: wechat.clientParams(prepayId),
    alipayOrderString: null,
    sandboxPayUrl: sandbox ? `${context.config.payment.publicUrl}/notify/sandbox/wechat/${encodeURIComponent(prepayId)}` : null,
  };
}

async function payWithAlipay(context: PaymentContext, order: OrderForPayment): Promise<PayOrderResultView> {
  const alipay = context.providers.alipay!;
  const { payment, expiresAt } = await openProviderPayment(context, order, 'ALIPAY');
  const orderString = alipay.appPayOrderString({
    outTradeNo: payment.out_trade_no!,
    total: payment.amount,
    subject: description(order),
    notifyUrl: notifyUrl(context, 'alipay'),
    timeExpire: expiresAt,
  });
  await ensureStillPayable(context, order, payment.id);
  const sandbox = context.providers.mode.alipay === 'sandbox';
  return {
    payment,
    wechat: null,
    alipayOrderString: orderString,
    sandboxPayUrl: sandbox ? `${context.config.payment.publicUrl}/notify/sandbox/alipay?${orderString}` : null,
  };
}

/**
 * One transaction: the open balance payment of the order (locked), the debit (refused below zero), SUCCEEDED with
 * its event and settle job. A concurrent second attempt for the same order waits on the open payment's lock and
 * then finds the order paid.
 */
async function payWithBalance(context: PaymentContext, order: OrderForPayment): Promise<PaymentRow> {
  const payment = await context.db.transaction(async (trx) => {
    await openPayment(trx, { orderId: order.id, userId: order.buyerId, method: 'BALANCE', amount: order.total });
    const open = await lockPendingPayment(trx, order.id, 'BALANCE');
    if (!open || (await findSucceededPayment(trx, order.id))) throw shopError('CONFLICT', `Order ${order.id} is already paid`, { currentStatus: 'PAID' });
    const entry = await book(trx, { userId: order.buyerId, amount: -open.amount, kind: 'PAYMENT', ref: `pay:${open.id}`, note: description(order) });
    if (!entry) throw shopError('CONFLICT', 'Insufficient wallet balance', { reason: 'INSUFFICIENT_BALANCE' });
    return succeed(trx, open, `wallet:${entry.id}`, new Date());
  });
  // The settle job is the guarantee; telling order now just spares the shopper the job's poll interval.
  await markOrderPaid(context.services, { orderId: payment.order_id, paymentId: payment.id, amount: payment.amount }).catch(() => undefined);
  return payment;
}
