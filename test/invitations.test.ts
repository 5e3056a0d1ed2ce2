/**
 * Invitations through the router: a shopper's invite code passed at sign-up (register, SMS quick login, first WeChat
 * login) reaches promote as UserRegistered through the user subgraph's outbox; the inviter's myInvites and the
 * ranking show it; signing in to an existing account with a code invites nobody; a malformed code is refused.
 */
import crypto from 'node:crypto';
import type { RunningSupergraph } from '../app/launcher';
import { startFakeTencentSms, lastCodeTo, type FakeTencentSms } from './support/fake-tencent-sms';
import { startFakeWechatApi, type FakeWechatApi } from './support/fake-wechat-api';
import { bearer, codes, gql, startSupergraph, testConfig, uniquePhone, type GraphQLResponse } from './support/harness';

let wechat: FakeWechatApi;
let sms: FakeTencentSms;
let supergraph: RunningSupergraph;
let router: string;

beforeAll(async () => {
  [wechat, sms] = await Promise.all([startFakeWechatApi(), startFakeTencentSms()]);
  supergraph = await startSupergraph({ config: testConfig({ ...wechat.env, ...sms.env }) });
  router = supergraph.routerUrl!;
});
afterAll(async () => {
  await supergraph?.stop();
  await Promise.all([wechat?.close(), sms?.close()]);
});

function ok<T = any>(response: GraphQLResponse<T>): T {
  if (response.errors) throw new Error(`Unexpected errors: ${JSON.stringify(response.errors)}`);
  return response.data as T;
}

const AUTH = 'accessToken user { id }';
const REGISTER = `mutation($input: RegisterInput!) { register(input: $input) { ${AUTH} } }`;
const LOGIN_WECHAT = `mutation($code: String!, $inviteCode: String) { loginWithWechat(code: $code, inviteCode: $inviteCode) { ${AUTH} } }`;
const SEND = 'mutation($phone: String!) { sendSmsCode(phone: $phone, purpose: LOGIN) { expiresInSeconds } }';
const SMS_LOGIN = `mutation($phone: String!, $code: String!, $inviteCode: String) { loginWithSmsCode(phone: $phone, code: $code, inviteCode: $inviteCode) { ${AUTH} } }`;
const MY_INVITES = '{ myInvites(first: 10) { totalCount nodes { inviteeId counted invitee { id nickname phone } } } }';

async function shopper(inviteCode?: string): Promise<{ token: Record<string, string>; id: string; phone: string }> {
  const phone = uniquePhone();
  const auth = ok(await gql(router, REGISTER, { input: { phone, password: 'secret123', inviteCode } })).register;
  return { token: bearer(auth.accessToken), id: auth.user.id, phone };
}

/** The event travels outbox → relay → bus → promote's consumer: poll until the inviter sees `count` invitations. */
async function invitesOnce(token: Record<string, string>, count: number, timeoutMs = 10_000): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const invites = ok(await gql(router, MY_INVITES, {}, token)).myInvites;
    if (invites.totalCount >= count || Date.now() > deadline) return invites;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

it("shows an invitee who registered with the inviter's code in myInvites and the ranking", async () => {
  const inviter = await shopper();
  const code = ok(await gql(router, '{ myInviteCode }', {}, inviter.token)).myInviteCode;
  const invitee = await shopper(code.toLowerCase());

  const invites = await invitesOnce(inviter.token, 1);
  expect(invites.totalCount).toBe(1);
  // Another shopper's account through the user subgraph: nickname only, no phone.
  expect(invites.nodes).toEqual([{ inviteeId: invitee.id, counted: true, invitee: { id: invitee.id, nickname: `用户${invitee.phone.slice(-4)}`, phone: null } }]);
  const mine = ok(await gql(router, '{ myInvitation { inviterId inviter { nickname } } }', {}, invitee.token)).myInvitation;
  expect(mine).toEqual({ inviterId: inviter.id, inviter: { nickname: `用户${inviter.phone.slice(-4)}` } });
  const ranking = ok(await gql(router, '{ inviteRanking(first: 100) { rank inviterId count inviter { nickname } } }', {}, invitee.token)).inviteRanking;
  expect(ranking.find((row: { inviterId: string }) => row.inviterId === inviter.id)).toMatchObject({ count: 1, inviter: { nickname: `用户${inviter.phone.slice(-4)}` } });
});

it('records invitations from SMS quick login and first WeChat login creating the account, not from signing in again', async () => {
  const inviter = await shopper();
  const code = ok(await gql(router, '{ myInviteCode }', {}, inviter.token)).myInviteCode;

  const phone = uniquePhone();
  ok(await gql(router, SEND, { phone }));
  const bySms = ok(await gql(router, SMS_LOGIN, { phone, code: lastCodeTo(sms, phone), inviteCode: code })).loginWithSmsCode;
  const wechatCode = `good-n${crypto.randomBytes(6).toString('hex')}`;
  const byWechat = ok(await gql(router, LOGIN_WECHAT, { code: wechatCode, inviteCode: code })).loginWithWechat;
  const invites = await invitesOnce(inviter.token, 2);
  expect(invites.nodes.map((node: { inviteeId: string }) => node.inviteeId).sort()).toEqual([bySms.user.id, byWechat.user.id].sort());

  // Existing accounts signing in with a code (another inviter's, even) are nobody's invitees.
  const other = await shopper();
  const otherCode = ok(await gql(router, '{ myInviteCode }', {}, other.token)).myInviteCode;
  ok(await gql(router, LOGIN_WECHAT, { code: wechatCode, inviteCode: otherCode }));
  const existing = await shopper();
  ok(await gql(router, SEND, { phone: existing.phone }));
  ok(await gql(router, SMS_LOGIN, { phone: existing.phone, code: lastCodeTo(sms, existing.phone), inviteCode: otherCode }));
  // A fresh registration with the other code, to know the other inviter's events have been consumed by now.
  const fresh = await shopper(otherCode);
  expect((await invitesOnce(other.token, 1)).nodes.map((node: { inviteeId: string }) => node.inviteeId)).toEqual([fresh.id]);
  expect((await invitesOnce(inviter.token, 2)).totalCount).toBe(2);
});

it('refuses a malformed invite code before creating the account', async () => {
  const phone = uniquePhone();
  expect(codes(await gql(router, REGISTER, { input: { phone, password: 'secret123', inviteCode: 'not a code!' } }))).toEqual(['BAD_USER_INPUT']);
  // Nothing was created: the phone is still free.
  ok(await gql(router, REGISTER, { input: { phone, password: 'secret123', inviteCode: '' } }));
});

it('appends exactly one UserRegistered to the user outbox per account created (SMS registration too), none for sign-ins', async () => {
  const userDb = supergraph.subgraphs.user!.db;
  const phone = uniquePhone();
  ok(await gql(router, 'mutation($phone: String!) { sendSmsCode(phone: $phone, purpose: REGISTER) { expiresInSeconds } }', { phone }));
  const auth = ok(
    await gql(router, `mutation($input: RegisterWithSmsCodeInput!) { registerWithSmsCode(input: $input) { ${AUTH} } }`, {
      input: { phone, code: lastCodeTo(sms, phone), password: 'secret123', inviteCode: ' abcd2345 ' },
    }),
  ).registerWithSmsCode;
  ok(await gql(router, 'mutation($input: LoginInput!) { login(input: $input) { accessToken } }', { input: { account: phone, password: 'secret123' } }));
  const events = await userDb('outbox').where({ stream: 'shop.user.user', aggregate_id: auth.user.id });
  expect(events.map((row) => [row.type, row.payload.userId, row.payload.inviteCode])).toEqual([['UserRegistered', auth.user.id, 'ABCD2345']]);
});
