/**
 * The shopper's tokens, kept in localStorage so a reload stays signed in. Components subscribe to changes (sign in,
 * refresh, sign out) through `useAuth`.
 */
import { useSyncExternalStore } from 'react';

export interface Session {
  accessToken: string;
  refreshToken: string;
  nickname?: string | null;
}

const KEY = 'shop.session';
const listeners = new Set<() => void>();
let current: Session | undefined = load();

function load(): Session | undefined {
  try {
    const raw = localStorage.getItem(KEY);
    return raw ? (JSON.parse(raw) as Session) : undefined;
  } catch {
    return undefined;
  }
}

export function getSession(): Session | undefined {
  return current;
}

export function setSession(session: Session | undefined): void {
  current = session;
  if (session) localStorage.setItem(KEY, JSON.stringify(session));
  else localStorage.removeItem(KEY);
  for (const listener of listeners) listener();
}

export function useAuth(): Session | undefined {
  return useSyncExternalStore(
    (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    () => current,
  );
}
