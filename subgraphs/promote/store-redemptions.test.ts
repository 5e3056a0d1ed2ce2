/**
 * Coupon redemption at a store on the promote subgraph against real PostgreSQL, with the user subgraph answering store
 * access: once per coupon however many redemptions race (also against an order locking it), by its counter code or
 * the redeem code it came from, refused for another store's account, and one outbox event per redemption.
 */
import crypto from 'node:crypto';
import type { Knex } from 'knex';
import type { RunningSupergraph } from '../../app/launcher';
import { couponHoldMismatches, couponHolds } from './data/audit';
import { asIdentity, codes, gql, startSupergraph, type GraphQLResponse } from '../../test/support/harness';

let supergraph: RunningSupergraph;
let url: string;
let userUrl: string;
let db: Knex;
let adminId: string;
const tag = crypto.randomBytes(3).toString('hex').toUpperCase();

beforeAll(async () => {
  supergraph = await startSupergraph({ subgraphs: ['user', 'promote'], router: false });
  url = supergraph.subgraphs.promote!.url;
  userUrl = supergraph.subgraphs.user!.url;
  db = supergraph.subgraphs.promote!.db;
  adminId = String((await supergraph.subgraphs.user!.db('users').where({ username: 'admin' }).first()).id);
});
afterAll(async () => {
  await supergraph?.stop();
});

function ok<T = any>(response: GraphQLResponse<T>): T {
  if (response.errors) throw new Error(`Unexpected errors: ${JSON.stringify(response.errors)}`);
  return response.data as T;
}

const marketing = () => asIdentity({ userId: adminId, scopes: ['promote:write'] }, 'promote');
const REDEEM = 'mutation($s: String!, $c: String!) { redeemCouponAtStore(storeCode: $s, code: $c) { couponId storeCode staffUserId } }';

async function clerkOf(store: string): Promise<string> {
  const admin = asIdentity({ userId: adminId, scopes: ['store:admin'] }, 'user');
  ok(await gql(userUrl, 'mutation($i: StoreInput!) { upsertStore(input: $i) { code } }', { i: { code: store, name: store } }, admin));
  const input = { username: `c_${store.toLowerCase().replace(/-/g, '_')}`, password: 'Passw0rd1', realName: '店员', roles: ['store'], storeCodes: [store] };
  return ok(await gql(userUrl, 'mutation($i: CreateStaffAccountInput!) { createStaffAccount(input: $i) { id } }', { i: input }, admin)).createStaffAccount.id;
}

async function couponsFor(shopperId: string, count: number) {
  const input = { name: `S-${tag}`, type: 'CASH', amount: 500, minSpend: 5000, validDays: 7, perUserLimit: 100 };
  const template = ok(await gql(url, 'mutation($input: CouponTemplateInput!) { createCouponTemplate(input: $input) { id } }', { input }, marketing())).createCouponTemplate;
  const shopper = asIdentity({ userId: shopperId }, 'promote');
  const coupons = [];
  for (let i = 0; i < count; i++) {
    coupons.push(ok(await gql(url, 'mutation($id: ID!) { claimCoupon(templateId: $id) { id counterCode } }', { id: template.id }, shopper)).claimCoupon);
  }
  return { template, coupons };
}

it('redeems a coupon once when 12 redemptions race, and refuses the account of another store', async () => {
  const clerkA = asIdentity({ userId: await clerkOf(`PA${tag}`), scopes: ['store:operate'] }, 'promote');
  const clerkB = asIdentity({ userId: await clerkOf(`PB${tag}`), scopes: ['store:operate'] }, 'promote');
  const shopperId = String(crypto.randomInt(1, 2 ** 47));
  const { coupons } = await couponsFor(shopperId, 1);
  const [coupon] = coupons;

  const other = await gql(url, REDEEM, { s: `PA${tag}`, c: coupon.counterCode }, clerkB);
  expect(other.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'NOT_ASSIGNED' });
  expect(codes(await gql(url, REDEEM, { s: `PA${tag}`, c: coupon.counterCode }, asIdentity({ userId: shopperId }, 'promote')))).toEqual(['FORBIDDEN']);
  expect(codes(await gql(url, REDEEM, { s: `PA${tag}`, c: '!!' }, clerkA))).toEqual(['BAD_USER_INPUT']);
  expect(codes(await gql(url, REDEEM, { s: `PA${tag}`, c: 'ABCDEF0123456789' }, clerkA))).toEqual(['NOT_FOUND']);

  const results = await Promise.all(Array.from({ length: 12 }, () => gql(url, REDEEM, { s: `PA${tag}`, c: coupon.counterCode }, clerkA)));
  expect(results.filter((r) => !r.errors)).toHaveLength(1);
  expect(results.filter((r) => r.errors?.[0].extensions?.reason === 'ALREADY_REDEEMED')).toHaveLength(11);
  expect(await db('coupons').where({ id: coupon.id }).first()).toMatchObject({ status: 'USED', order_id: null, used_at_store: `PA${tag}` });
  expect(await db('outbox').where({ type: 'CouponRedeemedAtStore', aggregate_id: coupon.id })).toHaveLength(1);
  // The invariant checker's coupon checks are about orders: a store's redemption is neither a hold nor a mismatch.
  expect((await couponHoldMismatches(db)).filter((m) => m.couponId === coupon.id)).toEqual([]);
  const holds = await couponHolds(db, 'USED', { afterId: String(Number(coupon.id) - 1), limit: 1 });
  expect(holds.filter((hold) => hold.couponId === coupon.id)).toEqual([]);
});

it('redeems by the redeem code a coupon came from, and never a coupon an order holds', async () => {
  const clerk = asIdentity({ userId: await clerkOf(`PC${tag}`), scopes: ['store:operate'] }, 'promote');
  const shopperId = String(crypto.randomInt(1, 2 ** 47));
  const { template, coupons } = await couponsFor(shopperId, 1);

  // A coupon locked by an order, racing a store redemption: exactly one of them has it.
  const orderId = String(crypto.randomInt(1, 2 ** 47));
  const lock = gql(url, 'mutation($c: ID!, $o: ID!) { lockCoupon(couponId: $c, orderId: $o) { status } }', { c: coupons[0].id, o: orderId }, asIdentity({ service: 'order', userId: shopperId }, 'promote'));
  const redeem = gql(url, REDEEM, { s: `PC${tag}`, c: coupons[0].counterCode }, clerk);
  const [locked, redeemed] = await Promise.all([lock, redeem]);
  expect([locked, redeemed].filter((r) => !r.errors)).toHaveLength(1);
  if (redeemed.errors) expect(redeemed.errors[0].extensions).toMatchObject({ code: 'CONFLICT', reason: 'COUPON_LOCKED' });

  const [code] = ok(await gql(url, 'mutation($id: ID!) { createCouponCodes(templateId: $id, count: 1) }', { id: template.id }, marketing())).createCouponCodes;
  const fromCode = ok(await gql(url, 'mutation($c: String!) { redeemCouponCode(code: $c) { id } }', { c: code }, asIdentity({ userId: shopperId }, 'promote'))).redeemCouponCode;
  const byRedeemCode = ok(await gql(url, REDEEM, { s: `PC${tag}`, c: code.toLowerCase() }, clerk)).redeemCouponAtStore;
  expect(byRedeemCode.couponId).toBe(fromCode.id);
  const owner = ok(await gql(url, 'query($c: String!) { couponOwnerByCode(code: $c) { couponId userId } }', { c: code }, asIdentity({ service: 'user' }, 'promote')));
  expect(owner.couponOwnerByCode).toEqual({ couponId: fromCode.id, userId: shopperId });
  expect(codes(await gql(url, 'query($c: String!) { couponOwnerByCode(code: $c) { couponId } }', { c: code }, clerk))).toEqual(['FORBIDDEN']);
});
