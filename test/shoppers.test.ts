/**
 * Customer service's reads of shoppers (docs/shoppers.md) on real PostgreSQL: the look-up and detail on the user
 * subgraph (scope customer:read, masked mobile in the list, one access-log row per detail read, refusals changing
 * nothing), the staff wallet read on payment (recorded in user's log before it answers), and the federated
 * `shopper { wallet }` through the router with real staff tokens (open runs for the router's safelist manifests).
 */
import crypto from 'node:crypto';
import type { Knex } from 'knex';
import type { RunningSupergraph } from '../app/launcher';
import { migrations } from '../subgraphs/user/migrations';
import { SHOPPER_READ_RULE } from '../subgraphs/user/shoppers';
import { createStaff } from '../subgraphs/user/staff';
import { asIdentity, bearer, codes, gql, startSupergraph, uniquePhone, type GraphQLResponse } from './support/harness';

let supergraph: RunningSupergraph;
let router: string;
let userUrl: string;
let paymentUrl: string;
let userDb: Knex;
const tag = crypto.randomBytes(3).toString('hex');

beforeAll(async () => {
  supergraph = await startSupergraph({ subgraphs: ['user', 'payment', 'open'], router: true });
  router = supergraph.routerUrl!;
  userUrl = supergraph.subgraphs.user!.url;
  paymentUrl = supergraph.subgraphs.payment!.url;
  userDb = supergraph.subgraphs.user!.db;
});
afterAll(async () => {
  await supergraph?.stop();
});

function ok<T = any>(response: GraphQLResponse<T>): T {
  if (response.errors) throw new Error(`Unexpected errors: ${JSON.stringify(response.errors)}`);
  return response.data as T;
}

// Per run: look-ups are counted per staff account (in Redis, across runs).
const STAFF_ID = String(900_000_000 + crypto.randomInt(0, 99_999_999));
const reader = (audience: 'user' | 'payment' = 'user') => asIdentity({ userId: STAFF_ID, scopes: ['customer:read'] }, audience);
const noScope = (audience: 'user' | 'payment' = 'user') => asIdentity({ userId: STAFF_ID, scopes: ['order:write', 'staff:admin'] }, audience);
const staffAdmin = () => asIdentity({ userId: STAFF_ID, scopes: ['staff:admin'] }, 'user');

async function newShopper(nickname: string): Promise<{ id: string; phone: string }> {
  const phone = uniquePhone();
  const [row] = await userDb('users').insert({ phone, nickname }).returning('id');
  const id = String(row.id);
  await userDb('addresses').insert({ user_id: id, contact_name: '张三', phone, province: '广东省', city: '深圳市', district: '南山区', detail: '科技园1号', is_default: true });
  return { id, phone };
}

const logRows = (shopperId: string) => userDb('shopper_access_log').where({ shopper_id: shopperId }).orderBy('id');

const SHOPPERS = `query($f: ShopperFilter!, $first: Int, $after: String) { shoppers(filter: $f, first: $first, after: $after) {
  edges { cursor node { id nickname mobile registeredAt familyCount membership { level } addresses { id } } } pageInfo { hasNextPage endCursor } } }`;
const SHOPPER = `query($id: ID!) { shopper(id: $id) { id nickname mobile addresses { contactName phone city detail isDefault } membership { level } familyCount } }`;

describe('user subgraph: look-up and detail', () => {
  it('finds a shopper by exact mobile with the mobile masked and no addresses, recording nothing', async () => {
    const shopper = await newShopper(`甲${tag}`);
    const data = ok(await gql(userUrl, SHOPPERS, { f: { mobile: shopper.phone } }, reader()));
    expect(data.shoppers.edges).toHaveLength(1);
    expect(data.shoppers.edges[0].node).toMatchObject({
      id: shopper.id,
      nickname: `甲${tag}`,
      mobile: `${shopper.phone.slice(0, 3)}****${shopper.phone.slice(-4)}`,
      familyCount: 0,
      membership: { level: 'NONE' },
      addresses: null,
    });
    // A part of the number matches nothing: the mobile is an exact match.
    expect(codes(await gql(userUrl, SHOPPERS, { f: { mobile: shopper.phone.slice(0, 7) } }, reader()))).toEqual(['BAD_USER_INPUT']);
    expect(await logRows(shopper.id)).toEqual([]);
  });

  it('pages by nickname prefix (newest first, LIKE characters literal) and by user id', async () => {
    const made = [];
    for (let i = 0; i < 3; i++) made.push(await newShopper(`乙${tag}_${i}`));
    await newShopper(`乙${tag}x9`); // `_` is literal: not matched by 乙tag_
    const first = ok(await gql(userUrl, SHOPPERS, { f: { nickname: `乙${tag}_` }, first: 2 }, reader()));
    expect(first.shoppers.edges.map((e: any) => e.node.id)).toEqual([made[2].id, made[1].id]);
    expect(first.shoppers.pageInfo.hasNextPage).toBe(true);
    const second = ok(await gql(userUrl, SHOPPERS, { f: { nickname: `乙${tag}_` }, first: 2, after: first.shoppers.pageInfo.endCursor }, reader()));
    expect(second.shoppers.edges.map((e: any) => e.node.id)).toEqual([made[0].id]);
    expect(second.shoppers.pageInfo.hasNextPage).toBe(false);
    const byId = ok(await gql(userUrl, SHOPPERS, { f: { userId: made[1].id } }, reader()));
    expect(byId.shoppers.edges.map((e: any) => e.node.id)).toEqual([made[1].id]);
  });

  it('leaves staff accounts out of the look-up', async () => {
    const admin = await userDb('users').where({ username: 'admin' }).first();
    expect(ok(await gql(userUrl, SHOPPERS, { f: { userId: String(admin.id) } }, reader())).shoppers.edges).toEqual([]);
    expect(codes(await gql(userUrl, SHOPPER, { id: String(admin.id) }, reader()))).toEqual(['NOT_FOUND']);
  });

  it('refuses a look-up without a condition or with bad ones (BAD_USER_INPUT with the field)', async () => {
    const fieldOf = async (f: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
      (await gql(userUrl, SHOPPERS, { f, ...extra }, reader())).errors?.[0].extensions;
    expect(await fieldOf({})).toMatchObject({ code: 'BAD_USER_INPUT', field: 'filter' });
    expect(await fieldOf({ nickname: '   ' })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'filter' });
    expect(await fieldOf({ mobile: '12345' })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'mobile' });
    expect(await fieldOf({ userId: 'abc' })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'userId' });
    expect(await fieldOf({ nickname: 'x'.repeat(65) })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'nickname' });
    expect(await fieldOf({ nickname: 'a' }, { first: 0 })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'first' });
  });

  it('shows the detail in full and records exactly one PROFILE row per read', async () => {
    const shopper = await newShopper(`丙${tag}`);
    const data = ok(await gql(userUrl, SHOPPER, { id: shopper.id }, reader()));
    expect(data.shopper).toEqual({
      id: shopper.id,
      nickname: `丙${tag}`,
      mobile: shopper.phone,
      addresses: [{ contactName: '张三', phone: shopper.phone, city: '深圳市', detail: '科技园1号', isDefault: true }],
      membership: { level: 'NONE' },
      familyCount: 0,
    });
    const rows = await logRows(shopper.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ staff_user_id: STAFF_ID, what: 'PROFILE' });
    ok(await gql(userUrl, SHOPPER, { id: shopper.id }, reader()));
    expect(await logRows(shopper.id)).toHaveLength(2);
  });

  it('refuses callers without customer:read (FORBIDDEN) and unknown ids (NOT_FOUND), recording nothing', async () => {
    const shopper = await newShopper(`丁${tag}`);
    expect(codes(await gql(userUrl, SHOPPERS, { f: { mobile: shopper.phone } }, noScope()))).toEqual(['FORBIDDEN']);
    expect(codes(await gql(userUrl, SHOPPER, { id: shopper.id }, noScope()))).toEqual(['FORBIDDEN']);
    expect(codes(await gql(userUrl, SHOPPER, { id: shopper.id }, asIdentity({ userId: shopper.id }, 'user')))).toEqual(['FORBIDDEN']);
    expect(codes(await gql(userUrl, SHOPPER, { id: shopper.id }, asIdentity({}, 'user')))).toEqual(['UNAUTHENTICATED']);
    expect(await logRows(shopper.id)).toEqual([]);
    expect(codes(await gql(userUrl, SHOPPER, { id: '999999999999' }, reader()))).toEqual(['NOT_FOUND']);
    expect(codes(await gql(userUrl, SHOPPER, { id: 'nope' }, reader()))).toEqual(['NOT_FOUND']);
  });

  it('shows the access log to staff:admin only, newest first, per shopper', async () => {
    const shopper = await newShopper(`戊${tag}`);
    ok(await gql(userUrl, SHOPPER, { id: shopper.id }, reader()));
    ok(await gql(userUrl, SHOPPER, { id: shopper.id }, reader()));
    const LOG = 'query($u: ID, $first: Int) { shopperAccessLog(userId: $u, first: $first) { edges { node { id staffUserId shopperId what at } } pageInfo { hasNextPage } } }';
    const log = ok(await gql(userUrl, LOG, { u: shopper.id, first: 1 }, staffAdmin()));
    expect(log.shopperAccessLog.edges).toHaveLength(1);
    expect(log.shopperAccessLog.edges[0].node).toMatchObject({ staffUserId: STAFF_ID, shopperId: shopper.id, what: 'PROFILE' });
    expect(log.shopperAccessLog.pageInfo.hasNextPage).toBe(true);
    expect(codes(await gql(userUrl, LOG, { u: shopper.id }, reader()))).toEqual(['FORBIDDEN']);
    expect(codes(await gql(userUrl, LOG, { u: 'x' }, staffAdmin()))).toEqual(['BAD_USER_INPUT']);
  });

  it('filters the access log by staff member and time range, keyset paging kept, and refuses a bad range', async () => {
    const shopper = await newShopper(`庚${tag}`);
    const other = String(Number(STAFF_ID) + 1);
    // Rows at known instants, from two staff members: the filters, not the insertion order, decide what shows.
    const at = (minutes: number) => new Date(Date.UTC(2026, 0, 10, 8, minutes));
    await userDb('shopper_access_log').insert([
      { staff_user_id: STAFF_ID, shopper_id: shopper.id, what: 'PROFILE', created_at: at(0) },
      { staff_user_id: other, shopper_id: shopper.id, what: 'PROFILE', created_at: at(5) },
      { staff_user_id: STAFF_ID, shopper_id: shopper.id, what: 'WALLET', created_at: at(10) },
      { staff_user_id: STAFF_ID, shopper_id: shopper.id, what: 'PROFILE', created_at: at(20) },
      { staff_user_id: STAFF_ID, shopper_id: shopper.id, what: 'PROFILE', created_at: at(30) },
    ]);
    const LOG = `query($u: ID, $s: ID, $from: String, $to: String, $first: Int, $after: String) {
      shopperAccessLog(userId: $u, staffUserId: $s, from: $from, to: $to, first: $first, after: $after) {
        edges { node { staffUserId what at } } pageInfo { hasNextPage endCursor } } }`;
    const times = (data: any) => data.shopperAccessLog.edges.map((edge: any) => new Date(edge.node.at).toISOString());
    const byOther = ok(await gql(userUrl, LOG, { u: shopper.id, s: other }, staffAdmin()));
    expect(byOther.shopperAccessLog.edges.map((edge: any) => edge.node)).toEqual([{ staffUserId: other, what: 'PROFILE', at: expect.any(String) }]);
    // from inclusive, to exclusive; in +08:00 to show offsets count.
    const range = { u: shopper.id, s: STAFF_ID, from: '2026-01-10T16:00:00+08:00', to: '2026-01-10T08:30:00Z' };
    expect(times(ok(await gql(userUrl, LOG, range, staffAdmin())))).toEqual([at(20), at(10), at(0)].map((d) => d.toISOString()));
    const first = ok(await gql(userUrl, LOG, { ...range, first: 2 }, staffAdmin()));
    expect(times(first)).toEqual([at(20), at(10)].map((d) => d.toISOString()));
    expect(first.shopperAccessLog.pageInfo.hasNextPage).toBe(true);
    const second = ok(await gql(userUrl, LOG, { ...range, first: 2, after: first.shopperAccessLog.pageInfo.endCursor }, staffAdmin()));
    expect(times(second)).toEqual([at(0).toISOString()]);
    expect(second.shopperAccessLog.pageInfo.hasNextPage).toBe(false);
    // Only one end: everything after (or before) it.
    expect(times(ok(await gql(userUrl, LOG, { u: shopper.id, from: at(20).toISOString() }, staffAdmin())))).toEqual([at(30), at(20)].map((d) => d.toISOString()));
    expect(times(ok(await gql(userUrl, LOG, { u: shopper.id, to: at(5).toISOString() }, staffAdmin())))).toEqual([at(0).toISOString()]);
    const fieldOf = async (variables: Record<string, unknown>) => (await gql(userUrl, LOG, variables, staffAdmin())).errors?.[0]?.extensions;
    expect(await fieldOf({ from: '2026-01-10T08:30:00Z', to: '2026-01-10T08:30:00Z' })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'to' });
    expect(await fieldOf({ from: '2026-01-10T09:00:00Z', to: '2026-01-10T08:00:00Z' })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'to' });
    expect(await fieldOf({ from: '2026-01-10 08:00' })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'from' });
    expect(await fieldOf({ to: '2026-02-30T08:00:00Z' })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'to' });
    expect(await fieldOf({ s: 'abc' })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'staffUserId' });
    expect(codes(await gql(userUrl, LOG, { s: STAFF_ID }, reader()))).toEqual(['FORBIDDEN']);
  });

  it('limits look-ups and detail views per staff account, found or not', async () => {
    const busyId = String(800_000_000 + crypto.randomInt(0, 99_999_999));
    const busy = asIdentity({ userId: busyId, scopes: ['customer:read'] }, 'user');
    const answers = [];
    for (let i = 0; i < SHOPPER_READ_RULE.limit; i += 1) answers.push(codes(await gql(userUrl, SHOPPERS, { f: { mobile: uniquePhone() } }, busy)));
    expect(answers.flat()).toEqual([]);
    const shopper = await newShopper(`限${tag}`);
    expect(codes(await gql(userUrl, SHOPPER, { id: shopper.id }, busy))).toEqual(['RATE_LIMITED']);
    expect(await logRows(shopper.id)).toEqual([]);
    // Wallet reads (payment records them here first) count against the same limit: nothing shown, nothing recorded.
    const walletRead = await gql(paymentUrl, WALLET, { u: shopper.id }, asIdentity({ userId: busyId, scopes: ['customer:read'] }, 'payment'));
    expect(walletRead.data?.shopperWallet ?? null).toBeNull();
    expect(codes(walletRead)).toEqual(['RATE_LIMITED']);
    expect(await logRows(shopper.id)).toEqual([]);
    // Another account is not held back.
    ok(await gql(userUrl, SHOPPER, { id: shopper.id }, reader()));
  });

  it('takes access records from payment only', async () => {
    const shopper = await newShopper(`己${tag}`);
    const RECORD = 'mutation($s: ID!, $ids: [ID!]!) { recordShopperAccess(staffUserId: $s, shopperIds: $ids, what: WALLET) }';
    expect(codes(await gql(userUrl, RECORD, { s: STAFF_ID, ids: [shopper.id] }, reader()))).toEqual(['FORBIDDEN']);
    expect(codes(await gql(userUrl, RECORD, { s: STAFF_ID, ids: [shopper.id] }, asIdentity({ service: 'order' }, 'user')))).toEqual(['FORBIDDEN']);
    expect(await logRows(shopper.id)).toEqual([]);
  });
});

const WALLET = `query($u: ID!) { shopperWallet(userId: $u) { balance bills(first: 10) { edges { node { amount kind note } } pageInfo { hasNextPage } } } }`;
const CREDIT = `mutation($u: ID!, $a: Int!, $k: String!) { creditWallet(userId: $u, amount: $a, note: "客服补偿", idempotencyKey: $k) { id } }`;
const refunder = () => asIdentity({ userId: STAFF_ID, scopes: ['payment:refund'] }, 'payment');

describe('payment subgraph: a shopper\'s wallet for customer service', () => {
  it('answers the shopper\'s balance and bills and records one WALLET row first', async () => {
    const shopper = await newShopper(`庚${tag}`);
    ok(await gql(paymentUrl, CREDIT, { u: shopper.id, a: 1250, k: `sw-credit-${shopper.id}-1` }, refunder()));
    const data = ok(await gql(paymentUrl, WALLET, { u: shopper.id }, reader('payment')));
    expect(data.shopperWallet).toEqual({ balance: 1250, bills: { edges: [{ node: { amount: 1250, kind: 'CREDIT', note: `客服补偿 (staff:${STAFF_ID})` } }], pageInfo: { hasNextPage: false } } });
    const rows = await logRows(shopper.id);
    expect(rows.map((row: { what: string; staff_user_id: string }) => [row.what, String(row.staff_user_id)])).toEqual([['WALLET', STAFF_ID]]);
  });

  it('refuses without customer:read (even with payment:refund) and malformed ids, recording nothing', async () => {
    const shopper = await newShopper(`辛${tag}`);
    expect(codes(await gql(paymentUrl, WALLET, { u: shopper.id }, refunder()))).toEqual(['FORBIDDEN']);
    expect(codes(await gql(paymentUrl, WALLET, { u: shopper.id }, asIdentity({ userId: shopper.id }, 'payment')))).toEqual(['FORBIDDEN']);
    expect(codes(await gql(paymentUrl, WALLET, { u: 'abc' }, reader('payment')))).toEqual(['NOT_FOUND']);
    expect(await logRows(shopper.id)).toEqual([]);
  });
});

describe('through the router: the federated wallet on the staff view', () => {
  async function staffToken(role: string): Promise<Record<string, string>> {
    const username = `s_${role.slice(0, 6)}_${crypto.randomBytes(4).toString('hex')}`;
    await createStaff(userDb, { username, role, password: 'shoppers-pass-1' });
    const signedIn = ok(await gql(router, 'mutation($input: LoginInput!) { login(input: $input) { accessToken } }', { input: { account: username, password: 'shoppers-pass-1' } }));
    return bearer(signedIn.login.accessToken);
  }

  it('shows an admin the detail with the wallet; the shopper\'s log has PROFILE and WALLET from that admin', async () => {
    const shopper = await newShopper(`壬${tag}`);
    ok(await gql(paymentUrl, CREDIT, { u: shopper.id, a: 990, k: `sw-credit-${shopper.id}-r` }, refunder()));
    const admin = await staffToken('admin');
    const DETAIL = 'query($id: ID!) { shopper(id: $id) { id mobile wallet { balance bills(first: 5) { edges { node { amount kind } } } } } }';
    const data = ok(await gql(router, DETAIL, { id: shopper.id }, admin));
    expect(data.shopper).toEqual({ id: shopper.id, mobile: shopper.phone, wallet: { balance: 990, bills: { edges: [{ node: { amount: 990, kind: 'CREDIT' } }] } } });
    const rows = await logRows(shopper.id);
    expect(rows.map((row: { what: string }) => row.what).sort()).toEqual(['PROFILE', 'WALLET']);
    expect(new Set(rows.map((row: { staff_user_id: string }) => String(row.staff_user_id))).size).toBe(1);
    // The list's wallets: balances for every shopper in one request, each read recorded.
    const listed = ok(await gql(router, '{ shoppers(filter: { nickname: "壬' + tag + '" }) { edges { node { mobile wallet { balance } } } } }', {}, admin));
    expect(listed.shoppers.edges[0].node).toEqual({ mobile: `${shopper.phone.slice(0, 3)}****${shopper.phone.slice(-4)}`, wallet: { balance: 990 } });
  });

  it('refuses a catalog clerk (FORBIDDEN) and a shopper', async () => {
    const shopper = await newShopper(`癸${tag}`);
    const clerk = await staffToken('catalog');
    expect(codes(await gql(router, 'query($id: ID!) { shopper(id: $id) { id } }', { id: shopper.id }, clerk))).toEqual(['FORBIDDEN']);
    expect(codes(await gql(router, 'query($u: ID!) { shopperWallet(userId: $u) { balance } }', { u: shopper.id }, clerk))).toEqual(['FORBIDDEN']);
    expect(await logRows(shopper.id)).toEqual([]);
  });
});

describe('migration 600', () => {
  it('gives an existing admin role customer:read and the 会员/顾客 menu, leaving other roles as admins edited them', async () => {
    await createStaff(userDb, { username: `m_admin_${tag}`, role: 'admin', password: 'shoppers-pass-1' });
    await createStaff(userDb, { username: `m_cat_${tag}`, role: 'catalog', password: 'shoppers-pass-1' });
    const admin = await userDb('roles').where({ name: 'admin' }).first();
    const catalog = await userDb('roles').where({ name: 'catalog' }).first();
    // As before the migration: the admin role without the scope and the menu.
    await userDb('role_scopes').where({ role_id: admin.id, scope: 'customer:read' }).delete();
    await userDb('role_menus').where({ role_id: admin.id, menu_key: 'shoppers' }).delete();
    const catalogMenus = async () => (await userDb('role_menus').where({ role_id: catalog.id }).orderBy('menu_key')).map((row: { menu_key: string }) => row.menu_key);
    const before = await catalogMenus();
    await migrations.find((migration) => migration.name === '600_shopper_lookup')!.up(userDb);
    expect(await userDb('role_scopes').where({ role_id: admin.id, scope: 'customer:read' })).toHaveLength(1);
    expect(await userDb('role_menus').where({ role_id: admin.id, menu_key: 'shoppers' })).toHaveLength(1);
    expect(await catalogMenus()).toEqual(before);
    expect(before).not.toContain('shoppers');
  });
});
