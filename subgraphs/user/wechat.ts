/**
 * WeChat mini-program sign-in: the code from `wx.login()` is exchanged for the user's openid (and unionid, when the
 * mini-program is bound to an open-platform account) through a `WechatSessionProvider`:
 * - the real one calls `GET {apiBase}/sns/jscode2session` with the app id and secret (WECHAT_APPID, WECHAT_SECRET);
 * - without them, when WECHAT_DEV_LOGIN is on (never in production; by default only on a loopback HOST, off it only
 *   when asked for: platform/modes.ts), a local one maps each code to a stable fake openid;
 * - otherwise WeChat sign-in is refused: FORBIDDEN with extensions.reason WECHAT_LOGIN_NOT_CONFIGURED.
 * The `session_key` WeChat returns is handed to the caller, which keeps it sealed server side (wechat-session-keys.ts)
 * to decrypt the user's encrypted data later (wechat-crypto.ts); it never reaches a client or a log line.
 * The real provider also trades a `getPhoneNumber` code for the phone (POST /wxa/business/getuserphonenumber), with an
 * access token from `POST /cgi-bin/stable_token` (the same token for every instance, unlike /cgi-bin/token, whose
 * every call would invalidate the other instances' token).
 */
import crypto from 'node:crypto';
import type { Config } from '../../platform/config';
import { badInput, shopError, unauthenticated, rateLimited } from '../../platform/errors';

export interface WechatSession {
  openid: string;
  unionid?: string;
  /** Base64 AES-128 key of this login's encrypted data. Server side only. */
  sessionKey: string;
}

/** What WeChat says about the phone of a `getPhoneNumber` code (the same shape as the decrypted encrypted data). */
export interface WechatPhoneInfo {
  phoneNumber?: unknown;
  purePhoneNumber?: unknown;
  countryCode?: unknown;
  watermark?: { appid?: unknown; timestamp?: unknown };
}

export interface WechatSessionProvider {
  /** Which provider this is (shown nowhere to clients; for logs and tests). */
  readonly kind: 'wechat' | 'development' | 'unconfigured';
  /** The app id encrypted data must carry in `watermark.appid` (WECHAT_APPID; a fixed one for the stand-in). */
  readonly appId: string;
  /** Trades a `wx.login()` code for the user's ids; throws a shop error the client may see. */
  exchange(code: string): Promise<WechatSession>;
  /** Trades a `getPhoneNumber` button's code for the phone; throws a shop error the client may see. */
  phoneNumber(code: string): Promise<WechatPhoneInfo>;
}

/** The app id of the development stand-in's encrypted data. */
export const DEV_WECHAT_APPID = 'wxdevelopment000';

/** jscode2session answers that mean "this code will never work": the client should get a fresh one. */
const INVALID_CODE_ERRCODES = new Set([40029, 40163]);
const RATE_LIMIT_ERRCODE = 45011;

interface Jscode2sessionResponse {
  openid?: unknown;
  session_key?: unknown;
  unionid?: unknown;
  errcode?: unknown;
  errmsg?: unknown;
}

/** Access token answers that mean "fetch a new token and try once more". */
const STALE_TOKEN_ERRCODES = new Set([40001, 40014, 42001]);

export function createWechatApiProvider(options: { appId: string; secret: string; apiBase: string; timeoutMs: number }): WechatSessionProvider {
  const base = options.apiBase.replace(/\/+$/, '');
  const endpoint = `${base}/sns/jscode2session`;
  const unavailable = (what: string, error: unknown) => {
    const reason = error instanceof Error ? (error.name === 'TimeoutError' ? 'timeout' : error.message) : 'unknown';
    return shopError('INTERNAL_SERVER_ERROR', `${what} is unavailable (${reason.split(options.secret).join('***')})`);
  };
  /** POSTs JSON to WeChat and parses its JSON answer (labelled text/plain or not). */
  async function postJson(url: string, body: unknown, what: string): Promise<Record<string, unknown>> {
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(options.timeoutMs),
      });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      return JSON.parse(await response.text()) as Record<string, unknown>;
    } catch (error) {
      throw unavailable(what, error);
    }
  }
  let cachedToken: { token: string; expiresAt: number } | undefined;
  async function accessToken(forceRefresh: boolean): Promise<string> {
    if (!forceRefresh && cachedToken && cachedToken.expiresAt > Date.now()) return cachedToken.token;
    const body = await postJson(
      `${base}/cgi-bin/stable_token`,
      { grant_type: 'client_credential', appid: options.appId, secret: options.secret, force_refresh: false },
      'WeChat',
    );
    if (typeof body.access_token !== 'string' || !body.access_token) {
      throw shopError('INTERNAL_SERVER_ERROR', `WeChat refused an access token (errcode ${String(body.errcode ?? 'none')})`);
    }
    const lifetime = typeof body.expires_in === 'number' ? body.expires_in : 7200;
    // Renewed five minutes early: a token used at the edge of its life fails at WeChat.
    cachedToken = { token: body.access_token, expiresAt: Date.now() + Math.max(60, lifetime - 300) * 1000 };
    return cachedToken.token;
  }
  return {
    kind: 'wechat',
    appId: options.appId,
    async phoneNumber(code) {
      for (const forceRefresh of [false, true]) {
        const token = await accessToken(forceRefresh);
        const body = await postJson(`${base}/wxa/business/getuserphonenumber?access_token=${encodeURIComponent(token)}`, { code }, 'WeChat phone number');
        const errcode = typeof body.errcode === 'number' ? body.errcode : 0;
        if (STALE_TOKEN_ERRCODES.has(errcode)) {
          cachedToken = undefined;
          continue;
        }
        if (errcode === 40029) throw badInput('The getPhoneNumber code is invalid or expired; ask the user again', 'code');
        if (errcode === RATE_LIMIT_ERRCODE) throw rateLimited('WeChat is busy, try again in a moment');
        if (errcode !== 0) throw shopError('INTERNAL_SERVER_ERROR', `WeChat phone number failed (errcode ${errcode})`);
        if (!body.phone_info || typeof body.phone_info !== 'object') throw shopError('INTERNAL_SERVER_ERROR', 'WeChat answered without phone_info');
        return body.phone_info as WechatPhoneInfo;
      }
      throw shopError('INTERNAL_SERVER_ERROR', 'WeChat refused our access token twice');
    },
    async exchange(code) {
      const query = new URLSearchParams({ appid: options.appId, secret: options.secret, js_code: code, grant_type: 'authorization_code' });
      let body: Jscode2sessionResponse;
      try {
        // The URL carries the app secret: it must not end up in an error message or a log line.
        const response = await fetch(`${endpoint}?${query}`, { signal: AbortSignal.timeout(options.timeoutMs) });
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        // WeChat answers JSON, sometimes labelled text/plain.
        body = JSON.parse(await response.text()) as Jscode2sessionResponse;
      } catch (error) {
        const reason = error instanceof Error ? (error.name === 'TimeoutError' ? 'timeout' : error.message) : 'unknown';
        throw shopError('INTERNAL_SERVER_ERROR', `WeChat sign-in is unavailable (${reason.replace(options.secret, '***')})`);
      }
      const errcode = typeof body.errcode === 'number' ? body.errcode : 0;
      if (errcode !== 0) {
        if (INVALID_CODE_ERRCODES.has(errcode)) throw unauthenticated('The WeChat login code is invalid or has been used; call wx.login() again');
        if (errcode === RATE_LIMIT_ERRCODE) throw rateLimited('WeChat sign-in is busy, try again in a moment');
        throw shopError('INTERNAL_SERVER_ERROR', `WeChat sign-in failed (errcode ${errcode})`);
      }
      if (typeof body.openid !== 'string' || !body.openid) throw shopError('INTERNAL_SERVER_ERROR', 'WeChat answered without an openid');
      if (typeof body.session_key !== 'string' || !body.session_key) throw shopError('INTERNAL_SERVER_ERROR', 'WeChat answered without a session key');
      const session: WechatSession = { openid: body.openid, sessionKey: body.session_key };
      if (typeof body.unionid === 'string' && body.unionid) session.unionid = body.unionid;
      return session;
    },
  };
}

/** Development stand-in: the same code always gives the same openid. Refuses to exist in production. */
export function createDevWechatProvider(config: Pick<Config, 'isProduction'>): WechatSessionProvider {
  if (config.isProduction) throw new Error('The development WeChat provider is refused with NODE_ENV=production: set WECHAT_APPID and WECHAT_SECRET');
  return {
    kind: 'development',
    appId: DEV_WECHAT_APPID,
    async exchange(code) {
      const openid = `dev-${crypto.createHash('sha256').update(code).digest('hex').slice(0, 24)}`;
      // A stable key per openid, so a developer can produce encrypted data for it (docs/passport.md).
      return { openid, sessionKey: devSessionKey(openid) };
    },
    async phoneNumber() {
      throw shopError('FORBIDDEN', 'The getPhoneNumber code needs the real WeChat API (WECHAT_APPID, WECHAT_SECRET)', {
        reason: 'WECHAT_LOGIN_NOT_CONFIGURED',
      });
    },
  };
}

/** The development stand-in's session key of an openid: base64 of the first 16 bytes of sha256("dev-session-key:" + openid). */
export const devSessionKey = (openid: string) => crypto.createHash('sha256').update(`dev-session-key:${openid}`).digest().subarray(0, 16).toString('base64');

/**
 * The provider the config asks for: WeChat's API with an app id and secret; else the local stand-in when
 * WECHAT_DEV_LOGIN is on; else none (every sign-in refused, clearly: a client error, not an internal one).
 */
export function createWechatProvider(config: Pick<Config, 'isProduction' | 'wechat'>): WechatSessionProvider {
  const { appId, secret, apiBase, timeoutMs } = config.wechat;
  if (appId && secret) return createWechatApiProvider({ appId, secret, apiBase, timeoutMs });
  if (config.wechat.devLogin && !config.isProduction) return createDevWechatProvider(config);
  const refuse = async (): Promise<never> => {
    throw shopError('FORBIDDEN', 'WeChat sign-in is not available on this server (WECHAT_APPID and WECHAT_SECRET are not set)', {
      reason: 'WECHAT_LOGIN_NOT_CONFIGURED',
    });
  };
  return { kind: 'unconfigured', appId: '', exchange: refuse, phoneNumber: refuse };
}

/** The start-up line of the user process: which WeChat sign-in it offers. */
export function describeWechatLogin(provider: WechatSessionProvider): string {
  switch (provider.kind) {
    case 'wechat':
      return '[user] WeChat login: real (jscode2session with WECHAT_APPID)';
    case 'development':
      return '[user] WeChat login: DEVELOPMENT stand-in, any code signs in (WECHAT_DEV_LOGIN on, no WECHAT_APPID)';
    default:
      return '[user] WeChat login: unavailable (no WECHAT_APPID, WECHAT_DEV_LOGIN off): loginWithWechat is refused';
  }
}
