/**
 * The merchant back office through the router, as the console and a store's terminal use it: the super-admin sets up
 * stores and staff, a shopper's coupon is identified by its code and redeemed at a store — once, even with 20
 * redemptions racing — an account of another store is refused, a terminal redeems for its store only, and each
 * redemption leaves one event on promote's outbox.
 */
import crypto from 'node:crypto';
import type { Knex } from 'knex';
import type { RunningSupergraph } from '../app/launcher';
import { shanghaiDate } from '../platform/shanghai-time';
import { bearer, codes, gql, startSupergraph, testConfig, uniquePhone, type GraphQLResponse } from './support/harness';

const config = testConfig();
let supergraph: RunningSupergraph;
let router: string;
let promoteDb: Knex;
const tag = crypto.randomBytes(3).toString('hex').toUpperCase();
const STORE_A = `RA${tag}`;
const STORE_B = `RB${tag}`;

beforeAll(async () => {
  supergraph = await startSupergraph();
  router = supergraph.routerUrl!;
  promoteDb = supergraph.subgraphs.promote!.db;
});
afterAll(async () => {
  await supergraph?.stop();
});

function ok<T = any>(response: GraphQLResponse<T>): T {
  if (response.errors) throw new Error(`Unexpected errors: ${JSON.stringify(response.errors)}`);
  return response.data as T;
}

const LOGIN = 'mutation($a: String!, $p: String!) { login(input: { account: $a, password: $p }) { accessToken } }';
const signIn = async (account: string, password: string) => bearer(ok(await gql(router, LOGIN, { a: account, p: password })).login.accessToken);

async function staffAccount(admin: Record<string, string>, username: string, storeCodes: string[]) {
  ok(
    await gql(
      router,
      'mutation($i: CreateStaffAccountInput!) { createStaffAccount(input: $i) { id } }',
      { i: { username, password: 'Passw0rd1', realName: username, roles: ['store'], storeCodes } },
      admin,
    ),
  );
  return signIn(username, 'Passw0rd1');
}

async function shopperWithCoupon(admin: Record<string, string>) {
  const input = { name: `店用券-${tag}`, type: 'CASH', amount: 300, minSpend: 3000, totalQuantity: 100, perUserLimit: 5, validDays: 10 };
  const template = ok(await gql(router, 'mutation($input: CouponTemplateInput!) { createCouponTemplate(input: $input) { id } }', { input }, admin)).createCouponTemplate;
  const registered = ok(
    await gql(router, 'mutation($input: RegisterInput!) { register(input: $input) { accessToken user { id } } }', { input: { phone: uniquePhone(), password: 'Shopper123' } }),
  ).register;
  const shopper = bearer(registered.accessToken);
  const claim = async () =>
    ok(await gql(router, 'mutation($id: ID!) { claimCoupon(templateId: $id) { id counterCode status } }', { id: template.id }, shopper)).claimCoupon;
  return { shopper, userId: registered.user.id as string, claim };
}

const REDEEM = `mutation($s: String!, $c: String!) { redeemCouponAtStore(storeCode: $s, code: $c) {
  couponId storeCode staffUserId terminalId userId amount redeemedAt coupon { status usedAtStore } } }`;

it('identifies a member by coupon code and redeems the coupon once at a store; 20 racing redemptions → exactly one', async () => {
  const admin = await signIn('admin', config.adminPassword);
  for (const code of [STORE_A, STORE_B]) {
    ok(await gql(router, 'mutation($i: StoreInput!) { upsertStore(input: $i) { code } }', { i: { code, name: `店 ${code}` } }, admin));
  }
  const clerkA = await staffAccount(admin, `ra_${tag.toLowerCase()}`, [STORE_A]);
  const clerkB = await staffAccount(admin, `rb_${tag.toLowerCase()}`, [STORE_B]);
  const { shopper, userId, claim } = await shopperWithCoupon(admin);
  const coupon = await claim();
  expect(coupon.counterCode).toMatch(/^[0-9A-F]{16}$/);

  // Identification by the coupon's code (user asks promote whose coupon it is).
  const IDENTIFY = 'query($s: String!, $c: String!) { identifyMember(storeCode: $s, code: $c) { kind userId couponId maskedPhone } }';
  const identified = ok(await gql(router, IDENTIFY, { s: STORE_A, c: coupon.counterCode.toLowerCase() }, clerkA)).identifyMember;
  expect(identified).toMatchObject({ kind: 'COUPON', userId, couponId: coupon.id, maskedPhone: expect.stringMatching(/^1\d{2}\*{4}\d{4}$/) });

  // An account of another store is refused, and nothing changes.
  const refused = await gql(router, REDEEM, { s: STORE_A, c: coupon.counterCode }, clerkB);
  expect(refused.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'NOT_ASSIGNED' });
  expect(codes(await gql(router, REDEEM, { s: STORE_A, c: coupon.counterCode }, shopper))).toEqual(['FORBIDDEN']);
  expect(codes(await gql(router, REDEEM, { s: 'NO-SUCH-STORE', c: coupon.counterCode }, clerkA))).toEqual(['NOT_FOUND']);
  expect(await promoteDb('coupon_store_redemptions').where({ coupon_id: coupon.id }).first()).toBeUndefined();

  // 20 at once: one redemption, 19 readable refusals.
  const results = await Promise.all(Array.from({ length: 20 }, () => gql(router, REDEEM, { s: STORE_A, c: coupon.counterCode }, clerkA)));
  const won = results.filter((r) => !r.errors);
  expect(won).toHaveLength(1);
  expect(won[0].data.redeemCouponAtStore).toMatchObject({ couponId: coupon.id, storeCode: STORE_A, terminalId: null, userId, amount: 300, coupon: { status: 'USED', usedAtStore: STORE_A } });
  const lost = results.filter((r) => r.errors).map((r) => r.errors![0]);
  expect(lost).toHaveLength(19);
  for (const error of lost) {
    expect(error.extensions).toMatchObject({ code: 'CONFLICT', reason: 'ALREADY_REDEEMED', storeCode: STORE_A });
    expect(error.message).toMatch(new RegExp(`already redeemed at store ${STORE_A}`));
  }
  expect(await promoteDb('coupon_store_redemptions').where({ coupon_id: coupon.id }).count<{ count: string }[]>({ count: '*' })).toEqual([{ count: '1' }]);
  const events = await promoteDb('outbox').where({ stream: 'shop.promote.coupon', type: 'CouponRedeemedAtStore', aggregate_id: coupon.id });
  expect(events).toHaveLength(1);
  expect(events[0].payload).toMatchObject({ couponId: coupon.id, storeCode: STORE_A, userId, amount: 300 });

  // The shopper sees it used at the store; a later second try is refused the same way.
  const wallet = ok(await gql(router, '{ myCoupons { id status usedAtStore } }', {}, shopper)).myCoupons;
  expect(wallet).toEqual([{ id: coupon.id, status: 'USED', usedAtStore: STORE_A }]);
  const again = await gql(router, REDEEM, { s: STORE_A, c: coupon.counterCode }, clerkA);
  expect(again.errors?.[0].extensions).toMatchObject({ code: 'CONFLICT', reason: 'ALREADY_REDEEMED' });

  const listed = ok(
    await gql(router, 'query($s: String!, $f: String!, $t: String!) { storeRedemptions(storeCode: $s, from: $f, to: $t) { edges { node { couponId storeCode } } } }', {
      s: STORE_A,
      f: new Date(Date.now() - 3600_000).toISOString(),
      t: new Date(Date.now() + 3600_000).toISOString(),
    }, clerkA),
  ).storeRedemptions.edges;
  expect(listed).toEqual([{ node: { couponId: coupon.id, storeCode: STORE_A } }]);
  expect(codes(await gql(router, 'query($s: String!) { storeRedemptions(storeCode: $s, from: "2026-01-01T00:00:00Z", to: "2026-02-01T00:00:00Z") { edges { cursor } } }', { s: STORE_A }, clerkB))).toEqual(['FORBIDDEN']);

  // The statistics read model (user) learns the redemption from promote's event.
  const today = shanghaiDate(Date.now());
  const STATS = 'query($s: String, $d: String!) { storeStatistics(storeCode: $s, from: $d, to: $d) { totals { couponsRedeemed couponAmount } days { day } } }';
  let totals: any;
  for (let i = 0; i < 100; i++) {
    totals = ok(await gql(router, STATS, { s: STORE_A, d: today }, clerkA)).storeStatistics.totals;
    if (totals.couponsRedeemed > 0) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  expect(totals).toEqual({ couponsRedeemed: 1, couponAmount: 300 });
  expect(codes(await gql(router, STATS, { s: STORE_A, d: today }, clerkB))).toEqual(['FORBIDDEN']);
  expect(codes(await gql(router, STATS, { s: 'ONLINE', d: today }, clerkA))).toEqual(['FORBIDDEN']);
});

it('lets a terminal bound to a store redeem there and nowhere else, until it is revoked', async () => {
  const admin = await signIn('admin', config.adminPassword);
  const clerkA = await staffAccount(admin, `ta_${tag.toLowerCase()}`, [STORE_A]);
  const { claim } = await shopperWithCoupon(admin);
  const [first, second, third] = [await claim(), await claim(), await claim()];

  const { code } = ok(await gql(router, 'mutation($s: String!) { issueTerminalBindingCode(storeCode: $s) { code } }', { s: STORE_A }, clerkA)).issueTerminalBindingCode;
  const bound = ok(await gql(router, 'mutation($c: String!) { bindTerminal(code: $c, name: "收银台") { deviceSecret terminal { id } } }', { c: code })).bindTerminal;
  const session = ok(await gql(router, 'mutation($s: String!) { terminalSignIn(deviceSecret: $s) { accessToken } }', { s: bound.deviceSecret })).terminalSignIn;
  const terminal = bearer(session.accessToken);

  const redeemed = ok(await gql(router, REDEEM, { s: STORE_A, c: first.counterCode }, terminal)).redeemCouponAtStore;
  expect(redeemed).toMatchObject({ couponId: first.id, storeCode: STORE_A, terminalId: bound.terminal.id });
  const elsewhere = await gql(router, REDEEM, { s: STORE_B, c: second.counterCode }, terminal);
  expect(elsewhere.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'NOT_ASSIGNED' });

  ok(await gql(router, 'mutation($id: ID!) { revokeTerminal(id: $id) { revokedAt } }', { id: bound.terminal.id }, clerkA));
  // Its session ended (the router refuses the token once it learns of it) and promote's check refuses it anyway.
  const after = await gql(router, REDEEM, { s: STORE_A, c: third.counterCode }, terminal);
  expect(['UNAUTHENTICATED', 'FORBIDDEN']).toContain(after.errors?.[0].extensions?.code);
  expect(await promoteDb('coupons').where({ id: third.id }).first()).toMatchObject({ status: 'AVAILABLE', used_at_store: null });
});
