/**
 * The console's GraphQL client: urql on the router's /graphql (same origin), with the staff member's token. The
 * console has no other way in: every page uses the public API and its scope checks, like any client.
 */
import { Client, cacheExchange, fetchExchange } from 'urql';
import { accessToken, CLIENT_HEADERS, refreshSession, setSession } from './session';

export const ENDPOINT = '/graphql';

/** fetch with the bearer token; a 401 (expired or revoked token) refreshes once and retries, else signs out. */
async function authorizedFetch(input: RequestInfo | URL, init: RequestInit = {}): Promise<Response> {
  const send = (token: string | null) => {
    const headers = new Headers(init.headers);
    for (const [name, value] of Object.entries(CLIENT_HEADERS)) headers.set(name, value);
    if (token) headers.set('authorization', `Bearer ${token}`);
    return fetch(input, { ...init, headers });
  };
  const token = await accessToken(ENDPOINT);
  const response = await send(token);
  if (response.status !== 401 || !token) return response;
  const refreshed = await refreshSession(ENDPOINT);
  if (!refreshed) {
    setSession(null);
    return response;
  }
  return send(refreshed.accessToken);
}

export function createClient(): Client {
  return new Client({
    url: ENDPOINT,
    exchanges: [cacheExchange, fetchExchange],
    fetch: authorizedFetch,
    preferGetMethod: false,
    requestPolicy: 'cache-and-network',
  });
}
