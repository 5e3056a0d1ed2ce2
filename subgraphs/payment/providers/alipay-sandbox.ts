/**
 * The Alipay sandbox: a stand-in for openapi.alipay.com with its own generated key pairs (app and Alipay), checking
 * request signatures (RSA2), signing responses and building signed asynchronous notifications when the shopper
 * "pays" the order string at sandboxPayUrl. Like Alipay it refuses an order string past its `time_expire` (Beijing
 * time) and a trade that was closed, closes unpaid trades (`alipay.trade.close`; a trade it never saw is
 * ACQ.TRADE_NOT_EXIST, as at Alipay, where the trade exists only once the shopper opened the cashier), and answers
 * `alipay.trade.fastpay.refund.query`. Development and tests only.
 */
import crypto from 'node:crypto';
import type { ProviderRequest, ProviderResponse, Transport } from './http';
import { SandboxStore } from './sandbox-store';
import { fenOf, formatTime, signContent, yuan, type AlipayApp } from './alipay';
import { rsaSign, rsaVerify } from './wechat-protocol';

interface SandboxTrade {
  outTradeNo: string;
  tradeNo: string;
  total: number;
  status: 'WAIT_BUYER_PAY' | 'TRADE_SUCCESS' | 'TRADE_CLOSED';
  refunds: Record<string, number>;
  notifyUrl: string;
}

function keyPair() {
  return crypto.generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
}

export class AlipaySandbox {
  private readonly appKeys = keyPair();
  private readonly alipayKeys = keyPair();
  private readonly store: SandboxStore;

  constructor(
    readonly appId: string,
    dataDir: string,
  ) {
    this.store = new SandboxStore(dataDir);
  }

  app(gateway: string): AlipayApp {
    return { appId: this.appId, privateKey: this.appKeys.privateKey, alipayPublicKey: this.alipayKeys.publicKey, gateway };
  }

  /** For tests that build notifications of their own (signed with Alipay's key, or deliberately not). */
  get alipayPrivateKey() {
    return this.alipayKeys.privateKey;
  }

  readonly transport: Transport = async (request) => this.handle(request);

  /** Gateway calls answered about this out_trade_no since `since`, by any process of the installation (tests count them). */
  requestsFor(outTradeNo: string, since = 0): { method: string; bizContent: string; at: number }[] {
    return this.store.readLog<{ method: string; bizContent: string; at: number }>('alipay-requests', outTradeNo).filter((r) => r.at >= since);
  }

  private respond(method: string, node: Record<string, unknown>): ProviderResponse {
    const json = JSON.stringify(node);
    const body = `{"${method.replace(/\./g, '_')}_response":${json},"sign":"${rsaSign(json, this.alipayKeys.privateKey)}"}`;
    return { status: 200, headers: { 'content-type': 'application/json;charset=utf-8' }, body: Buffer.from(body) };
  }

  private verifyApp(params: Record<string, string>): boolean {
    return params.app_id === this.appId && params.sign_type === 'RSA2' && rsaVerify(signContent(params, ['sign']), params.sign ?? '', this.appKeys.publicKey);
  }

  async handle(request: ProviderRequest): Promise<ProviderResponse> {
    const params = Object.fromEntries(new URLSearchParams(request.body));
    const method = params.method ?? 'unknown';
    if (!this.verifyApp(params)) return this.respond(method, { code: '40002', msg: 'Invalid Arguments', sub_code: 'isv.invalid-signature' });
    const biz = JSON.parse(params.biz_content ?? '{}');
    if (typeof biz.out_trade_no === 'string') this.store.append('alipay-requests', biz.out_trade_no, { method, bizContent: params.biz_content ?? '', at: Date.now() });
    const trade = this.store.get<SandboxTrade>('alipay-trades', String(biz.out_trade_no ?? ''));
    if (method === 'alipay.trade.close') {
      if (!trade) return this.respond(method, { code: '40004', msg: 'Business Failed', sub_code: 'ACQ.TRADE_NOT_EXIST' });
      if (trade.status !== 'WAIT_BUYER_PAY' && trade.status !== 'TRADE_CLOSED') {
        return this.respond(method, { code: '40004', msg: 'Business Failed', sub_code: 'ACQ.TRADE_STATUS_ERROR' });
      }
      trade.status = 'TRADE_CLOSED';
      this.store.put('alipay-trades', trade.outTradeNo, trade);
      return this.respond(method, { code: '10000', msg: 'Success', out_trade_no: trade.outTradeNo, trade_no: trade.tradeNo });
    }
    if (method === 'alipay.trade.fastpay.refund.query') {
      const refund = trade ? this.store.get<{ amount: number }>('alipay-refunds', `${trade.outTradeNo}-${biz.out_request_no}`) : undefined;
      if (!trade || !refund) return this.respond(method, { code: '10000', msg: 'Success', out_trade_no: biz.out_trade_no, out_request_no: biz.out_request_no });
      return this.respond(method, {
        code: '10000',
        msg: 'Success',
        out_trade_no: trade.outTradeNo,
        trade_no: trade.tradeNo,
        out_request_no: biz.out_request_no,
        total_amount: yuan(trade.total),
        refund_amount: yuan(refund.amount),
        refund_status: 'REFUND_SUCCESS',
      });
    }
    if (method === 'alipay.trade.query') {
      if (!trade) return this.respond(method, { code: '40004', msg: 'Business Failed', sub_code: 'ACQ.TRADE_NOT_EXIST' });
      return this.respond(method, { code: '10000', msg: 'Success', out_trade_no: trade.outTradeNo, trade_no: trade.tradeNo, trade_status: trade.status, total_amount: yuan(trade.total) });
    }
    if (method === 'alipay.trade.refund') {
      if (!trade) return this.respond(method, { code: '40004', msg: 'Business Failed', sub_code: 'ACQ.TRADE_NOT_EXIST' });
      if (trade.status !== 'TRADE_SUCCESS') return this.respond(method, { code: '40004', msg: 'Business Failed', sub_code: 'ACQ.TRADE_STATUS_ERROR' });
      const amount = fenOf(biz.refund_amount);
      const refunded = Object.values(trade.refunds).reduce((sum, value) => sum + value, 0);
      const known = this.store.get<{ amount: number }>('alipay-refunds', `${trade.outTradeNo}-${biz.out_request_no}`);
      if (!known && (amount === null || amount < 1 || refunded + amount > trade.total)) {
        return this.respond(method, { code: '40004', msg: 'Business Failed', sub_code: 'ACQ.REFUND_AMT_NOT_EQUAL_TOTAL' });
      }
      this.store.putIfAbsent('alipay-refunds', `${trade.outTradeNo}-${biz.out_request_no}`, { amount });
      const stored = this.store.get<{ amount: number }>('alipay-refunds', `${trade.outTradeNo}-${biz.out_request_no}`)!;
      if (stored.amount !== amount) return this.respond(method, { code: '40004', msg: 'Business Failed', sub_code: 'ACQ.REQUEST_AMOUNT_EXCEED' });
      const previous = known ? amount : undefined;
      trade.refunds[biz.out_request_no] = amount!;
      this.store.put('alipay-trades', trade.outTradeNo, trade);
      return this.respond(method, { code: '10000', msg: 'Success', out_trade_no: trade.outTradeNo, trade_no: trade.tradeNo, refund_fee: biz.refund_amount, fund_change: previous === undefined ? 'Y' : 'N' });
    }
    return this.respond(method, { code: '40004', msg: 'Business Failed', sub_code: 'isv.invalid-method' });
  }

  /** Why the cashier would not take this order string now (bad, closed, past time_expire); null if it would. */
  cashierRefusal(orderString: string): 'INVALID' | 'TRADE_CLOSED' | 'TRADE_EXPIRED' | null {
    const params = Object.fromEntries(new URLSearchParams(orderString));
    if (params.method !== 'alipay.trade.app.pay' || !this.verifyApp(params)) return 'INVALID';
    const biz = JSON.parse(params.biz_content ?? '{}');
    if (!biz.out_trade_no || fenOf(biz.total_amount) === null) return 'INVALID';
    const trade = this.store.get<SandboxTrade>('alipay-trades', biz.out_trade_no);
    if (trade?.status === 'TRADE_CLOSED') return 'TRADE_CLOSED';
    if (trade?.status !== 'TRADE_SUCCESS' && typeof biz.time_expire === 'string') {
      const deadline = Date.parse(`${biz.time_expire.replace(' ', 'T')}+08:00`);
      if (!Number.isFinite(deadline) || Date.now() > deadline) return 'TRADE_EXPIRED';
    }
    return null;
  }

  /**
   * The shopper pays the app's order string: its signature is checked, the trade succeeds, the notification is built
   * (again, for a trade already paid). Null when Alipay would not take the money (see cashierRefusal).
   */
  pay(orderString: string): { notifyUrl: string; body: string; outTradeNo: string } | null {
    if (this.cashierRefusal(orderString)) return null;
    const params = Object.fromEntries(new URLSearchParams(orderString));
    const biz = JSON.parse(params.biz_content ?? '{}');
    const total = fenOf(biz.total_amount)!;
    let trade = this.store.get<SandboxTrade>('alipay-trades', biz.out_trade_no);
    if (trade?.status === 'WAIT_BUYER_PAY') {
      trade.status = 'TRADE_SUCCESS';
      this.store.put('alipay-trades', trade.outTradeNo, trade);
    }
    if (!trade) {
      trade = { outTradeNo: biz.out_trade_no, tradeNo: `2026${Date.now()}${crypto.randomInt(0, 1e6)}`, total, status: 'TRADE_SUCCESS', refunds: {}, notifyUrl: params.notify_url };
      this.store.put('alipay-trades', trade.outTradeNo, trade);
    }
    return { notifyUrl: trade.notifyUrl, outTradeNo: trade.outTradeNo, body: new URLSearchParams(this.notification(trade.outTradeNo, trade.tradeNo, trade.total)).toString() };
  }

  /** The shopper opens the cashier without paying: Alipay now has the trade, WAIT_BUYER_PAY (it can be closed). */
  open(orderString: string): string | null {
    if (this.cashierRefusal(orderString)) return null;
    const params = Object.fromEntries(new URLSearchParams(orderString));
    const biz = JSON.parse(params.biz_content ?? '{}');
    const existing = this.store.get<SandboxTrade>('alipay-trades', biz.out_trade_no);
    if (!existing) {
      const trade: SandboxTrade = { outTradeNo: biz.out_trade_no, tradeNo: `2026${Date.now()}${crypto.randomInt(0, 1e6)}`, total: fenOf(biz.total_amount)!, status: 'WAIT_BUYER_PAY', refunds: {}, notifyUrl: params.notify_url };
      this.store.put('alipay-trades', trade.outTradeNo, trade);
    }
    return biz.out_trade_no;
  }

  /** Notification fields as Alipay posts them (form-encoded), signed RSA2 unless told otherwise. */
  notification(outTradeNo: string, tradeNo: string, total: number, overrides: Record<string, string> = {}, signWith = this.alipayKeys.privateKey) {
    const params: Record<string, string> = {
      notify_time: formatTime(),
      notify_type: 'trade_status_sync',
      notify_id: crypto.randomBytes(16).toString('hex'),
      app_id: this.appId,
      charset: 'utf-8',
      version: '1.0',
      sign_type: 'RSA2',
      trade_no: tradeNo,
      out_trade_no: outTradeNo,
      trade_status: 'TRADE_SUCCESS',
      total_amount: yuan(total),
      receipt_amount: yuan(total),
      buyer_pay_amount: yuan(total),
      gmt_payment: formatTime(),
      ...overrides,
    };
    const algorithm = params.sign_type === 'RSA' ? 'RSA-SHA1' : 'RSA-SHA256';
    params.sign = crypto.createSign(algorithm).update(signContent(params, ['sign', 'sign_type'])).sign(signWith, 'base64');
    return params;
  }
}
