/**
 * The operations console's own API through the router (docs/console.md): menus by role (seed 004 §3.1.1) with the
 * staff admin's edits, and the staff order search and today's figures in order. Real PostgreSQL, real tokens.
 */
import crypto from 'node:crypto';
import type { RunningSupergraph } from '../app/launcher';
import { placeTestOrder, registerUser } from '../subgraphs/order/test/fixtures';
import { migrations } from '../subgraphs/user/migrations';
import { createStaff } from '../subgraphs/user/staff';
import { bearer, codes, gql, startSupergraph } from './support/harness';

let supergraph: RunningSupergraph;
let router: string;

beforeAll(async () => {
  supergraph = await startSupergraph();
  router = supergraph.routerUrl!;
});
afterAll(async () => {
  await supergraph?.stop();
});

async function staffToken(role: string): Promise<Record<string, string>> {
  const username = `c_${role.slice(0, 6)}_${crypto.randomBytes(4).toString('hex')}`;
  const password = 'console-pass-1';
  await createStaff(supergraph.subgraphs.user!.db, { username, role, password });
  const signedIn = await gql(router, 'mutation($input: LoginInput!) { login(input: $input) { accessToken } }', { input: { account: username, password } });
  expect(signedIn.errors).toBeUndefined();
  return bearer(signedIn.data.login.accessToken);
}

const MY_MENUS = '{ myConsoleMenus { key name parentKey path scope } }';
const keysOf = (response: { data?: { myConsoleMenus: { key: string }[] } }) => response.data!.myConsoleMenus.map((menu) => menu.key);

describe('console menus by role', () => {
  it('shows each role its default menus, directories included, and a shopper none', async () => {
    const admin = await gql(router, MY_MENUS, {}, await staffToken('admin'));
    expect(keysOf(admin)).toEqual([
      'shop', 'dashboard', 'orders', 'shoppers', 'catalog', 'coupons', 'open', 'open-apps', 'open-apis', 'open-logs', 'open-stats',
      'backoffice', 'bo-identify', 'bo-redeem', 'bo-stats', 'bo-inventory', 'bo-terminals', 'bo-stores', 'bo-franchisees', 'bo-branches', 'bo-accounts',
      'bo-roles', 'bo-member-cards', 'system', 'roles', 'clients', 'shopper-access',
    ]);
    expect(admin.data.myConsoleMenus[2]).toEqual({ key: 'orders', name: '订单', parentKey: 'shop', path: '/orders', scope: 'order:write' });
    expect(keysOf(await gql(router, MY_MENUS, {}, await staffToken('catalog')))).toEqual(['shop', 'catalog', 'backoffice', 'bo-inventory']);
    expect(keysOf(await gql(router, MY_MENUS, {}, await staffToken('open')))).toEqual(['open', 'open-apps', 'open-apis', 'open-logs', 'open-stats']);
    // The back office (seed 001): its admins keep the directory and accounts, store staff work the counter.
    expect(keysOf(await gql(router, MY_MENUS, {}, await staffToken('backoffice')))).toEqual(['backoffice', 'bo-stores', 'bo-franchisees', 'bo-branches', 'bo-accounts', 'bo-roles', 'bo-member-cards']);
    expect(keysOf(await gql(router, MY_MENUS, {}, await staffToken('store')))).toEqual(['backoffice', 'bo-identify', 'bo-redeem', 'bo-stats', 'bo-terminals']);
    // Release managers (clients:admin) see the client releases page alone, in its directory.
    expect(keysOf(await gql(router, MY_MENUS, {}, await staffToken('releases')))).toEqual(['system', 'clients']);
    const shopper = await registerUser(router);
    expect(keysOf(await gql(router, MY_MENUS, {}, bearer(shopper.accessToken)))).toEqual([]);
    expect(keysOf(await gql(router, MY_MENUS))).toEqual([]);
  });

  it('gives roles that existed before the back office menus their defaults (migration 501), keeping admins\' edits', async () => {
    await staffToken('store');
    const db = supergraph.subgraphs.user!.db;
    const role = await db('roles').where({ name: 'store' }).first();
    const menusOfRole = async () => (await db('role_menus').where({ role_id: role.id }).orderBy('menu_key')).map((row: { menu_key: string }) => row.menu_key);
    // As before the menus existed, plus an admin's edit that the migration must not undo.
    await db('role_menus').where({ role_id: role.id }).delete();
    await db('role_menus').insert({ role_id: role.id, menu_key: 'coupons' });
    await migrations.find((migration) => migration.name === '501_back_office_menus')!.up(db);
    try {
      expect(await menusOfRole()).toEqual(['backoffice', 'bo-identify', 'bo-redeem', 'bo-stats', 'bo-terminals', 'coupons']);
    } finally {
      await db('role_menus').where({ role_id: role.id, menu_key: 'coupons' }).delete();
    }
  });

  it('gives roles that existed before the client releases page its defaults (migration 630), nothing more', async () => {
    await staffToken('releases');
    const db = supergraph.subgraphs.user!.db;
    const releases = await db('roles').where({ name: 'releases' }).first();
    const open = await db('roles').where({ name: 'open' }).first();
    const menusOf = async (roleId: string) => (await db('role_menus').where({ role_id: roleId }).orderBy('menu_key')).map((row: { menu_key: string }) => row.menu_key);
    const openBefore = await menusOf(open.id);
    await db('role_menus').where({ role_id: releases.id }).delete();
    await migrations.find((migration) => migration.name === '630_client_releases_menu')!.up(db);
    expect(await menusOf(releases.id)).toEqual(['clients', 'system']);
    expect(await menusOf(open.id)).toEqual(openBefore);
  });

  it('gives the shoppers\' access log menu (migration 650) to admin roles that existed before it, and to no other role', async () => {
    await staffToken('admin');
    await staffToken('releases');
    const db = supergraph.subgraphs.user!.db;
    const menusOf = async (name: string) => {
      const role = await db('roles').where({ name }).first();
      return (await db('role_menus').where({ role_id: role.id }).orderBy('menu_key')).map((row: { menu_key: string }) => row.menu_key);
    };
    const adminRole = await db('roles').where({ name: 'admin' }).first();
    const releasesBefore = await menusOf('releases');
    // As before migration 650: no such menu row, so no grant either.
    await db('role_menus').where({ menu_key: 'shopper-access' }).delete();
    await db('console_menus').where({ key: 'shopper-access' }).delete();
    await migrations.find((migration) => migration.name === '650_shopper_access_menu')!.up(db);
    expect(await db('console_menus').where({ key: 'shopper-access' }).first()).toMatchObject({
      name: '顾客信息访问日志', parent_key: 'system', path: '/system/shopper-access', scope: 'staff:admin',
    });
    expect(await menusOf('admin')).toEqual(expect.arrayContaining(['shopper-access', 'system']));
    expect((await db('role_menus').where({ menu_key: 'shopper-access' })).map((row: { role_id: string }) => String(row.role_id))).toEqual([String(adminRole.id)]);
    expect(await menusOf('releases')).toEqual(releasesBefore);
  });

  it('gives the inventory menu (migration 640) to catalog roles that existed before it, with its directory, and not to store roles', async () => {
    await staffToken('catalog');
    await staffToken('store');
    const db = supergraph.subgraphs.user!.db;
    const menusOf = async (name: string) => {
      const role = await db('roles').where({ name }).first();
      return (await db('role_menus').where({ role_id: role.id }).orderBy('menu_key')).map((row: { menu_key: string }) => row.menu_key);
    };
    const catalog = await db('roles').where({ name: 'catalog' }).first();
    // As before migration 640: the catalog role had its shop menus only.
    await db('role_menus').where({ role_id: catalog.id }).whereIn('menu_key', ['backoffice', 'bo-inventory']).delete();
    await migrations.find((migration) => migration.name === '640_inventory_menu')!.up(db);
    expect(await menusOf('catalog')).toEqual(['backoffice', 'bo-inventory', 'catalog', 'shop']);
    expect(await menusOf('store')).toEqual(['backoffice', 'bo-identify', 'bo-redeem', 'bo-stats', 'bo-terminals']);
  });

  it('gives roles that existed before the directory and member card menus their defaults (migration 620), keeping admins\' edits', async () => {
    await staffToken('backoffice');
    await staffToken('store');
    const db = supergraph.subgraphs.user!.db;
    const menusOf = async (name: string) => {
      const role = await db('roles').where({ name }).first();
      return (await db('role_menus').where({ role_id: role.id }).orderBy('menu_key')).map((row: { menu_key: string }) => row.menu_key);
    };
    const backoffice = await db('roles').where({ name: 'backoffice' }).first();
    const before = await menusOf('backoffice');
    // As before 620, with an admin's edit (门店角色 taken away) that the migration must not undo.
    await db('role_menus').where({ role_id: backoffice.id }).whereIn('menu_key', ['bo-franchisees', 'bo-branches', 'bo-member-cards', 'bo-roles']).delete();
    const store = await menusOf('store');
    await migrations.find((migration) => migration.name === '620_back_office_directory_menus')!.up(db);
    try {
      expect(await menusOf('backoffice')).toEqual(['backoffice', 'bo-accounts', 'bo-branches', 'bo-franchisees', 'bo-member-cards', 'bo-stores']);
      // Store staff get none of them (store:admin pages).
      expect(await menusOf('store')).toEqual(store);
    } finally {
      await db('role_menus').insert(before.map((menu_key: string) => ({ role_id: backoffice.id, menu_key }))).onConflict(['role_id', 'menu_key']).ignore();
    }
  });

  it('lets a staff admin set a role\'s menus (directory added), seen at the next read by its members', async () => {
    const admin = await staffToken('admin');
    const marketer = await staffToken('marketing');
    expect(keysOf(await gql(router, MY_MENUS, {}, marketer))).toEqual(['shop', 'coupons']);
    const SET = 'mutation($role: String!, $keys: [ID!]!) { setRoleMenus(role: $role, menuKeys: $keys) { name scopes menus { key } members } }';
    const set = await gql(router, SET, { role: 'marketing', keys: ['coupons', 'open-logs'] }, admin);
    expect(set.errors).toBeUndefined();
    expect(set.data.setRoleMenus.name).toBe('marketing');
    expect(set.data.setRoleMenus.scopes).toEqual(['promote:write']);
    expect(set.data.setRoleMenus.menus.map((menu: { key: string }) => menu.key)).toEqual(['shop', 'coupons', 'open', 'open-logs']);
    expect(keysOf(await gql(router, MY_MENUS, {}, marketer))).toEqual(['shop', 'coupons', 'open', 'open-logs']);
    // The menu is only what the console shows: the open platform's API still refuses a marketer.
    const logs = await gql(router, '{ openApps { edges { node { appKey } } } }', {}, marketer);
    expect(codes(logs)).toEqual(['FORBIDDEN']);

    const roles = await gql(router, '{ staffRoles { name members menus { key } } }', {}, admin);
    expect(roles.errors).toBeUndefined();
    const marketing = roles.data.staffRoles.find((role: { name: string }) => role.name === 'marketing');
    expect(marketing.menus.map((menu: { key: string }) => menu.key)).toEqual(['shop', 'coupons', 'open', 'open-logs']);
    expect(marketing.members.length).toBeGreaterThan(0);

    // Back to the defaults for the other tests of this run.
    expect((await gql(router, SET, { role: 'marketing', keys: ['coupons'] }, admin)).errors).toBeUndefined();
  });

  it('refuses an unknown menu or role and a caller without staff:admin, changing nothing', async () => {
    const admin = await staffToken('admin');
    const SET = 'mutation($role: String!, $keys: [ID!]!) { setRoleMenus(role: $role, menuKeys: $keys) { name } }';
    const unknownKey = await gql(router, SET, { role: 'catalog', keys: ['catalog', 'nope'] }, admin);
    expect(codes(unknownKey)).toEqual(['BAD_USER_INPUT']);
    expect(unknownKey.errors![0].extensions!.field).toBe('menuKeys');
    expect(codes(await gql(router, SET, { role: 'no-such-role', keys: [] }, admin))).toEqual(['NOT_FOUND']);
    expect(codes(await gql(router, SET, { role: 'catalog', keys: [] }, await staffToken('catalog')))).toEqual(['FORBIDDEN']);
    expect(codes(await gql(router, SET, { role: 'catalog', keys: [] }))).toEqual(['UNAUTHENTICATED']);
    expect(codes(await gql(router, '{ staffRoles { name } }', {}, await staffToken('open')))).toEqual(['FORBIDDEN']);
    expect(keysOf(await gql(router, MY_MENUS, {}, await staffToken('catalog')))).toEqual(['shop', 'catalog', 'backoffice', 'bo-inventory']);
  });
});

describe('staff order search and today\'s figures', () => {
  const SEARCH = `query($filter: StaffOrderFilter, $first: Int, $after: String) { staffOrders(filter: $filter, first: $first, after: $after) {
    edges { node { id orderNo status shopperId total createdAt } } pageInfo { hasNextPage endCursor } } }`;

  it('finds any shopper\'s orders by number, shopper, status and time, newest first, in pages', async () => {
    const staff = await staffToken('fulfillment');
    const db = supergraph.subgraphs.order!.db;
    const shopper = await registerUser(router);
    const started = new Date(Date.now() - 1000).toISOString();
    const pending = await placeTestOrder(db, { userId: shopper.userId });
    const paid = await placeTestOrder(db, { userId: shopper.userId, status: 'PAID' });
    const shipped = await placeTestOrder(db, { userId: shopper.userId, status: 'SHIPPED' });

    const byShopper = await gql(router, SEARCH, { filter: { shopperId: shopper.userId } }, staff);
    expect(byShopper.errors).toBeUndefined();
    expect(byShopper.data.staffOrders.edges.map((edge: any) => edge.node.id)).toEqual([shipped, paid, pending]);
    expect(byShopper.data.staffOrders.edges[0].node.shopperId).toBe(shopper.userId);

    const orderNo = byShopper.data.staffOrders.edges[1].node.orderNo;
    const byNumber = await gql(router, SEARCH, { filter: { orderNo } }, staff);
    expect(byNumber.data.staffOrders.edges.map((edge: any) => edge.node.id)).toEqual([paid]);

    const byStatus = await gql(router, SEARCH, { filter: { shopperId: shopper.userId, status: 'PAID' } }, staff);
    expect(byStatus.data.staffOrders.edges.map((edge: any) => edge.node.id)).toEqual([paid]);

    const inWindow = await gql(router, SEARCH, { filter: { shopperId: shopper.userId, createdFrom: started, createdTo: new Date(Date.now() + 60_000).toISOString() } }, staff);
    expect(inWindow.data.staffOrders.edges).toHaveLength(3);
    const before = await gql(router, SEARCH, { filter: { shopperId: shopper.userId, createdTo: started } }, staff);
    expect(before.data.staffOrders.edges).toHaveLength(0);

    const first = await gql(router, SEARCH, { filter: { shopperId: shopper.userId }, first: 2 }, staff);
    expect(first.data.staffOrders.pageInfo.hasNextPage).toBe(true);
    const next = await gql(router, SEARCH, { filter: { shopperId: shopper.userId }, first: 2, after: first.data.staffOrders.pageInfo.endCursor }, staff);
    expect(next.data.staffOrders.edges.map((edge: any) => edge.node.id)).toEqual([pending]);
    expect(next.data.staffOrders.pageInfo.hasNextPage).toBe(false);
  });

  it('refuses shoppers and staff without order:write, and malformed criteria', async () => {
    const shopper = await registerUser(router);
    expect(codes(await gql(router, SEARCH, {}, bearer(shopper.accessToken)))).toEqual(['FORBIDDEN']);
    expect(codes(await gql(router, SEARCH, {}, await staffToken('catalog')))).toEqual(['FORBIDDEN']);
    const staff = await staffToken('fulfillment');
    const badTime = await gql(router, SEARCH, { filter: { createdFrom: 'yesterday' } }, staff);
    expect(codes(badTime)).toEqual(['BAD_USER_INPUT']);
    expect(badTime.errors![0].extensions!.field).toBe('createdFrom');
    expect(codes(await gql(router, SEARCH, { filter: { shopperId: 'abc' } }, staff))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await gql(router, SEARCH, { first: 1000 }, staff))).toEqual(['BAD_USER_INPUT']);
  });

  it('counts today\'s placed and paid orders and their sales per China-time hour', async () => {
    const staff = await staffToken('finance');
    const TODAY = '{ orderSalesToday { date orders paidOrders sales refunded hours { hour orders sales } } }';
    // finance holds payment:refund only: the dashboard's order figures need order:write.
    expect(codes(await gql(router, TODAY, {}, staff))).toEqual(['FORBIDDEN']);
    const admin = await staffToken('admin');
    const before = (await gql(router, TODAY, {}, admin)).data.orderSalesToday;
    const shopper = await registerUser(router);
    const db = supergraph.subgraphs.order!.db;
    await placeTestOrder(db, { userId: shopper.userId });
    const paidId = await placeTestOrder(db, { userId: shopper.userId, status: 'PAID' });
    const total = Number((await db('orders').where({ id: paidId }).first()).total);
    const after = (await gql(router, TODAY, {}, admin)).data.orderSalesToday;
    expect(after.date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(after.hours).toHaveLength(24);
    expect(after.orders - before.orders).toBe(2);
    expect(after.paidOrders - before.paidOrders).toBe(1);
    expect(after.sales - before.sales).toBe(total);
    const hour = Number(new Intl.DateTimeFormat('en-GB', { hour: '2-digit', hourCycle: 'h23', timeZone: 'Asia/Shanghai' }).format(new Date()));
    expect(after.hours[hour].orders - before.hours[hour].orders).toBeGreaterThanOrEqual(1);
    expect(after.hours.reduce((sum: number, h: { sales: number }) => sum + h.sales, 0)).toBe(after.sales);
  });
});
