/**
 * The operations console's menus by role (seed 004 §3.1.1): what the viewer sees, and the staff admin's edits of a
 * role's menus. Menus only decide what the console shows: every page's operations keep their own scope checks.
 */
import { requireScope } from '../../platform/context';
import { badInput, notFound } from '../../platform/errors';
import type { UserContext } from './context';
import * as backOffice from './back-office';
import type { RoleView } from './back-office';
import { findMenusOfUser, findRoleByName, listMenus, replaceRoleMenus, type MenuRow } from './data/menus';

const MAX_KEYS = 100;

export async function myMenus(context: UserContext): Promise<MenuRow[]> {
  const userId = context.identity.userId;
  return userId ? findMenusOfUser(context.db, userId) : [];
}

export async function allMenus(context: UserContext): Promise<MenuRow[]> {
  requireScope(context, 'staff:admin');
  return listMenus(context.db);
}

export async function setRoleMenus(context: UserContext, roleName: string, keys: readonly string[]): Promise<RoleView> {
  requireScope(context, 'staff:admin');
  if (keys.length > MAX_KEYS) throw badInput(`At most ${MAX_KEYS} menus`, 'menuKeys');
  const role = await findRoleByName(context.db, roleName);
  if (!role) throw notFound(`No role named ${roleName}`);
  const menus = await listMenus(context.db);
  const known = new Map(menus.map((menu) => [menu.key, menu]));
  const unknown = keys.find((key) => !known.has(key));
  if (unknown !== undefined) throw badInput(`No console menu ${unknown}`, 'menuKeys');
  // A page without its directory would be unreachable in the console's navigation.
  const wanted = new Set(keys);
  for (const key of keys) {
    const parent = known.get(key)!.parent_key;
    if (parent) wanted.add(parent);
  }
  await replaceRoleMenus(context.db, role.id, [...wanted]);
  return backOffice.role(context.db, role.name);
}
