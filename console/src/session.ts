/**
 * The signed-in staff member's tokens, kept in sessionStorage (per tab, gone when the tab closes). The access token is
 * refreshed shortly before it expires, once at a time however many requests wait for it (a refresh token is single
 * use: two parallel refreshes would end the session as a reuse).
 */
import { Client, fetchExchange } from 'urql';
import { RefreshTokenDocument } from './gql/graphql';

/** How the console names itself to the router (metrics, logs, the persisted-operation safelist); the build sets the version. */
export const CLIENT_HEADERS = { 'apollographql-client-name': 'console', 'apollographql-client-version': __APP_VERSION__ };

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

/** Trades the refresh token for new tokens; a refused refresh signs out. */
export function refreshSession(endpoint: string): Promise<Session | null> {
  const session = current;
  if (!session) return Promise.resolve(null);
  refreshing ??= (async () => {
    try {
      // A bare client (no auth exchange, no cache): the refresh must not wait for itself.
      const client = new Client({ url: endpoint, exchanges: [fetchExchange], fetchOptions: { headers: CLIENT_HEADERS } });
      const result = await client.mutation(RefreshTokenDocument, { refreshToken: session.refreshToken }).toPromise();
      // Network trouble: keep the session and try again with the next request. A refused token: signed out.
      if (result.error?.networkError) return current;
      const next = result.data ? sessionFrom(result.data.refreshToken) : null;
      setSession(next);
      return next;
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
