/**
 * The member card (seed /pay/wx/member, /pay/wx/member-callback, /family/member/price; docs/family-wallets.md): a
 * year of FORMAL membership for a family, bought by its owner with WeChat Pay at the price staff set.
 *
 * A card order is its own WeChat trade (out_trade_no `M…`, so /notify/wechat tells it from order payments) with a
 * deadline (ORDER_PAYMENT_TIMEOUT_SECONDS). The notification is verified exactly as an order payment's; it — or the
 * query job, whichever comes first — locks the card order and moves it PENDING (or EXPIRED) → PAID once, appending
 * `MemberCardPaid` and scheduling the durable job `payment.grantMemberCard` in that transaction. The job asks user
 * (user-client.ts `grantPaidMembership`, idempotent per grant key `MC<card order id>`) to add the year, then records
 * the new expiry; a replayed notify, a race with the query, a retried job or a process killed anywhere in between
 * add the year exactly once. A card order never paid is closed at WeChat at its deadline and becomes EXPIRED.
 */
import type { Knex } from 'knex';
import { requireScope, requireUser } from '../../platform/context';
import { badInput, shopError } from '../../platform/errors';
import { appendEvent, scheduleJob, type Job, type JobContext } from '../../platform/events';
import { isBigintId } from '../../platform/loaders';
import type { PaymentContext } from './context';
import {
  currentMemberCardPrice,
  findMemberCardOrder,
  insertMemberCardPrice,
  lockMemberCardOrder,
  openMemberCardOrder,
  setMemberCardPrepay,
  updateMemberCardOrder,
  type MemberCardOrderRow,
  type MemberCardPriceRow,
} from './data/member-cards';
import { visibleFamily } from './family-wallet';
import { isRefusal, payerOpenId } from './order-client';
import { PAYMENT_STREAM, SettlementRefused, type PaymentRuntime } from './settlement';
import { closeAtProvider } from './trade-close';
import type { TradePaymentRow } from './data/trades';
import type { WechatClientParams } from './providers/wechat-protocol';
import { grantPaidMembership } from './user-client';
import { logger } from '../../platform/log';

const log = logger({ component: 'payment' });

/** A member card is a year. */
export const MEMBER_CARD_MONTHS = 12;
export const MEMBER_CARD_TRADE_PREFIX = 'M';
export const JOB_GRANT_MEMBER_CARD = 'payment.grantMemberCard';
export const JOB_MEMBER_CARD_QUERY = 'payment.memberCardQuery';

export interface MemberCardPurchaseView {
  order: MemberCardOrderRow;
  wechat: WechatClientParams | null;
  sandboxPayUrl: string | null;
}

export const memberCardPrice = (context: PaymentContext) => currentMemberCardPrice(context.db).then((row) => row ?? null);

/** Staff (member:write): the price of a year from now on (card orders already open keep theirs). */
export async function setMemberCardPrice(context: PaymentContext, price: number): Promise<MemberCardPriceRow> {
  const staffId = requireScope(context, 'member:write');
  const max = context.config.money.maxUnitPriceFen;
  if (!Number.isInteger(price) || price < 1 || price > max) throw badInput(`The price must be between 1 and ${max} fen`, 'price');
  return insertMemberCardPrice(context.db, price, `staff:${staffId}`);
}

/** The signed-in shopper's card order (null for anyone else's, as for one that does not exist). */
export async function memberCardOrderForViewer(context: PaymentContext, id: string): Promise<MemberCardOrderRow | null> {
  const userId = requireUser(context);
  if (!isBigintId(id)) return null;
  const row = await findMemberCardOrder(context.db, id);
  return row && String(row.user_id) === userId ? row : null;
}

export async function buyMemberCard(context: PaymentContext, familyId: string): Promise<MemberCardPurchaseView> {
  const userId = requireUser(context);
  const { family, role } = await visibleFamily(context, familyId);
  if (role !== 'OWNER') throw shopError('FORBIDDEN', "Only the family's owner can buy its member card", { reason: 'NOT_FAMILY_OWNER', field: 'familyId' });
  const price = await currentMemberCardPrice(context.db);
  if (!price) throw shopError('CONFLICT', 'The member card is not on sale', { reason: 'NOT_ON_SALE' });
  const wechat = context.providers.wechat;
  if (!wechat) {
    throw shopError('BAD_USER_INPUT', 'WeChat Pay is not configured on this server', { field: 'method', reason: 'PAYMENT_METHOD_UNAVAILABLE' });
  }
  const sandbox = context.providers.mode.wechat === 'sandbox';
  const openid = sandbox ? `sandbox-openid-${userId}` : await payerOpenId(context.services, userId);
  if (!openid) throw badInput('WeChat Pay needs an account signed in with WeChat (loginWithWechat)', 'method');
  const timeoutMs = context.config.order.paymentTimeoutSeconds * 1000;
  const reconcileMs = context.config.payment.reconcileAfterSeconds * 1000;
  const order = await context.db.transaction(async (trx) => {
    const { row, created } = await openMemberCardOrder(trx, { familyId: family.id, userId, amount: price.price, expiresAt: new Date(Date.now() + timeoutMs) });
    if (created) {
      // The query: early (a lost notification), and at the deadline, where the trade is closed unless paid.
      const key = `MC${row.id}`;
      if (reconcileMs < timeoutMs) {
        await scheduleJob(trx, { kind: JOB_MEMBER_CARD_QUERY, key: `${key}:early`, runAt: new Date(row.created_at.getTime() + reconcileMs), payload: { cardOrderId: row.id, final: false } });
      }
      await scheduleJob(trx, { kind: JOB_MEMBER_CARD_QUERY, key: `${key}:deadline`, runAt: row.expires_at, payload: { cardOrderId: row.id, final: true } });
    }
    return row;
  });
  // The open order being closed right now (its deadline passed): the shopper starts again in a moment.
  if (order.expires_at.getTime() <= Date.now() + 5_000) {
    throw shopError('CONFLICT', 'The previous member card order is closing; try again in a minute', { reason: 'PREVIOUS_ORDER_CLOSING' });
  }
  let prepayId = order.prepay_id;
  if (!prepayId) {
    // WeChat answers the same prepay for the same out_trade_no and content, so racing retries agree.
    prepayId = await wechat.jsapiPrepay({
      outTradeNo: order.out_trade_no,
      description: '家庭会员卡（一年）',
      total: order.amount,
      notifyUrl: `${context.config.payment.publicUrl}/notify/wechat`,
      openid,
      timeExpire: order.expires_at,
    });
    await setMemberCardPrepay(context.db, order.id, prepayId);
  }
  return {
    order: { ...order, prepay_id: prepayId },
    wechat: wechat.clientParams(prepayId),
    sandboxPayUrl: sandbox ? `${context.config.payment.publicUrl}/notify/sandbox/wechat/${encodeURIComponent(prepayId)}` : null,
  };
}

export const isMemberCardTrade = (outTradeNo: string) => outTradeNo.startsWith(MEMBER_CARD_TRADE_PREFIX);

/**
 * WeChat took the money for a card order (a verified notification or a query answer). Under the card order's lock:
 * PENDING or EXPIRED → PAID once (the money is ours either way, so the year is granted), with its event and the grant
 * job; a duplicate changes nothing; another amount than the order's is FLAGGED (not granted; staff resolve it).
 */
export async function recordMemberCardPaid(
  trx: Knex.Transaction,
  input: { outTradeNo: string; amount: number; providerTxnId: string | null; paidAt?: Date },
): Promise<{ order: MemberCardOrderRow; duplicate: boolean }> {
  const order = await lockMemberCardOrder(trx, { out_trade_no: input.outTradeNo });
  if (!order) throw new SettlementRefused('UNKNOWN_ORDER', 404);
  if (order.status === 'PAID' || order.status === 'FLAGGED') return { order, duplicate: true };
  if (input.amount !== order.amount) {
    log.error({ orderId: order.id, outTradeNo: input.outTradeNo }, `FLAGGED member card order ${order.id} (${input.outTradeNo}): WeChat reports ${input.amount} fen, expected ${order.amount}; not granted`);
    return { order: await updateMemberCardOrder(trx, order.id, { status: 'FLAGGED', provider_txn_id: input.providerTxnId }), duplicate: false };
  }
  const paidAt = input.paidAt ?? new Date();
  const paid = await updateMemberCardOrder(trx, order.id, { status: 'PAID', provider_txn_id: input.providerTxnId, paid_at: paidAt });
  await appendEvent(trx, {
    stream: PAYMENT_STREAM,
    type: 'MemberCardPaid',
    aggregateId: `MC${paid.id}`,
    payload: { cardOrderId: paid.id, familyId: String(paid.family_id), userId: String(paid.user_id), amount: paid.amount, months: MEMBER_CARD_MONTHS, paidAt: paidAt.toISOString() },
  });
  await scheduleJob(trx, { kind: JOB_GRANT_MEMBER_CARD, key: `MC${paid.id}`, runAt: new Date(), payload: { cardOrderId: paid.id } });
  return { order: paid, duplicate: false };
}

/** Asks user for the year (idempotent per grant key) and records the new expiry; used by the job and right after the notify. */
async function grant(runtime: Pick<PaymentRuntime, 'services'>, order: MemberCardOrderRow, record: (fn: (trx: Knex.Transaction) => Promise<void>) => Promise<void>) {
  const result = await grantPaidMembership(runtime.services, { familyId: String(order.family_id), grantKey: `MC${order.id}`, months: MEMBER_CARD_MONTHS });
  await record(async (trx) => {
    const locked = await lockMemberCardOrder(trx, { id: order.id });
    if (!locked || locked.granted_at) return;
    await updateMemberCardOrder(trx, order.id, { granted_at: new Date(), membership_expires_at: new Date(result.expiresAt) });
  });
}

/** After the notify's commit: grant now (best effort) so the shopper sees the year at once; the job is the guarantee. */
export async function nudgeGrant(runtime: PaymentRuntime, order: MemberCardOrderRow): Promise<void> {
  if (order.status !== 'PAID') return;
  await grant(runtime, order, (fn) => runtime.db.transaction(fn)).catch(() => undefined);
}

/** Job payment.grantMemberCard (key MC<id>): the year at user, until user answers. */
export async function grantMemberCardJob(runtime: PaymentRuntime, job: Job<{ cardOrderId: string }>, ctx: JobContext): Promise<void> {
  const order = await findMemberCardOrder(ctx.db, job.payload.cardOrderId);
  if (!order || order.status !== 'PAID' || order.granted_at) return;
  try {
    await grant(runtime, order, (fn) => ctx.fenced(fn, { complete: true }));
  } catch (error) {
    // A refusal (family gone, which families never are) is not fixed by retrying soon, but the money is paid: keep
    // retrying with backoff until the job runner dead-letters it for staff.
    if (isRefusal(error)) log.error({ orderId: order.id }, `user refused the member card year of ${order.id}: ${(error as Error).message}`);
    throw error;
  }
}

/**
 * Job payment.memberCardQuery: asks WeChat about an open card order. Paid → recorded as the notification would be. At
 * the deadline (`final`) an unpaid trade is closed at WeChat and the order EXPIRED; WeChat answering "paid" to the
 * close settles the race with a last-second payment; a trade not closable yet (being paid) is asked again (retry).
 */
export async function memberCardQueryJob(runtime: PaymentRuntime, job: Job<{ cardOrderId: string; final: boolean }>, ctx: JobContext): Promise<void> {
  const order = await findMemberCardOrder(ctx.db, job.payload.cardOrderId);
  if (!order || order.status !== 'PENDING') return;
  const wechat = runtime.providers.wechat;
  if (!wechat) throw new Error('WeChat Pay is not configured: cannot query member card orders');
  const trade = { method: 'WECHAT', out_trade_no: order.out_trade_no } as TradePaymentRow;
  let answer: { kind: 'paid'; amount: number; txnId: string | null; paidAt?: Date } | { kind: 'closed' } | { kind: 'open'; state?: string };
  if (job.payload.final) {
    answer = await closeAtProvider(runtime, trade);
    if (answer.kind === 'open') throw new Error(`member card trade ${order.out_trade_no} cannot be closed yet: ${answer.state}`);
  } else {
    const found = await wechat.queryByOutTradeNo(order.out_trade_no);
    answer =
      found && found.appid === wechat.merchant.appId && found.mchid === wechat.merchant.mchId && (found.trade_state === 'SUCCESS' || found.trade_state === 'REFUND')
        ? { kind: 'paid', amount: found.amount?.total ?? -1, txnId: found.transaction_id ?? null, paidAt: found.success_time ? new Date(found.success_time) : undefined }
        : { kind: 'open' };
  }
  await ctx.fenced(async (trx) => {
    const locked = await lockMemberCardOrder(trx, { id: order.id });
    if (!locked || locked.status !== 'PENDING') return;
    if (answer.kind === 'paid') {
      await recordMemberCardPaid(trx, { outTradeNo: order.out_trade_no, amount: answer.amount, providerTxnId: answer.txnId, paidAt: answer.paidAt });
    } else if (answer.kind === 'closed') {
      await updateMemberCardOrder(trx, order.id, { status: 'EXPIRED' });
    }
  }, { complete: true });
}
