/**
 * Family coupon wallets on the promote subgraph alone, against the run's real database: the MembershipChanged
 * consumer (free-shipping coupons once per period under redelivery, stale events, extensions), the wallet's
 * visibility, activation of a new slot under concurrency, and checkout's lock / use by family members (one winner).
 */
import crypto from 'node:crypto';
import type { Knex } from 'knex';
import type { RunningSupergraph } from '../../app/launcher';
import { countStatements } from '../../platform/db';
import { consumerEffect, type EventEnvelope } from '../../platform/events';
import { asIdentity, codes, gql, startSupergraph, testConfig, type GraphQLResponse } from '../../test/support/harness';
import { FAMILY_STREAM, issueFamilyCoupons, MEMBERSHIP_CHANGED, type MembershipChangedPayload } from './family-coupons';

let supergraph: RunningSupergraph;
let url: string;
let db: Knex;
const PER_MONTH = testConfig().familyCoupons.freeShippingPerMonth;

beforeAll(async () => {
  supergraph = await startSupergraph({ subgraphs: ['promote'], router: false });
  url = supergraph.subgraphs.promote!.url;
  db = supergraph.subgraphs.promote!.db;
});
afterAll(async () => {
  await supergraph?.stop();
});

const newId = () => String(crypto.randomInt(1, 2 ** 47));
const as = (userId: string) => asIdentity({ userId }, 'promote');
const service = (userId?: string) => asIdentity({ service: 'order', userId }, 'promote');
const DAY = 86_400_000;

function ok<T = any>(response: GraphQLResponse<T>): T {
  if (response.errors) throw new Error(`Unexpected errors: ${JSON.stringify(response.errors)}`);
  return response.data as T;
}

function changed(payload: MembershipChangedPayload, occurredAt = new Date()): EventEnvelope<MembershipChangedPayload> {
  return { id: crypto.randomUUID(), stream: FAMILY_STREAM, type: MEMBERSHIP_CHANGED, aggregateId: payload.familyId, occurredAt: occurredAt.toISOString(), payload };
}

const deliver = (event: EventEnvelope) => consumerEffect({ db, group: 'promote', ...issueFamilyCoupons({ freeShippingPerMonth: PER_MONTH }) })(event);

const WALLET = `query($familyId: ID!, $status: CouponStatus) { familyCoupons(familyId: $familyId, status: $status) { id type status familyId validFrom validUntil } }`;
const ACTIVATE = `mutation($familyId: ID!) { activateFamilyFreeShippingCoupons(familyId: $familyId) { familyId issued { id } available { id type } } }`;
const LOCK = `mutation($couponId: ID!, $orderId: ID!) { lockCoupon(couponId: $couponId, orderId: $orderId) { id status familyId } }`;
const USE = `mutation($couponId: ID!, $orderId: ID!) { useCoupon(couponId: $couponId, orderId: $orderId) { id status } }`;
const QUOTE = `query($input: CouponQuoteInput!) { couponQuote(input: $input) { applicable { coupon { id familyId } shippingWaived saving } best { coupon { id } } } }`;

const walletOf = async (familyId: string, userId: string) => ok(await gql(url, WALLET, { familyId }, as(userId))).familyCoupons as any[];

function family(level: 'NONE' | 'TRIAL' | 'FORMAL', days: number, members: string[] = []) {
  return { familyId: newId(), ownerId: newId(), memberUserIds: members, level, expiresAt: level === 'NONE' ? null : new Date(Date.now() + days * DAY).toISOString() };
}

describe('free-shipping coupons from MembershipChanged', () => {
  it('issues one batch per period however often the event, or another event of the same period, arrives', async () => {
    const member = newId();
    const trial = family('TRIAL', 7);
    const first = changed(trial);
    await deliver(first);
    await deliver(first); // redelivery of the same event
    await Promise.all([deliver(first), deliver(changed({ ...trial, memberUserIds: [member] })), deliver(changed({ ...trial, memberUserIds: [member] }))]);
    const wallet = await walletOf(trial.familyId, trial.ownerId);
    expect(wallet).toHaveLength(PER_MONTH);
    expect(wallet.every((coupon) => coupon.type === 'FREE_SHIPPING' && coupon.status === 'AVAILABLE' && coupon.familyId === trial.familyId)).toBe(true);
    // Valid until the trial ends.
    expect(new Set(wallet.map((coupon) => coupon.validUntil))).toEqual(new Set([trial.expiresAt]));
    // The member added by the later event sees the same wallet; a stranger gets NOT_FOUND; personal wallets stay apart.
    expect(await walletOf(trial.familyId, member)).toHaveLength(PER_MONTH);
    expect(codes(await gql(url, WALLET, { familyId: trial.familyId }, as(newId())))).toEqual(['NOT_FOUND']);
    expect(ok(await gql(url, '{ myCoupons { id } }', {}, as(trial.ownerId))).myCoupons).toEqual([]);
  });

  it('an extension adds only the time not covered yet; NONE and a stale event change nothing', async () => {
    const formal = family('FORMAL', 10);
    await deliver(changed(formal));
    expect(await walletOf(formal.familyId, formal.ownerId)).toHaveLength(PER_MONTH);
    // A second code moves the expiry out by 100 days: the new period starts where the first ended, in the future.
    const extended = { ...formal, expiresAt: new Date(Date.now() + 110 * DAY).toISOString() };
    await deliver(changed(extended));
    const grants = await db('family_coupon_grants').where({ family_id: formal.familyId }).orderBy('id');
    expect(grants.map((grant) => grant.starts_at.toISOString())).toEqual([expect.any(String), formal.expiresAt]);
    expect(await walletOf(formal.familyId, formal.ownerId)).toHaveLength(PER_MONTH); // its first slot has not begun
    // An older event delivered late (the family without a member it has since gained) does not undo the newer one.
    const member = newId();
    await deliver(changed({ ...extended, memberUserIds: [member] }));
    await deliver(changed({ ...formal, memberUserIds: [] }, new Date(Date.now() - 60_000)));
    expect(await walletOf(formal.familyId, member)).toHaveLength(PER_MONTH);
    // A family without membership gets nothing, and its owner sees an empty wallet.
    const plain = family('NONE', 0);
    await deliver(changed(plain));
    expect(await walletOf(plain.familyId, plain.ownerId)).toEqual([]);
    expect(await walletOf(newId(), plain.ownerId)).toEqual([]); // unknown to promote: nothing to show
  });

  it('activates a slot that came due exactly once under 12 concurrent activations and a racing redelivery', async () => {
    const member = newId();
    const formal = family('FORMAL', 365, [member]);
    const event = changed(formal);
    await deliver(event);
    expect(codes(await gql(url, ACTIVATE, { familyId: formal.familyId }, as(newId())))).toEqual(['NOT_FOUND']);
    expect(ok(await gql(url, ACTIVATE, { familyId: formal.familyId }, as(member))).activateFamilyFreeShippingCoupons.issued).toEqual([]);
    // A month passes: move the period back 31 days (slot 0 is over, slot 1 is due).
    await db('family_coupon_grants').where({ family_id: formal.familyId }).update({ starts_at: db.raw(`starts_at - interval '31 days'`) });
    await db('coupons').where({ family_id: formal.familyId }).update({ valid_from: db.raw(`valid_from - interval '31 days'`), valid_until: db.raw(`valid_until - interval '31 days'`) });
    const results = await Promise.all([
      ...Array.from({ length: 12 }, (_, i) => gql(url, ACTIVATE, { familyId: formal.familyId }, as(i % 2 ? member : formal.ownerId))),
      deliver(changed({ ...formal })).then(() => null),
    ]);
    const issued = results.filter(Boolean).flatMap((result) => ok(result!).activateFamilyFreeShippingCoupons.issued);
    expect(issued).toHaveLength(PER_MONTH);
    const available = await walletOf(formal.familyId, member).then((wallet) => wallet.filter((coupon) => coupon.status === 'AVAILABLE'));
    expect(available).toHaveLength(PER_MONTH); // slot 0's coupons expired with their slot
    expect(await db('family_coupon_slots').join('family_coupon_grants', 'family_coupon_grants.id', 'family_coupon_slots.grant_id').where({ family_id: formal.familyId }).count<{ count: string }[]>({ count: '*' })).toEqual([{ count: '2' }]);
  });
});

describe('family coupons at checkout', () => {
  it('any member can quote, lock and use it; of concurrent lockers exactly one wins; a removed member cannot', async () => {
    const [memberA, memberB] = [newId(), newId()];
    const trial = family('TRIAL', 7, [memberA, memberB]);
    await deliver(changed(trial));
    const [coupon] = await walletOf(trial.familyId, memberA);
    const items = [{ skuId: '1', productId: '1', categoryId: '2', unitPrice: 5000, quantity: 1 }];
    const quote = ok(await gql(url, QUOTE, { input: { items, shippingFee: 800 } }, asIdentity({ service: 'cart', userId: memberB }, 'promote'))).couponQuote;
    expect(quote.applicable).toHaveLength(PER_MONTH);
    expect(quote.applicable[0]).toMatchObject({ shippingWaived: true, saving: 800, coupon: { familyId: trial.familyId } });

    // Owner and both members try to lock the same coupon for their own orders at once (5 tries each).
    const lockers = [trial.ownerId, memberA, memberB];
    const orders = lockers.flatMap((userId) => Array.from({ length: 5 }, () => ({ userId, orderId: newId() })));
    const results = await Promise.all(orders.map(({ userId, orderId }) => gql(url, LOCK, { couponId: coupon.id, orderId }, service(userId))));
    const winners = orders.filter((_, i) => !results[i].errors);
    expect(winners).toHaveLength(1);
    expect(results.filter((result) => result.errors).every((result) => codes(result)[0] === 'CONFLICT')).toBe(true);
    const { userId, orderId } = winners[0];
    expect(ok(await gql(url, USE, { couponId: coupon.id, orderId }, service(userId))).useCoupon.status).toBe('USED');
    expect((await walletOf(trial.familyId, trial.ownerId)).find((row) => row.id === coupon.id).status).toBe('USED');

    // A stranger cannot lock a family coupon; memberB removed: NOT_FOUND and no longer quoted.
    const [, second] = await walletOf(trial.familyId, memberA);
    expect(codes(await gql(url, LOCK, { couponId: second.id, orderId: newId() }, service(newId())))).toEqual(['NOT_FOUND']);
    await deliver(changed({ ...trial, memberUserIds: [memberA] }));
    expect(codes(await gql(url, LOCK, { couponId: second.id, orderId: newId() }, service(memberB)))).toEqual(['NOT_FOUND']);
    expect(ok(await gql(url, QUOTE, { input: { items, shippingFee: 800 } }, asIdentity({ service: 'cart', userId: memberB }, 'promote'))).couponQuote.applicable).toEqual([]);
    expect(codes(await gql(url, WALLET, { familyId: trial.familyId }, as(memberB)))).toEqual(['NOT_FOUND']);
    // _entities: a member sees the family coupon (e.g. in their order), others do not.
    const entities = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Coupon { id familyId } } }`;
    const r = [{ __typename: 'Coupon', id: coupon.id }];
    expect(ok(await gql(url, entities, { r }, as(memberA)))._entities).toEqual([{ id: coupon.id, familyId: trial.familyId }]);
    expect(ok(await gql(url, entities, { r }, as(memberB)))._entities).toEqual([null]);
  });
});

describe('statements', () => {
  it('a quote costs one statement and a wallet two (access, coupons) however many families and coupons', async () => {
    const member = newId();
    const families = [family('TRIAL', 7, [member]), family('FORMAL', 365, [member])];
    for (const f of families) await deliver(changed(f));
    const items = [{ skuId: '1', productId: '1', categoryId: '2', unitPrice: 5000, quantity: 1 }];
    const measure = async (run: () => Promise<unknown>) => {
      const counter = countStatements(db);
      try {
        await run();
        return counter.count;
      } finally {
        counter.stop();
      }
    };
    const quote = () => gql(url, QUOTE, { input: { items, shippingFee: 800 } }, asIdentity({ service: 'cart', userId: member }, 'promote'));
    expect(ok(await quote()).couponQuote.applicable).toHaveLength(2 * PER_MONTH);
    expect(await measure(quote)).toBe(1);
    expect(await measure(() => gql(url, WALLET, { familyId: families[1].familyId }, as(member)))).toBe(2);
  });
});
