/**
 * The part of the mini-program's `wx` API the kit uses, typed here so the kit needs no typings package and can be
 * handed any object shaped like `wx` (the real one in a mini-program, a fake in tests). Shapes follow WeChat's
 * documentation: callbacks, `errMsg` "<api>:ok" / "<api>:fail <reason>".
 */
import type { WxSocketApi } from './wechat-graphql-ws';

export interface WxRequestSuccess {
  /** Parsed JSON when the body is JSON (dataType "json", the default), else the text. */
  data: unknown;
  statusCode: number;
  header: Record<string, string>;
  errMsg: string;
}

export interface WxFail {
  errMsg: string;
  errno?: number;
}

export interface WxRequestOptions {
  url: string;
  method?: 'GET' | 'POST';
  data?: string | Record<string, unknown>;
  header?: Record<string, string>;
  /** Milliseconds; WeChat fails the call with "request:fail timeout" after it. */
  timeout?: number;
  dataType?: 'json' | 'text';
  success?(res: WxRequestSuccess): void;
  fail?(res: WxFail): void;
  complete?(res: WxRequestSuccess | WxFail): void;
}

/** What `wx.requestPayment` takes: payOrder's `wechat` parameters (the app id is the mini-program's own). */
export interface WxPaymentParams {
  timeStamp: string;
  nonceStr: string;
  package: string;
  signType: 'RSA' | 'MD5' | 'HMAC-SHA256';
  paySign: string;
}

export interface WxApi extends WxSocketApi {
  request(options: WxRequestOptions): { abort(): void } | void;
  login(options: { timeout?: number; success?(res: { code: string; errMsg: string }): void; fail?(res: WxFail): void }): void;
  requestPayment(options: WxPaymentParams & { success?(res: { errMsg: string }): void; fail?(res: WxFail): void }): void;
  getStorageSync(key: string): unknown;
  setStorageSync(key: string, value: unknown): void;
  removeStorageSync(key: string): void;
}
