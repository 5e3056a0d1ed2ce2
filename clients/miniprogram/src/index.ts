/**
 * The shop's mini-program kit: one `createShop()` per mini-program (in app.ts), shared by its pages through
 * `getApp().shop`. Requests go over `wx.request` with persisted ids (request.ts), signed in with `wx.login`
 * (auth.ts), live updates over `wx.connectSocket` (subscriptions.ts), WeChat Pay via `wx.requestPayment` (pay.ts).
 */
import { createAuth, type Auth, type AuthOptions } from './auth';
import { payWithWechat, type PayOptions, type PayOutcome } from './pay';
import { createFetcher, type PersistedDocument, type Result, type ResultOf, type VariablesOf } from './request';
import { createSubscriptions, type Subscriptions } from './subscriptions';
import type { WxApi } from './wx';

export type { Auth, Session } from './auth';
export type { PayOutcome } from './pay';
export type { Result, ShopError, ServerErrorCode, ClientErrorCode } from './request';
export type { Subscriptions } from './subscriptions';
export type { WxApi } from './wx';

export interface RequestOptions {
  /**
   * A public read (catalog): sent as GET without the access token, so the answer is the same for everyone and a CDN
   * in front of the router may keep it. Queries only.
   */
  public?: boolean;
  timeoutMs?: number;
}

export type Request = <D extends PersistedDocument<any, any>>(document: D, variables: VariablesOf<D>, options?: RequestOptions) => Promise<Result<ResultOf<D>>>;

export interface ShopOptions {
  wx: WxApi;
  /** https://shop.example.com/graphql */
  endpoint: string;
  /** Default: the endpoint with ws(s):// */
  socketUrl?: string;
  timeoutMs?: number;
  /** Extra headers on every request, e.g. { 'apollographql-client-version': '1.4.0' }. */
  headers?: Record<string, string>;
  storageKey?: string;
  onSignedOut?: AuthOptions['onSignedOut'];
}

export interface Shop {
  request: Request;
  auth: Auth;
  subscriptions: Subscriptions;
  /** Pays the order with WeChat Pay and waits for the shop to confirm it. */
  pay(orderId: string, options?: PayOptions): Promise<PayOutcome>;
  close(): Promise<void>;
}

export function createShop(options: ShopOptions): Shop {
  const { wx } = options;
  const fetcher = createFetcher({ wx, endpoint: options.endpoint, timeoutMs: options.timeoutMs, headers: options.headers });
  const auth = createAuth({ wx, fetcher, storageKey: options.storageKey, onSignedOut: options.onSignedOut });

  const request: Request = async (document, variables, requestOptions = {}) => {
    if (requestOptions.public) return fetcher.send(document, variables, { method: 'GET', timeoutMs: requestOptions.timeoutMs });
    const token = await auth.accessToken();
    const first = await fetcher.send(document, variables, { token, timeoutMs: requestOptions.timeoutMs });
    // The router refused the token (expired early, clock drift, revoked): one refresh for everyone refused at once,
    // then this request once more. WECHAT_SESSION_EXPIRED is about WeChat's session key, not our token: no refresh.
    if (!first.ok && first.error.code === 'UNAUTHENTICATED' && token && first.error.extensions.reason !== 'WECHAT_SESSION_EXPIRED') {
      const fresh = await auth.refreshAfterRejected(token);
      if (fresh) return fetcher.send(document, variables, { token: fresh, timeoutMs: requestOptions.timeoutMs });
    }
    return first;
  };
  const subscriptions = createSubscriptions({ wx, url: options.socketUrl ?? options.endpoint.replace(/^http/, 'ws'), auth });

  return {
    request,
    auth,
    subscriptions,
    pay: (orderId, payOptions) => payWithWechat({ wx, request, subscriptions }, orderId, payOptions),
    close: () => subscriptions.dispose(),
  };
}
