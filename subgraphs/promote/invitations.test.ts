/**
 * Invitations on the promote subgraph alone, against the run's real database: invite codes, the UserRegistered
 * consumer (idempotent, one inviter, self / unknown codes ignored), the daily cap, the new-user coupon and the reward
 * after INVITE_REWARD_AFTER counted invitations given exactly once under concurrent acceptances, myInvites pages and
 * the ranking.
 */
import crypto from 'node:crypto';
import type { Knex } from 'knex';
import type { RunningSupergraph } from '../../app/launcher';
import { countStatements } from '../../platform/db';
import { consumerEffect, type EventEnvelope } from '../../platform/events';
import { asIdentity, codes, gql, startSupergraph, testConfig, type GraphQLResponse } from '../../test/support/harness';
import { recordInvitations, USER_REGISTERED, USER_STREAM, type UserRegisteredPayload } from './invitations';

let supergraph: RunningSupergraph;
let url: string;
let db: Knex;
const settings = testConfig().invites;

beforeAll(async () => {
  supergraph = await startSupergraph({ subgraphs: ['promote'], router: false });
  url = supergraph.subgraphs.promote!.url;
  db = supergraph.subgraphs.promote!.db;
});
afterAll(async () => {
  await supergraph?.stop();
});

const newUserId = () => String(crypto.randomInt(1, 2 ** 47));
const as = (userId: string) => asIdentity({ userId }, 'promote');
const staff = () => asIdentity({ userId: newUserId(), scopes: ['promote:write'] }, 'promote');

function ok<T = any>(response: GraphQLResponse<T>): T {
  if (response.errors) throw new Error(`Unexpected errors: ${JSON.stringify(response.errors)}`);
  return response.data as T;
}

function registered(userId: string, inviteCode: string | null): EventEnvelope<UserRegisteredPayload> {
  return {
    id: crypto.randomUUID(),
    stream: USER_STREAM,
    type: USER_REGISTERED,
    aggregateId: userId,
    occurredAt: new Date().toISOString(),
    payload: { userId, inviteCode, registeredAt: new Date().toISOString() },
  };
}

/** Hands an event to promote's consumer as the bus would (processed_events makes redelivery harmless). */
const deliver = (event: EventEnvelope, rules: Partial<typeof settings> = {}) =>
  consumerEffect({ db, group: 'promote', ...recordInvitations({ ...settings, ...rules }) })(event);

const codeOf = async (userId: string): Promise<string> => ok(await gql(url, '{ myInviteCode }', {}, as(userId))).myInviteCode;
const progressOf = async (userId: string) =>
  ok(await gql(url, '{ myInviteProgress { acceptedCount countedCount countedToday dailyLimit rewardAfter rewardAmount rewardCoupon { id amount type status } } }', {}, as(userId)))
    .myInviteProgress;

describe('invite codes', () => {
  it('are created on first ask, stable, distinct per shopper, one even when first asked at once', async () => {
    const user = newUserId();
    const asked = await Promise.all(Array.from({ length: 5 }, () => codeOf(user)));
    expect(new Set(asked).size).toBe(1);
    expect(asked[0]).toMatch(/^[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{8}$/);
    expect(await codeOf(user)).toBe(asked[0]);
    expect(await codeOf(newUserId())).not.toBe(asked[0]);
    expect(codes(await gql(url, '{ myInviteCode }', {}))).toEqual(['UNAUTHENTICATED']);
  });
});

describe('recording invitations from UserRegistered', () => {
  it('records once however often the event (or another one for the invitee) arrives: one inviter per invitee', async () => {
    const inviter = newUserId();
    const other = newUserId();
    const invitee = newUserId();
    const event = registered(invitee, (await codeOf(inviter)).toLowerCase());
    await deliver(event);
    await deliver(event);
    await deliver(registered(invitee, await codeOf(other)));
    const rows = await db('invitations').where({ invitee_id: invitee });
    expect(rows.map((row) => String(row.inviter_id))).toEqual([inviter]);
    expect(await progressOf(inviter)).toMatchObject({ acceptedCount: 1, countedCount: 1 });
    expect(await progressOf(other)).toMatchObject({ acceptedCount: 0, countedCount: 0 });
    const mine = ok(await gql(url, '{ myInvitation { inviterId invitedAt } }', {}, as(invitee))).myInvitation;
    expect(mine.inviterId).toBe(inviter);
  });

  it('ignores self-invites, unknown codes and sign-ups without a code', async () => {
    const user = newUserId();
    await deliver(registered(user, await codeOf(user)));
    await deliver(registered(newUserId(), 'NOSUCHCODE1'));
    await deliver(registered(newUserId(), null));
    expect(await db('invitations').where({ invitee_id: user }).first()).toBeUndefined();
    expect(await progressOf(user)).toMatchObject({ acceptedCount: 0 });
  });

  it('gives the invitee the configured new-user coupon (source INVITE, issued_count untouched)', async () => {
    const [template] = await db('coupon_templates')
      .insert({ name: 'New friend 5 off', type: 'CASH', amount: 500, min_spend: 1000, scope: 'ALL', per_user_limit: 1, valid_days: 7, claimable: false, active: true })
      .returning('*');
    const inviter = newUserId();
    const invitee = newUserId();
    await deliver(registered(invitee, await codeOf(inviter)), { newUserTemplateId: String(template.id) });
    const mine = ok(await gql(url, '{ myInvitation { inviterId newUserCoupon { templateId amount status } } }', {}, as(invitee))).myInvitation;
    expect(mine).toEqual({ inviterId: inviter, newUserCoupon: { templateId: String(template.id), amount: 500, status: 'AVAILABLE' } });
    const coupons = await db('coupons').where({ user_id: invitee });
    expect(coupons.map((c) => c.source)).toEqual(['INVITE']);
    expect((await db('coupon_templates').where({ id: template.id }).first()).issued_count).toBe(0);
    // Without a configured template: the invitation is recorded, no coupon.
    const plain = newUserId();
    await deliver(registered(plain, await codeOf(inviter)), { newUserTemplateId: null });
    expect(ok(await gql(url, '{ myInvitation { newUserCoupon { id } } }', {}, as(plain))).myInvitation).toEqual({ newUserCoupon: null });
  });

  it('counts at most INVITES_COUNTED_PER_DAY a day: the rest are recorded but earn nothing', async () => {
    const inviter = newUserId();
    const code = await codeOf(inviter);
    const invitees = Array.from({ length: 5 }, newUserId);
    await Promise.all(invitees.map((invitee) => deliver(registered(invitee, code), { countedPerDay: 3, rewardAfter: 4 })));
    const rows = await db('invitations').where({ inviter_id: inviter });
    expect(rows.filter((row) => row.counted)).toHaveLength(3);
    expect(rows).toHaveLength(5);
    expect(await progressOf(inviter)).toMatchObject({ acceptedCount: 5, countedCount: 3, countedToday: 3, rewardCoupon: null });
    expect(await db('invite_rewards').where({ user_id: inviter })).toHaveLength(0);
  });

  it('gives the reward coupon exactly once when the 10th counted invitation lands, whatever arrives at once', async () => {
    const inviter = newUserId();
    const code = await codeOf(inviter);
    const invitees = Array.from({ length: 25 }, newUserId);
    await Promise.all(invitees.map((invitee) => deliver(registered(invitee, code))));
    const progress = await progressOf(inviter);
    expect(progress).toMatchObject({ acceptedCount: 25, countedCount: 20, rewardAfter: 10, rewardAmount: 500 });
    expect(progress.rewardCoupon).toMatchObject({ amount: 500, type: 'CASH', status: 'AVAILABLE' });
    const coupons = await db('coupons').where({ user_id: inviter });
    expect(coupons).toHaveLength(1);
    expect(coupons[0]).toMatchObject({ source: 'INVITE', share_amount: 500 });
  });
});

describe('myInvites and the ranking', () => {
  it('pages an inviter’s invitations newest first and ranks inviters by counted invitations', async () => {
    const top = newUserId();
    const second = newUserId();
    const topCode = await codeOf(top);
    const secondCode = await codeOf(second);
    const rules = { countedPerDay: 100, rewardAfter: 100 };
    // One after another, so their order is known: newest first is the reverse.
    const invitees: string[] = [];
    for (let i = 0; i < 12; i++) {
      const invitee = newUserId();
      invitees.push(invitee);
      await deliver(registered(invitee, topCode), rules);
    }
    await Promise.all(Array.from({ length: 11 }, () => deliver(registered(newUserId(), secondCode), rules)));

    const LIST = 'query($after: String) { myInvites(first: 5, after: $after) { nodes { inviteeId invitedAt counted } endCursor hasNextPage totalCount } }';
    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    for (;;) {
      const page: any = ok(await gql(url, LIST, { after }, as(top))).myInvites;
      pages += 1;
      expect(page.totalCount).toBe(12);
      expect(page.nodes.every((node: { counted: boolean }) => node.counted)).toBe(true);
      seen.push(...page.nodes.map((node: { inviteeId: string }) => node.inviteeId));
      if (!page.hasNextPage) break;
      after = page.endCursor;
    }
    expect(pages).toBe(3);
    expect(seen).toEqual([...invitees].reverse());
    expect(codes(await gql(url, LIST, { after: 'not-a-cursor' }, as(top)))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await gql(url, '{ myInvites(first: 51) { totalCount } }', {}, as(top)))).toEqual(['BAD_USER_INPUT']);
    expect(ok(await gql(url, '{ myInvites { nodes { inviteeId } endCursor hasNextPage totalCount } }', {}, as(newUserId()))).myInvites).toEqual({
      nodes: [],
      endCursor: null,
      hasNextPage: false,
      totalCount: 0,
    });

    // Other tests' inviters share the database: check order and places, not the whole list.
    const ranking: { rank: number; inviterId: string; count: number }[] = ok(
      await gql(url, '{ inviteRanking(first: 100) { rank inviterId count } }', {}, as(newUserId())),
    ).inviteRanking;
    expect(ranking.map((row) => row.rank)).toEqual(ranking.map((_row, index) => index + 1));
    expect(ranking.map((row) => row.count)).toEqual([...ranking.map((row) => row.count)].sort((a, b) => b - a));
    const place = (id: string) => ranking.find((row) => row.inviterId === id);
    expect(place(top)).toMatchObject({ count: 12 });
    expect(place(second)).toMatchObject({ count: 11 });
    expect(place(top)!.rank).toBeLessThan(place(second)!.rank);
    expect(codes(await gql(url, '{ inviteRanking(first: 0) { rank } }', {}, as(top)))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await gql(url, '{ inviteRanking { rank } }', {}))).toEqual(['UNAUTHENTICATED']);
  });

  it('reads a page of invitations and the ranking in a constant number of statements', async () => {
    const inviter = newUserId();
    const code = await codeOf(inviter);
    const statementsFor = async (query: string, userId: string) => {
      const counter = countStatements(db);
      try {
        ok(await gql(url, query, {}, as(userId)));
        return counter.count;
      } finally {
        counter.stop();
      }
    };
    const PAGE = '{ myInvites(first: 50) { totalCount nodes { inviteeId invitee { id } invitedAt counted } } }';
    await deliver(registered(newUserId(), code));
    const one = await statementsFor(PAGE, inviter);
    await Promise.all(Array.from({ length: 9 }, () => deliver(registered(newUserId(), code))));
    // The page and the counter row, however many invitees.
    expect(await statementsFor(PAGE, inviter)).toBe(one);
    expect(one).toBe(2);
    expect(await statementsFor('{ inviteRanking(first: 100) { rank inviterId inviter { id } count } }', inviter)).toBe(1);
  });
});

describe('the invitation reward template', () => {
  it('is the shop’s own: staff cannot activate or edit it, shoppers cannot claim it', async () => {
    const { template_id: id } = await db('promote_system_templates').where({ purpose: 'INVITE_REWARD' }).first('template_id');
    const activate = await gql(url, 'mutation($id: ID!) { setCouponTemplateActive(id: $id, active: true) { id } }', { id: String(id) }, staff());
    const update = await gql(url, 'mutation($id: ID!) { updateCouponTemplate(id: $id, input: { amount: 500, minSpend: 500 }) { id } }', { id: String(id) }, staff());
    for (const refused of [activate, update]) expect(refused.errors?.map((e) => e.extensions?.reason)).toEqual(['SYSTEM_TEMPLATE']);
    expect(codes(await gql(url, 'mutation($id: ID!) { claimCoupon(templateId: $id) { id } }', { id: String(id) }, as(newUserId())))).toEqual(['CONFLICT']);
    expect(await db('coupon_templates').where({ id }).first('active', 'amount', 'claimable')).toEqual({ active: false, amount: 0, claimable: false });
  });
});
