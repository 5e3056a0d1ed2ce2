/**
 * A fake `wx` that behaves like the mini-program runtime's, over real network calls:
 * - `connectSocket` opens a real `ws` WebSocket and exposes it the way a SocketTask does: callbacks
 *   `onOpen`/`onMessage`/`onClose`/`onError`, `send({ data })`, `close({ code, reason })`.
 * - `request` makes a real HTTP request and answers with WeChat's callback shapes: `success({ data, statusCode,
 *   header, errMsg: "request:ok" })` for any HTTP status (4xx/5xx included), `fail({ errMsg: "request:fail …" })` only
 *   when no answer came ("request:fail timeout" after `timeout`). `data` is the parsed JSON when the body is JSON
 *   (dataType "json", the default), else the text; a GET's object `data` becomes the query string, a POST's is sent
 *   as JSON. WeChat sets `Referer: https://servicewechat.com/{appid}/{version}/page-frame.html` itself: a page cannot
 *   set or change it (a `referer` in `header` is dropped), and the same goes for sockets.
 * - `login` yields a code the fake WeChat API accepts (`good-<suffix>`, test/support/fake-wechat-api.ts).
 * - `requestPayment` does what WeChat's client does: checks `paySign` (RSA-SHA256 over
 *   `appId\ntimeStamp\nnonceStr\npackage\n`, the app id being the mini-program's own) with the merchant's public key,
 *   then — the shopper confirms — WeChat Pay takes the money and sends its signed notification to the shop: here the
 *   payment sandbox's cashier (`POST <cashierOrigin>/notify/sandbox/wechat/<prepay_id>`) does that. `nextPayment`
 *   makes the shopper cancel instead.
 * - storage: `getStorageSync` ('' when missing, as WeChat answers), `setStorageSync`, `removeStorageSync`, copies
 *   in and out like WeChat's serialized storage.
 */
import crypto from 'node:crypto';
import http from 'node:http';
import WebSocket from 'ws';
import type { WxSocketApi, WxSocketTask } from '../../clients/wechat-graphql-ws';
import type { WxApi, WxRequestOptions } from '../../clients/miniprogram/src/wx';

export interface FakeWxOptions {
  /** The mini-program's app id (Referer, paySign). */
  appId?: string;
  /** The version in the Referer: "devtools" in WeChat DevTools, "0" for develop/trial builds, the release number. */
  version?: string;
  /** The suffix of the codes `login` yields (`good-<suffix>`: openid `o-<suffix>` at the fake WeChat API). */
  openidSuffix?: string;
  /** WeChat Pay: the merchant key that must have signed `paySign`, and where the sandbox cashier is reached. */
  payment?: { merchantPublicKey: string; cashierOrigin: string };
}

export interface RecordedRequest {
  method: string;
  url: string;
  header: Record<string, string>;
  /** What was sent (the object given to wx.request). */
  data: unknown;
  statusCode?: number;
  /** The answer's parsed body. */
  response?: unknown;
  errMsg: string;
}

export interface FakeWx extends WxSocketApi, WxApi {
  storage: Map<string, unknown>;
  getStorageSync(key: string): unknown;
  /** Every socket opened, for assertions. */
  sockets: WebSocket[];
  /** Every wx.request, in the order they were made (filled in when they complete). */
  requests: RecordedRequest[];
  /** Every wx.requestPayment call and how it ended. */
  payments: { params: Record<string, string>; errMsg: string }[];
  /** The shopper's next action at WeChat's cashier (default: pay). */
  nextPayment: 'pay' | 'cancel';
  /** How many times wx.login was called. */
  logins: number;
  referer: string;
}

export function fakeWx(options: FakeWxOptions = {}): FakeWx {
  const appId = options.appId ?? 'wx0000000000000000';
  const referer = `https://servicewechat.com/${appId}/${options.version ?? 'devtools'}/page-frame.html`;
  const sockets: WebSocket[] = [];
  const storage = new Map<string, unknown>();
  const requests: RecordedRequest[] = [];
  const payments: FakeWx['payments'] = [];

  const request = (opts: WxRequestOptions) => {
    const method = (opts.method ?? 'GET').toUpperCase();
    const header: Record<string, string> = { 'content-type': 'application/json' };
    for (const [name, value] of Object.entries(opts.header ?? {})) if (name.toLowerCase() !== 'referer') header[name.toLowerCase()] = value;
    header.referer = referer;
    let url = opts.url;
    let body: string | undefined;
    if (method === 'GET' && opts.data && typeof opts.data === 'object') {
      const query = Object.entries(opts.data).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`).join('&');
      url += (url.includes('?') ? '&' : '?') + query;
    } else if (opts.data !== undefined) {
      body = typeof opts.data === 'string' ? opts.data : JSON.stringify(opts.data);
    }
    const record: RecordedRequest = { method, url, header, data: opts.data, errMsg: '' };
    requests.push(record);
    const fail = (errMsg: string) => {
      record.errMsg = errMsg;
      opts.fail?.({ errMsg });
      opts.complete?.({ errMsg });
    };
    let done = false;
    const req = http.request(url, { method, headers: header }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        const text = Buffer.concat(chunks).toString('utf8');
        let data: unknown = text;
        if ((opts.dataType ?? 'json') === 'json') {
          try {
            data = JSON.parse(text);
          } catch {
            // WeChat hands over the text when it is not JSON.
          }
        }
        const answer = { data, statusCode: res.statusCode ?? 0, header: res.headers as Record<string, string>, errMsg: 'request:ok' };
        Object.assign(record, { statusCode: answer.statusCode, response: data, errMsg: answer.errMsg });
        opts.success?.(answer);
        opts.complete?.(answer);
      });
    });
    const timer = setTimeout(() => {
      if (done) return;
      done = true;
      req.destroy();
      fail('request:fail timeout');
    }, opts.timeout ?? 60_000);
    req.on('error', (error) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      fail(`request:fail ${error.message}`);
    });
    req.end(body);
    return {
      abort: () => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        req.destroy();
        fail('request:fail abort');
      },
    };
  };

  const wx: FakeWx = {
    storage,
    sockets,
    requests,
    payments,
    referer,
    nextPayment: 'pay',
    logins: 0,
    getStorageSync: (key) => (storage.has(key) ? structuredClone(storage.get(key)) : ''),
    setStorageSync: (key, value) => void storage.set(key, structuredClone(value)),
    removeStorageSync: (key) => void storage.delete(key),
    request,
    login({ success, fail }) {
      wx.logins += 1;
      // Without network WeChat answers "login:fail …"; the fake always has a code.
      void fail;
      setImmediate(() => success?.({ code: `good-${options.openidSuffix ?? 'minikit'}`, errMsg: 'login:ok' }));
    },
    requestPayment(params) {
      const { success, fail, ...rest } = params as typeof params & { success?: (r: { errMsg: string }) => void; fail?: (r: { errMsg: string }) => void };
      const end = (errMsg: string) => {
        payments.push({ params: rest as unknown as Record<string, string>, errMsg });
        if (errMsg === 'requestPayment:ok') success?.({ errMsg });
        else fail?.({ errMsg });
      };
      const payment = options.payment;
      if (!payment) return void setImmediate(() => end('requestPayment:fail no merchant configured in the fake'));
      const message = `${appId}\n${params.timeStamp}\n${params.nonceStr}\n${params.package}\n`;
      const valid =
        params.signType === 'RSA' &&
        crypto.verify('RSA-SHA256', Buffer.from(message), payment.merchantPublicKey, Buffer.from(params.paySign, 'base64'));
      // WeChat's own wording for a bad signature.
      if (!valid) return void setImmediate(() => end('requestPayment:fail 支付验证签名失败'));
      if (wx.nextPayment === 'cancel') {
        wx.nextPayment = 'pay';
        return void setImmediate(() => end('requestPayment:fail cancel'));
      }
      const prepayId = params.package.replace(/^prepay_id=/, '');
      // The shopper paid: WeChat Pay notifies the shop (the sandbox cashier sends the signed notification).
      fetch(`${payment.cashierOrigin}/notify/sandbox/wechat/${encodeURIComponent(prepayId)}`, { method: 'POST' })
        .then(async (res) => {
          const answer = (await res.json()) as { paid?: boolean };
          end(res.ok && answer.paid ? 'requestPayment:ok' : `requestPayment:fail ${JSON.stringify(answer)}`);
        })
        .catch((error: Error) => end(`requestPayment:fail ${error.message}`));
    },
    connectSocket({ url, protocols }): WxSocketTask {
      const socket = new WebSocket(url, protocols, { headers: { referer } });
      sockets.push(socket);
      return {
        send: ({ data }) => socket.send(data),
        close: ({ code, reason }) => socket.close(code, reason),
        onOpen: (callback) => socket.on('open', () => callback({ header: {}, profile: {} })),
        onMessage: (callback) =>
          socket.on('message', (data: Buffer, isBinary: boolean) =>
            callback({ data: isBinary ? new Uint8Array(data).buffer : data.toString('utf8') }),
          ),
        onClose: (callback) => socket.on('close', (code: number, reason: Buffer) => callback({ code, reason: reason.toString() })),
        onError: (callback) => socket.on('error', (error: Error) => callback({ errMsg: `connectSocket:fail ${error.message}` })),
      };
    },
  };
  return wx;
}
