/**
 * WeChat Pay in the mini-program: `payOrder(method: WECHAT)` answers the JSAPI parameters, `wx.requestPayment` shows
 * WeChat's cashier, and then the kit waits for the order itself to say PAID. The success callback of requestPayment
 * is not proof of payment (WeChat's own documentation says so): the shop learns it from WeChat Pay's signed
 * notification, so the order's status — live over the subscription, read again if the socket fails — is the answer.
 */
import { OrderDetailDocument, OrderStatusDocument, PayWithWechatDocument, type OrderViewFragment } from './gql/graphql';
import type { Request } from './index';
import type { ShopError } from './request';
import type { Subscriptions } from './subscriptions';
import type { WxApi } from './wx';

export type PayOutcome =
  /** The order is paid (or past payment: shipped…): what the shop knows, not what the cashier said. */
  | { status: 'PAID'; order: OrderViewFragment }
  /** The shopper closed WeChat's cashier ("requestPayment:fail cancel"). The order still waits for payment. */
  | { status: 'CANCELLED' }
  /** payOrder was refused (error.code, e.g. CONFLICT with extensions.currentStatus) or the cashier failed. */
  | { status: 'FAILED'; error: ShopError }
  /** WeChat took the payment but the shop has not confirmed it within `waitMs`: show "支付确认中" and keep watching. */
  | { status: 'CONFIRMING'; order: OrderViewFragment | null };

export interface PayOptions {
  /** How long to wait for the order to leave PENDING_PAYMENT after the cashier (default 15 s). */
  waitMs?: number;
  /** Poll interval when the socket is not available (default 2 s). */
  pollMs?: number;
  /**
   * Development against a shop whose payment sandbox is on (no merchant keys): WeChat's real cashier does not know
   * the sandbox's prepay ids, so pay at the sandbox's cashier instead (POST `sandboxPayUrl`, which sends the signed
   * notification as WeChat Pay would). Ignored when the shop answers no sandbox URL (real merchant keys).
   */
  sandboxCashier?: boolean;
}

const settled = (order: OrderViewFragment | null | undefined) => !!order && order.status !== 'PENDING_PAYMENT' && order.status !== 'CANCELLED';

function requestPayment(wx: WxApi, params: { timeStamp: string; nonceStr: string; package: string; signType: string; paySign: string }) {
  return new Promise<{ ok: true } | { ok: false; errMsg: string }>((resolve) =>
    wx.requestPayment({
      timeStamp: params.timeStamp,
      nonceStr: params.nonceStr,
      package: params.package,
      signType: params.signType as 'RSA',
      paySign: params.paySign,
      success: () => resolve({ ok: true }),
      fail: ({ errMsg }) => resolve({ ok: false, errMsg }),
    }),
  );
}

/** The sandbox's cashier (development): answers like requestPayment's callbacks. */
function sandboxPay(wx: WxApi, url: string) {
  return new Promise<{ ok: true } | { ok: false; errMsg: string }>((resolve) =>
    wx.request({
      url,
      method: 'POST',
      success: ({ statusCode, data }) =>
        resolve(statusCode === 200 && (data as { paid?: boolean } | null)?.paid ? { ok: true } : { ok: false, errMsg: `sandbox cashier: ${JSON.stringify(data)}` }),
      fail: ({ errMsg }) => resolve({ ok: false, errMsg }),
    }),
  );
}

/** The order's state until `done(order)` or `waitMs`: the subscription first, reads every `pollMs` if it fails. */
export function waitForOrder(
  deps: { request: Request; subscriptions: Subscriptions },
  orderId: string,
  done: (order: OrderViewFragment) => boolean,
  { waitMs = 15_000, pollMs = 2_000 }: PayOptions = {},
): Promise<OrderViewFragment | null> {
  return new Promise((resolve) => {
    let last: OrderViewFragment | null = null;
    let finished = false;
    let poller: ReturnType<typeof setInterval> | undefined;
    const finish = () => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      if (poller) clearInterval(poller);
      stop();
      resolve(last);
    };
    const see = (order: OrderViewFragment | null | undefined) => {
      if (!order || finished) return;
      last = order;
      if (done(order)) finish();
    };
    const poll = async () => {
      const answer = await deps.request(OrderDetailDocument, { id: orderId });
      if (answer.ok) see(answer.data.order);
    };
    const timer = setTimeout(finish, waitMs);
    const stop = deps.subscriptions.subscribe(OrderStatusDocument, { orderId }, {
      next: (data) => see(data.orderStatusChanged),
      // No socket (domain not allowed, network): read the order now and then instead.
      error: () => {
        if (!finished && !poller) {
          void poll();
          poller = setInterval(() => void poll(), pollMs);
        }
      },
    });
  });
}

export async function payWithWechat(
  deps: { wx: WxApi; request: Request; subscriptions: Subscriptions },
  orderId: string,
  options: PayOptions = {},
): Promise<PayOutcome> {
  const answer = await deps.request(PayWithWechatDocument, { orderId });
  if (!answer.ok) return { status: 'FAILED', error: answer.error };
  const params = answer.data.payOrder.wechat;
  if (!params) return { status: 'FAILED', error: { code: 'BAD_RESPONSE', message: 'payOrder answered no WeChat parameters', extensions: {}, errors: [] } };
  const sandboxUrl = options.sandboxCashier ? answer.data.payOrder.sandboxPayUrl : null;
  const cashier = sandboxUrl ? await sandboxPay(deps.wx, sandboxUrl) : await requestPayment(deps.wx, params);
  if (!cashier.ok && /cancel/.test(cashier.errMsg)) return { status: 'CANCELLED' };
  if (!cashier.ok) {
    // The cashier failed, yet the money may have moved before it did (a dropped connection): ask the order once.
    const now = await deps.request(OrderDetailDocument, { id: orderId });
    if (now.ok && settled(now.data.order)) return { status: 'PAID', order: now.data.order! };
    return { status: 'FAILED', error: { code: 'NETWORK_ERROR', message: cashier.errMsg, extensions: {}, errors: [] } };
  }
  const order = await waitForOrder(deps, orderId, settled, options);
  return order && settled(order) ? { status: 'PAID', order } : { status: 'CONFIRMING', order };
}
