/**
 * Data access for the operations console's menus (seed 004 §3.1.1: menu, role_menu): the menu list and which roles
 * see which menus. Knows knex, not GraphQL.
 */
import type { Knex } from 'knex';

export interface MenuRow {
  key: string;
  name: string;
  parent_key: string | null;
  path: string | null;
  scope: string | null;
  sort_order: number;
}

/**
 * The console's menus: directories (no path) and the pages in them. `scope` is what the page's operations need: the
 * API refuses them without it whatever the menus say. `roles` are the staff roles (staff.ts) that see the menu by
 * default; an admin edits that afterwards (setRoleMenus).
 */
export const CONSOLE_MENUS: readonly (Omit<MenuRow, 'sort_order'> & { roles: readonly string[] })[] = [
  { key: 'shop', name: '店铺运营', parent_key: null, path: null, scope: null, roles: ['admin', 'catalog', 'marketing', 'fulfillment', 'finance'] },
  { key: 'dashboard', name: '经营看板', parent_key: 'shop', path: '/', scope: 'order:write', roles: ['admin', 'fulfillment', 'finance'] },
  { key: 'orders', name: '订单', parent_key: 'shop', path: '/orders', scope: 'order:write', roles: ['admin', 'fulfillment', 'finance'] },
  // Shoppers' personal data (customer:read): admin by default; grant it to a customer-service role when one exists.
  { key: 'shoppers', name: '会员/顾客', parent_key: 'shop', path: '/shoppers', scope: 'customer:read', roles: ['admin'] },
  { key: 'catalog', name: '商品', parent_key: 'shop', path: '/catalog', scope: 'catalog:write', roles: ['admin', 'catalog'] },
  { key: 'coupons', name: '优惠券', parent_key: 'shop', path: '/coupons', scope: 'promote:write', roles: ['admin', 'marketing'] },
  { key: 'open', name: '开放平台', parent_key: null, path: null, scope: null, roles: ['admin', 'open'] },
  { key: 'open-apps', name: '应用', parent_key: 'open', path: '/open/apps', scope: 'open:admin', roles: ['admin', 'open'] },
  { key: 'open-apis', name: '接口', parent_key: 'open', path: '/open/apis', scope: 'open:admin', roles: ['admin', 'open'] },
  { key: 'open-logs', name: '调用日志', parent_key: 'open', path: '/open/logs', scope: 'open:admin', roles: ['admin', 'open'] },
  { key: 'open-stats', name: '调用统计', parent_key: 'open', path: '/open/stats', scope: 'open:admin', roles: ['admin', 'open'] },
  // The merchant back office (seed 001, docs/back-office.md): back office admins keep the directory, accounts and roles;
  // store staff identify members, redeem coupons and read their stores' statistics.
  // The catalog role sees the directory for 库存统计 only (the online shop's stock is catalog:write's).
  { key: 'backoffice', name: '门店后台', parent_key: null, path: null, scope: null, roles: ['admin', 'backoffice', 'store', 'catalog'] },
  { key: 'bo-identify', name: '会员识别', parent_key: 'backoffice', path: '/backoffice/identify', scope: 'store:operate', roles: ['admin', 'store'] },
  { key: 'bo-redeem', name: '券核销', parent_key: 'backoffice', path: '/backoffice/redeem', scope: 'store:operate', roles: ['admin', 'store'] },
  { key: 'bo-stats', name: '门店统计', parent_key: 'backoffice', path: '/backoffice/stats', scope: 'store:operate', roles: ['admin', 'store'] },
  // The online shop's inventory (store ONLINE): its API needs catalog:write, which the store role does not hold.
  { key: 'bo-inventory', name: '库存统计', parent_key: 'backoffice', path: '/backoffice/inventory', scope: 'catalog:write', roles: ['admin', 'catalog'] },
  { key: 'bo-terminals', name: '终端设备', parent_key: 'backoffice', path: '/backoffice/terminals', scope: 'store:operate', roles: ['admin', 'store'] },
  { key: 'bo-stores', name: '门店目录', parent_key: 'backoffice', path: '/backoffice/stores', scope: 'store:admin', roles: ['admin', 'backoffice'] },
  // Directory upkeep and member cards (migration 620): store:admin pages, like the stores directory.
  { key: 'bo-franchisees', name: '加盟商', parent_key: 'backoffice', path: '/backoffice/franchisees', scope: 'store:admin', roles: ['admin', 'backoffice'] },
  { key: 'bo-branches', name: '销售分公司', parent_key: 'backoffice', path: '/backoffice/branches', scope: 'store:admin', roles: ['admin', 'backoffice'] },
  { key: 'bo-accounts', name: '门店账号', parent_key: 'backoffice', path: '/backoffice/accounts', scope: 'store:admin', roles: ['admin', 'backoffice'] },
  { key: 'bo-roles', name: '门店角色', parent_key: 'backoffice', path: '/backoffice/roles', scope: 'store:admin', roles: ['admin', 'backoffice'] },
  { key: 'bo-member-cards', name: '会员卡', parent_key: 'backoffice', path: '/backoffice/member-cards', scope: 'store:admin', roles: ['admin', 'backoffice'] },
  { key: 'system', name: '系统', parent_key: null, path: null, scope: null, roles: ['admin', 'releases'] },
  { key: 'roles', name: '员工与角色', parent_key: 'system', path: '/system/roles', scope: 'staff:admin', roles: ['admin'] },
  // Client releases and the safelist modes (docs/persisted-operations.md): the release managers' only page.
  { key: 'clients', name: '客户端发布', parent_key: 'system', path: '/system/clients', scope: 'clients:admin', roles: ['admin', 'releases'] },
  // Who read which shopper's personal data (docs/shoppers.md): the access log is staff:admin's, so admin's alone.
  { key: 'shopper-access', name: '顾客信息访问日志', parent_key: 'system', path: '/system/shopper-access', scope: 'staff:admin', roles: ['admin'] },
];

/** Writes CONSOLE_MENUS into console_menus (new menus added, changed ones updated). Idempotent. */
export async function syncConsoleMenus(db: Knex): Promise<void> {
  const rows = CONSOLE_MENUS.map(({ roles: _roles, ...menu }, index) => ({ ...menu, sort_order: index + 1 }));
  await db('console_menus').insert(rows).onConflict('key').merge();
}

/** Gives a role its default menus (those naming it in CONSOLE_MENUS), or only those of them among `onlyKeys`. */
export async function grantDefaultMenus(db: Knex, roleId: string, roleName: string, onlyKeys?: readonly string[]): Promise<void> {
  const keys = CONSOLE_MENUS.filter((menu) => menu.roles.includes(roleName) && (!onlyKeys || onlyKeys.includes(menu.key))).map((menu) => menu.key);
  if (!keys.length) return;
  await db('role_menus')
    .insert(keys.map((menu_key) => ({ role_id: roleId, menu_key })))
    .onConflict(['role_id', 'menu_key'])
    .ignore();
}

export async function listMenus(db: Knex): Promise<MenuRow[]> {
  return db('console_menus').select('*').orderBy('sort_order');
}

/** The menus any of the user's roles grant, in menu order. */
export async function findMenusOfUser(db: Knex, userId: string): Promise<MenuRow[]> {
  return db('console_menus as m')
    .distinct('m.*')
    .join('role_menus as rm', 'rm.menu_key', 'm.key')
    .join('user_roles as ur', 'ur.role_id', 'rm.role_id')
    .where('ur.user_id', userId)
    .orderBy('m.sort_order');
}

export interface RoleRow {
  id: string;
  name: string;
}

export async function findRoleByName(db: Knex, name: string): Promise<RoleRow | undefined> {
  const row = await db('roles').select('id', 'name').where({ name }).first();
  return row ? { id: String(row.id), name: row.name } : undefined;
}

/** Menus per role, for a batch of roles, in menu order. */
export async function findMenusByRoleIds(db: Knex, roleIds: readonly string[]): Promise<(MenuRow & { role_id: string })[]> {
  return db('role_menus as rm')
    .join('console_menus as m', 'm.key', 'rm.menu_key')
    .select('m.*', 'rm.role_id')
    .whereRaw('rm.role_id = ANY(?::bigint[])', [[...roleIds]])
    .orderBy('m.sort_order');
}

/** Usernames of the accounts holding each role, for a batch of roles. */
export async function findMembersByRoleIds(db: Knex, roleIds: readonly string[]): Promise<{ role_id: string; username: string }[]> {
  return db('user_roles as ur')
    .join('users as u', 'u.id', 'ur.user_id')
    .select('ur.role_id', 'u.username')
    .whereRaw('ur.role_id = ANY(?::bigint[])', [[...roleIds]])
    .whereNotNull('u.username')
    .orderBy('u.username');
}

/**
 * Makes the role's menus exactly `keys`, in one transaction; the role row is locked so two admins editing the same
 * role at once apply one after the other (the last one wins whole, never a mix).
 */
export async function replaceRoleMenus(db: Knex, roleId: string, keys: readonly string[]): Promise<void> {
  await db.transaction(async (trx) => {
    await trx('roles').where({ id: roleId }).forUpdate().first();
    await trx('role_menus').where({ role_id: roleId }).delete();
    if (keys.length) await trx('role_menus').insert(keys.map((menu_key) => ({ role_id: roleId, menu_key })));
  });
}
