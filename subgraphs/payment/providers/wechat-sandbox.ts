/**
 * The WeChat Pay sandbox: a stand-in for api.mch.weixin.qq.com that speaks the real v3 protocol. It generates its
 * own merchant and platform RSA key pairs and APIv3 key when the process starts (kept in memory), checks every
 * request's merchant signature, signs every response with its platform key, and — when the shopper "pays" at
 * sandboxPayUrl — builds a real TRANSACTION.SUCCESS notification (resource encrypted with AES-256-GCM, headers
 * signed RSA-SHA256) for the notify endpoint. Like WeChat it honours `time_expire` (no paying after it), closes
 * trades (`…/close`: a closed trade cannot be paid), answers a new refund PROCESSING and then sends its REFUND.SUCCESS
 * notification, signed and encrypted the same way, to the payment server of this process (`receiveNotifications`).
 * It logs the API calls it answered per trade and refund (`requestsFor`, shared by the processes of an installation
 * like its trades) so tests can count what reached the provider, and takes per-trade test scenarios (`scenario`).
 * Development and tests only: never created with NODE_ENV=production.
 */
import crypto from 'node:crypto';
import type { ProviderRequest, ProviderResponse, Transport } from './http';
import { SandboxStore } from './sandbox-store';
import {
  encryptResource,
  nonce,
  parseAuthorization,
  rsaVerify,
  signedMessage,
  signPlatformMessage,
  unixSeconds,
  type WechatTransaction,
} from './wechat-protocol';
import type { WechatMerchant, WechatRefundNotice } from './wechat';

interface NotificationOptions {
  apiV3Key?: string;
  signWith?: string;
  serial?: string;
  now?: number;
}

interface SandboxTrade {
  appid: string;
  mchid: string;
  outTradeNo: string;
  total: number;
  notifyUrl: string;
  openid: string;
  prepayId: string;
  state: WechatTransaction['trade_state'];
  /** time_expire of the prepay (ISO): the shopper cannot pay after it. */
  timeExpire?: string;
  transactionId?: string;
  successTime?: string;
  /** Refund numbers with their amounts (the refunds themselves are stored one file each). */
  refunds: Record<string, number>;
}

interface SandboxRefund {
  refundId: string;
  amount: number;
  outTradeNo: string;
  outRefundNo?: string;
  status?: 'PROCESSING' | 'SUCCESS';
  successTime?: string;
}

/** Where the sandbox delivers notifications (the notify endpoint of a payment server of this process); answers the HTTP status. */
export type NotificationReceiver = (headers: Record<string, string>, body: string) => Promise<number>;

/** Test scenario of one trade's refunds (see WechatSandbox.scenario). */
export interface SandboxScenario {
  /** How long a new refund stays PROCESSING (default 10 ms). */
  refundDelayMs?: number;
  /** false: the refund succeeds but its REFUND.SUCCESS notification is never sent. */
  refundNotifications?: boolean;
}

/** One API call the sandbox answered. */
export interface SandboxRequest {
  method: string;
  path: string;
  body: string;
  at: number;
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

function keyPair() {
  return crypto.generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
}

export class WechatSandbox {
  readonly mchId = '1900000109';
  readonly merchantSerial = crypto.randomBytes(20).toString('hex').toUpperCase();
  readonly platformSerial = crypto.randomBytes(20).toString('hex').toUpperCase();
  readonly apiV3Key = crypto.randomBytes(16).toString('hex'); // 32 characters, as WeChat requires
  private readonly merchantKeys = keyPair();
  private readonly platformKeys = keyPair();
  private readonly store: SandboxStore;
  private readonly receivers: NotificationReceiver[] = [];

  constructor(
    readonly appId: string,
    dataDir: string,
  ) {
    this.store = new SandboxStore(dataDir);
  }

  private trade(outTradeNo: string) {
    return this.store.get<SandboxTrade>('wechat-trades', outTradeNo);
  }

  private save(trade: SandboxTrade) {
    this.store.put('wechat-trades', trade.outTradeNo, trade);
  }

  /** The merchant configuration a client of this sandbox uses (the same shape as real merchant keys). */
  merchant(apiBase: string, maxSkewSeconds: number): WechatMerchant {
    return {
      appId: this.appId,
      mchId: this.mchId,
      merchantSerial: this.merchantSerial,
      merchantPrivateKey: this.merchantKeys.privateKey,
      apiV3Key: this.apiV3Key,
      platformKeys: new Map([[this.platformSerial, this.platformKeys.publicKey]]),
      apiBase,
      maxSkewSeconds,
    };
  }

  /** For tests: what a forger would need (the platform private key is exactly what an attacker lacks). */
  get platformPrivateKey() {
    return this.platformKeys.privateKey;
  }

  readonly transport: Transport = async (request) => this.handle(request);

  /** A payment server of this process takes the sandbox's notifications (until the returned function detaches it). */
  receiveNotifications(receiver: NotificationReceiver): () => void {
    this.receivers.push(receiver);
    return () => {
      const index = this.receivers.indexOf(receiver);
      if (index >= 0) this.receivers.splice(index, 1);
    };
  }

  /** API calls answered about this out_trade_no or out_refund_no (in the path or the body) since `since`, by any process. */
  requestsFor(reference: string, since = 0): SandboxRequest[] {
    return this.store.readLog<SandboxRequest>('wechat-requests', reference).filter((r) => r.at >= since);
  }

  /**
   * A test scenario for the refunds of one trade, honoured by whichever process's sandbox handles them: how long a
   * new refund stays PROCESSING (a bank still busy with it) and whether its notification is sent or "lost".
   */
  scenario(outTradeNo: string, scenario: SandboxScenario): void {
    this.store.put('wechat-scenarios', outTradeNo, scenario);
  }

  private log(request: ProviderRequest, url: URL) {
    const entry: SandboxRequest = { method: request.method, path: url.pathname, body: request.method === 'GET' ? '' : request.body, at: Date.now() };
    const references = new Set<string>();
    const inPath = url.pathname.match(/^\/v3\/(?:pay\/transactions\/out-trade-no|refund\/domestic\/refunds)\/([^/]+)/);
    if (inPath) references.add(decodeURIComponent(inPath[1]));
    try {
      const body = entry.body ? JSON.parse(entry.body) : {};
      for (const key of ['out_trade_no', 'out_refund_no']) if (typeof body[key] === 'string') references.add(body[key]);
    } catch {
      // not JSON: nothing to file it under
    }
    for (const reference of references) this.store.append('wechat-requests', reference, entry);
  }

  private answer(status: number, body: unknown): ProviderResponse {
    const text = body === undefined ? '' : JSON.stringify(body);
    const headers: Record<string, string> = { 'content-type': 'application/json', 'request-id': crypto.randomUUID() };
    if (status >= 200 && status < 300) Object.assign(headers, signPlatformMessage(text, this.platformSerial, this.platformKeys.privateKey));
    return { status, headers, body: Buffer.from(text) };
  }

  private error(status: number, code: string, message: string) {
    return this.answer(status, { code, message });
  }

  async handle(request: ProviderRequest): Promise<ProviderResponse> {
    const url = new URL(request.url);
    const pathWithQuery = `${url.pathname}${url.search}`;
    const auth = parseAuthorization(request.headers.authorization);
    if (!auth || auth.mchid !== this.mchId || auth.serial_no !== this.merchantSerial) return this.error(401, 'SIGN_ERROR', 'bad Authorization');
    if (Math.abs(unixSeconds() - Number(auth.timestamp)) > 300) return this.error(401, 'SIGN_ERROR', 'timestamp expired');
    const message = signedMessage(request.method, pathWithQuery, auth.timestamp, auth.nonce_str, request.method === 'GET' ? '' : request.body);
    if (!rsaVerify(message, auth.signature, this.merchantKeys.publicKey)) return this.error(401, 'SIGN_ERROR', 'signature mismatch');
    this.log(request, url);

    if (request.method === 'POST' && url.pathname === '/v3/pay/transactions/jsapi') return this.prepay(JSON.parse(request.body));
    const query = url.pathname.match(/^\/v3\/pay\/transactions\/out-trade-no\/([^/]+)$/);
    if (request.method === 'GET' && query) return this.query(decodeURIComponent(query[1]), url.searchParams.get('mchid'));
    const close = url.pathname.match(/^\/v3\/pay\/transactions\/out-trade-no\/([^/]+)\/close$/);
    if (request.method === 'POST' && close) return this.close(decodeURIComponent(close[1]), JSON.parse(request.body || '{}'));
    if (request.method === 'POST' && url.pathname === '/v3/refund/domestic/refunds') return this.refund(JSON.parse(request.body));
    const refundQuery = url.pathname.match(/^\/v3\/refund\/domestic\/refunds\/([^/]+)$/);
    if (request.method === 'GET' && refundQuery) return this.queryRefund(decodeURIComponent(refundQuery[1]));
    return this.error(404, 'NOT_FOUND', `no such API ${request.method} ${url.pathname}`);
  }

  private prepay(body: any): ProviderResponse {
    if (body.appid !== this.appId || body.mchid !== this.mchId) return this.error(400, 'PARAM_ERROR', 'appid/mchid mismatch');
    if (!Number.isInteger(body.amount?.total) || body.amount.total < 1) return this.error(400, 'PARAM_ERROR', 'amount.total');
    if (typeof body.out_trade_no !== 'string' || !/^[A-Za-z0-9_\-|*]{6,32}$/.test(body.out_trade_no)) return this.error(400, 'PARAM_ERROR', 'out_trade_no');
    if (typeof body.notify_url !== 'string' || !body.payer?.openid) return this.error(400, 'PARAM_ERROR', 'notify_url / payer');
    if (body.time_expire !== undefined && (typeof body.time_expire !== 'string' || !RFC3339.test(body.time_expire))) {
      return this.error(400, 'PARAM_ERROR', 'time_expire must be RFC 3339 (yyyy-MM-DDTHH:mm:ss+TIMEZONE)');
    }
    const existing = this.trade(body.out_trade_no);
    if (existing) {
      if (existing.state === 'SUCCESS') return this.error(400, 'ORDERPAID', 'order already paid');
      if (existing.state === 'CLOSED') return this.error(400, 'ORDER_CLOSED', 'order closed');
      if (existing.total !== body.amount.total) return this.error(400, 'INVALID_REQUEST', 'out_trade_no reused with other parameters');
      return this.answer(200, { prepay_id: existing.prepayId });
    }
    const prepayId = `wx${Date.now()}${nonce(8)}`;
    this.save({
      appid: body.appid,
      mchid: body.mchid,
      outTradeNo: body.out_trade_no,
      total: body.amount.total,
      notifyUrl: body.notify_url,
      openid: body.payer.openid,
      prepayId,
      state: 'NOTPAY',
      timeExpire: body.time_expire ? new Date(body.time_expire).toISOString() : undefined,
      refunds: {},
    });
    this.store.put('wechat-prepay', prepayId, body.out_trade_no);
    return this.answer(200, { prepay_id: prepayId });
  }

  private transaction(trade: SandboxTrade): WechatTransaction {
    return {
      appid: trade.appid,
      mchid: trade.mchid,
      out_trade_no: trade.outTradeNo,
      transaction_id: trade.transactionId,
      trade_type: 'JSAPI',
      trade_state: trade.state,
      trade_state_desc: trade.state === 'SUCCESS' ? '支付成功' : trade.state === 'CLOSED' ? '已关闭' : trade.state === 'REFUND' ? '转入退款' : '未支付',
      success_time: trade.successTime,
      payer: { openid: trade.openid },
      amount: { total: trade.total, payer_total: trade.total, currency: 'CNY', payer_currency: 'CNY' },
    };
  }

  private query(outTradeNo: string, mchid: string | null): ProviderResponse {
    const trade = this.trade(outTradeNo);
    if (!trade || mchid !== this.mchId) return this.error(404, 'ORDER_NOT_EXIST', '订单不存在');
    return this.answer(200, this.transaction(trade));
  }

  /** Closes an unpaid trade (204); a paid one answers ORDERPAID, an unknown one ORDER_NOT_EXIST. */
  private close(outTradeNo: string, body: any): ProviderResponse {
    if (body.mchid !== this.mchId) return this.error(400, 'PARAM_ERROR', 'mchid');
    const trade = this.trade(outTradeNo);
    if (!trade) return this.error(404, 'ORDER_NOT_EXIST', '订单不存在');
    if (trade.state === 'SUCCESS' || trade.state === 'REFUND') return this.error(400, 'ORDERPAID', '订单已支付');
    if (trade.state !== 'CLOSED') {
      trade.state = 'CLOSED';
      this.save(trade);
    }
    return this.answer(204, undefined);
  }

  private queryRefund(outRefundNo: string): ProviderResponse {
    const key = this.store.get<string>('wechat-refund-no', outRefundNo);
    const refund = key ? this.store.get<SandboxRefund>('wechat-refunds', key) : undefined;
    if (!refund) return this.error(404, 'RESOURCE_NOT_EXISTS', '退款单不存在');
    const trade = this.trade(refund.outTradeNo);
    return this.answer(200, {
      refund_id: refund.refundId,
      out_refund_no: outRefundNo,
      out_trade_no: refund.outTradeNo,
      status: refund.status ?? 'SUCCESS',
      success_time: refund.successTime,
      amount: { refund: refund.amount, total: trade?.total ?? refund.amount, currency: 'CNY' },
    });
  }

  private refund(body: any): ProviderResponse {
    const trade = this.trade(body.out_trade_no);
    if (!trade) return this.error(404, 'RESOURCE_NOT_EXISTS', '订单不存在');
    if (trade.state !== 'SUCCESS' && trade.state !== 'REFUND') return this.error(403, 'TRADE_ERROR', 'order not paid');
    const refund = Number(body.amount?.refund);
    if (body.amount?.total !== trade.total || !Number.isInteger(refund) || refund < 1) return this.error(400, 'PARAM_ERROR', 'amount');
    const refunded = Object.values(trade.refunds).reduce((sum, amount) => sum + amount, 0);
    if (trade.refunds[body.out_refund_no] === undefined && refunded + refund > trade.total) {
      return this.error(403, 'NOT_ENOUGH', 'refund exceeds the paid amount');
    }
    // One refund per out_refund_no, whichever process asks first. Filed under the trade too: the sandbox outlives
    // development databases that are reset (and their refund numbers start again).
    const refundKey = `${trade.outTradeNo}-${body.out_refund_no}`;
    // A new refund is PROCESSING, as WeChat mostly answers; it succeeds a moment later and its REFUND.SUCCESS
    // notification goes to the payment server (the refund request's notify_url, served by this process).
    const created = this.store.putIfAbsent('wechat-refunds', refundKey, {
      refundId: `50${Date.now()}${nonce(4)}`,
      amount: refund,
      outTradeNo: trade.outTradeNo,
      outRefundNo: body.out_refund_no,
      status: 'PROCESSING',
    } satisfies SandboxRefund);
    const existing = this.store.get<SandboxRefund>('wechat-refunds', refundKey)!;
    if (existing.amount !== refund || existing.outTradeNo !== trade.outTradeNo) return this.error(400, 'INVALID_REQUEST', 'out_refund_no reused with another amount');
    this.store.put('wechat-refund-no', body.out_refund_no, refundKey);
    trade.refunds[body.out_refund_no] = refund;
    trade.state = 'REFUND';
    this.save(trade);
    const scenario = this.store.get<SandboxScenario>('wechat-scenarios', trade.outTradeNo) ?? {};
    if (created) setTimeout(() => void this.settleRefund(refundKey, scenario.refundNotifications ?? true), scenario.refundDelayMs ?? 10).unref();
    return this.answer(200, {
      refund_id: existing.refundId,
      out_refund_no: body.out_refund_no,
      out_trade_no: trade.outTradeNo,
      status: existing.status ?? 'SUCCESS',
      amount: { refund, total: trade.total, currency: 'CNY' },
    });
  }

  /** The refund reaches the shopper: SUCCESS, and WeChat's REFUND.SUCCESS notification is delivered. */
  private async settleRefund(refundKey: string, notify: boolean): Promise<void> {
    const refund = this.store.get<SandboxRefund>('wechat-refunds', refundKey);
    const trade = refund ? this.trade(refund.outTradeNo) : undefined;
    if (!refund || !trade) return;
    refund.status = 'SUCCESS';
    refund.successTime = new Date().toISOString().replace(/\.\d+Z$/, '+00:00');
    this.store.put('wechat-refunds', refundKey, refund);
    const notification = this.refundNotification({
      mchid: trade.mchid,
      out_trade_no: trade.outTradeNo,
      transaction_id: trade.transactionId,
      out_refund_no: refund.outRefundNo ?? refundKey.slice(trade.outTradeNo.length + 1),
      refund_id: refund.refundId,
      refund_status: 'SUCCESS',
      success_time: refund.successTime,
      user_received_account: '支付用户零钱',
      amount: { total: trade.total, refund: refund.amount, payer_total: trade.total, payer_refund: refund.amount },
    });
    if (notify) await this.deliver(notification);
  }

  /** Delivers like WeChat: retried until a receiver answers 2xx (here: 8 tries, 50 ms doubling). */
  private async deliver(notification: { body: string; headers: Record<string, string> }): Promise<void> {
    for (let attempt = 0; attempt < 8; attempt++) {
      const receiver = this.receivers[this.receivers.length - 1];
      const status = receiver ? await receiver(notification.headers, notification.body).catch(() => 0) : 0;
      if (status >= 200 && status < 300) return;
      await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** attempt).unref());
    }
  }

  /** Why the cashier would not take a payment for this prepay now (closed, or past its time_expire); null if it would. */
  cashierRefusal(prepayId: string): 'ORDER_NOT_EXIST' | 'ORDER_CLOSED' | 'ORDER_EXPIRED' | null {
    const outTradeNo = this.store.get<string>('wechat-prepay', prepayId);
    const trade = outTradeNo ? this.trade(outTradeNo) : undefined;
    if (!trade) return 'ORDER_NOT_EXIST';
    if (trade.state === 'CLOSED') return 'ORDER_CLOSED';
    if (trade.state === 'NOTPAY' && trade.timeExpire && Date.now() > Date.parse(trade.timeExpire)) return 'ORDER_EXPIRED';
    return null;
  }

  /**
   * The shopper pays at the sandbox cashier: the trade succeeds and the notification WeChat would send is built (again,
   * for a trade already paid). Null when WeChat would not take the money: unknown, closed, or past time_expire.
   */
  pay(prepayId: string): { notifyUrl: string; body: string; headers: Record<string, string>; outTradeNo: string } | null {
    const outTradeNo = this.store.get<string>('wechat-prepay', prepayId);
    const trade = outTradeNo ? this.trade(outTradeNo) : undefined;
    if (!trade || this.cashierRefusal(prepayId)) return null;
    if (trade.state === 'NOTPAY') {
      trade.state = 'SUCCESS';
      trade.transactionId = `42${Date.now()}${crypto.randomInt(0, 1e6)}`;
      trade.successTime = new Date().toISOString().replace(/\.\d+Z$/, '+00:00');
      this.save(trade);
    }
    return { ...this.notification(this.transaction(trade)), notifyUrl: trade.notifyUrl, outTradeNo: trade.outTradeNo };
  }

  /** A notification for any transaction content, signed and encrypted as WeChat does (tests build variants with it). */
  notification(transaction: WechatTransaction, options: NotificationOptions = {}) {
    return this.signedNotification('TRANSACTION.SUCCESS', '支付成功', 'transaction', transaction, options);
  }

  /** A refund notification (REFUND.SUCCESS / ABNORMAL / CLOSED) for any refund content, signed and encrypted as WeChat does. */
  refundNotification(refund: WechatRefundNotice, options: NotificationOptions & { eventType?: string } = {}) {
    const eventType = options.eventType ?? `REFUND.${refund.refund_status}`;
    return this.signedNotification(eventType, eventType === 'REFUND.SUCCESS' ? '退款成功' : '退款异常', 'refund', refund, options);
  }

  private signedNotification(eventType: string, summary: string, originalType: string, content: unknown, options: NotificationOptions) {
    const resource = encryptResource(JSON.stringify(content), options.apiV3Key ?? this.apiV3Key, originalType, originalType);
    const body = JSON.stringify({
      id: crypto.randomUUID(),
      create_time: new Date().toISOString(),
      resource_type: 'encrypt-resource',
      event_type: eventType,
      summary,
      resource,
    });
    const headers = signPlatformMessage(body, options.serial ?? this.platformSerial, options.signWith ?? this.platformKeys.privateKey, options.now);
    return { body, headers: { ...headers, 'content-type': 'application/json' } as Record<string, string> };
  }
}
