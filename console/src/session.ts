/**
 * The signed-in staff member's tokens, kept in sessionStorage (per tab, gone when the tab closes). The access token is
 * refreshed shortly before it expires, once at a time however many requests wait for it (a refresh token is single
 * use: two parallel refreshes would end the session as a reuse).
 */
export interface Session {
  accessToken: string;
  refreshToken: string;
  /** Epoch ms when the access token expires. */
  expiresAt: number;
}

const KEY = 'shop-console-session';
// Refresh this long before expiry, so a request never leaves with a token about to lapse.
const MARGIN_MS = 60_000;

type Listener = (session: Session | null) => void;
const listeners = new Set<Listener>();
let current: Session | null = load();
let refreshing: Promise<Session | null> | null = null;

function load(): Session | null {
  try {
    const raw = sessionStorage.getItem(KEY);
    return raw ? (JSON.parse(raw) as Session) : null;
  } catch {
    return null;
  }
}

export function getSession(): Session | null {
  return current;
}

export function setSession(session: Session | null): void {
  current = session;
  if (session) sessionStorage.setItem(KEY, JSON.stringify(session));
  else sessionStorage.removeItem(KEY);
  for (const listener of listeners) listener(session);
}

export function onSessionChange(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function sessionFrom(payload: { accessToken: string; refreshToken: string; expiresIn: number }): Session {
  return { accessToken: payload.accessToken, refreshToken: payload.refreshToken, expiresAt: Date.now() + payload.expiresIn * 1000 };
}

const REFRESH = `mutation RefreshToken($refreshToken: String!) {
  refreshToken(refreshToken: $refreshToken) { accessToken refreshToken expiresIn }
}`;

/** Trades the refresh token for new tokens; a refused refresh signs out. */
export function refreshSession(endpoint: string): Promise<Session | null> {
  const session = current;
  if (!session) return Promise.resolve(null);
  refreshing ??= (async () => {
    try {
      const response = await fetch(endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'apollographql-client-name': 'console' },
        body: JSON.stringify({ operationName: 'RefreshToken', query: REFRESH, variables: { refreshToken: session.refreshToken } }),
      });
      const body = (await response.json()) as { data?: { refreshToken?: { accessToken: string; refreshToken: string; expiresIn: number } } };
      const next = body.data?.refreshToken ? sessionFrom(body.data.refreshToken) : null;
      setSession(next);
      return next;
    } catch {
      // Network trouble: keep the session and try again with the next request.
      return current;
    } finally {
      refreshing = null;
    }
  })();
  return refreshing;
}

/** A usable access token: the current one, or a refreshed one when it is about to expire. */
export async function accessToken(endpoint: string): Promise<string | null> {
  if (!current) return null;
  if (current.expiresAt - Date.now() > MARGIN_MS) return current.accessToken;
  return (await refreshSession(endpoint))?.accessToken ?? null;
}
