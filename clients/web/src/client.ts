/**
 * The urql client: HTTP for queries and mutations, graphql-ws on the same /graphql path for subscriptions.
 *
 * - Every operation is sent by its persisted id: `persistedExchange` sends the sha256 the codegen wrote
 *   (src/gql/persisted-documents.json) and, when the router does not know it yet (APQ), the document. The document
 *   sent is the manifest's body for that id, not urql's own printing of it, so the id is always sha256(body).
 * - `apollographql-client-name: web` and `-version: <package version>+<build>` name the client to the router.
 * - On UNAUTHENTICATED (an expired access token) the refresh token is exchanged once for new tokens and the request
 *   is sent again; when that fails the shopper is signed out.
 */
import { Client, cacheExchange, fetchExchange, subscriptionExchange } from 'urql';
import { persistedExchange } from '@urql/exchange-persisted';
import { createClient as createWsClient } from 'graphql-ws';
import type { DocumentNode } from 'graphql';
import persisted from './gql/persisted-documents.json';
import { RefreshTokenDocument } from './gql/graphql';
import { getSession, setSession } from './auth';

export const CLIENT_NAME = 'web';
export const CLIENT_VERSION = __APP_VERSION__;
const ENDPOINT = '/graphql';
const bodies = persisted as Record<string, string>;

/** The persisted id of a generated document (hex sha256, as APQ and the manifests name it). */
export function persistedId(document: DocumentNode): string | undefined {
  const hash = (document as { __meta__?: { hash?: string } }).__meta__?.hash;
  return hash?.replace(/^sha256:/, '');
}

const clientHeaders = () => ({ 'apollographql-client-name': CLIENT_NAME, 'apollographql-client-version': CLIENT_VERSION });

/** Operations that must not trigger a refresh (signing in with a bad password is UNAUTHENTICATED too). */
const NO_REFRESH = new Set(['SignIn', 'RefreshToken']);

let refreshing: Promise<boolean> | undefined;

/** Exchanges the refresh token for new tokens once, however many requests failed at the same time. */
export function refreshSession(): Promise<boolean> {
  refreshing ??= (async () => {
    const session = getSession();
    if (!session?.refreshToken) return false;
    const id = persistedId(RefreshTokenDocument)!;
    try {
      const response = await fetch(ENDPOINT, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...clientHeaders() },
        body: JSON.stringify({
          operationName: 'RefreshToken',
          query: bodies[`sha256:${id}`],
          variables: { refreshToken: session.refreshToken },
          extensions: { persistedQuery: { version: 1, sha256Hash: id } },
        }),
      });
      const json = (await response.json()) as { data?: { refreshToken?: { accessToken: string; refreshToken: string } } };
      const tokens = json.data?.refreshToken;
      if (!tokens) {
        setSession(undefined);
        return false;
      }
      setSession({ ...session, accessToken: tokens.accessToken, refreshToken: tokens.refreshToken });
      return true;
    } catch {
      // Network trouble: keep the session, the next request tries again.
      return false;
    }
  })().finally(() => {
    refreshing = undefined;
  });
  return refreshing;
}

async function isUnauthenticated(response: Response): Promise<boolean> {
  if (response.status !== 401 && response.status !== 200) return false;
  try {
    const json = (await response.clone().json()) as { errors?: { extensions?: { code?: string } }[] };
    return (json.errors ?? []).some((error) => error.extensions?.code === 'UNAUTHENTICATED');
  } catch {
    return false;
  }
}

/** fetch for urql: client headers, the access token, the manifest's body, one refresh on UNAUTHENTICATED. */
async function shopFetch(input: RequestInfo | URL, init: RequestInit = {}): Promise<Response> {
  let body = init.body;
  let operationName: string | undefined;
  if (typeof body === 'string') {
    const json = JSON.parse(body) as { query?: string; operationName?: string; extensions?: { persistedQuery?: { sha256Hash?: string } } };
    operationName = json.operationName;
    const hash = json.extensions?.persistedQuery?.sha256Hash;
    if (hash && json.query && bodies[`sha256:${hash}`]) {
      json.query = bodies[`sha256:${hash}`];
      body = JSON.stringify(json);
    }
  }
  const send = () => {
    const headers = new Headers(init.headers);
    for (const [name, value] of Object.entries(clientHeaders())) headers.set(name, value);
    const token = getSession()?.accessToken;
    if (token) headers.set('authorization', `Bearer ${token}`);
    return fetch(input, { ...init, headers, body });
  };
  const response = await send();
  if (operationName && NO_REFRESH.has(operationName)) return response;
  if (!getSession()?.refreshToken || !(await isUnauthenticated(response))) return response;
  return (await refreshSession()) ? send() : response;
}

function wsUrl(): string {
  const { protocol, host } = window.location;
  return `${protocol === 'https:' ? 'wss:' : 'ws:'}//${host}${ENDPOINT}`;
}

const ws = createWsClient({
  url: wsUrl,
  lazy: true,
  // A browser cannot set headers on a WebSocket: the client's name and version (for the router's safelist) travel here.
  connectionParams: () => {
    const token = getSession()?.accessToken;
    return { ...clientHeaders(), ...(token ? { Authorization: `Bearer ${token}` } : {}) };
  },
  on: {
    // 4401: the access token was refused (expired); refresh it so the page's next subscribe connects again.
    closed: (event) => {
      if ((event as CloseEvent).code === 4401) void refreshSession();
    },
  },
});

export const client = new Client({
  url: ENDPOINT,
  fetch: shopFetch,
  requestPolicy: 'cache-and-network',
  exchanges: [
    cacheExchange,
    persistedExchange({
      enableForMutation: true,
      enableForSubscriptions: false,
      preferGetForPersistedQueries: false,
      generateHash: async (_query, document) => persistedId(document) ?? '',
    }),
    fetchExchange,
    subscriptionExchange({
      forwardSubscription(request, operation) {
        const id = persistedId(operation.query);
        const query = (id && bodies[`sha256:${id}`]) || request.query || '';
        return {
          subscribe(sink) {
            const dispose = ws.subscribe({ ...request, query }, sink);
            return { unsubscribe: dispose };
          },
        };
      },
    }),
  ],
});
