/**
 * Access tokens end (docs/security.md, "Token lifetime and revocation"): a token without `exp`, or living longer than
 * ACCESS_TOKEN_TTL_SECONDS + ACCESS_TOKEN_CLOCK_SKEW_SECONDS, is refused (both were accepted); `logout` (and a refresh
 * token presented twice) revokes the session: its access tokens are refused within seconds on every router instance
 * (they kept working up to 15 minutes) and its open subscriptions close with 4401.
 * Two routers over the same subgraphs: with REDIS_URL each follows the shared list in Redis with its own connection;
 * without it both follow the process's list.
 */
import jwt from 'jsonwebtoken';
import type { Client } from 'graphql-ws';
import type { RunningSupergraph } from '../app/launcher';
import { signAccessToken } from '../platform/access-token';
import { createSessionRevocations } from '../platform/session-revocation';
import { startRouter, type RunningRouter } from '../router/server';
import { SESSION_REVOKED_REASON } from '../router/subscriptions';
import { placeTestOrder } from '../subgraphs/order/test/fixtures';
import { bearer, codes, gql, startSupergraph, testConfig, uniquePhone } from './support/harness';
import { collect, describe as describeError, wsClient } from './support/subscriptions';
import { captureLogs } from './support/log-capture';

jest.setTimeout(60_000);
const config = testConfig({ SESSION_REVOCATION_POLL_MS: '200' });
let supergraph: RunningSupergraph;
let routerA: string;
let second: RunningRouter;
let routerB: string;
const clients: Client[] = [];

beforeAll(async () => {
  supergraph = await startSupergraph({ config });
  routerA = supergraph.routerUrl!;
  const urls = Object.fromEntries(Object.entries(supergraph.subgraphs).map(([name, s]) => [name, s!.url]));
  // With Redis the second router has its own bus and its own Redis connections: another instance in all but process.
  second = await startRouter({ config, host: '127.0.0.1', port: 0, subgraphUrls: urls, events: config.redisUrl ? undefined : supergraph.events });
  routerB = second.url;
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.dispose()));
  await second?.close();
  await supergraph?.stop();
});

const ME = '{ me { id } }';
const REGISTER = 'mutation($input: RegisterInput!) { register(input: $input) { accessToken refreshToken user { id } } }';

async function register() {
  const response = await gql(routerA, REGISTER, { input: { phone: uniquePhone(), password: 'secret123', nickname: 'sessions' } });
  const { accessToken, refreshToken, user } = response.data.register;
  return { accessToken: accessToken as string, refreshToken: refreshToken as string, userId: user.id as string };
}

/** A token signed with the router's own JWT_SECRET, with whatever lifetime claims the test wants. */
function forge(claims: Record<string, unknown>, options: jwt.SignOptions = {}) {
  return jwt.sign({ typ: 'access', scopes: [], ...claims }, config.jwtSecret, { algorithm: 'HS256', subject: '1', issuer: 'shop-user', audience: 'shop', ...options });
}

/** Resolves once `check` passes, polling every 100 ms; the time it took. */
async function within(ms: number, check: () => Promise<boolean>, what: string): Promise<number> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > ms) throw new Error(`not within ${ms} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return Date.now() - started;
}

describe('token lifetime', () => {
  it('refuses a token without exp', async () => {
    const response = await gql(routerA, ME, {}, bearer(forge({})));
    expect(response.status).toBe(401);
    expect(codes(response)).toEqual(['UNAUTHENTICATED']);
    expect(response.errors![0].message).toBe('Access token has no expiry');
  });

  it('refuses a token living 100 years, and one a minute longer than ACCESS_TOKEN_TTL_SECONDS + skew', async () => {
    const century = await gql(routerA, ME, {}, bearer(forge({}, { expiresIn: '36500d' })));
    expect(century.status).toBe(401);
    expect(century.errors![0].message).toBe('Access token lives longer than allowed');
    const longer = await gql(routerA, ME, {}, bearer(forge({}, { expiresIn: config.accessTokenTtlSeconds + config.accessTokenClockSkewSeconds + 60 })));
    expect(longer.status).toBe(401);
  });

  it('accepts a token of the configured lifetime, and one within the skew', async () => {
    expect((await gql(routerA, ME, {}, bearer(signAccessToken({ userId: '1', scopes: [] }, config)))).status).toBe(200);
    const skewed = forge({}, { expiresIn: config.accessTokenTtlSeconds + config.accessTokenClockSkewSeconds - 5 });
    expect((await gql(routerA, ME, {}, bearer(skewed))).status).toBe(200);
  });

  it('closes a WebSocket presenting a token without exp with 4401', async () => {
    const client = wsClient(routerA, { Authorization: `Bearer ${forge({})}` });
    clients.push(client);
    const sub = collect(client, 'subscription { orderStatusChanged(orderId: "1") { status } }');
    await sub.until(() => sub.error !== undefined, 'the refusal');
    expect(describeError(sub.error)).toEqual({ code: 4401, reason: 'Unauthorized: Access token has no expiry' });
  });
});

describe('logout', () => {
  it("refuses the session's access token on both routers within seconds, and not another session's", async () => {
    const shopper = await register();
    const other = await register();
    for (const router of [routerA, routerB]) expect((await gql(router, ME, {}, bearer(shopper.accessToken))).data.me.id).toBe(shopper.userId);

    expect((await gql(routerB, 'mutation { logout }', {}, bearer(shopper.accessToken))).data).toEqual({ logout: true });
    for (const router of [routerA, routerB]) {
      const took = await within(3000, async () => (await gql(router, ME, {}, bearer(shopper.accessToken))).status === 401, `refused at ${router}`);
      expect(took).toBeLessThan(3000);
    }
    const refused = await gql(routerA, ME, {}, bearer(shopper.accessToken));
    expect(refused.errors![0]).toMatchObject({ message: 'Session ended (signed out); sign in again', extensions: { code: 'UNAUTHENTICATED' } });
    // Another session of the same kind is untouched.
    expect((await gql(routerA, ME, {}, bearer(other.accessToken))).data.me.id).toBe(other.userId);
  });

  it('closes the open subscriptions of the session on the other router with 4401, and refuses new connections', async () => {
    const shopper = await register();
    const orderId = await placeTestOrder(supergraph.subgraphs.order!.db, { userId: shopper.userId });
    const client = wsClient(routerB, { Authorization: `Bearer ${shopper.accessToken}` });
    clients.push(client);
    const sub = collect(client, 'subscription($id: ID!) { orderStatusChanged(orderId: $id) { status } }', { id: orderId });
    await sub.until(() => sub.results.length === 1, 'the initial state');

    expect((await gql(routerA, 'mutation { logout }', {}, bearer(shopper.accessToken))).data).toEqual({ logout: true });
    const started = Date.now();
    await sub.until(() => sub.error !== undefined, 'the close');
    expect(Date.now() - started).toBeLessThan(3000);
    expect(describeError(sub.error)).toEqual({ code: 4401, reason: SESSION_REVOKED_REASON });

    const again = wsClient(routerA, { Authorization: `Bearer ${shopper.accessToken}` });
    clients.push(again);
    const refused = collect(again, 'subscription($id: ID!) { orderStatusChanged(orderId: $id) { status } }', { id: orderId });
    await refused.until(() => refused.error !== undefined, 'the refusal');
    expect(describeError(refused.error)).toEqual({ code: 4401, reason: 'Unauthorized: Session ended (signed out); sign in again' });
  });

  it('a refresh token presented twice ends the session and its access tokens too', async () => {
    const shopper = await register();
    const REFRESH = 'mutation($t: String!) { refreshToken(refreshToken: $t) { accessToken } }';
    const next = await gql(routerA, REFRESH, { t: shopper.refreshToken });
    const fresh = next.data.refreshToken.accessToken as string;
    expect(codes(await gql(routerA, REFRESH, { t: shopper.refreshToken }))).toEqual(['UNAUTHENTICATED']);
    await within(3000, async () => (await gql(routerB, ME, {}, bearer(fresh))).status === 401, 'the rotated token refused');
    // Each router learns of the revocation on its own poll: router A within the same bound, not at the instant B did.
    await within(3000, async () => (await gql(routerA, ME, {}, bearer(shopper.accessToken))).status === 401, 'the first access token refused');
  });
});

describe('Redis unreachable', () => {
  it('degrades open: nothing is known revoked, checks stay synchronous, revoke() resolves and retries in the background', async () => {
    if (!config.redisUrl) return; // the in-process list cannot be unreachable
    const down = testConfig({ REDIS_URL: 'redis://127.0.0.1:1' });
    const reader = createSessionRevocations(down, { read: true });
    const writer = createSessionRevocations(down, { read: false });
    const logs = captureLogs('error');
    try {
      expect(reader.isRevoked('1')).toBe(false);
      const started = Date.now();
      await writer.revoke('1');
      expect(Date.now() - started).toBeLessThan(5000);
    } finally {
      await reader.close();
      await writer.close();
    }
    // The degradation is said, through the process's logger (platform/log.ts).
    expect(logs.lines().some((line) => line.component === 'sessions' && /Redis is unavailable/.test(JSON.stringify(line)))).toBe(true);
  });
});
