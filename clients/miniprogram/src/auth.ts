/**
 * Sign-in of the mini-program: `wx.login()` → `loginWithWechat(code)` → the tokens in `wx.setStorageSync` (they
 * survive a restart of the mini-program). The access token lives 15 minutes (ACCESS_TOKEN_TTL_SECONDS); it is
 * refreshed before it expires, and again when the router says UNAUTHENTICATED anyway (a clock off, a restart of the
 * phone). Refreshing is single-flight: N requests refused at once make one `refreshToken` call, since a refresh token
 * is single-use and presenting a spent one ends the whole session (docs/passport.md). A refresh the server refuses
 * signs out (storage cleared, `onSignedOut`); a refresh that could not reach the server keeps the session.
 */
import { LoginWithWechatDocument, LogoutDocument, RefreshTokenDocument } from './gql/graphql';
import type { Fetcher, Result, ShopError } from './request';
import type { WxApi } from './wx';

export interface Session {
  accessToken: string;
  refreshToken: string;
  /** When the access token expires (ms since the epoch, the phone's clock). */
  expiresAt: number;
  userId: string;
}

export interface AuthOptions {
  wx: WxApi;
  fetcher: Fetcher;
  /** Where the session is kept (default "shop.session"). */
  storageKey?: string;
  /** Refresh this long before the access token expires (default 60 s: phones' clocks drift). */
  refreshMarginMs?: number;
  /** Called once when a session ends without the user asking (its refresh was refused). */
  onSignedOut?(reason: ShopError): void;
  now?(): number;
}

export interface Auth {
  /** The stored session, or null when signed out. */
  session(): Session | null;
  /** wx.login → loginWithWechat; the session is stored. `inviteCode` counts when this login creates the account. */
  login(inviteCode?: string): Promise<Result<Session>>;
  /** A usable access token: refreshed first when it is about to expire; null when signed out. */
  accessToken(): Promise<string | null>;
  /**
   * The server refused `rejected` (UNAUTHENTICATED): the token to retry with, or null (signed out, or the refresh
   * could not be made). When another caller refreshed meanwhile, its token is answered without a new refresh.
   */
  refreshAfterRejected(rejected: string): Promise<string | null>;
  /** Ends the session at the server (best effort) and here. */
  logout(): Promise<void>;
}

export function createAuth(options: AuthOptions): Auth {
  const { wx, fetcher } = options;
  const key = options.storageKey ?? 'shop.session';
  const margin = options.refreshMarginMs ?? 60_000;
  const now = options.now ?? (() => Date.now());
  let refreshing: Promise<Session | null> | null = null;

  const session = (): Session | null => {
    const stored = wx.getStorageSync(key);
    return stored && typeof stored === 'object' && typeof (stored as Session).refreshToken === 'string' ? (stored as Session) : null;
  };
  const store = (payload: { accessToken: string; refreshToken: string; expiresIn: number; user: { id: string } }): Session => {
    const next = { accessToken: payload.accessToken, refreshToken: payload.refreshToken, expiresAt: now() + payload.expiresIn * 1000, userId: payload.user.id };
    wx.setStorageSync(key, next);
    return next;
  };
  const signOut = (reason: ShopError) => {
    wx.removeStorageSync(key);
    options.onSignedOut?.(reason);
  };

  /** One refresh at a time; every caller waiting meanwhile gets its outcome. */
  const refresh = (): Promise<Session | null> => {
    refreshing ??= (async () => {
      const current = session();
      if (!current) return null;
      const answer = await fetcher.send(RefreshTokenDocument, { refreshToken: current.refreshToken });
      if (answer.ok) return store(answer.data.refreshToken);
      // No answer, or the server could not decide now: the refresh token is unspent (RATE_LIMITED does not spend it).
      if (['NETWORK_ERROR', 'TIMEOUT', 'BAD_RESPONSE', 'RATE_LIMITED', 'INTERNAL_SERVER_ERROR'].includes(answer.error.code)) return null;
      // Refused (expired, spent, revoked): this session is over.
      if (session()?.refreshToken === current.refreshToken) signOut(answer.error);
      return null;
    })().finally(() => {
      refreshing = null;
    });
    return refreshing;
  };

  const wxLogin = () =>
    new Promise<{ code: string } | { errMsg: string }>((resolve) =>
      wx.login({ success: ({ code }) => resolve({ code }), fail: ({ errMsg }) => resolve({ errMsg }) }),
    );

  return {
    session,
    async login(inviteCode) {
      const login = await wxLogin();
      if (!('code' in login)) return { ok: false, data: null, error: { code: 'NETWORK_ERROR', message: login.errMsg, extensions: {}, errors: [] } };
      const answer = await fetcher.send(LoginWithWechatDocument, { code: login.code, inviteCode });
      if (!answer.ok) return { ok: false, data: null, error: answer.error };
      return { ok: true, data: store(answer.data.loginWithWechat) };
    },
    async accessToken() {
      if (refreshing) return (await refreshing)?.accessToken ?? session()?.accessToken ?? null;
      const current = session();
      if (!current) return null;
      if (current.expiresAt - margin > now()) return current.accessToken;
      return (await refresh())?.accessToken ?? session()?.accessToken ?? null;
    },
    async refreshAfterRejected(rejected) {
      if (refreshing) return (await refreshing)?.accessToken ?? null;
      const current = session();
      if (!current) return null;
      if (current.accessToken !== rejected) return current.accessToken;
      return (await refresh())?.accessToken ?? null;
    },
    async logout() {
      const current = session();
      if (!current) return;
      await fetcher.send(LogoutDocument, {}, { token: current.accessToken });
      wx.removeStorageSync(key);
    },
  };
}
