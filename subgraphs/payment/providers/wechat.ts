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

export type NotificationCheck =
  | { ok: true; eventType: string; transaction: WechatTransaction }
  | { ok: false; reason: VerifyFailure | 'BAD_BODY' | 'DECRYPT_FAILED' | 'WRONG_MERCHANT' };

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
  async jsapiPrepay(input: { outTradeNo: string; description: string; total: number; notifyUrl: string; openid: string }): Promise<string> {
    const { status, data } = await this.call<{ prepay_id?: string; code?: string; message?: string }>('POST', '/v3/pay/transactions/jsapi', {
      appid: this.merchant.appId,
      mchid: this.merchant.mchId,
      description: input.description,
      out_trade_no: input.outTradeNo,
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

  /** POST /v3/refund/domestic/refunds; idempotent at WeChat per out_refund_no. */
  async refund(input: { outTradeNo: string; outRefundNo: string; reason: string; refund: number; total: number }): Promise<WechatRefundResult> {
    const { status, data } = await this.call<WechatRefundResult & { code?: string; message?: string }>('POST', '/v3/refund/domestic/refunds', {
      out_trade_no: input.outTradeNo,
      out_refund_no: input.outRefundNo,
      reason: input.reason.slice(0, 80),
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
   * signature all fail), then the JSON body, then AES-256-GCM decryption of `resource`, then the merchant (appid,
   * mchid). Amount and order are checked by the caller against the stored payment.
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
    let transaction: WechatTransaction;
    try {
      transaction = JSON.parse(decryptResource(body.resource, this.merchant.apiV3Key));
    } catch {
      return { ok: false, reason: 'DECRYPT_FAILED' };
    }
    if (transaction.appid !== this.merchant.appId || transaction.mchid !== this.merchant.mchId) return { ok: false, reason: 'WRONG_MERCHANT' };
    return { ok: true, eventType: body.event_type ?? '', transaction };
  }
}
