/**
 * Provider callbacks, public (no identity header — providers cannot send one), so each authenticates its caller:
 *   POST /notify/wechat   WeChat Pay v3 notification: signature headers on the raw body, then AES-256-GCM, then
 *                         merchant, then by event_type: TRANSACTION.SUCCESS (order and amount), REFUND.* (the
 *                         refund). Refused → 4xx/5xx {"code":"FAIL","message":…}, nothing changes; accepted (or a
 *                         duplicate) → 204.
 *   POST /notify/alipay   Alipay asynchronous notification (form fields, RSA2) → `success`, or 400 `fail`.
 * Sandbox only (mounted only when PAYMENT_SANDBOX is on — never in production, off a loopback HOST only when asked
 * for — and only for a method without real keys): the cashier a sandboxPayUrl points to, which makes the sandbox
 * provider deliver its signed notification to the endpoints above.
 */
import express from 'express';
import { isMemberCardTrade, nudgeGrant, recordMemberCardPaid } from './member-card';
import { markOrderPaid } from './order-client';
import { recordRefundNotification } from './refund-notify';
import { recordProviderSuccess, SettlementRefused, type PaymentRuntime } from './settlement';
import { logger } from '../../platform/log';

const log = logger({ component: 'payment' });

const NOTIFY_BODY_LIMIT = 64 * 1024;

function fail(res: express.Response, status: number, message: string) {
  res.status(status).type('application/json').send(JSON.stringify({ code: 'FAIL', message }));
}

/** After commit: tell order now (best effort); the settle job scheduled with the success is the guarantee. */
async function nudgeOrder(runtime: PaymentRuntime, payment: { id: string; order_id: string; amount: number }) {
  await markOrderPaid(runtime.services, { orderId: payment.order_id, paymentId: payment.id, amount: payment.amount }).catch(() => undefined);
}

/** Where this very server listens, for the sandbox delivering to it (as the provider would to notify_url). */
function selfOrigin(req: express.Request, host: string) {
  const target = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return `http://${target.includes(':') ? `[${target}]` : target}:${req.socket.localPort}`;
}

/**
 * One WeChat Pay notification, as POSTed to /notify/wechat: verified (signature headers on the raw body, timestamp,
 * AES-256-GCM, merchant), then dispatched on `event_type`: TRANSACTION.SUCCESS records the payment, REFUND.* finishes
 * the refund (refund-notify.ts). 204 when accepted (or a duplicate, or an event we do not act on); otherwise the
 * status and message WeChat gets, and nothing changed. The sandbox hands its refund notifications here too.
 */
export async function handleWechatNotification(
  runtime: PaymentRuntime,
  headers: Record<string, string | string[] | undefined>,
  body: Buffer,
): Promise<{ status: number; message?: string }> {
  const wechat = runtime.providers.wechat;
  if (!wechat) return { status: 404, message: 'WeChat Pay is not configured' };
  const check = wechat.verifyNotification(headers, body);
  if (!check.ok) {
    log.warn({ reason: check.reason }, `WeChat notification refused: ${check.reason}`);
    return { status: check.reason === 'BAD_BODY' || check.reason === 'DECRYPT_FAILED' || check.reason === 'WRONG_MERCHANT' ? 400 : 401, message: check.reason };
  }
  const reference = check.kind === 'refund' ? check.refund.out_refund_no : check.transaction.out_trade_no;
  try {
    if (check.kind === 'refund') {
      const result = await runtime.db.transaction((trx) => recordRefundNotification(trx, check.eventType, check.refund));
      if (!result.duplicate) log.info({ refundNo: result.refundNo }, `${check.eventType}: refund ${result.refundNo} ${result.status}`);
      return { status: 204 };
    }
    const { transaction } = check;
    if (check.eventType !== 'TRANSACTION.SUCCESS' || transaction.trade_state !== 'SUCCESS') return { status: 204 };
    if (isMemberCardTrade(transaction.out_trade_no)) {
      // A member card (member-card.ts): the same verified notification, its own trade.
      const card = await runtime.db.transaction((trx) =>
        recordMemberCardPaid(trx, {
          outTradeNo: transaction.out_trade_no,
          amount: transaction.amount?.total ?? -1,
          providerTxnId: transaction.transaction_id ?? null,
          paidAt: transaction.success_time ? new Date(transaction.success_time) : undefined,
        }),
      );
      if (!card.duplicate) await nudgeGrant(runtime, card.order);
      return { status: 204 };
    }
    const result = await runtime.db.transaction((trx) =>
      recordProviderSuccess(trx, {
        outTradeNo: transaction.out_trade_no,
        method: 'WECHAT',
        amount: transaction.amount?.total ?? -1,
        providerTxnId: transaction.transaction_id ?? null,
        paidAt: transaction.success_time ? new Date(transaction.success_time) : undefined,
      }),
    );
    if (!result.duplicate && !result.flagged) await nudgeOrder(runtime, result.payment);
    return { status: 204 };
  } catch (error) {
    if (error instanceof SettlementRefused) {
      log.warn({ reference, reason: error.reason }, `WeChat ${check.eventType} notification for ${reference} refused: ${error.reason}`);
      return { status: error.status, message: error.reason };
    }
    log.error({ err: error }, 'WeChat notification failed');
    return { status: 500, message: 'internal error' };
  }
}

export function mountPaymentRoutes(app: express.Express, runtime: PaymentRuntime): void {
  const { providers, db, config } = runtime;
  // The raw bytes: the signature covers the body exactly as sent.
  const raw = express.raw({ type: () => true, limit: NOTIFY_BODY_LIMIT });

  app.post('/notify/wechat', raw, async (req, res) => {
    const answer = await handleWechatNotification(runtime, req.headers, Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0));
    if (answer.status === 204) return res.status(204).end();
    fail(res, answer.status, answer.message ?? 'FAIL');
  });

  app.post('/notify/alipay', raw, async (req, res) => {
    const alipay = providers.alipay;
    if (!alipay) return res.status(404).type('text/plain').send('fail');
    const params = Object.fromEntries(new URLSearchParams(Buffer.isBuffer(req.body) ? req.body.toString('utf8') : ''));
    const check = alipay.verifyNotification(params);
    if (!check.ok) {
      log.warn({ reason: check.reason }, `Alipay notification refused: ${check.reason}`);
      return res.status(400).type('text/plain').send('fail');
    }
    if (params.trade_status !== 'TRADE_SUCCESS' && params.trade_status !== 'TRADE_FINISHED') return res.type('text/plain').send('success');
    try {
      const result = await db.transaction((trx) =>
        recordProviderSuccess(trx, { outTradeNo: params.out_trade_no, method: 'ALIPAY', amount: check.amount, providerTxnId: params.trade_no ?? null }),
      );
      if (!result.duplicate && !result.flagged) await nudgeOrder(runtime, result.payment);
      res.type('text/plain').send('success');
    } catch (error) {
      if (error instanceof SettlementRefused) {
        log.warn({ outTradeNo: params.out_trade_no, reason: error.reason }, `Alipay notification for ${params.out_trade_no} refused: ${error.reason}`);
        return res.status(error.status).type('text/plain').send('fail');
      }
      log.error({ err: error }, 'Alipay notification failed');
      res.status(500).type('text/plain').send('fail');
    }
  });

  if (!config.payment.sandbox || config.isProduction) return;

  // ?deliver=false: the payment succeeds at the provider but its notification is "lost" (reconciliation finds it).
  if (providers.wechatSandbox && providers.mode.wechat === 'sandbox') {
    const sandbox = providers.wechatSandbox;
    app.post('/notify/sandbox/wechat/:prepayId', async (req, res) => {
      // As WeChat's cashier: a closed trade, or one past its time_expire, cannot be paid.
      const refusal = sandbox.cashierRefusal(String(req.params.prepayId));
      if (refusal) return fail(res, refusal === 'ORDER_NOT_EXIST' ? 404 : 409, refusal);
      const paid = sandbox.pay(String(req.params.prepayId));
      if (!paid) return fail(res, 404, 'no such sandbox payment');
      if (req.query.deliver === 'false') return res.json({ paid: true, outTradeNo: paid.outTradeNo, delivered: false });
      const response = await fetch(`${selfOrigin(req, config.host)}/notify/wechat`, { method: 'POST', headers: paid.headers, body: paid.body });
      res.json({ paid: true, outTradeNo: paid.outTradeNo, delivered: response.ok, notifyStatus: response.status });
    });
  }
  if (providers.alipaySandbox && providers.mode.alipay === 'sandbox') {
    const sandbox = providers.alipaySandbox;
    app.post('/notify/sandbox/alipay', async (req, res) => {
      const query = req.originalUrl.includes('?') ? req.originalUrl.slice(req.originalUrl.indexOf('?') + 1) : '';
      const params = new URLSearchParams(query);
      const deliver = params.get('deliver') !== 'false';
      params.delete('deliver');
      const refusal = sandbox.cashierRefusal(params.toString());
      if (refusal && refusal !== 'INVALID') return fail(res, 409, refusal);
      const paid = sandbox.pay(params.toString());
      if (!paid) return fail(res, 404, 'not a signed order string of this sandbox');
      if (!deliver) return res.json({ paid: true, outTradeNo: paid.outTradeNo, delivered: false });
      const response = await fetch(`${selfOrigin(req, config.host)}/notify/alipay`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded;charset=utf-8' },
        body: paid.body,
      });
      res.json({ paid: true, outTradeNo: paid.outTradeNo, delivered: response.ok, notifyStatus: response.status });
    });
  }
}
