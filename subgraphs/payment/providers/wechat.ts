/**
 * WeChat Pay v3 merchant client (JSAPI / mini-program): prepay, query by out_trade_no, refund, client parameters,
 * and the verification of notifications. Every request is signed as the API requires; every response is verified
 * with the platform key chosen by Wechatpay-Serial before it is believed.
 */
import { ProviderError, type Transport } from './http';
import {
  authorization,
  clientParams,
  decryptResource,
  verifyPlatformSignature,
  type EncryptedResource,
  type VerifyFailure,
  type WechatClientParams,
  type WechatTransaction,
} from './wechat-protocol';

export interface WechatMerchant {
  appId: string;
  mchId: string;
  merchantSerial: string;
  merchantPrivateKey: string;
  apiV3Key: string;
  /** Platform public keys by serial (Wechatpay-Serial). */
  platformKeys: ReadonlyMap<string, string>;
  apiBase: string;
  maxSkewSeconds: number;
}

export interface WechatRefundResult {
  refund_id: string;
  out_refund_no: string;
  status: 'SUCCESS' | 'PROCESSING' | 'CLOSED' | 'ABNORMAL';
}

/** The decrypted resource of a REFUND.SUCCESS / REFUND.ABNORMAL / REFUND.CLOSED notification (no appid in it). */
export interface WechatRefundNotice {
  mchid: string;
  out_trade_no: string;
  transaction_id?: string;
  out_refund_no: string;
  refund_id: string;
  refund_status: 'SUCCESS' | 'CLOSED' | 'ABNORMAL' | 'PROCESSING';
  success_time?: string;
  user_received_account?: string;
  amount?: { total: number; refund: number; payer_total?: number; payer_refund?: number };
}

/** A refund as GET /v3/refund/domestic/refunds/{out_refund_no} answers it. */
export interface WechatRefundQuery extends WechatRefundResult {
  out_trade_no?: string;
  amount?: { refund: number; total: number; currency?: string };
}

/** Payment notifications (TRANSACTION.*) and refund notifications (REFUND.*) share the endpoint and the checks. */
export type NotificationCheck =
  | { ok: true; kind: 'transaction'; eventType: string; transaction: WechatTransaction }
  | { ok: true; kind: 'refund'; eventType: string; refund: WechatRefundNotice }
  | { ok: false; reason: VerifyFailure | 'BAD_BODY' | 'DECRYPT_FAILED' | 'WRONG_MERCHANT' };

/** time_expire as WeChat Pay v3 takes it: RFC 3339 with the offset, in Beijing time (2018-06-08T10:34:56+08:00). */
export function rfc3339Beijing(date: Date): string {
  const local = new Date(Math.floor(date.getTime() / 1000) * 1000 + 8 * 3600_000).toISOString();
  return `${local.slice(0, 19)}+08:00`;
}

export class WechatPayClient {
  constructor(
    readonly merchant: WechatMerchant,
    private readonly transport: Transport,
  ) {}

  private async call<T>(method: 'GET' | 'POST', pathWithQuery: string, body?: unknown): Promise<{ status: number; data: T }> {
    const text = body === undefined ? '' : JSON.stringify(body);
    const { merchant } = this;
    const response = await this.transport({
      method,
      url: `${merchant.apiBase}${pathWithQuery}`,
      headers: {
        accept: 'application/json',
        'content-type': 'application/json',
        authorization: authorization({
          method,
          pathWithQuery,
          body: text,
          mchId: merchant.mchId,
          serialNo: merchant.merchantSerial,
          privateKeyPem: merchant.merchantPrivateKey,
        }),
      },
      body: text,
    });
    let data: any = {};
    if (response.body.length) {
      try {
        data = JSON.parse(response.body.toString('utf8'));
      } catch {
        throw new ProviderError(`WeChat Pay answered HTTP ${response.status} with a body that is not JSON`, response.status);
      }
    }
    if (response.status >= 200 && response.status < 300) {
      const failure = verifyPlatformSignature(response.headers, response.body, merchant.platformKeys, merchant.maxSkewSeconds);
      if (failure) throw new ProviderError(`WeChat Pay response signature refused: ${failure}`, response.status);
    }
    return { status: response.status, data: data as T };
  }

  /** POST /v3/pay/transactions/jsapi → prepay_id (the same out_trade_no with the same content answers the same prepay). */
  async jsapiPrepay(input: { outTradeNo: string; description: string; total: number; notifyUrl: string; openid: string; timeExpire: Date }): Promise<string> {
    const { status, data } = await this.call<{ prepay_id?: string; code?: string; message?: string }>('POST', '/v3/pay/transactions/jsapi', {
      appid: this.merchant.appId,
      mchid: this.merchant.mchId,
      description: input.description,
      out_trade_no: input.outTradeNo,
      // The order's payment deadline: after it WeChat no longer lets the shopper pay this trade.
      time_expire: rfc3339Beijing(input.timeExpire),
      notify_url: input.notifyUrl,
      amount: { total: input.total, currency: 'CNY' },
      payer: { openid: input.openid },
    });
    if (status !== 200 || !data.prepay_id) throw new ProviderError(`WeChat Pay prepay failed: ${data.code ?? status} ${data.message ?? ''}`, status, data.code);
    return data.prepay_id;
  }

  /** GET /v3/pay/transactions/out-trade-no/{out_trade_no}?mchid=…; null when WeChat has no such order. */
  async queryByOutTradeNo(outTradeNo: string): Promise<WechatTransaction | null> {
    const path = `/v3/pay/transactions/out-trade-no/${encodeURIComponent(outTradeNo)}?mchid=${encodeURIComponent(this.merchant.mchId)}`;
    const { status, data } = await this.call<WechatTransaction & { code?: string; message?: string }>('GET', path);
    if (status === 404 || data.code === 'ORDER_NOT_EXIST') return null;
    if (status !== 200) throw new ProviderError(`WeChat Pay query failed: ${data.code ?? status}`, status, data.code);
    return data;
  }

  /**
   * POST /v3/pay/transactions/out-trade-no/{out_trade_no}/close (204 No Content when closed). Anything else — the
   * trade is paid, does not exist, is already closed — answers its code; the caller asks the trade's state.
   */
  async close(outTradeNo: string): Promise<{ closed: true } | { closed: false; status: number; code?: string }> {
    const path = `/v3/pay/transactions/out-trade-no/${encodeURIComponent(outTradeNo)}/close`;
    const { status, data } = await this.call<{ code?: string }>('POST', path, { mchid: this.merchant.mchId });
    if (status === 204 || status === 200) return { closed: true };
    if (status >= 500) throw new ProviderError(`WeChat Pay close failed: ${data.code ?? status}`, status, data.code);
    return { closed: false, status, code: data.code };
  }

  /** GET /v3/refund/domestic/refunds/{out_refund_no}; null when WeChat has no such refund. */
  async queryRefund(outRefundNo: string): Promise<WechatRefundQuery | null> {
    const { status, data } = await this.call<WechatRefundQuery & { code?: string }>('GET', `/v3/refund/domestic/refunds/${encodeURIComponent(outRefundNo)}`);
    if (status === 404 || data.code === 'RESOURCE_NOT_EXISTS') return null;
    if (status !== 200) throw new ProviderError(`WeChat Pay refund query failed: ${data.code ?? status}`, status, data.code);
    return data;
  }

  /** POST /v3/refund/domestic/refunds; idempotent at WeChat per out_refund_no. Its outcome is also notified to `notifyUrl`. */
  async refund(input: { outTradeNo: string; outRefundNo: string; reason: string; refund: number; total: number; notifyUrl?: string }): Promise<WechatRefundResult> {
    const { status, data } = await this.call<WechatRefundResult & { code?: string; message?: string }>('POST', '/v3/refund/domestic/refunds', {
      out_trade_no: input.outTradeNo,
      out_refund_no: input.outRefundNo,
      reason: input.reason.slice(0, 80),
      ...(input.notifyUrl ? { notify_url: input.notifyUrl } : {}),
      amount: { refund: input.refund, total: input.total, currency: 'CNY' },
    });
    if (status !== 200) throw new ProviderError(`WeChat Pay refund failed: ${data.code ?? status} ${data.message ?? ''}`, status, data.code);
    return data;
  }

  clientParams(prepayId: string): WechatClientParams {
    return clientParams(this.merchant.appId, prepayId, this.merchant.merchantPrivateKey);
  }

  /**
   * A notification, checked in order: signature headers (SIGNTEST probes, stale timestamps, unknown serial, bad
   * signature all fail), then the JSON body, then AES-256-GCM decryption of `resource`, then the merchant (appid and
   * mchid for payments; mchid for refunds, whose resource carries no appid). Amount and order (or refund) are checked
   * by the caller against what we stored.
   */
  verifyNotification(headers: Record<string, string | string[] | undefined>, rawBody: Buffer, now = Date.now()): NotificationCheck {
    const failure = verifyPlatformSignature(headers, rawBody, this.merchant.platformKeys, this.merchant.maxSkewSeconds, now);
    if (failure) return { ok: false, reason: failure };
    let body: { event_type?: string; resource?: EncryptedResource };
    try {
      body = JSON.parse(rawBody.toString('utf8'));
    } catch {
      return { ok: false, reason: 'BAD_BODY' };
    }
    if (!body.resource || typeof body.resource.ciphertext !== 'string' || typeof body.resource.nonce !== 'string') {
      return { ok: false, reason: 'BAD_BODY' };
    }
    let resource: any;
    try {
      resource = JSON.parse(decryptResource(body.resource, this.merchant.apiV3Key));
    } catch {
      return { ok: false, reason: 'DECRYPT_FAILED' };
    }
    const eventType = body.event_type ?? '';
    if (eventType.startsWith('REFUND.')) {
      if (resource?.mchid !== this.merchant.mchId) return { ok: false, reason: 'WRONG_MERCHANT' };
      return { ok: true, kind: 'refund', eventType, refund: resource as WechatRefundNotice };
    }
    if (resource?.appid !== this.merchant.appId || resource?.mchid !== this.merchant.mchId) return { ok: false, reason: 'WRONG_MERCHANT' };
    return { ok: true, kind: 'transaction', eventType, transaction: resource as WechatTransaction };
  }
}
