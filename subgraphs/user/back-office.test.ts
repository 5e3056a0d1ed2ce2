/**
 * The back office on the user subgraph against real PostgreSQL: the directory (batch code look-ups, keyset pages over
 * thousands of stores), staff accounts scoped to stores (a franchisee's admin reaches its stores only), roles, the
 * store-access answer other subgraphs get, terminals (one-time binding code, sign-in, revocation) and member
 * identification by phone and card.
 */
import crypto from 'node:crypto';
import { IDENTIFY_RULE } from './back-office-resolvers';
import type { Knex } from 'knex';
import { verifyAccessToken } from '../../platform/access-token';
import type { RunningSupergraph } from '../../app/launcher';
import { anonymousTo, asIdentity, codes, gql, startSupergraph, testConfig, uniquePhone, type GraphQLResponse } from '../../test/support/harness';
import { idempotent, type EventEnvelope } from '../../platform/events';
import { addDays, shanghaiDate } from '../../platform/shanghai-time';
import { insertMany } from './data/directory';
import { storeStatsConsumers } from './store-stats';

const config = testConfig();
let supergraph: RunningSupergraph;
let url: string;
let db: Knex;
let adminId: string;
const tag = crypto.randomBytes(3).toString('hex').toUpperCase();

beforeAll(async () => {
  supergraph = await startSupergraph({ subgraphs: ['user'], router: false });
  url = supergraph.subgraphs.user!.url;
  db = supergraph.subgraphs.user!.db;
  adminId = String((await db('users').where({ username: 'admin' }).first()).id);
});
afterAll(async () => {
  await supergraph?.stop();
});

const as = (userId: string, scopes: string[]) => asIdentity({ userId, scopes }, 'user');
const admin = () => as(adminId, ['store:admin', 'store:operate']);

function ok<T = any>(response: GraphQLResponse<T>): T {
  if (response.errors) throw new Error(`Unexpected errors: ${JSON.stringify(response.errors)}`);
  return response.data as T;
}

const STORES = `query($first: Int, $after: String, $filter: StoreFilter) { stores(first: $first, after: $after, filter: $filter) {
  edges { cursor node { code name status businessStatus franchisee { code } branch { code } } } pageInfo { hasNextPage endCursor } } }`;

async function createAccount(input: Record<string, unknown>, headers = admin()) {
  return gql(
    url,
    `mutation($input: CreateStaffAccountInput!) { createStaffAccount(input: $input) {
      id username realName allStores disabled roles permissions stores { code } } }`,
    { input },
    headers,
  );
}

async function setupStores() {
  ok(await gql(url, 'mutation($i: SalesBranchInput!) { upsertSalesBranch(input: $i) { code } }', { i: { code: `B${tag}`, name: '测试分公司' } }, admin()));
  ok(await gql(url, 'mutation($i: FranchiseeInput!) { upsertFranchisee(input: $i) { code } }', { i: { code: `F${tag}`, name: '测试加盟商' } }, admin()));
  for (const n of [1, 2]) {
    ok(
      await gql(
        url,
        'mutation($i: StoreInput!) { upsertStore(input: $i) { code franchisee { code } branch { code } } }',
        { i: { code: `S${tag}-${n}`, name: `测试店${n}`, franchiseeCode: `F${tag}`, branchCode: `B${tag}` } },
        admin(),
      ),
    );
  }
}

describe('directory', () => {
  beforeAll(setupStores);

  it('adds stores by code with their franchisee and branch, and refuses unknown relations', async () => {
    const [store] = ok(await gql(url, STORES, { filter: { codes: [`S${tag}-1`] } }, admin())).stores.edges.map((e: any) => e.node);
    expect(store).toEqual({ code: `S${tag}-1`, name: '测试店1', status: 'ACTIVE', businessStatus: 'OPEN', franchisee: { code: `F${tag}` }, branch: { code: `B${tag}` } });
    const bad = await gql(url, 'mutation($i: StoreInput!) { upsertStore(input: $i) { code } }', { i: { code: `S${tag}-9`, name: 'x', franchiseeCode: 'NOPE' } }, admin());
    expect(bad.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'franchiseeCode' });
    expect(await db('stores').where({ code: `S${tag}-9` }).first()).toBeUndefined();
  });

  it('pages thousands of stores by keyset, and finds a batch of 500 codes at once', async () => {
    const prefix = `K${tag}`;
    const rows = Array.from({ length: 3000 }, (_, i) => ({ code: `${prefix}-${String(i).padStart(4, '0')}`, name: `门店 ${prefix} ${i}` }));
    await insertMany(db, 'stores', rows);
    const seen = new Set<string>();
    let after: string | null = null;
    let pages = 0;
    do {
      const page: any = ok(await gql(url, STORES, { first: 100, after, filter: { keyword: prefix } }, admin())).stores;
      for (const edge of page.edges) seen.add(edge.node.code);
      after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
      pages++;
    } while (after);
    expect(seen.size).toBe(3000);
    expect(pages).toBe(30);

    const batch = rows.slice(1000, 1500).map((row) => row.code);
    const found = ok(await gql(url, STORES, { first: 100, filter: { codes: batch } }, admin())).stores;
    expect(found.edges).toHaveLength(100);
    expect(found.pageInfo.hasNextPage).toBe(true);
    const tooMany = await gql(url, STORES, { filter: { codes: [...batch, `${prefix}-X`] } }, admin());
    expect(tooMany.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'codes' });
  });

  it('is staff only', async () => {
    expect(codes(await gql(url, STORES, {}, as('999999999', [])))).toEqual(['FORBIDDEN']);
    expect(codes(await gql(url, STORES, {}, anonymousTo('user')))).toEqual(['UNAUTHENTICATED']);
    expect(codes(await gql(url, '{ franchisees { edges { node { code } } } }', {}, as('999999999', ['store:operate'])))).toEqual(['FORBIDDEN']);
  });
});

describe('staff accounts scoped to stores', () => {
  it('creates a franchisee admin who sees and manages only accounts of its stores, and cannot reach other stores', async () => {
    const franchiseeAdmin = ok(
      await createAccount({ username: `fa_${tag.toLowerCase()}`, password: 'Passw0rd1', realName: '加盟商管理员', roles: ['backoffice', 'store'], storeCodes: [`S${tag}-1`] }),
    ).createStaffAccount;
    expect(franchiseeAdmin).toMatchObject({ allStores: false, roles: ['backoffice', 'store'], permissions: ['store:admin', 'store:operate'], stores: [{ code: `S${tag}-1` }] });
    const fa = as(franchiseeAdmin.id, ['store:admin', 'store:operate']);

    // It creates a clerk for its store, but not for a store it does not have, and no super-admin.
    const clerk = ok(await createAccount({ username: `clerk_${tag.toLowerCase()}`, password: 'Passw0rd1', realName: '店员甲', phone: uniquePhone(), roles: ['store'], storeCodes: [`S${tag}-1`] }, fa)).createStaffAccount;
    expect(codes(await createAccount({ username: `x_${tag.toLowerCase()}`, password: 'Passw0rd1', realName: '越权', roles: ['store'], storeCodes: [`S${tag}-2`] }, fa))).toEqual(['FORBIDDEN']);
    expect(codes(await createAccount({ username: `y_${tag.toLowerCase()}`, password: 'Passw0rd1', realName: '越权', roles: ['store'], storeCodes: [], allStores: true }, fa))).toEqual(['FORBIDDEN']);
    expect(await db('users').whereIn('username', [`x_${tag.toLowerCase()}`, `y_${tag.toLowerCase()}`]).first()).toBeUndefined();
    // Nor an account with a role above its own permissions (admin holds every scope; finance payment:refund): those
    // reach the whole shop, not its store.
    const escalation = await createAccount({ username: `z_${tag.toLowerCase()}`, password: 'Passw0rd1', realName: '越权', roles: ['store', 'admin'], storeCodes: [`S${tag}-1`] }, fa);
    expect(escalation.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'ROLE_ABOVE_GRANTOR', field: 'roles' });
    expect(escalation.errors?.[0].message).toContain('admin');
    expect(await db('users').where({ username: `z_${tag.toLowerCase()}` }).first()).toBeUndefined();
    // store:operate is the exception: it acts only at the stores given, which are within the giver's reach.
    const storeAdminOnly = as(franchiseeAdmin.id, ['store:admin']);
    const cashier = ok(await createAccount({ username: `c_${tag.toLowerCase()}`, password: 'Passw0rd1', realName: '收银员', roles: ['store'], storeCodes: [`S${tag}-1`] }, storeAdminOnly)).createStaffAccount;
    expect(cashier.permissions).toEqual(['store:operate']);
    const raise = await gql(url, 'mutation($id: ID!) { updateStaffAccount(id: $id, input: { roles: ["store", "finance"] }) { roles } }', { id: clerk.id }, fa);
    expect(raise.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'ROLE_ABOVE_GRANTOR' });
    expect(ok(await gql(url, 'query($id: ID!) { staffAccount(id: $id) { roles } }', { id: clerk.id }, fa)).staffAccount.roles).toEqual(['store']);
    // Nor take over an account a super-admin gave more at its store: no password reset, no disabling, no edit.
    const treasurer = ok(await createAccount({ username: `t_${tag.toLowerCase()}`, password: 'Passw0rd1', realName: '财务', roles: ['store', 'finance'], storeCodes: [`S${tag}-1`] }, as(adminId, ['store:admin', 'store:operate', 'payment:refund']))).createStaffAccount;
    for (const attempt of [
      gql(url, 'mutation($id: ID!) { resetStaffPassword(id: $id, password: "Taken0ver1") { id } }', { id: treasurer.id }, fa),
      gql(url, 'mutation($id: ID!) { setStaffAccountDisabled(id: $id, disabled: true) { id } }', { id: treasurer.id }, fa),
      gql(url, 'mutation($id: ID!) { updateStaffAccount(id: $id, input: { roles: ["store"] }) { id } }', { id: treasurer.id }, fa),
    ]) expect((await attempt).errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'ROLE_ABOVE_GRANTOR' });
    expect(ok(await gql(url, 'query($id: ID!) { staffAccount(id: $id) { roles disabled } }', { id: treasurer.id }, admin())).staffAccount).toEqual({ roles: ['finance', 'store'], disabled: false });
    // Emptying an account of its stores would put it out of the admin's reach at once.
    const emptied = await gql(url, 'mutation($id: ID!) { updateStaffAccount(id: $id, input: { storeCodes: [] }) { id } }', { id: clerk.id }, fa);
    expect(emptied.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'storeCodes' });

    // Its list holds its own people only; the super-admin's holds them all (search by real name).
    const LIST = 'query($f: StaffAccountFilter) { staffAccounts(first: 50, filter: $f) { edges { node { id realName } } } }';
    const mine = ok(await gql(url, LIST, { f: { realName: '店员甲' } }, fa)).staffAccounts.edges.map((e: any) => e.node.id);
    expect(mine).toContain(clerk.id);
    const other = ok(await createAccount({ username: `other_${tag.toLowerCase()}`, password: 'Passw0rd1', realName: '别店店员', roles: ['store'], storeCodes: [`S${tag}-2`] })).createStaffAccount;
    expect(ok(await gql(url, LIST, { f: { realName: '别店店员' } }, fa)).staffAccounts.edges).toEqual([]);
    expect(ok(await gql(url, LIST, { f: { realName: '别店店员' } }, admin())).staffAccounts.edges.map((e: any) => e.node.id)).toContain(other.id);
    expect(codes(await gql(url, 'query($id: ID!) { staffAccount(id: $id) { id } }', { id: other.id }, fa))).toEqual(['NOT_FOUND']);

    // Store access as other subgraphs see it.
    const ACCESS = 'query($c: [StoreAccessCheck!]!) { storeAccess(checks: $c) { storeCode allowed reason } }';
    const promote = asIdentity({ service: 'promote' }, 'user');
    const access = ok(
      await gql(url, ACCESS, { c: [
        { userId: clerk.id, storeCode: `S${tag}-1` },
        { userId: clerk.id, storeCode: `S${tag}-2` },
        { userId: adminId, storeCode: `S${tag}-2` },
        { userId: clerk.id, storeCode: 'NO-SUCH' },
        { userId: '424242424242', storeCode: `S${tag}-1` },
      ] }, promote),
    ).storeAccess;
    expect(access).toEqual([
      { storeCode: `S${tag}-1`, allowed: true, reason: null },
      { storeCode: `S${tag}-2`, allowed: false, reason: 'NOT_ASSIGNED' },
      { storeCode: `S${tag}-2`, allowed: true, reason: null },
      { storeCode: 'NO-SUCH', allowed: false, reason: 'NO_SUCH_STORE' },
      { storeCode: `S${tag}-1`, allowed: false, reason: 'NOT_STAFF' },
    ]);
    expect(codes(await gql(url, ACCESS, { c: [] }, as(adminId, ['store:admin'])))).toEqual(['FORBIDDEN']);

    // Disabling ends sign-in at once; enabling gives it back. A reset password works and ends sessions.
    const LOGIN = 'mutation($a: String!, $p: String!) { login(input: { account: $a, password: $p }) { accessToken } }';
    ok(await gql(url, LOGIN, { a: `clerk_${tag.toLowerCase()}`, p: 'Passw0rd1' }, anonymousTo('user')));
    ok(await gql(url, 'mutation($id: ID!) { setStaffAccountDisabled(id: $id, disabled: true) { disabled } }', { id: clerk.id }, fa));
    expect(codes(await gql(url, LOGIN, { a: `clerk_${tag.toLowerCase()}`, p: 'Passw0rd1' }, anonymousTo('user')))).toEqual(['UNAUTHENTICATED']);
    expect(await db('sessions').where({ user_id: clerk.id }).whereNull('revoked_at').first()).toBeUndefined();
    const disabledAccess = ok(await gql(url, ACCESS, { c: [{ userId: clerk.id, storeCode: `S${tag}-1` }] }, promote)).storeAccess;
    expect(disabledAccess[0].reason).toBe('ACCOUNT_DISABLED');
    ok(await gql(url, 'mutation($id: ID!) { setStaffAccountDisabled(id: $id, disabled: false) { disabled } }', { id: clerk.id }, fa));
    ok(await gql(url, 'mutation($id: ID!) { resetStaffPassword(id: $id, password: "NewPassw0rd") { id } }', { id: clerk.id }, fa));
    const signedIn = ok(await gql(url, LOGIN, { a: `clerk_${tag.toLowerCase()}`, p: 'NewPassw0rd' }, anonymousTo('user'))).login;
    const claims = verifyAccessToken(signedIn.accessToken, config);
    expect(claims.scopes).toEqual(['store:operate']);
    // 修改当前账号密码: the current one is needed; the session making the change goes on, the others end.
    const self = asIdentity({ userId: clerk.id, scopes: claims.scopes, sessionId: claims.sessionId }, 'user');
    const CHANGE = 'mutation($c: String!, $n: String!) { changeMyPassword(currentPassword: $c, newPassword: $n) }';
    const second = ok(await gql(url, LOGIN, { a: `clerk_${tag.toLowerCase()}`, p: 'NewPassw0rd' }, anonymousTo('user'))).login;
    expect(codes(await gql(url, CHANGE, { c: 'Wrong0000', n: 'Third0ne99' }, self))).toEqual(['UNAUTHENTICATED']);
    expect(ok(await gql(url, CHANGE, { c: 'NewPassw0rd', n: 'Third0ne99' }, self)).changeMyPassword).toBe(true);
    const open = await db('sessions').where({ user_id: clerk.id }).whereNull('revoked_at').select('id');
    expect(open.map((row: { id: string }) => String(row.id))).toEqual([claims.sessionId]);
    expect(verifyAccessToken(second.accessToken, config).sessionId).not.toBe(claims.sessionId);
    ok(await gql(url, LOGIN, { a: `clerk_${tag.toLowerCase()}`, p: 'Third0ne99' }, anonymousTo('user')));

    // Its own detail: stores and permissions.
    const me = ok(await gql(url, '{ myStaffAccount { realName stores { code } permissions allStores } }', {}, as(clerk.id, ['store:operate']))).myStaffAccount;
    expect(me).toEqual({ realName: '店员甲', stores: [{ code: `S${tag}-1` }], permissions: ['store:operate'], allStores: false });
    expect(ok(await gql(url, '{ myStaffAccount { id } }', {}, as('424242424242', []))).myStaffAccount).toBeNull();
  });

  it('keeps custom roles to known permissions and leaves built-in roles alone', async () => {
    const name = `cashier-${tag.toLowerCase()}`;
    // Role definitions are staff:admin's (roles reach the whole shop); a store:admin only reads them, to pick roles.
    const storeAdmin = as(adminId, ['store:admin', 'store:operate']);
    expect(codes(await gql(url, 'mutation($n: String!) { createStaffRole(name: $n, scopes: ["store:operate"]) { name } }', { n: name }, storeAdmin))).toEqual(['FORBIDDEN']);
    expect(ok(await gql(url, '{ staffRoles { name } staffPermissions { scope } }', {}, storeAdmin)).staffRoles.length).toBeGreaterThan(0);
    expect(codes(await gql(url, '{ staffRoles { name } }', {}, as(adminId, ['store:operate'])))).toEqual(['FORBIDDEN']);
    // Who reads roles to assign them does not see every staff username (members).
    expect(codes(await gql(url, '{ staffRoles { name members } }', {}, storeAdmin))).toContain('FORBIDDEN');
    // A staff:admin defines roles only of permissions it holds.
    const narrow = await gql(url, 'mutation($n: String!) { createStaffRole(name: $n, scopes: ["payment:refund"]) { name } }', { n: name }, as(adminId, ['staff:admin']));
    expect(narrow.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'ROLE_ABOVE_GRANTOR' });
    const admin = () => as(adminId, ['staff:admin', 'store:operate', 'promote:write']);
    const created = ok(await gql(url, 'mutation($n: String!) { createStaffRole(name: $n, scopes: ["store:operate"]) { name scopes builtIn } }', { n: name }, admin()));
    expect(created.createStaffRole).toEqual({ name, scopes: ['store:operate'], builtIn: false });
    expect(codes(await gql(url, 'mutation($n: String!) { createStaffRole(name: $n, scopes: []) { name } }', { n: name }, admin()))).toEqual(['CONFLICT']);
    const unknown = await gql(url, 'mutation($n: String!) { updateStaffRole(name: $n, scopes: ["root:all"]) { name } }', { n: name }, admin());
    expect(unknown.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'scopes' });
    const builtIn = await gql(url, 'mutation { updateStaffRole(name: "admin", scopes: []) { name } }', {}, admin());
    expect(builtIn.errors?.[0].extensions).toMatchObject({ code: 'CONFLICT', reason: 'BUILT_IN_ROLE' });
    const updated = ok(await gql(url, 'mutation($n: String!) { updateStaffRole(name: $n, scopes: ["store:operate", "promote:write"]) { scopes } }', { n: name }, admin()));
    expect(updated.updateStaffRole.scopes).toEqual(['promote:write', 'store:operate']);
    const roles = ok(await gql(url, '{ staffRoles { name builtIn } staffPermissions { scope } }', {}, admin()));
    expect(roles.staffRoles).toEqual(expect.arrayContaining([{ name, builtIn: false }, { name: 'admin', builtIn: true }]));
    expect(roles.staffPermissions.map((p: any) => p.scope)).toContain('store:operate');
    expect(ok(await gql(url, 'mutation($n: String!) { deleteStaffRole(name: $n) }', { n: name }, admin())).deleteStaffRole).toBe(true);
  });
});

describe('terminals', () => {
  it('binds with a one-time code, signs in for its store only, and stops at revocation', async () => {
    const clerk = ok(await createAccount({ username: `tclerk_${tag.toLowerCase()}`, password: 'Passw0rd1', realName: '店员乙', roles: ['store'], storeCodes: [`S${tag}-2`] })).createStaffAccount;
    const staff = as(clerk.id, ['store:operate']);
    expect(codes(await gql(url, 'mutation($s: String!) { issueTerminalBindingCode(storeCode: $s) { code } }', { s: `S${tag}-1` }, staff))).toEqual(['FORBIDDEN']);
    const { code } = ok(await gql(url, 'mutation($s: String!) { issueTerminalBindingCode(storeCode: $s) { code expiresAt } }', { s: `S${tag}-2` }, staff)).issueTerminalBindingCode;
    const BIND = 'mutation($c: String!) { bindTerminal(code: $c, name: "收银台 1", deviceId: "POS-0001") { deviceSecret terminal { id name store { code } } } }';
    // Two devices race for one code: one terminal.
    const [a, b] = await Promise.all([gql(url, BIND, { c: code }, anonymousTo('user')), gql(url, BIND, { c: code.toLowerCase() }, anonymousTo('user'))]);
    const winners = [a, b].filter((r) => !r.errors);
    expect(winners).toHaveLength(1);
    expect([a, b].find((r) => r.errors)!.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'CODE_INVALID' });
    const bound = winners[0].data.bindTerminal;
    expect(bound.terminal.store).toEqual({ code: `S${tag}-2` });

    const SIGN_IN = 'mutation($s: String!) { terminalSignIn(deviceSecret: $s) { accessToken user { id scopes } } }';
    const session = ok(await gql(url, SIGN_IN, { s: bound.deviceSecret }, anonymousTo('user'))).terminalSignIn;
    expect(verifyAccessToken(session.accessToken, config).scopes).toEqual(['store:operate']);
    const promote = asIdentity({ service: 'promote' }, 'user');
    const ACCESS = 'query($c: [StoreAccessCheck!]!) { storeAccess(checks: $c) { allowed reason terminalId } }';
    const checks = [{ userId: session.user.id, storeCode: `S${tag}-2` }, { userId: session.user.id, storeCode: `S${tag}-1` }];
    expect(ok(await gql(url, ACCESS, { c: checks }, promote)).storeAccess).toEqual([
      { allowed: true, reason: null, terminalId: bound.terminal.id },
      { allowed: false, reason: 'NOT_ASSIGNED', terminalId: bound.terminal.id },
    ]);

    const list = ok(await gql(url, 'query($s: String!) { terminals(storeCode: $s) { edges { node { id deviceId lastSeenAt revokedAt } } } }', { s: `S${tag}-2` }, staff));
    expect(list.terminals.edges).toEqual([{ node: { id: bound.terminal.id, deviceId: 'POS-0001', lastSeenAt: expect.any(String), revokedAt: null } }]);
    expect(codes(await gql(url, 'query($id: ID!) { terminal(id: $id) { id } }', { id: bound.terminal.id }, as('424242424242', ['store:operate'])))).toEqual(['NOT_FOUND']);

    ok(await gql(url, 'mutation($id: ID!) { revokeTerminal(id: $id) { revokedAt } }', { id: bound.terminal.id }, staff));
    expect(codes(await gql(url, SIGN_IN, { s: bound.deviceSecret }, anonymousTo('user')))).toEqual(['UNAUTHENTICATED']);
    expect(ok(await gql(url, ACCESS, { c: checks.slice(0, 1) }, promote)).storeAccess[0]).toMatchObject({ allowed: false, reason: 'TERMINAL_REVOKED' });
    expect(await db('sessions').where({ user_id: session.user.id }).whereNull('revoked_at').first()).toBeUndefined();
  });
});

describe('member identification', () => {
  it('recognises a phone number and a member card at a store the clerk acts for', async () => {
    const clerk = ok(await createAccount({ username: `mclerk_${tag.toLowerCase()}`, password: 'Passw0rd1', realName: '店员丙', roles: ['store'], storeCodes: [`S${tag}-1`] })).createStaffAccount;
    const staff = as(clerk.id, ['store:operate']);
    const phone = uniquePhone();
    const member = ok(await gql(url, 'mutation($p: String!) { register(input: { phone: $p, password: "Member123" }) { user { id } } }', { p: phone }, anonymousTo('user'))).register.user;
    const IDENTIFY = 'query($s: String!, $c: String!) { identifyMember(storeCode: $s, code: $c) { kind userId maskedPhone membership { level } couponId } }';
    expect(ok(await gql(url, IDENTIFY, { s: `S${tag}-1`, c: phone }, staff)).identifyMember).toEqual({
      kind: 'PHONE',
      userId: member.id,
      maskedPhone: `${phone.slice(0, 3)}****${phone.slice(-4)}`,
      membership: { level: 'NONE' },
      couponId: null,
    });
    const card = `66${crypto.randomInt(1e9, 9e9)}`;
    ok(await gql(url, 'mutation($u: ID!, $n: String!) { setMemberCard(userId: $u, kind: ALIPAY, number: $n) { kind number } }', { u: member.id, n: card }, admin()));
    expect(ok(await gql(url, IDENTIFY, { s: `S${tag}-1`, c: card }, staff)).identifyMember).toMatchObject({ kind: 'ALIPAY_CARD', userId: member.id });
    expect(codes(await gql(url, IDENTIFY, { s: `S${tag}-2`, c: phone }, staff))).toEqual(['FORBIDDEN']);
    expect(codes(await gql(url, IDENTIFY, { s: `S${tag}-1`, c: '1' }, staff))).toEqual(['BAD_USER_INPUT']);
  });

  it('keeps a card number to one member: CONFLICT for another, nothing changed; refuses malformed input and store clerks', async () => {
    const REGISTER = 'mutation($p: String!) { register(input: { phone: $p, password: "Member123" }) { user { id } } }';
    const [first, second] = [
      ok(await gql(url, REGISTER, { p: uniquePhone() }, anonymousTo('user'))).register.user,
      ok(await gql(url, REGISTER, { p: uniquePhone() }, anonymousTo('user'))).register.user,
    ];
    const SET = 'mutation($u: ID!, $k: MemberCardKind!, $n: String!) { setMemberCard(userId: $u, kind: $k, number: $n) { kind number } }';
    const CARDS = 'query($u: ID!) { memberCards(userId: $u) { kind number } }';
    const card = `77${crypto.randomInt(1e9, 9e9)}`;
    expect(ok(await gql(url, SET, { u: first.id, k: 'WECHAT', n: card }, admin())).setMemberCard).toEqual([{ kind: 'WECHAT', number: card }]);
    // A number is unique per kind of card (the platforms number their cards independently).
    expect(codes(await gql(url, SET, { u: second.id, k: 'WECHAT', n: card }, admin()))).toEqual(['CONFLICT']);
    expect(ok(await gql(url, CARDS, { u: second.id }, admin())).memberCards).toEqual([]);
    expect(ok(await gql(url, CARDS, { u: first.id }, admin())).memberCards).toEqual([{ kind: 'WECHAT', number: card }]);
    const bad = await gql(url, CARDS, { u: 'abc' }, admin());
    expect(codes(bad)).toEqual(['BAD_USER_INPUT']);
    expect(bad.errors?.[0].extensions?.field).toBe('userId');
    expect(codes(await gql(url, SET, { u: 'abc', k: 'SHOP', n: '12345678' }, admin()))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await gql(url, SET, { u: second.id, k: 'SHOP', n: '1' }, admin()))).toEqual(['BAD_USER_INPUT']);
    const clerk = as(second.id, ['store:operate']);
    expect(codes(await gql(url, CARDS, { u: first.id }, clerk))).toEqual(['FORBIDDEN']);
    expect(codes(await gql(url, SET, { u: second.id, k: 'SHOP', n: '12345678' }, clerk))).toEqual(['FORBIDDEN']);
  });

  it('limits password change tries per account, as login does', async () => {
    const clerk = ok(await createAccount({ username: `pclerk_${tag.toLowerCase()}`, password: 'Passw0rd1', realName: '店员戊', roles: ['store'], storeCodes: [`S${tag}-1`] })).createStaffAccount;
    const self = as(clerk.id, ['store:operate']);
    const CHANGE = 'mutation($c: String!, $n: String!) { changeMyPassword(currentPassword: $c, newPassword: $n) }';
    for (let i = 0; i < config.loginRateLimit.maxFailures; i += 1) {
      expect(codes(await gql(url, CHANGE, { c: `Wrong${i}pass1`, n: 'Another0ne9' }, self))).not.toContain('RATE_LIMITED');
    }
    // Even the right password now waits: guessing stops here.
    expect(codes(await gql(url, CHANGE, { c: 'Passw0rd1', n: 'Another0ne9' }, self))).toEqual(['RATE_LIMITED']);
  });

  it('limits how many codes one account may try a minute, found or not', async () => {
    const clerk = ok(await createAccount({ username: `lclerk_${tag.toLowerCase()}`, password: 'Passw0rd1', realName: '店员丁', roles: ['store'], storeCodes: [`S${tag}-1`] })).createStaffAccount;
    const staff = as(clerk.id, ['store:operate']);
    const IDENTIFY = 'query($s: String!, $c: String!) { identifyMember(storeCode: $s, code: $c) { kind } }';
    const answers = [];
    for (let i = 0; i < IDENTIFY_RULE.limit; i += 1) answers.push(codes(await gql(url, IDENTIFY, { s: `S${tag}-1`, c: uniquePhone() }, staff)));
    expect(answers.flat()).not.toContain('RATE_LIMITED');
    expect(codes(await gql(url, IDENTIFY, { s: `S${tag}-1`, c: uniquePhone() }, staff))).toEqual(['RATE_LIMITED']);
  });
});

describe('statistics', () => {
  it('counts an online order placed, paid, completed and a refund, once each even when an event comes twice', async () => {
    const [orders] = storeStatsConsumers();
    const handle = idempotent(db, 'store-stats', orders.effect);
    // A day of its own far in the past, so other tests' events do not mix in.
    const day = addDays(shanghaiDate(Date.now()), -1000 - crypto.randomInt(0, 5000));
    const at = new Date(`${day}T04:00:00.000Z`).toISOString();
    const orderId = String(crypto.randomInt(1, 2 ** 47));
    const skuId = String(crypto.randomInt(1, 2 ** 47));
    const envelope = (type: string, payload: unknown): EventEnvelope => ({ id: crypto.randomUUID(), stream: 'shop.order.order', type, aggregateId: orderId, payload, occurredAt: at } as EventEnvelope);
    const placed = envelope('OrderPlaced', { orderId, userId: '1', cartItemIds: [], total: 12_345 });
    expect(await handle(placed)).toBe(true);
    expect(await handle(placed)).toBe(false);
    await handle(envelope('OrderStatusChanged', { orderId, userId: '1', from: 'PENDING_PAYMENT', to: 'PAID', at, actor: 'payment', reason: null }));
    await handle(envelope('OrderCompleted', { orderId, userId: '1', completedAt: at, lines: [{ orderItemId: '1', productId: '7', skuId, quantity: 3 }] }));
    await handle(envelope('OrderStatusChanged', { orderId, userId: '1', from: 'REFUNDING', to: 'REFUNDED', at, actor: 'staff', reason: null }));

    const STATS = 'query($d: String!) { storeStatistics(storeCode: "ONLINE", from: $d, to: $d) { totals { ordersPlaced ordersPaid salesAmount ordersRefunded refundedAmount } days { day } } }';
    const overview = ok(await gql(url, STATS, { d: day }, admin())).storeStatistics;
    expect(overview.totals).toEqual({ ordersPlaced: 1, ordersPaid: 1, salesAmount: 12_345, ordersRefunded: 1, refundedAmount: 12_345 });
    expect(overview.days).toEqual([{ day }]);
    const sales = ok(await gql(url, 'query($d: String!) { storeSkuSales(storeCode: "ONLINE", from: $d, to: $d) { skuId quantity orders } }', { d: day }, admin()));
    expect(sales.storeSkuSales).toEqual([{ skuId, quantity: 3, orders: 1 }]);
    const bad = await gql(url, 'query { storeStatistics(storeCode: "ONLINE", from: "2026-01-01", to: "2027-06-01") { from } }', {}, admin());
    expect(bad.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'to' });
  });
});
