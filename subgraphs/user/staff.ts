/**
 * Staff roles and accounts. A role grants scopes (platform/identity.ts); a staff member signs in with `login` like
 * anyone and finds the scopes of their roles in the access token. The roles below are created by the demo seed and
 * by `scripts/create-staff.ts` (production has no demo data).
 */
import { GraphQLError } from 'graphql';
import type { Knex } from 'knex';
import { ALL_SCOPES, type Scope } from '../../platform/identity';
import { hashPassword } from '../../platform/password';
import { grantDefaultMenus, syncConsoleMenus } from './data/menus';
import { findRoleId, grantRole, upsertRole } from './data/roles';
import { ensureStaffAccount } from './data/staff-accounts';
import { upsertUsernameAccount, type UserRow } from './data/users';
import { scopesOf } from './tokens';
import { validatePassword, validateUsername } from './validation';

export const STAFF_ROLES: Record<string, readonly Scope[]> = {
  /** Everything. */
  admin: ALL_SCOPES,
  /** Products, SKUs, prices, stock. */
  catalog: ['catalog:write'],
  /** Coupon templates and codes. */
  marketing: ['promote:write'],
  /** Shipping orders. */
  fulfillment: ['order:write'],
  /** Refunds. */
  finance: ['payment:refund'],
  /** Hiding and restoring shoppers' product reviews. */
  moderation: ['review:moderate'],
  /** Membership activation code batches: create, list, cancel (docs/families.md). */
  membership: ['member:write'],
  /** The ERP's service account: lists subscription packages and reports them shipped (docs/subscriptions-purchase.md). */
  erp: ['subscription:erp'],
  /** The open platform's operators: apps, open APIs, grants, merchant sessions (docs/open-platform.md). */
  open: ['open:admin'],
  /** Client releases and their persisted-operation manifests, safelist modes (docs/persisted-operations.md). */
  releases: ['clients:admin'],
  /** The back office's administrators: stores, franchisees, branches, staff accounts and roles (docs/back-office.md). */
  backoffice: ['store:admin'],
  /** Store staff: identify members, redeem coupons, bind terminals, see statistics — at their own stores only. */
  store: ['store:operate'],
  /** What a terminal signs in as (bound to one store; terminals.ts). */
  terminal: ['store:operate'],
};

/**
 * Creates the roles above (and makes their scopes exactly as listed) and the console's menu list. Idempotent. A role
 * created here gets its default console menus; an existing role keeps the menus an admin gave it. Returns role ids.
 */
export async function ensureStaffRoles(db: Knex): Promise<Record<string, string>> {
  await syncConsoleMenus(db);
  const ids: Record<string, string> = {};
  for (const [name, scopes] of Object.entries(STAFF_ROLES)) {
    const existed = await findRoleId(db, name);
    ids[name] = await upsertRole(db, name, scopes);
    if (!existed) await grantDefaultMenus(db, ids[name], name);
  }
  return ids;
}

export interface StaffAccount {
  user: UserRow;
  scopes: Scope[];
}

/**
 * Creates the staff account `username` holding `role`, or — when it exists — sets its password and adds the role.
 * Throws a plain Error (readable in a script) for an unknown role or a bad username/password.
 */
export async function createStaff(db: Knex, input: { username: string; role: string; password: string }): Promise<StaffAccount> {
  if (!Object.hasOwn(STAFF_ROLES, input.role)) {
    throw new Error(`unknown role "${input.role}" (one of: ${Object.keys(STAFF_ROLES).join(', ')})`);
  }
  let username: string;
  try {
    username = validateUsername(input.username);
    validatePassword(input.password);
  } catch (error) {
    if (error instanceof GraphQLError) throw new Error(`${String(error.extensions.field)}: ${error.message}`);
    throw error;
  }
  const passwordHash = await hashPassword(input.password);
  return db.transaction(async (trx) => {
    const roleIds = await ensureStaffRoles(trx);
    const user = await upsertUsernameAccount(trx, username, passwordHash, username);
    await grantRole(trx, user.id, roleIds[input.role]);
    // A back office account too (docs/back-office.md): the admin role is a super-admin acting for every store.
    await ensureStaffAccount(trx, user.id, username, input.role === 'admin');
    return { user, scopes: await scopesOf(trx, user.id) };
  });
}
