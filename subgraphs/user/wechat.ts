/**
 * WeChat mini-program sign-in: the code from `wx.login()` is exchanged for the user's openid (and unionid, when the
 * mini-program is bound to an open-platform account) through a `WechatSessionProvider`:
 * - the real one calls `GET {apiBase}/sns/jscode2session` with the app id and secret (WECHAT_APPID, WECHAT_SECRET);
 * - without them, when WECHAT_DEV_LOGIN is on (never in production; by default only on a loopback HOST, off it only
 *   when asked for: platform/modes.ts), a local one maps each code to a stable fake openid;
 * - otherwise WeChat sign-in is refused: FORBIDDEN with extensions.reason WECHAT_LOGIN_NOT_CONFIGURED.
 * The `session_key` WeChat returns is dropped: it is never stored or logged (nothing here decrypts user data yet).
 */
import crypto from 'node:crypto';
import type { Config } from '../../platform/config';
import { shopError, unauthenticated, rateLimited } from '../../platform/errors';

export interface WechatSession {
  openid: string;
  unionid?: string;
}

export interface WechatSessionProvider {
  /** Which provider this is (shown nowhere to clients; for logs and tests). */
  readonly kind: 'wechat' | 'development' | 'unconfigured';
  /** Trades a `wx.login()` code for the user's ids; throws a shop error the client may see. */
  exchange(code: string): Promise<WechatSession>;
}

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

export function createWechatApiProvider(options: { appId: string; secret: string; apiBase: string; timeoutMs: number }): WechatSessionProvider {
  const endpoint = `${options.apiBase.replace(/\/+$/, '')}/sns/jscode2session`;
  return {
    kind: 'wechat',
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
      return typeof body.unionid === 'string' && body.unionid ? { openid: body.openid, unionid: body.unionid } : { openid: body.openid };
    },
  };
}

/** Development stand-in: the same code always gives the same openid. Refuses to exist in production. */
export function createDevWechatProvider(config: Pick<Config, 'isProduction'>): WechatSessionProvider {
  if (config.isProduction) throw new Error('The development WeChat provider is refused with NODE_ENV=production: set WECHAT_APPID and WECHAT_SECRET');
  return {
    kind: 'development',
    async exchange(code) {
      return { openid: `dev-${crypto.createHash('sha256').update(code).digest('hex').slice(0, 24)}` };
    },
  };
}

/**
 * The provider the config asks for: WeChat's API with an app id and secret; else the local stand-in when
 * WECHAT_DEV_LOGIN is on; else none (every sign-in refused, clearly: a client error, not an internal one).
 */
export function createWechatProvider(config: Pick<Config, 'isProduction' | 'wechat'>): WechatSessionProvider {
  const { appId, secret, apiBase, timeoutMs } = config.wechat;
  if (appId && secret) return createWechatApiProvider({ appId, secret, apiBase, timeoutMs });
  if (config.wechat.devLogin && !config.isProduction) return createDevWechatProvider(config);
  return {
    kind: 'unconfigured',
    async exchange() {
      throw shopError('FORBIDDEN', 'WeChat sign-in is not available on this server (WECHAT_APPID and WECHAT_SECRET are not set)', {
        reason: 'WECHAT_LOGIN_NOT_CONFIGURED',
      });
    },
  };
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
