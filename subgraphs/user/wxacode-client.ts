/**
 * The call to WeChat's `POST /wxa/getwxacodeunlimit?access_token=…` (mini-program code images; the one module that
 * talks to api.weixin.qq.com for them). Body {scene (≤ 32 characters), page, width, check_path, env_version}; WeChat
 * answers the image bytes (image/jpeg) on success, JSON {errcode, errmsg} on failure (labelled text/plain or JSON).
 *
 * The access token is the one subscribe messages use (messages/access-token.ts: `POST /cgi-bin/stable_token`, kept in
 * Redis with REDIS_URL under the app's key, so every instance and both features share one token). When WeChat calls
 * the token invalid (40001, 40014, 42001) the cached entry is dropped and the call is made once more with a fresh token
 * (forced by the one caller holding the refresh lock), exactly as the messages client does.
 */
import type { TokenStore } from './messages/access-token';

export interface WxacodeRequest {
  scene: string;
  page: string;
  width: number;
  checkPath: boolean;
  envVersion: 'release' | 'trial' | 'develop';
}

export interface WxacodeImage {
  contentType: string;
  bytes: Buffer;
}

/** WeChat answered an error (errcode) or could not be reached (errcode null). */
export class WxacodeError extends Error {
  constructor(
    message: string,
    readonly errcode: number | null,
  ) {
    super(message);
  }
}

export interface WxacodeClient {
  getUnlimited(request: WxacodeRequest): Promise<WxacodeImage>;
}

const TOKEN_ERRCODES = new Set([40001, 40014, 42001]);
/** WeChat's codes are tens of kilobytes; anything far larger is not one. */
const MAX_IMAGE_BYTES = 2 * 1024 * 1024;

export function createWxacodeClient(options: { appId: string; secret: string; apiBase: string; timeoutMs: number; tokens: TokenStore }): WxacodeClient {
  const base = options.apiBase.replace(/\/+$/, '');
  /** Secrets and tokens never reach an error message or a log line. */
  const scrub = (text: string) => text.split(options.secret).join('***');

  async function post(url: string, body: unknown): Promise<Response> {
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(options.timeoutMs),
      });
      if (!response.ok) throw new WxacodeError(`WeChat answered HTTP ${response.status}`, null);
      return response;
    } catch (error) {
      if (error instanceof WxacodeError) throw error;
      throw new WxacodeError(`WeChat unreachable: ${scrub((error as Error).message)}`, null);
    }
  }

  async function fetchToken(forceRefresh: boolean): Promise<string> {
    const response = await post(`${base}/cgi-bin/stable_token`, { grant_type: 'client_credential', appid: options.appId, secret: options.secret, force_refresh: forceRefresh });
    let answer: { errcode?: unknown; errmsg?: unknown; access_token?: unknown; expires_in?: unknown };
    try {
      answer = JSON.parse(await response.text());
    } catch {
      throw new WxacodeError('WeChat token: an answer that is not JSON', null);
    }
    const errcode = typeof answer.errcode === 'number' ? answer.errcode : 0;
    if (errcode !== 0 || typeof answer.access_token !== 'string' || !answer.access_token) {
      throw new WxacodeError(`WeChat token refused: errcode ${errcode} ${scrub(String(answer.errmsg ?? ''))}`.trim(), errcode || null);
    }
    const expiresIn = typeof answer.expires_in === 'number' ? answer.expires_in : 7200;
    await options.tokens.set(answer.access_token, Math.max(60, expiresIn - 300) * 1000).catch(() => undefined);
    return answer.access_token;
  }

  async function token(): Promise<string> {
    return (await options.tokens.get().catch(() => null)) ?? fetchToken(false);
  }

  return {
    async getUnlimited(request) {
      const body = { scene: request.scene, page: request.page, width: request.width, check_path: request.checkPath, env_version: request.envVersion };
      let accessToken = await token();
      for (let attempt = 1; ; attempt += 1) {
        const response = await post(`${base}/wxa/getwxacodeunlimit?access_token=${encodeURIComponent(accessToken)}`, body);
        const type = (response.headers.get('content-type') ?? '').toLowerCase();
        const bytes = Buffer.from(await response.arrayBuffer());
        if (type.startsWith('image/')) {
          if (!bytes.length || bytes.length > MAX_IMAGE_BYTES) throw new WxacodeError(`WeChat answered an image of ${bytes.length} bytes`, null);
          return { contentType: type.split(';')[0].trim(), bytes };
        }
        let answer: { errcode?: unknown; errmsg?: unknown };
        try {
          answer = JSON.parse(bytes.toString('utf8'));
        } catch {
          throw new WxacodeError(`WeChat answered ${type || 'no content type'} that is neither an image nor JSON`, null);
        }
        const errcode = typeof answer.errcode === 'number' ? answer.errcode : -1;
        if (TOKEN_ERRCODES.has(errcode) && attempt === 1) {
          await options.tokens.invalidate(accessToken).catch(() => undefined);
          const force = await options.tokens.claimForceRefresh().catch(() => false);
          accessToken = await fetchToken(force);
          continue;
        }
        throw new WxacodeError(`WeChat refused the code: errcode ${errcode} ${String(answer.errmsg ?? '').slice(0, 200)}`.trim(), errcode);
      }
    },
  };
}
