/**
 * The calls to WeChat's server API for subscribe messages (the one module that talks to api.weixin.qq.com for them):
 * `POST /cgi-bin/stable_token` for the access token (access-token.ts keeps it), then
 * `POST /cgi-bin/message/subscribe/send?access_token=…` with { touser, template_id, page, data, miniprogram_state, lang }.
 *
 * WeChat has no idempotency key for a message, so each answer is sorted by whether the message may have gone out:
 * - `sent` (errcode 0);
 * - `refused` (43101: the shopper has no acceptance left at WeChat, or unsubscribed) and `badRecipient` (40003: not
 *   an openid of this app): final, never worth another call;
 * - `notSent`: WeChat answered and did not send (HTTP 5xx, errcode -1 busy, 45009 / 45011 quota, a template or data
 *   error, a token it still refuses after one refresh), or the connection was never made: safe to call again later;
 * - `uncertain`: no answer after the request may have reached WeChat (timeout, connection cut): calling again might
 *   send twice.
 */
import type { TokenStore } from './access-token';
import type { TemplateData } from './templates';

export interface SubscribeMessage {
  touser: string;
  template_id: string;
  page: string;
  data: TemplateData;
  miniprogram_state: string;
  lang: string;
}

export type SendOutcome =
  | { kind: 'sent'; errcode: 0 }
  | { kind: 'refused'; errcode: number; error: string }
  | { kind: 'badRecipient'; errcode: number; error: string }
  | { kind: 'notSent'; errcode: number | null; error: string }
  | { kind: 'uncertain'; error: string };

export interface WechatMessageClient {
  send(message: SubscribeMessage): Promise<SendOutcome>;
}

/** The token was refused: invalid (40001, 40014) or expired (42001). */
export const TOKEN_ERRCODES = new Set([40001, 40014, 42001]);
export const REFUSED_ERRCODE = 43101;
export const INVALID_OPENID_ERRCODE = 40003;
/** The connection never reached WeChat: nothing can have been sent. */
const NOT_CONNECTED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT', 'EHOSTUNREACH', 'ENETUNREACH']);

interface WechatAnswer {
  errcode?: unknown;
  errmsg?: unknown;
  access_token?: unknown;
  expires_in?: unknown;
}

class NotSent extends Error {
  constructor(
    message: string,
    readonly errcode: number | null = null,
  ) {
    super(message);
  }
}

function causeCode(error: unknown): string | undefined {
  let current = error as { code?: unknown; cause?: unknown } | undefined;
  for (let depth = 0; current && depth < 5; depth += 1) {
    if (typeof current.code === 'string') return current.code;
    current = current.cause as typeof current;
  }
  return undefined;
}

export function createWechatMessageClient(options: {
  appId: string;
  secret: string;
  apiBase: string;
  timeoutMs: number;
  tokens: TokenStore;
}): WechatMessageClient {
  const base = options.apiBase.replace(/\/+$/, '');
  /** Secrets and tokens never reach an error message or a log line. */
  const scrub = (text: string) => text.split(options.secret).join('***');

  async function post(url: string, body: unknown): Promise<WechatAnswer> {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(options.timeoutMs),
    });
    if (!response.ok) throw new NotSent(`WeChat answered HTTP ${response.status}`);
    try {
      // WeChat answers JSON, sometimes labelled text/plain.
      return JSON.parse(await response.text()) as WechatAnswer;
    } catch {
      throw new NotSent('WeChat answered something that is not JSON');
    }
  }

  async function fetchToken(forceRefresh: boolean): Promise<string> {
    let answer: WechatAnswer;
    try {
      answer = await post(`${base}/cgi-bin/stable_token`, {
        grant_type: 'client_credential',
        appid: options.appId,
        secret: options.secret,
        force_refresh: forceRefresh,
      });
    } catch (error) {
      // No message was sent yet: every failure to get a token is "not sent".
      throw error instanceof NotSent ? error : new NotSent(`WeChat token: ${scrub((error as Error).message)}`);
    }
    const errcode = typeof answer.errcode === 'number' ? answer.errcode : 0;
    if (errcode !== 0 || typeof answer.access_token !== 'string' || !answer.access_token) {
      throw new NotSent(`WeChat token refused: errcode ${errcode} ${scrub(String(answer.errmsg ?? ''))}`.trim(), errcode || null);
    }
    const expiresIn = typeof answer.expires_in === 'number' ? answer.expires_in : 7200;
    // Kept until 5 minutes before WeChat's expiry (at least a minute).
    await options.tokens.set(answer.access_token, Math.max(60, expiresIn - 300) * 1000).catch(() => undefined);
    return answer.access_token;
  }

  async function token(): Promise<string> {
    const cached = await options.tokens.get().catch(() => null);
    return cached ?? fetchToken(false);
  }

  async function refreshAfterRefusal(refused: string): Promise<string> {
    await options.tokens.invalidate(refused).catch(() => undefined);
    const force = await options.tokens.claimForceRefresh().catch(() => false);
    const fresh = await fetchToken(force);
    // Without the lock, stable_token may still answer the refused token: then only the lock holder's refresh helps.
    if (fresh === refused && !force) throw new NotSent('WeChat refused the access token; another instance is refreshing it');
    return fresh;
  }

  return {
    async send(message) {
      try {
        let accessToken = await token();
        for (let attempt = 1; ; attempt += 1) {
          let answer: WechatAnswer;
          try {
            answer = await post(`${base}/cgi-bin/message/subscribe/send?access_token=${encodeURIComponent(accessToken)}`, message);
          } catch (error) {
            if (error instanceof NotSent) throw error;
            const code = causeCode(error);
            if (code && NOT_CONNECTED.has(code)) throw new NotSent(`WeChat unreachable (${code})`);
            const reason = (error as Error)?.name === 'TimeoutError' ? `no answer within ${options.timeoutMs} ms` : code ?? (error as Error)?.message;
            return { kind: 'uncertain', error: `WeChat's answer was lost (${reason}): the message may or may not have been sent` };
          }
          const errcode = typeof answer.errcode === 'number' ? answer.errcode : 0;
          const error = `errcode ${errcode}: ${String(answer.errmsg ?? '').slice(0, 300)}`;
          if (errcode === 0) return { kind: 'sent', errcode: 0 };
          if (errcode === REFUSED_ERRCODE) return { kind: 'refused', errcode, error };
          if (errcode === INVALID_OPENID_ERRCODE) return { kind: 'badRecipient', errcode, error };
          if (TOKEN_ERRCODES.has(errcode) && attempt === 1) {
            accessToken = await refreshAfterRefusal(accessToken);
            continue;
          }
          return { kind: 'notSent', errcode, error };
        }
      } catch (error) {
        if (error instanceof NotSent) return { kind: 'notSent', errcode: error.errcode, error: error.message };
        throw error;
      }
    },
  };
}
