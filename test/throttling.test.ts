/**
 * Per-address throttling through the router: the address is the one the router saw (TCP peer, or X-Forwarded-For as
 * far as TRUST_PROXY_HOPS trusts it), signed into the identity the user subgraph reads. Each test speaks from its own
 * loopback address (127.x.y.z, any of them reaches a server on 127.0.0.1) so counts never mix with other tests',
 * and RATE_LIMITED answers carry extensions.retryAfterSeconds and an HTTP Retry-After header.
 */
import crypto from 'node:crypto';
import http from 'node:http';
import type { RunningSupergraph } from '../app/launcher';
import { startSupergraph, BEHIND_PROXY, testConfig, uniquePhone, type GraphQLResponse } from './support/harness';

interface Reply extends GraphQLResponse {
  retryAfter?: string;
}

/** POST an operation from `localAddress`, keeping the response headers. */
function postFrom(url: string, localAddress: string, query: string, variables: Record<string, unknown> = {}, headers: Record<string, string> = {}): Promise<Reply> {
  const body = JSON.stringify({ query, variables });
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const request = http.request(
      { hostname: target.hostname, port: target.port, path: target.pathname, method: 'POST', localAddress, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers } },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () => {
          try {
            const retryAfter = response.headers['retry-after'];
            resolve({ status: response.statusCode ?? 0, ...(JSON.parse(text) as object), ...(retryAfter ? { retryAfter: String(retryAfter) } : {}) });
          } catch (error) {
            reject(error);
          }
        });
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

/** A loopback address no other test (or earlier run, within the windows) uses. */
const freshLoopback = () => `127.${crypto.randomInt(1, 255)}.${crypto.randomInt(0, 256)}.${crypto.randomInt(1, 255)}`;
/** A public-looking address for X-Forwarded-For. */
const freshRemote = () => `203.${crypto.randomInt(0, 256)}.${crypto.randomInt(0, 256)}.${crypto.randomInt(1, 255)}`;
const codes = (reply: Reply) => (reply.errors ?? []).map((error) => error.extensions?.code);

const AUTH = 'accessToken refreshToken';
const REGISTER = `mutation($input: RegisterInput!) { register(input: $input) { ${AUTH} } }`;
const LOGIN = `mutation($input: LoginInput!) { login(input: $input) { ${AUTH} } }`;
const WECHAT = `mutation($code: String!) { loginWithWechat(code: $code) { ${AUTH} } }`;
const REFRESH = `mutation($token: String!) { refreshToken(refreshToken: $token) { ${AUTH} } }`;
const PASSWORD = 'secret123';

const LIMITS = {
  LOGIN_MAX_FAILURES_PER_IP: '50',
  LOGIN_MAX_FAILURES: '10',
  REGISTER_MAX_PER_IP: '3',
  WECHAT_LOGIN_MAX_PER_IP: '3',
  REFRESH_MAX_PER_IP: '5',
  REFRESH_MAX_PER_SESSION: '2',
};

function expectRateLimited(reply: Reply) {
  expect(codes(reply)).toEqual(['RATE_LIMITED']);
  const seconds = reply.errors![0].extensions!.retryAfterSeconds;
  expect(Number.isInteger(seconds) && (seconds as number) >= 1).toBe(true);
  expect(reply.retryAfter).toBe(String(seconds));
  expect(reply.status).toBe(200);
}

describe('router trusting no proxy (TRUST_PROXY_HOPS=0)', () => {
  let supergraph: RunningSupergraph;
  let router: string;
  beforeAll(async () => {
    supergraph = await startSupergraph({ subgraphs: ['user'], router: true, config: testConfig({ ...LIMITS, TRUST_PROXY_HOPS: '0' }) });
    router = supergraph.routerUrl!;
  });
  afterAll(async () => {
    await supergraph?.stop();
  });

  it('answers RATE_LIMITED after 50 failed sign-ins against 120 different accounts from one address, and not elsewhere', async () => {
    const from = freshLoopback();
    const phone = uniquePhone();
    const registered = await postFrom(router, freshLoopback(), REGISTER, { input: { phone, password: PASSWORD } });
    expect(registered.errors).toBeUndefined();

    const replies: Reply[] = [];
    for (let i = 0; i < 120; i++) replies.push(await postFrom(router, from, LOGIN, { input: { account: uniquePhone(), password: 'wrong-guess1' } }));
    expect(replies.slice(0, 50).every((reply) => codes(reply)[0] === 'UNAUTHENTICATED' && !reply.retryAfter)).toBe(true);
    for (const reply of replies.slice(50)) expectRateLimited(reply);
    expect(replies[50].errors![0].message).toMatch(/network address/);

    // Even the right password waits out the window from this address; another address signs in.
    expectRateLimited(await postFrom(router, from, LOGIN, { input: { account: phone, password: PASSWORD } }));
    const elsewhere = await postFrom(router, freshLoopback(), LOGIN, { input: { account: phone, password: PASSWORD } });
    expect(elsewhere.errors).toBeUndefined();
  }, 60_000);

  it('counts failures only: successful sign-ins from a shared address give their count back', async () => {
    const from = freshLoopback();
    const phone = uniquePhone();
    expect((await postFrom(router, freshLoopback(), REGISTER, { input: { phone, password: PASSWORD } })).errors).toBeUndefined();
    for (let i = 0; i < 49; i++) await postFrom(router, from, LOGIN, { input: { account: uniquePhone(), password: 'wrong-guess1' } });
    for (let i = 0; i < 5; i++) expect((await postFrom(router, from, LOGIN, { input: { account: phone, password: PASSWORD } })).errors).toBeUndefined();
    expect(codes(await postFrom(router, from, LOGIN, { input: { account: uniquePhone(), password: 'wrong-guess1' } }))).toEqual(['UNAUTHENTICATED']);
    expectRateLimited(await postFrom(router, from, LOGIN, { input: { account: uniquePhone(), password: 'wrong-guess1' } }));
  }, 60_000);

  it('ignores a forged X-Forwarded-For: one peer is one address, whatever it claims', async () => {
    const from = freshLoopback();
    const replies: Reply[] = [];
    for (let i = 0; i < 4; i++) {
      replies.push(await postFrom(router, from, REGISTER, { input: { phone: uniquePhone(), password: PASSWORD } }, { 'x-forwarded-for': freshRemote() }));
    }
    expect(replies.slice(0, 3).map((reply) => reply.errors)).toEqual([undefined, undefined, undefined]);
    expectRateLimited(replies[3]);
    expect(replies[3].errors![0].message).toMatch(/sign-up attempts from this network address/);
  });

  it('throttles loginWithWechat per address (every attempt counts)', async () => {
    const from = freshLoopback();
    for (let i = 0; i < 3; i++) expect((await postFrom(router, from, WECHAT, { code: `code-${crypto.randomUUID()}` })).errors).toBeUndefined();
    expectRateLimited(await postFrom(router, from, WECHAT, { code: `code-${crypto.randomUUID()}` }));
    expect((await postFrom(router, freshLoopback(), WECHAT, { code: `code-${crypto.randomUUID()}` })).errors).toBeUndefined();
  });

  it('throttles refreshToken per address: guessing tokens stops after the limit', async () => {
    const from = freshLoopback();
    const guess = () => postFrom(router, from, REFRESH, { token: crypto.randomBytes(32).toString('base64url') });
    for (let i = 0; i < 5; i++) expect(codes(await guess())).toEqual(['UNAUTHENTICATED']);
    expectRateLimited(await guess());
  });

  it('throttles refreshToken per session: a refresh loop stops, and the refused token is not spent', async () => {
    const signedUp = await postFrom(router, freshLoopback(), REGISTER, { input: { phone: uniquePhone(), password: PASSWORD } });
    let token = (signedUp.data as { register: { refreshToken: string } }).register.refreshToken;
    for (let i = 0; i < 2; i++) {
      // A new address each time: only the session's count is at stake.
      const reply = await postFrom(router, freshLoopback(), REFRESH, { token });
      expect(reply.errors).toBeUndefined();
      token = (reply.data as { refreshToken: { refreshToken: string } }).refreshToken.refreshToken;
    }
    const refused = await postFrom(router, freshLoopback(), REFRESH, { token });
    expectRateLimited(refused);
    expect(refused.errors![0].message).toMatch(/session/);
    // Rolled back: presenting the same token again is throttled, not treated as reuse (which would end the session).
    const db = supergraph.subgraphs.user!.db;
    const { used } = await db('refresh_tokens')
      .where('token_hash', crypto.createHash('sha256').update(token).digest('hex'))
      .first<{ used: boolean }>(db.raw('used_at is not null as used'));
    expect(used).toBe(false);
  });
});

describe('router behind one proxy (TRUST_PROXY_HOPS=1)', () => {
  let supergraph: RunningSupergraph;
  let router: string;
  beforeAll(async () => {
    supergraph = await startSupergraph({ subgraphs: ['user'], router: true, config: testConfig({ ...LIMITS, ...BEHIND_PROXY }) });
    router = supergraph.routerUrl!;
  });
  afterAll(async () => {
    await supergraph?.stop();
  });

  it('tells clients apart by the address the proxy appended to X-Forwarded-For', async () => {
    // One proxy: every request arrives from the same peer; the last X-Forwarded-For entry is the client.
    const proxy = freshLoopback();
    const [client, other] = [freshRemote(), freshRemote()];
    const register = (xff: string) => postFrom(router, proxy, REGISTER, { input: { phone: uniquePhone(), password: PASSWORD } }, { 'x-forwarded-for': xff });
    for (let i = 0; i < 3; i++) expect((await register(`10.0.0.${i}, ${client}`)).errors).toBeUndefined();
    // What the client wrote left of the proxy's entry changes nothing.
    expectRateLimited(await register(`198.51.100.7, ${client}`));
    expect((await register(other)).errors).toBeUndefined();
  });
});
