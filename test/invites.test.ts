/**
 * Invites module through the router: a shopper shares a lucky red packet, friends open it at once, the ranking and
 * wallets agree; staff publish a welfare activity shoppers see.
 */
import crypto from 'node:crypto';
import { signAccessToken } from '../platform/access-token';
import type { RunningSupergraph } from '../app/launcher';
import { bearer, codes, gql, startSupergraph, testConfig, uniquePhone } from './support/harness';

let supergraph: RunningSupergraph;
let router: string;
const settings = testConfig().redPackets;

beforeAll(async () => {
  supergraph = await startSupergraph();
  router = supergraph.routerUrl!;
});
afterAll(async () => {
  await supergraph?.stop();
});

const newUserId = () => String(crypto.randomInt(1, 2 ** 47));
const tokenFor = (userId: string, scopes: string[] = []) => bearer(signAccessToken({ userId, scopes }, testConfig()));

it("shares a shopper's packet among friends and ranks them by luck", async () => {
  const owner = newUserId();
  const created = await gql(router, 'mutation { createRedPacket { id totalAmount shareCount mine } }', {}, tokenFor(owner));
  expect(created.errors).toBeUndefined();
  const packet = created.data.createRedPacket;
  expect(packet).toMatchObject({ totalAmount: settings.amountFen, shareCount: settings.shares, mine: true });

  const friends = Array.from({ length: settings.shares + 2 }, newUserId);
  const opened = await Promise.all(
    friends.map((friend) => gql(router, 'mutation($id: ID!) { openRedPacket(id: $id) { userId amount coupon { id amount } } }', { id: packet.id }, tokenFor(friend))),
  );
  const winners = opened.filter((r) => !r.errors).map((r) => r.data.openRedPacket);
  expect(winners).toHaveLength(settings.shares);
  expect(winners.reduce((sum, o) => sum + o.amount, 0)).toBe(settings.amountFen);
  expect(opened.filter((r) => r.errors).map((r) => [codes(r)[0], r.errors![0]!.extensions!.reason])).toEqual([
    ['CONFLICT', 'ALL_OPENED'],
    ['CONFLICT', 'ALL_OPENED'],
  ]);

  // A winner's wallet holds the share; the ranking shows everyone best first, coupons to their owners only.
  const winner = winners[0]!;
  const wallet = await gql(router, '{ myCoupons { id amount } }', {}, tokenFor(winner.userId));
  expect(wallet.data.myCoupons).toEqual([{ id: winner.coupon.id, amount: winner.amount }]);
  const ranking = await gql(router, 'query($id: ID!) { redPacket(id: $id) { openedAmount openings { userId amount luckiest coupon { id } } } }', { id: packet.id }, tokenFor(owner));
  expect(ranking.errors).toBeUndefined();
  const openings = ranking.data.redPacket.openings as { amount: number; luckiest: boolean; coupon: unknown }[];
  expect(ranking.data.redPacket.openedAmount).toBe(settings.amountFen);
  expect(openings.map((o) => o.amount)).toEqual(winners.map((w) => w.amount).sort((a, b) => b - a));
  expect(openings[0]!.luckiest).toBe(true);
  expect(openings.every((o) => o.coupon === null)).toBe(true);

  expect(codes(await gql(router, 'mutation($id: ID!) { openRedPacket(id: $id) { amount } }', { id: packet.id }))).toEqual(['UNAUTHENTICATED']);
});

it('pays a staff packet of 50 shares to 50 friends at once in full', async () => {
  const staff = tokenFor(newUserId(), ['promote:write']);
  const created = await gql(router, 'mutation { createStaffRedPacket(totalAmount: 8888, shareCount: 50) { id } }', {}, staff);
  expect(created.errors).toBeUndefined();
  const { id } = created.data.createStaffRedPacket;
  const friends = Array.from({ length: 50 }, newUserId);
  const opened = await Promise.all(friends.map((friend) => gql(router, 'mutation($id: ID!) { openRedPacket(id: $id) { amount } }', { id }, tokenFor(friend))));
  expect(opened.filter((r) => r.errors)).toEqual([]);
  expect(opened.reduce((sum, r) => sum + r.data.openRedPacket.amount, 0)).toBe(8888);
  const day = await gql(router, '{ myRedPacketDay { openings { packetId } opensLeft } }', {}, tokenFor(friends[0]!));
  expect(day.data.myRedPacketDay).toEqual({ openings: [{ packetId: id }], opensLeft: settings.openedPerDay - 1 });
});

it("shows a packet's openers with their nickname and avatar from the user subgraph, and nothing private", async () => {
  const owner = newUserId();
  const packet = (await gql(router, 'mutation { createRedPacket { id } }', {}, tokenFor(owner))).data.createRedPacket;
  const nickname = `lucky-${crypto.randomBytes(3).toString('hex')}`;
  const registered = await gql(router, 'mutation($input: RegisterInput!) { register(input: $input) { accessToken user { id } } }', {
    input: { phone: uniquePhone(), password: 'redpacket123', nickname },
  });
  expect(registered.errors).toBeUndefined();
  const opened = await gql(router, 'mutation($id: ID!) { openRedPacket(id: $id) { amount user { id nickname } } }', { id: packet.id }, bearer(registered.data.register.accessToken));
  expect(opened.errors).toBeUndefined();
  expect(opened.data.openRedPacket.user).toEqual({ id: registered.data.register.user.id, nickname });
  const ranking = await gql(router, 'query($id: ID!) { redPacket(id: $id) { openings { amount user { id nickname phone addresses { id } } } } }', { id: packet.id }, tokenFor(owner));
  expect(ranking.errors).toBeUndefined();
  expect(ranking.data.redPacket.openings).toEqual([
    { amount: opened.data.openRedPacket.amount, user: { id: registered.data.register.user.id, nickname, phone: null, addresses: [] } },
  ]);
});

it('answers a shopper past the daily creation limit with RATE_LIMITED and Retry-After until Beijing midnight', async () => {
  const shopper = tokenFor(newUserId());
  for (let i = 0; i < settings.createdPerDay; i++) expect((await gql(router, 'mutation { createRedPacket { id } }', {}, shopper)).errors).toBeUndefined();
  const response = await fetch(router, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...shopper },
    body: JSON.stringify({ query: 'mutation { createRedPacket { id } }' }),
  });
  const body = (await response.json()) as { errors: { extensions: { code: string; reason: string; retryAfterSeconds: number } }[] };
  expect(body.errors.map((e) => [e.extensions.code, e.extensions.reason])).toEqual([['RATE_LIMITED', 'DAILY_LIMIT']]);
  expect(Number(response.headers.get('retry-after'))).toBe(body.errors[0]!.extensions.retryAfterSeconds);
});

it('shows a welfare activity staff published to shoppers while it runs', async () => {
  const staff = tokenFor(newUserId(), ['promote:write']);
  const title = `Welfare-${crypto.randomBytes(4).toString('hex')}`;
  const input = { title, startsAt: new Date(Date.now() - 60_000).toISOString(), endsAt: new Date(Date.now() + 3_600_000).toISOString() };
  const created = await gql(router, 'mutation($input: ActivityInput!) { createActivity(input: $input) { id } }', { input }, staff);
  expect(created.errors).toBeUndefined();
  expect(codes(await gql(router, 'mutation($input: ActivityInput!) { createActivity(input: $input) { id } }', { input }, tokenFor(newUserId())))).toEqual(['FORBIDDEN']);
  const listed = await gql(router, '{ activities { id title } }');
  expect(listed.data.activities).toContainEqual({ id: created.data.createActivity.id, title });
  await gql(router, 'mutation($id: ID!) { deleteActivity(id: $id) }', { id: created.data.createActivity.id }, staff);
  expect((await gql(router, '{ activities { id } }')).data.activities).not.toContainEqual({ id: created.data.createActivity.id });
});
