/**
 * Mini-program code images through the router, against a fake api.weixin.qq.com speaking getwxacodeunlimit's protocol
 * (binary JPEG on success, JSON errcode on failure) and real Redis (the access token and the code cache): a code as a
 * data: URL, made once per scene and then answered from the cache; an expired token refreshed once; a token still
 * refused after the refresh, a quota error and a bad scene refused with clear errors and nothing cached; the
 * per-shopper limit counting new codes only.
 */
import { startFakeWechatApi, type FakeWechatApi } from './support/fake-wechat-api';
import { bearer, codes, gql, startSupergraph, testConfig, uniquePhone, type GraphQLResponse } from './support/harness';
import type { RunningSupergraph } from '../app/launcher';
import { createClient } from 'redis';

let wechat: FakeWechatApi;
let supergraph: RunningSupergraph;
let router: string;

beforeAll(async () => {
  wechat = await startFakeWechatApi();
  supergraph = await startSupergraph({ config: testConfig({ ...wechat.env, WECHAT_CODE_MAX_PER_USER: '6', WECHAT_CODE_WINDOW_SECONDS: '3600' }) });
  router = supergraph.routerUrl!;
});
afterAll(async () => {
  await supergraph?.stop();
  await wechat?.close();
});

function ok<T = any>(response: GraphQLResponse<T>): T {
  if (response.errors) throw new Error(`Unexpected errors: ${JSON.stringify(response.errors)}`);
  return response.data as T;
}

async function shopper() {
  const auth = ok(await gql(router, 'mutation($input: RegisterInput!) { register(input: $input) { accessToken user { id } } }', { input: { phone: uniquePhone(), password: 'secret123' } })).register;
  // Each run's database starts user ids anew while Redis keeps the limiter's counts: start this shopper's from zero.
  if (process.env.REDIS_URL) {
    const redis = createClient({ url: process.env.REDIS_URL });
    await redis.connect();
    for await (const keys of redis.scanIterator({ MATCH: `shop:user:rl:wxacode:user:${auth.user.id}:*` })) if (keys.length) await redis.del(keys);
    await redis.close();
  }
  return bearer(auth.accessToken);
}

const CODE = 'query($page: MiniProgramCodePage!, $scene: String!) { miniProgramCode(page: $page, scene: $scene) { page scene path contentType dataUrl } }';
const imageOf = (dataUrl: string) => Buffer.from(dataUrl.slice(dataUrl.indexOf(',') + 1), 'base64');
const uniqueScene = () => `T${Date.now().toString(36).toUpperCase()}${Math.floor(Math.random() * 1e6)}`.slice(0, 16);

it('answers a JPEG data URL made once per scene, then from the cache', async () => {
  const headers = await shopper();
  const scene = uniqueScene();
  const calls = wechat.codeRequests.length;
  const code = ok(await gql(router, CODE, { page: 'INVITE', scene: scene.toLowerCase() }, headers)).miniProgramCode;
  expect(code).toMatchObject({ page: 'INVITE', scene, path: 'pages/invite/index', contentType: 'image/jpeg' });
  expect(code.dataUrl.startsWith('data:image/jpeg;base64,')).toBe(true);
  const image = imageOf(code.dataUrl);
  expect([...image.subarray(0, 2)]).toEqual([0xff, 0xd8]);
  expect(image.toString('utf8')).toContain(`pages/invite/index|${scene}|430|release`);
  expect(wechat.codeRequests.slice(calls)).toEqual([{ scene, page: 'pages/invite/index', width: 430, check_path: true, env_version: 'release' }]);

  // Another shopper (or the same) asking again: the cache answers, WeChat is not called.
  const again = ok(await gql(router, CODE, { page: 'INVITE', scene }, await shopper())).miniProgramCode;
  expect(again.dataUrl).toBe(code.dataUrl);
  const wares = ok(await gql(router, CODE, { page: 'SUBSCRIPTION_WARES', scene: '12345' }, headers)).miniProgramCode;
  expect(imageOf(wares.dataUrl).toString('utf8')).toContain('pages/subscribe/wares|12345|');
  expect(wechat.codeRequests.length).toBe(calls + 2);
});

it('refuses bad scenes and anonymous callers before calling WeChat', async () => {
  const headers = await shopper();
  const calls = wechat.codeRequests.length;
  for (const [page, scene] of [['INVITE', 'ab'], ['INVITE', 'x'.repeat(33)], ['INVITE', 'AB CD'], ['SUBSCRIPTION_WARES', 'abc'], ['SUBSCRIPTION_WARES', '0']]) {
    const answer = await gql(router, CODE, { page, scene }, headers);
    expect([codes(answer), answer.errors?.[0].extensions?.field]).toEqual([['BAD_USER_INPUT'], 'scene']);
  }
  expect(codes(await gql(router, CODE, { page: 'INVITE', scene: 'ABCD1234' }))).toEqual(['UNAUTHENTICATED']);
  expect(wechat.codeRequests.length).toBe(calls);
});

it('refreshes an expired token once; a token still refused, or a quota error, is a clear error and nothing is cached', async () => {
  const headers = await shopper();
  // WeChat expired every token: 40001, one refresh at stable_token, then the code.
  wechat.expireTokens();
  const tokenCalls = wechat.requests.filter((path) => path === '/cgi-bin/stable_token').length;
  const scene = uniqueScene();
  ok(await gql(router, CODE, { page: 'INVITE', scene }, headers));
  expect(wechat.requests.filter((path) => path === '/cgi-bin/stable_token').length).toBe(tokenCalls + 1);

  // Refused twice: one refresh only, then WECHAT_UNAVAILABLE.
  wechat.failCodes(40001, 2);
  const calls = wechat.codeRequests.length;
  const refused = await gql(router, CODE, { page: 'INVITE', scene: uniqueScene() }, headers);
  expect([codes(refused), refused.errors?.[0].extensions?.reason]).toEqual([['INTERNAL_SERVER_ERROR'], 'WECHAT_UNAVAILABLE']);
  expect(wechat.codeRequests.length).toBe(calls + 2);

  // Quota reached: the error, not cached; the next try makes the code.
  wechat.failCodes(45009, 1);
  const quota = uniqueScene();
  expect(codes(await gql(router, CODE, { page: 'INVITE', scene: quota }, headers))).toEqual(['INTERNAL_SERVER_ERROR']);
  expect(imageOf(ok(await gql(router, CODE, { page: 'INVITE', scene: quota }, headers)).miniProgramCode.dataUrl).toString('utf8')).toContain(quota);
});

it('limits new codes per shopper, not codes answered from the cache', async () => {
  const headers = await shopper();
  const known = uniqueScene();
  ok(await gql(router, CODE, { page: 'INVITE', scene: known }, headers));
  for (let i = 0; i < 5; i++) ok(await gql(router, CODE, { page: 'SUBSCRIPTION_WARES', scene: String(900000 + Math.floor(Math.random() * 1e9)) }, headers));
  const limited = await gql(router, CODE, { page: 'INVITE', scene: uniqueScene() }, headers);
  expect(codes(limited)).toEqual(['RATE_LIMITED']);
  expect(limited.errors?.[0].extensions?.retryAfterSeconds).toBeGreaterThan(0);
  ok(await gql(router, CODE, { page: 'INVITE', scene: known }, headers)); // cached: still answered
});
