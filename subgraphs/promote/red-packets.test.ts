/**
 * Lucky red packets on the promote subgraph alone (no router), against the run's real database: the split, opening
 * (50 friends at once), the daily limits, the money ranking and the share coupons in the wallet and in a quote.
 */
import crypto from 'node:crypto';
import type { Knex } from 'knex';
import { countStatements } from '../../platform/db';
import type { RunningSupergraph } from '../../app/launcher';
import { asIdentity, codes, gql, startSupergraph, testConfig, type GraphQLResponse } from '../../test/support/harness';
import { secondsUntilBeijingMidnight } from './red-packet-resolvers';
import { splitRedPacket } from './red-packet-split';

let supergraph: RunningSupergraph;
let url: string;
let db: Knex;
const settings = testConfig().redPackets;

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
const reasons = (response: GraphQLResponse) => (response.errors ?? []).map((e) => e.extensions?.reason);

function ok<T>(response: GraphQLResponse<T>): T {
  if (response.errors) throw new Error(`Unexpected errors: ${JSON.stringify(response.errors)}`);
  return response.data as T;
}

const PACKET = 'id kind totalAmount shareCount openedCount openedAmount createdAt expiresAt mine';
const OPENING = 'packetId userId amount openedAt luckiest coupon { id type amount minSpend status name }';
const CREATE = `mutation { createRedPacket { ${PACKET} } }`;
const CREATE_STAFF = `mutation($t: Int!, $n: Int!) { createStaffRedPacket(totalAmount: $t, shareCount: $n) { ${PACKET} } }`;
const OPEN = `mutation($id: ID!) { openRedPacket(id: $id) { ${OPENING} } }`;
const GET = `query($id: ID!) { redPacket(id: $id) { ${PACKET} openings { ${OPENING} } myOpening { amount } } }`;

async function staffPacket(totalAmount: number, shareCount: number): Promise<{ id: string }> {
  return ok(await gql(url, CREATE_STAFF, { t: totalAmount, n: shareCount }, staff())).createStaffRedPacket;
}

describe('splitRedPacket', () => {
  it('splits into the asked number of shares of at least 1 fen that add up to the total', () => {
    for (const [total, shares] of [
      [1000, 5],
      [50, 50],
      [1, 1],
      [100_000, 100],
      [101, 100],
    ] as const) {
      for (let round = 0; round < 20; round++) {
        const parts = splitRedPacket(total, shares);
        expect(parts).toHaveLength(shares);
        expect(parts.every((part) => Number.isInteger(part) && part >= 1)).toBe(true);
        expect(parts.reduce((a, b) => a + b, 0)).toBe(total);
      }
    }
  });

  it('cuts at the drawn points (fair: any split is as likely as another)', () => {
    const draws = [6, 1]; // cuts 7 and 2 -> sorted 2, 7
    expect(splitRedPacket(10, 3, () => draws.shift()!)).toEqual([2, 5, 3]);
  });

  it('refuses splits that cannot give every share 1 fen', () => {
    expect(() => splitRedPacket(4, 5)).toThrow(RangeError);
    expect(() => splitRedPacket(10, 0)).toThrow(RangeError);
  });
});

it('tells a limited shopper to come back at Beijing midnight', () => {
  expect(secondsUntilBeijingMidnight(Date.parse('2026-12-05T15:59:59Z'))).toBe(1); // 23:59:59 in Beijing
  expect(secondsUntilBeijingMidnight(Date.parse('2026-12-05T16:00:00Z'))).toBe(86_400); // Beijing midnight
  expect(secondsUntilBeijingMidnight(Date.parse('2026-12-05T04:00:00Z'))).toBe(12 * 3600); // noon in Beijing
});

describe('creating', () => {
  it("makes a shopper's packet from the shop's settings, listed as theirs", async () => {
    const shopper = newUserId();
    const packet = ok(await gql(url, CREATE, {}, as(shopper))).createRedPacket;
    expect(packet).toMatchObject({ kind: 'SHOPPER', totalAmount: settings.amountFen, shareCount: settings.shares, openedCount: 0, openedAmount: 0, mine: true });
    const shares = await db('red_packet_shares').where({ packet_id: packet.id }).orderBy('seq');
    expect(shares).toHaveLength(settings.shares);
    expect(shares.reduce((sum, share) => sum + share.amount, 0)).toBe(settings.amountFen);
    const mine = ok(await gql(url, '{ myRedPackets { id mine } }', {}, as(shopper))).myRedPackets;
    expect(mine).toEqual([{ id: packet.id, mine: true }]);
    const seen = ok(await gql(url, GET, { id: packet.id }, as(newUserId()))).redPacket;
    expect(seen).toMatchObject({ id: packet.id, mine: false, openings: [], myOpening: null });
  });

  it('lets a shopper create RED_PACKET_CREATED_PER_DAY packets a day, even when asked at once', async () => {
    const shopper = newUserId();
    const results = await Promise.all(Array.from({ length: settings.createdPerDay + 3 }, () => gql(url, CREATE, {}, as(shopper))));
    expect(results.filter((r) => !r.errors)).toHaveLength(settings.createdPerDay);
    const refused = results.filter((r) => r.errors);
    expect(refused.flatMap(codes)).toEqual(Array(3).fill('RATE_LIMITED'));
    expect(refused.flatMap(reasons)).toEqual(Array(3).fill('DAILY_LIMIT'));
    expect(Number((await db('red_packets').where({ created_by: shopper }).count({ n: '*' }))[0]!.n)).toBe(settings.createdPerDay);
    const day = ok(await gql(url, '{ myRedPacketDay { createdCount createLimit } }', {}, as(shopper))).myRedPacketDay;
    expect(day).toEqual({ createdCount: settings.createdPerDay, createLimit: settings.createdPerDay });
  });

  it('keeps staff packets behind promote:write and checks their amounts', async () => {
    expect(codes(await gql(url, CREATE_STAFF, { t: 100, n: 5 }, as(newUserId())))).toEqual(['FORBIDDEN']);
    expect(codes(await gql(url, CREATE_STAFF, { t: 100, n: 5 }, asIdentity({}, 'promote')))).toEqual(['UNAUTHENTICATED']);
    expect(codes(await gql(url, CREATE, {}, asIdentity({}, 'promote')))).toEqual(['UNAUTHENTICATED']);
    for (const [t, n] of [
      [100, 0],
      [1000, 101],
      [4, 5],
      [-5, 1],
      [testConfig().money.maxOrderTotalFen + 1, 5],
    ]) {
      expect(codes(await gql(url, CREATE_STAFF, { t, n }, staff()))).toEqual(['BAD_USER_INPUT']);
    }
    const packet = await staffPacket(5, 5);
    expect(packet).toMatchObject({ kind: 'STAFF', totalAmount: 5, shareCount: 5 });
    const amounts = (await db('red_packet_shares').where({ packet_id: packet.id }).select('amount')).map((row) => row.amount);
    expect(amounts).toEqual([1, 1, 1, 1, 1]);
  });
});

describe('opening', () => {
  it('puts the share in the wallet as a CASH coupon of its amount, once per friend, never for the creator', async () => {
    const owner = newUserId();
    const packet = ok(await gql(url, CREATE, {}, as(owner))).createRedPacket;
    expect(codes(await gql(url, OPEN, { id: packet.id }, as(owner)))).toEqual(['CONFLICT']);
    expect(reasons(await gql(url, OPEN, { id: packet.id }, as(owner)))).toEqual(['OWN_PACKET']);

    const friend = newUserId();
    const opening = ok(await gql(url, OPEN, { id: packet.id }, as(friend))).openRedPacket;
    const first = await db('red_packet_shares').where({ packet_id: packet.id, seq: 1 }).first();
    expect(opening).toMatchObject({ packetId: packet.id, userId: friend, amount: first.amount, luckiest: true });
    expect(opening.coupon).toMatchObject({ type: 'CASH', amount: first.amount, minSpend: first.amount, status: 'AVAILABLE', name: 'Lucky red packet' });
    const wallet = ok(await gql(url, '{ myCoupons { id amount minSpend } }', {}, as(friend))).myCoupons;
    expect(wallet).toEqual([{ id: opening.coupon.id, amount: first.amount, minSpend: first.amount }]);

    const again = await gql(url, OPEN, { id: packet.id }, as(friend));
    expect(codes(again)).toEqual(['CONFLICT']);
    expect(reasons(again)).toEqual(['ALREADY_OPENED']);
    const seen = ok(await gql(url, GET, { id: packet.id }, as(friend))).redPacket;
    expect(seen).toMatchObject({ openedCount: 1, openedAmount: first.amount, myOpening: { amount: first.amount } });

    expect(codes(await gql(url, OPEN, { id: '999999999999' }, as(friend)))).toEqual(['NOT_FOUND']);
    expect(codes(await gql(url, OPEN, { id: 'nope' }, as(friend)))).toEqual(['NOT_FOUND']);
    expect(ok(await gql(url, GET, { id: '999999999999' }, as(friend))).redPacket).toBeNull();
  });

  it('refuses an expired packet and pays nothing', async () => {
    const packet = await staffPacket(100, 2);
    await db('red_packets').where({ id: packet.id }).update({ expires_at: db.raw("now() - interval '1 second'") });
    const friend = newUserId();
    const refused = await gql(url, OPEN, { id: packet.id }, as(friend));
    expect(codes(refused)).toEqual(['CONFLICT']);
    expect(reasons(refused)).toEqual(['EXPIRED']);
    expect(await db('red_packet_shares').where({ packet_id: packet.id }).whereNotNull('opened_by')).toEqual([]);
    expect(await db('coupons').where({ user_id: friend })).toEqual([]);
  });

  it.each([
    [20, 1000],
    [50, 5000],
    [60, 6000],
  ])('pays %i shares to 50 friends opening at once exactly right', async (shareCount, total) => {
    const packet = await staffPacket(total, shareCount);
    const friends = Array.from({ length: 50 }, newUserId);
    const results = await Promise.all(friends.map((friend) => gql(url, OPEN, { id: packet.id }, as(friend))));
    const opened = results.filter((r) => !r.errors).map((r) => r.data.openRedPacket);
    expect(opened).toHaveLength(Math.min(50, shareCount));
    expect(results.filter((r) => r.errors).flatMap(reasons)).toEqual(Array(Math.max(0, 50 - shareCount)).fill('ALL_OPENED'));
    expect(new Set(opened.map((o) => o.userId)).size).toBe(opened.length);
    const paid = opened.reduce((sum, o) => sum + o.amount, 0);
    if (shareCount <= 50) expect(paid).toBe(total);
    else expect(paid).toBeLessThanOrEqual(total);

    // The database agrees: each opener once, one coupon of the share's amount each.
    const shares = await db('red_packet_shares').where({ packet_id: packet.id }).whereNotNull('opened_by');
    expect(shares).toHaveLength(opened.length);
    const coupons = await db('coupons').whereIn('id', shares.map((s) => s.coupon_id));
    expect(coupons).toHaveLength(opened.length);
    expect(coupons.reduce((sum, c) => sum + c.share_amount, 0)).toBe(paid);
    const seen = ok(await gql(url, GET, { id: packet.id }, as(friends[0]!))).redPacket;
    expect(seen).toMatchObject({ openedCount: opened.length, openedAmount: paid });
  });

  it('opens once when one friend taps five times at once', async () => {
    const packet = await staffPacket(500, 5);
    const friend = newUserId();
    const results = await Promise.all(Array.from({ length: 5 }, () => gql(url, OPEN, { id: packet.id }, as(friend))));
    expect(results.filter((r) => !r.errors)).toHaveLength(1);
    expect(results.filter((r) => r.errors).flatMap(reasons)).toEqual(Array(4).fill('ALREADY_OPENED'));
    expect(await db('coupons').where({ user_id: friend })).toHaveLength(1);
  });

  it('stops a shopper at RED_PACKET_OPENED_PER_DAY openings a day, taking nothing', async () => {
    const friend = newUserId();
    const packets = await Promise.all(Array.from({ length: settings.openedPerDay + 1 }, () => staffPacket(10, 2)));
    for (const packet of packets.slice(0, settings.openedPerDay)) ok(await gql(url, OPEN, { id: packet.id }, as(friend)));
    const last = packets[settings.openedPerDay]!;
    const refused = await gql(url, OPEN, { id: last.id }, as(friend));
    expect(codes(refused)).toEqual(['RATE_LIMITED']);
    expect(reasons(refused)).toEqual(['DAILY_LIMIT']);
    const retryAfter = refused.errors![0]!.extensions!.retryAfterSeconds as number;
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(86_400);
    expect(await db('red_packet_shares').where({ packet_id: last.id }).whereNotNull('opened_by')).toEqual([]);
    const day = ok(await gql(url, `{ myRedPacketDay { openings { packetId amount } opensLeft openLimit } }`, {}, as(friend))).myRedPacketDay;
    expect(day.opensLeft).toBe(0);
    expect(day.openLimit).toBe(settings.openedPerDay);
    expect(day.openings.map((o: { packetId: string }) => o.packetId).sort()).toEqual(packets.slice(0, settings.openedPerDay).map((p) => p.id).sort());
  });
});

describe('money ranking', () => {
  it("lists a packet's openers best luck first, with each coupon shown to its owner only", async () => {
    const packet = await staffPacket(1000, 4);
    const friends = Array.from({ length: 4 }, newUserId);
    for (const friend of friends) ok(await gql(url, OPEN, { id: packet.id }, as(friend)));
    const viewer = friends[0]!;
    const seen = ok(await gql(url, GET, { id: packet.id }, as(viewer))).redPacket;
    const amounts = seen.openings.map((o: { amount: number }) => o.amount);
    expect(amounts).toEqual([...amounts].sort((a, b) => b - a));
    expect(amounts.reduce((a: number, b: number) => a + b, 0)).toBe(1000);
    expect(seen.openings.map((o: { luckiest: boolean }) => o.luckiest)).toEqual([true, false, false, false]);
    for (const opening of seen.openings) {
      if (opening.userId === viewer) expect(opening.coupon).toMatchObject({ amount: opening.amount });
      else expect(opening.coupon).toBeNull();
    }
    expect(ok(await gql(url, `query($id: ID!) { redPacket(id: $id) { openings(first: 2) { amount } } }`, { id: packet.id }, as(viewer))).redPacket.openings).toHaveLength(2);
  });

  it('reads the openings of many packets in a constant number of statements', async () => {
    const owner = newUserId();
    const packets = [];
    for (let i = 0; i < 3; i++) packets.push(ok(await gql(url, CREATE, {}, as(owner))).createRedPacket);
    for (const packet of packets) {
      for (let i = 0; i < 2; i++) ok(await gql(url, OPEN, { id: packet.id }, as(newUserId())));
    }
    const LIST = `{ myRedPackets { id openedCount openings { amount userId luckiest } myOpening { amount } } }`;
    const counter = countStatements(db);
    try {
      const listed = ok(await gql(url, LIST, {}, as(owner))).myRedPackets;
      expect(listed).toHaveLength(3);
      expect(listed.every((p: { openings: unknown[] }) => p.openings.length === 2)).toBe(true);
      // The packets, then every packet's openings in one statement.
      expect(counter.count).toBe(2);
    } finally {
      counter.stop();
    }
  });
});

describe('the red packet template', () => {
  it('is not staff\'s to activate, edit or give codes for', async () => {
    const { template_id: id } = await db('promote_system_templates').where({ purpose: 'RED_PACKET_SHARE' }).first('template_id');
    const attempts = [
      gql(url, 'mutation($id: ID!) { setCouponTemplateActive(id: $id, active: true) { id } }', { id: String(id) }, staff()),
      gql(url, 'mutation($id: ID!) { updateCouponTemplate(id: $id, input: { amount: 500, minSpend: 500 }) { id } }', { id: String(id) }, staff()),
      gql(url, 'mutation($id: ID!) { createCouponCodes(templateId: $id, count: 1) }', { id: String(id) }, staff()),
      gql(url, 'mutation($id: ID!) { claimCoupon(templateId: $id) { id } }', { id: String(id) }, as(newUserId())),
    ];
    const [activate, update, createCodes, claim] = await Promise.all(attempts);
    for (const refused of [activate!, update!, createCodes!]) {
      expect(codes(refused)).toEqual(['CONFLICT']);
      expect(reasons(refused)).toEqual(['SYSTEM_TEMPLATE']);
    }
    expect(codes(claim!)).toEqual(['CONFLICT']);
    expect(await db('coupon_templates').where({ id }).first('active', 'amount', 'claimable')).toEqual({ active: false, amount: 0, claimable: false });
  });
});

describe('share coupons at checkout', () => {
  it('take off their own amount in a quote, from a subtotal of at least that amount', async () => {
    const packet = await staffPacket(300, 1);
    const friend = newUserId();
    const opening = ok(await gql(url, OPEN, { id: packet.id }, as(friend))).openRedPacket;
    expect(opening.amount).toBe(300);
    const QUOTE = `query($input: CouponQuoteInput!) { couponQuote(input: $input) { applicable { coupon { id } discount } } }`;
    const item = (unitPrice: number) => ({ skuId: '1', productId: '1', categoryId: '1', unitPrice, quantity: 1 });
    const cart = asIdentity({ service: 'cart', userId: friend }, 'promote');
    const enough = ok(await gql(url, QUOTE, { input: { items: [item(300)], shippingFee: 0 } }, cart)).couponQuote;
    expect(enough.applicable).toEqual([{ coupon: { id: opening.coupon.id }, discount: 300 }]);
    const tooLittle = ok(await gql(url, QUOTE, { input: { items: [item(299)], shippingFee: 0 } }, cart)).couponQuote;
    expect(tooLittle.applicable).toEqual([]);
  });
});
