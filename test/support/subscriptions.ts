/**
 * A real graphql-ws client (the `graphql-ws` package over `ws`) for tests of the router's subscriptions: results,
 * errors and close events collected, and `until` to wait for a condition on them.
 */
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

export const wsUrl = (httpUrl: string) => httpUrl.replace(/^http/, 'ws');

/** A client that never retries (a refusal must surface), authenticated with `token` unless it is undefined. */
export function wsClient(routerUrl: string, connectionParams?: Record<string, unknown>, webSocketImpl: unknown = WebSocket): Client {
  return createClient({ url: wsUrl(routerUrl), webSocketImpl, connectionParams, retryAttempts: 0, lazy: true });
}

export interface Collected {
  results: any[];
  /** The error: an array of GraphQL errors (refused subscription) or a close event `{ code, reason }`. */
  error?: any;
  completed: boolean;
  /** Resolves when `check()` is true, re-checked on every result, error or completion. */
  until(check: () => boolean, what: string): Promise<void>;
  /** Statuses received, in order (for `orderStatusChanged { status }` selections). */
  statuses(): string[];
  unsubscribe(): void;
}

export function collect(client: Client, query: string, variables: Record<string, unknown> = {}, extensions?: Record<string, unknown>): Collected {
  const listeners = new Set<() => void>();
  const notify = () => listeners.forEach((listener) => listener());
  const collected: Collected = {
    results: [],
    completed: false,
    until: (check, what) =>
      new Promise((resolve, reject) => {
        // A guard against hanging forever, not a timing assertion.
        const guard = setTimeout(() => {
          listeners.delete(listener);
          reject(new Error(`timed out waiting for ${what}; got ${JSON.stringify({ results: collected.results, error: describe(collected.error) })}`));
        }, 15_000);
        const listener = () => {
          if (!check()) return;
          clearTimeout(guard);
          listeners.delete(listener);
          resolve();
        };
        listeners.add(listener);
        listener();
      }),
    statuses: () => collected.results.map((r) => r.data?.orderStatusChanged?.status),
    unsubscribe: () => undefined,
  };
  collected.unsubscribe = client.subscribe(
    { query, variables, ...(extensions ? { extensions } : {}) },
    {
      next: (value) => {
        collected.results.push(value);
        notify();
      },
      error: (error) => {
        collected.error = error;
        notify();
      },
      complete: () => {
        collected.completed = true;
        notify();
      },
    },
  );
  return collected;
}

/** Close events are not JSON-friendly; errors arrays are. */
export function describe(error: any): unknown {
  if (error && typeof error === 'object' && 'code' in error && 'reason' in error) return { code: error.code, reason: String(error.reason) };
  return error;
}

/** The status of the last result. */
export const lastStatus = (c: Collected) => c.results.at(-1)?.data?.orderStatusChanged?.status;
