/**
 * The Alipay sandbox: a stand-in for openapi.alipay.com with its own generated key pairs (app and Alipay), checking
 * request signatures (RSA2), signing responses and building signed asynchronous notifications when the shopper
 * "pays" the order string at sandboxPayUrl. Development and tests only.
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
  status: 'TRADE_SUCCESS' | 'TRADE_CLOSED';
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
    const trade = this.store.get<SandboxTrade>('alipay-trades', String(biz.out_trade_no ?? ''));
    if (method === 'alipay.trade.query') {
      if (!trade) return this.respond(method, { code: '40004', msg: 'Business Failed', sub_code: 'ACQ.TRADE_NOT_EXIST' });
      return this.respond(method, { code: '10000', msg: 'Success', out_trade_no: trade.outTradeNo, trade_no: trade.tradeNo, trade_status: trade.status, total_amount: yuan(trade.total) });
    }
    if (method === 'alipay.trade.refund') {
      if (!trade) return this.respond(method, { code: '40004', msg: 'Business Failed', sub_code: 'ACQ.TRADE_NOT_EXIST' });
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

  /** The shopper pays the app's order string: its signature is checked, the trade succeeds, the notification is built. */
  pay(orderString: string): { notifyUrl: string; body: string; outTradeNo: string } | null {
    const params = Object.fromEntries(new URLSearchParams(orderString));
    if (params.method !== 'alipay.trade.app.pay' || !this.verifyApp(params)) return null;
    const biz = JSON.parse(params.biz_content ?? '{}');
    const total = fenOf(biz.total_amount);
    if (!biz.out_trade_no || total === null) return null;
    let trade = this.store.get<SandboxTrade>('alipay-trades', biz.out_trade_no);
    if (!trade) {
      trade = { outTradeNo: biz.out_trade_no, tradeNo: `2026${Date.now()}${crypto.randomInt(0, 1e6)}`, total, status: 'TRADE_SUCCESS', refunds: {}, notifyUrl: params.notify_url };
      this.store.put('alipay-trades', trade.outTradeNo, trade);
    }
    return { notifyUrl: trade.notifyUrl, outTradeNo: trade.outTradeNo, body: new URLSearchParams(this.notification(trade.outTradeNo, trade.tradeNo, trade.total)).toString() };
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
