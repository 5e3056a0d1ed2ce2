/**
 * Alipay open platform (RSA2): the app-pay order string, trade query and refund through the gateway, and the
 * verification of asynchronous notifications. Signatures are always RSA-SHA256: the algorithm is pinned here,
 * never taken from `sign_type` (a notification saying sign_type=RSA, i.e. SHA-1, is refused).
 */
import { ProviderError, type Transport } from './http';
import { rsaSign, rsaVerify } from './wechat-protocol';

export interface AlipayApp {
  appId: string;
  /** The app's private key (signs requests). */
  privateKey: string;
  /** Alipay's public key (verifies responses and notifications). */
  alipayPublicKey: string;
  gateway: string;
}

/** Fen as Alipay's yuan string: 1234 → "12.34". */
export const yuan = (fen: number) => `${Math.floor(fen / 100)}.${String(fen % 100).padStart(2, '0')}`;

/** Alipay's yuan string as fen, or null when it is not a plain amount with at most two decimals. */
export function fenOf(amount: string | undefined): number | null {
  const match = amount?.match(/^(\d{1,9})(?:\.(\d{1,2}))?$/);
  if (!match) return null;
  return Number(match[1]) * 100 + Number((match[2] ?? '').padEnd(2, '0'));
}

/** "k1=v1&k2=v2" over the non-empty parameters except those left out, sorted by name: what is signed. */
export function signContent(params: Record<string, string>, leaveOut: string[]): string {
  return Object.keys(params)
    .filter((key) => !leaveOut.includes(key) && params[key] !== undefined && params[key] !== '')
    .sort()
    .map((key) => `${key}=${params[key]}`)
    .join('&');
}

export const formatTime = (date = new Date()) => {
  // Alipay timestamps are Beijing time, "yyyy-MM-dd HH:mm:ss".
  const local = new Date(date.getTime() + 8 * 3600_000).toISOString();
  return `${local.slice(0, 10)} ${local.slice(11, 19)}`;
};

export type AlipayNotifyCheck =
  | { ok: true; params: Record<string, string>; amount: number }
  | { ok: false; reason: 'BAD_SIGNATURE' | 'WRONG_APP' | 'BAD_AMOUNT' | 'MISSING_FIELDS' };

export interface AlipayTrade {
  code: string;
  sub_code?: string;
  out_trade_no?: string;
  trade_no?: string;
  trade_status?: 'WAIT_BUYER_PAY' | 'TRADE_CLOSED' | 'TRADE_SUCCESS' | 'TRADE_FINISHED';
  total_amount?: string;
}

export class AlipayClient {
  constructor(
    readonly app: AlipayApp,
    private readonly transport: Transport,
  ) {}

  private commonParams(method: string, bizContent: unknown, notifyUrl?: string): Record<string, string> {
    const params: Record<string, string> = {
      app_id: this.app.appId,
      method,
      format: 'JSON',
      charset: 'utf-8',
      sign_type: 'RSA2',
      timestamp: formatTime(),
      version: '1.0',
      biz_content: JSON.stringify(bizContent),
    };
    if (notifyUrl) params.notify_url = notifyUrl;
    params.sign = rsaSign(signContent(params, ['sign']), this.app.privateKey);
    return params;
  }

  /** The signed order string the Alipay SDK in the app submits (alipay.trade.app.pay). */
  appPayOrderString(input: { outTradeNo: string; total: number; subject: string; notifyUrl: string; timeExpire: Date }): string {
    const params = this.commonParams(
      'alipay.trade.app.pay',
      {
        out_trade_no: input.outTradeNo,
        total_amount: yuan(input.total),
        subject: input.subject,
        product_code: 'QUICK_MSECURITY_PAY',
        // The order's payment deadline, "yyyy-MM-dd HH:mm:ss" Beijing time: Alipay refuses to take the money after it.
        time_expire: formatTime(input.timeExpire),
      },
      input.notifyUrl,
    );
    return new URLSearchParams(params).toString();
  }

  private async call<T>(method: string, bizContent: unknown): Promise<T> {
    const response = await this.transport({
      method: 'POST',
      url: this.app.gateway,
      headers: { 'content-type': 'application/x-www-form-urlencoded;charset=utf-8' },
      body: new URLSearchParams(this.commonParams(method, bizContent)).toString(),
    });
    const text = response.body.toString('utf8');
    const node = `${method.replace(/\./g, '_')}_response`;
    // The signature covers the raw JSON text of the response node, exactly as sent.
    const match = text.match(new RegExp(`"${node}"\\s*:\\s*(\\{.*\\})\\s*,\\s*"sign"\\s*:\\s*"([^"]+)"`, 's'));
    if (response.status !== 200 || !match) throw new ProviderError(`Alipay ${method} answered HTTP ${response.status}`, response.status);
    if (!rsaVerify(match[1], match[2], this.app.alipayPublicKey)) throw new ProviderError(`Alipay ${method} response signature refused`);
    return JSON.parse(match[1]) as T;
  }

  async query(outTradeNo: string): Promise<AlipayTrade | null> {
    const result = await this.call<AlipayTrade>('alipay.trade.query', { out_trade_no: outTradeNo });
    if (result.sub_code === 'ACQ.TRADE_NOT_EXIST') return null;
    if (result.code !== '10000') throw new ProviderError(`Alipay query failed: ${result.code} ${result.sub_code ?? ''}`, 200, result.sub_code);
    return result;
  }

  /**
   * alipay.trade.close: 10000 when closed. ACQ.TRADE_NOT_EXIST (the shopper never opened the cashier, so Alipay has
   * no trade yet) and ACQ.TRADE_STATUS_ERROR (paid or finished) are answers, not failures: the caller decides.
   */
  async close(outTradeNo: string): Promise<{ code: string; subCode?: string }> {
    const result = await this.call<{ code: string; sub_code?: string }>('alipay.trade.close', { out_trade_no: outTradeNo });
    return { code: result.code, subCode: result.sub_code };
  }

  /**
   * alipay.trade.fastpay.refund.query: `refunded` when Alipay has the refund `outRequestNo` as REFUND_SUCCESS (it
   * answers 10000 without refund fields for a refund it does not have, or not yet).
   */
  async refundQuery(outTradeNo: string, outRequestNo: string): Promise<{ refunded: boolean; amount: number | null }> {
    const result = await this.call<{ code: string; sub_code?: string; refund_status?: string; refund_amount?: string }>('alipay.trade.fastpay.refund.query', {
      out_trade_no: outTradeNo,
      out_request_no: outRequestNo,
      query_options: ['gmt_refund_pay'],
    });
    if (result.code !== '10000') throw new ProviderError(`Alipay refund query failed: ${result.code} ${result.sub_code ?? ''}`, 200, result.sub_code);
    // Older merchants get no refund_status: a refund_amount alone means it succeeded.
    const refunded = result.refund_status === 'REFUND_SUCCESS' || (!result.refund_status && !!result.refund_amount);
    return { refunded, amount: fenOf(result.refund_amount) };
  }

  /** alipay.trade.refund, idempotent at Alipay per out_request_no; synchronous: 10000 means the money went back. */
  async refund(input: { outTradeNo: string; outRequestNo: string; amount: number; reason: string }): Promise<{ ok: boolean; code: string; subCode?: string }> {
    const result = await this.call<{ code: string; sub_code?: string; fund_change?: string }>('alipay.trade.refund', {
      out_trade_no: input.outTradeNo,
      out_request_no: input.outRequestNo,
      refund_amount: yuan(input.amount),
      refund_reason: input.reason.slice(0, 80),
    });
    return { ok: result.code === '10000', code: result.code, subCode: result.sub_code };
  }

  /** An asynchronous notification (form fields): RSA2 over every field but sign and sign_type, then the app id and amount. */
  verifyNotification(params: Record<string, string>): AlipayNotifyCheck {
    if (!params.sign || !params.out_trade_no || !params.trade_status) return { ok: false, reason: 'MISSING_FIELDS' };
    // SHA-256 whatever sign_type claims: a message saying "RSA" (SHA-1) gets no weaker check, and is refused outright.
    if (params.sign_type !== 'RSA2') return { ok: false, reason: 'BAD_SIGNATURE' };
    if (!rsaVerify(signContent(params, ['sign', 'sign_type']), params.sign, this.app.alipayPublicKey)) return { ok: false, reason: 'BAD_SIGNATURE' };
    if (params.app_id !== this.app.appId) return { ok: false, reason: 'WRONG_APP' };
    const amount = fenOf(params.total_amount);
    if (amount === null) return { ok: false, reason: 'BAD_AMOUNT' };
    return { ok: true, params, amount };
  }
}
