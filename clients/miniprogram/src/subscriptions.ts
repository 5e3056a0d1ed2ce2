/**
 * Live updates over graphql-ws on `wx.connectSocket` (wechat-graphql-ws.ts). Every (re)connection asks auth for a
 * usable access token, so a socket that comes back after the phone slept, or after a router restart (close 1012),
 * signs in with a fresh token rather than an expired one. A connection the router refuses with 4401 (the token
 * expired or was revoked) is fatal for graphql-ws; the kit refreshes once and subscribes again.
 */
import { createClient, type Client } from 'graphql-ws';
import type { Auth } from './auth';
import { operationOf, type GraphQLErrorJson, type PersistedDocument, type ResultOf, type ShopError, type VariablesOf } from './request';
import { wechatWebSocket } from './wechat-graphql-ws';
import type { WxApi } from './wx';

export interface SubscriptionsOptions {
  wx: WxApi;
  /** wss://…/graphql (a socket legal domain of the mini-program). */
  url: string;
  auth: Auth;
  /** Reconnection attempts before subscriptions get an error (default 10; graphql-ws backs off between them). */
  retryAttempts?: number;
}

export interface Sink<T> {
  next(data: T): void;
  error?(error: ShopError): void;
  complete?(): void;
}

export interface Subscriptions {
  /** Subscribes; returns the function that stops it. */
  subscribe<D extends PersistedDocument<any, any>>(document: D, variables: VariablesOf<D>, sink: Sink<ResultOf<D>>): () => void;
  dispose(): Promise<void>;
}

interface CloseLike {
  code: number;
  reason: string;
}
const isClose = (value: unknown): value is CloseLike => typeof value === 'object' && value !== null && typeof (value as CloseLike).code === 'number';

/** graphql-ws reports GraphQL errors (an array), a close event, or an Error: one ShopError for all. */
function toShopError(error: unknown): ShopError {
  if (Array.isArray(error) && error.length) {
    const errors = error as GraphQLErrorJson[];
    const extensions = errors[0].extensions ?? {};
    return { code: extensions.code ?? 'INTERNAL_SERVER_ERROR', message: errors[0].message, extensions, errors };
  }
  if (isClose(error)) {
    return { code: error.code === 4401 ? 'UNAUTHENTICATED' : 'NETWORK_ERROR', message: error.reason || `socket closed (${error.code})`, extensions: { closeCode: error.code }, errors: [] };
  }
  return { code: 'NETWORK_ERROR', message: error instanceof Error ? error.message : String(error), extensions: {}, errors: [] };
}

export function createSubscriptions(options: SubscriptionsOptions): Subscriptions {
  const { auth } = options;
  /** The token the current connection presented: a 4401 refuses that one. */
  let presented: string | null = null;
  const client: Client = createClient({
    url: options.url,
    webSocketImpl: wechatWebSocket(options.wx),
    lazy: true,
    retryAttempts: options.retryAttempts ?? 10,
    connectionParams: async () => {
      presented = await auth.accessToken();
      return presented ? { Authorization: `Bearer ${presented}` } : {};
    },
  });

  return {
    subscribe(document, variables, sink) {
      const { type } = operationOf(document);
      if (type !== 'subscription') throw new Error('subscribe() takes subscription documents; send queries and mutations with request()');
      // The router validates the text of subscriptions (it keeps no ids for sockets).
      const query = document.__meta__?.body ?? String(document.toString());
      let stopped = false;
      let stop = () => {};
      let refreshedOnce = false;
      const start = () => {
        stop = client.subscribe<any>(
          { query, variables: variables as Record<string, unknown> },
          {
            next: (message) => {
              refreshedOnce = false;
              if (message.errors?.length) sink.error?.(toShopError(message.errors));
              else if (message.data) sink.next(message.data);
            },
            error: (error) => {
              if (stopped) return;
              const rejected = presented;
              if (isClose(error) && error.code === 4401 && rejected && !refreshedOnce) {
                refreshedOnce = true;
                void auth.refreshAfterRejected(rejected).then((token) => {
                  if (stopped) return;
                  if (token) start();
                  else sink.error?.(toShopError(error));
                });
                return;
              }
              sink.error?.(toShopError(error));
            },
            complete: () => {
              if (!stopped) sink.complete?.();
            },
          },
        );
      };
      start();
      return () => {
        stopped = true;
        stop();
      };
    },
    dispose: async () => {
      await client.dispose();
    },
  };
}
