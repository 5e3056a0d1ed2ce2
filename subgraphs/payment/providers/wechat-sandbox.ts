/**
 * The WeChat Pay sandbox: a stand-in for api.mch.weixin.qq.com that speaks the real v3 protocol. It generates its
 * own merchant and platform RSA key pairs and APIv3 key when the process starts (kept in memory), checks every
 * request's merchant signature, signs every response with its platform key, and — when the shopper "pays" at
 * sandboxPayUrl — builds a real TRANSACTION.SUCCESS notification (resource encrypted with AES-256-GCM, headers
 * signed RSA-SHA256) for the notify endpoint. Development and tests only: never created with NODE_ENV=production.
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
import type { WechatMerchant } from './wechat';

interface SandboxTrade {
  appid: string;
  mchid: string;
  outTradeNo: string;
  total: number;
  notifyUrl: string;
  openid: string;
  prepayId: string;
  state: WechatTransaction['trade_state'];
  transactionId?: string;
  successTime?: string;
  /** Refund numbers with their amounts (the refunds themselves are stored one file each). */
  refunds: Record<string, number>;
}

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

    if (request.method === 'POST' && url.pathname === '/v3/pay/transactions/jsapi') return this.prepay(JSON.parse(request.body));
    const query = url.pathname.match(/^\/v3\/pay\/transactions\/out-trade-no\/([^/]+)$/);
    if (request.method === 'GET' && query) return this.query(decodeURIComponent(query[1]), url.searchParams.get('mchid'));
    if (request.method === 'POST' && url.pathname === '/v3/refund/domestic/refunds') return this.refund(JSON.parse(request.body));
    return this.error(404, 'NOT_FOUND', `no such API ${request.method} ${url.pathname}`);
  }

  private prepay(body: any): ProviderResponse {
    if (body.appid !== this.appId || body.mchid !== this.mchId) return this.error(400, 'PARAM_ERROR', 'appid/mchid mismatch');
    if (!Number.isInteger(body.amount?.total) || body.amount.total < 1) return this.error(400, 'PARAM_ERROR', 'amount.total');
    if (typeof body.out_trade_no !== 'string' || !/^[A-Za-z0-9_\-|*]{6,32}$/.test(body.out_trade_no)) return this.error(400, 'PARAM_ERROR', 'out_trade_no');
    if (typeof body.notify_url !== 'string' || !body.payer?.openid) return this.error(400, 'PARAM_ERROR', 'notify_url / payer');
    const existing = this.trade(body.out_trade_no);
    if (existing) {
      if (existing.state === 'SUCCESS') return this.error(400, 'ORDERPAID', 'order already paid');
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
      trade_state_desc: trade.state === 'SUCCESS' ? '支付成功' : '未支付',
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
    this.store.putIfAbsent('wechat-refunds', refundKey, { refundId: `50${Date.now()}${nonce(4)}`, amount: refund, outTradeNo: trade.outTradeNo });
    const existing = this.store.get<{ refundId: string; amount: number; outTradeNo: string }>('wechat-refunds', refundKey)!;
    if (existing.amount !== refund || existing.outTradeNo !== trade.outTradeNo) return this.error(400, 'INVALID_REQUEST', 'out_refund_no reused with another amount');
    const refundId = existing.refundId;
    trade.refunds[body.out_refund_no] = refund;
    trade.state = 'REFUND';
    this.save(trade);
    return this.answer(200, {
      refund_id: refundId,
      out_refund_no: body.out_refund_no,
      out_trade_no: trade.outTradeNo,
      status: 'SUCCESS',
      amount: { refund, total: trade.total, currency: 'CNY' },
    });
  }

  /** The shopper pays at the sandbox cashier: the trade succeeds and the notification WeChat would send is built. */
  pay(prepayId: string): { notifyUrl: string; body: string; headers: Record<string, string>; outTradeNo: string } | null {
    const outTradeNo = this.store.get<string>('wechat-prepay', prepayId);
    const trade = outTradeNo ? this.trade(outTradeNo) : undefined;
    if (!trade) return null;
    if (trade.state === 'NOTPAY') {
      trade.state = 'SUCCESS';
      trade.transactionId = `42${Date.now()}${crypto.randomInt(0, 1e6)}`;
      trade.successTime = new Date().toISOString().replace(/\.\d+Z$/, '+00:00');
      this.save(trade);
    }
    return { ...this.notification(this.transaction(trade)), notifyUrl: trade.notifyUrl, outTradeNo: trade.outTradeNo };
  }

  /** A notification for any transaction content, signed and encrypted as WeChat does (tests build variants with it). */
  notification(transaction: WechatTransaction, options: { apiV3Key?: string; signWith?: string; serial?: string; now?: number } = {}) {
    const resource = encryptResource(JSON.stringify(transaction), options.apiV3Key ?? this.apiV3Key, 'transaction', 'transaction');
    const body = JSON.stringify({
      id: crypto.randomUUID(),
      create_time: new Date().toISOString(),
      resource_type: 'encrypt-resource',
      event_type: 'TRANSACTION.SUCCESS',
      summary: '支付成功',
      resource,
    });
    const headers = signPlatformMessage(body, options.serial ?? this.platformSerial, options.signWith ?? this.platformKeys.privateKey, options.now);
    return { body, headers: { ...headers, 'content-type': 'application/json' } as Record<string, string> };
  }
}
