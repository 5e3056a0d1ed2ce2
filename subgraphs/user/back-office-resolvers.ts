/** Thin resolvers of the merchant back office (spread into resolvers.ts); the rules are in back-office.ts, terminals.ts, member-identification.ts. */
import { requireScope, requireService, requireUser } from '../../platform/context';
import { pageRequest, toConnection } from '../../platform/connection';
import { badInput, conflict, forbidden } from '../../platform/errors';
import { ALL_SCOPES } from '../../platform/identity';
import { isBigintId } from '../../platform/loaders';
import { hitOrThrow } from '../../platform/rate-limit';
import * as backOffice from './back-office';
import { ADMIN_SCOPE, OPERATE_SCOPE, PERMISSIONS, ROLES_SCOPE, type Reach } from './back-office';
import type { UserContext } from './context';
import { findCardsOfUser, putMemberCard, type MemberCardKind } from './data/member-cards';
import { pageDirectory, type BranchRow, type FranchiseeRow, type StoreRow } from './data/directory';
import { pageStaffAccounts, type StaffAccountRow } from './data/staff-accounts';
import { pageTerminals, type TerminalRow } from './data/terminals';
import { findUserById } from './data/users';
import type { MutationResolvers, QueryResolvers, Resolvers, StoreBusinessStatus } from './generated/resolvers-types';
import { identifyMember } from './member-identification';
import * as terminals from './terminals';
import * as stats from './store-stats';

export interface BoundTerminalView {
  terminal: TerminalRow;
  deviceSecret: string;
}

/** Member identifications per staff account or terminal: a till serves far fewer shoppers a minute. */
export const IDENTIFY_RULE = { limit: 60, windowMs: 60_000 };

const iso = (value: Date | null) => (value ? value.toISOString() : null);

/** store:admin's reach (every store for a super-admin, else its own). */
async function adminReach(context: UserContext): Promise<{ userId: string; reach: Reach }> {
  const userId = requireScope(context, ADMIN_SCOPE);
  return { userId, reach: await backOffice.reachOf(context.db, userId) };
}

/** store:admin or store:operate: the stores the caller may see. */
async function anyReach(context: UserContext): Promise<{ userId: string; reach: Reach }> {
  const userId = requireUser(context);
  const { scopes } = context.identity;
  if (!scopes.includes(ADMIN_SCOPE) && !scopes.includes(OPERATE_SCOPE)) throw forbidden(`This needs the ${ADMIN_SCOPE} or ${OPERATE_SCOPE} permission`);
  return { userId, reach: await backOffice.reachOf(context.db, userId) };
}

/** A store whose statistics the caller may see: its own (store:operate), any in reach (store:admin), ONLINE for super-admins. */
async function statsStore(context: UserContext, storeCode: string): Promise<string> {
  const { userId, reach } = await anyReach(context);
  if (storeCode === stats.ONLINE_STORE) {
    if (!reach.all) throw forbidden('Only a super-admin sees the online shop');
    return storeCode;
  }
  if (context.identity.scopes.includes(ADMIN_SCOPE)) return (await backOffice.storeByCode(context.db, reach, storeCode)).code;
  return (await backOffice.requireStoreAccess(context.db, userId, storeCode)).storeCode;
}

function page(context: UserContext, kind: string, args: { first?: number | null; after?: string | null }) {
  return pageRequest(kind, args, context.config.maxPageSize);
}

async function account(context: UserContext, id: string): Promise<StaffAccountRow> {
  context.backOffice.accountById.clear(id);
  return (await context.backOffice.accountById.load(id))!;
}

type Query = Pick<
  QueryResolvers,
  | 'stores'
  | 'store'
  | 'franchisees'
  | 'salesBranches'
  | 'staffPermissions'
  | 'staffRoles'
  | 'staffRole'
  | 'staffAccounts'
  | 'staffAccount'
  | 'myStaffAccount'
  | 'terminals'
  | 'terminal'
  | 'identifyMember'
  | 'memberCards'
  | 'storeAccess'
  | 'storeStatistics'
  | 'storeSkuSales'
>;
type Mutation = Pick<
  MutationResolvers,
  | 'upsertSalesBranch'
  | 'upsertFranchisee'
  | 'upsertStore'
  | 'setStoreBusinessStatus'
  | 'createStaffRole'
  | 'updateStaffRole'
  | 'deleteStaffRole'
  | 'createStaffAccount'
  | 'updateStaffAccount'
  | 'setStaffAccountDisabled'
  | 'resetStaffPassword'
  | 'issueTerminalBindingCode'
  | 'bindTerminal'
  | 'terminalSignIn'
  | 'revokeTerminal'
  | 'setMemberCard'
  | 'changeMyPassword'
>;

export const backOfficeResolvers: {
  Query: Query;
  Mutation: Mutation;
  Store: NonNullable<Resolvers['Store']>;
  Franchisee: NonNullable<Resolvers['Franchisee']>;
  SalesBranch: NonNullable<Resolvers['SalesBranch']>;
  StaffAccount: NonNullable<Resolvers['StaffAccount']>;
  Terminal: NonNullable<Resolvers['Terminal']>;
} = {
  Query: {
    async stores(_parent, { first, after, filter }, context) {
      const { reach } = await anyReach(context);
      const request = page(context, 'Store', { first, after });
      const rows = await backOffice.pageStores(context.db, reach, backOffice.directoryFilter(filter), request.limit, request.afterId ?? null);
      return toConnection('Store', rows, request);
    },
    async store(_parent, { code }, context) {
      const { reach } = await anyReach(context);
      return backOffice.storeByCode(context.db, reach, code);
    },
    async franchisees(_parent, { first, after, filter }, context) {
      requireScope(context, ADMIN_SCOPE);
      const request = page(context, 'Franchisee', { first, after });
      const rows = await pageDirectory<FranchiseeRow>(context.db, 'franchisees', backOffice.directoryFilter(filter), request.limit, request.afterId ?? null);
      return toConnection('Franchisee', rows, request);
    },
    async salesBranches(_parent, { first, after, filter }, context) {
      requireScope(context, ADMIN_SCOPE);
      const request = page(context, 'SalesBranch', { first, after });
      const rows = await pageDirectory<BranchRow>(context.db, 'sales_branches', backOffice.directoryFilter(filter), request.limit, request.afterId ?? null);
      return toConnection('SalesBranch', rows, request);
    },
    staffPermissions(_parent, _args, context) {
      // What the permissions mean: for the role editor (staff:admin) and for picking roles for accounts (store:admin).
      if (!context.identity.scopes.includes(ROLES_SCOPE)) requireScope(context, ADMIN_SCOPE);
      return ALL_SCOPES.map((scope) => ({ scope, description: PERMISSIONS[scope] }));
    },
    async staffRoles(_parent, _args, context) {
      // Role definitions are staff:admin's; a store:admin reads them too, to pick roles for the accounts it manages.
      if (!context.identity.scopes.includes(ROLES_SCOPE)) requireScope(context, ADMIN_SCOPE);
      return backOffice.roles(context.db);
    },
    async staffRole(_parent, { name }, context) {
      if (!context.identity.scopes.includes(ROLES_SCOPE)) requireScope(context, ADMIN_SCOPE);
      return backOffice.role(context.db, name);
    },
    async staffAccounts(_parent, { first, after, filter }, context) {
      const { reach } = await adminReach(context);
      const request = page(context, 'StaffAccount', { first, after });
      const storeId = filter?.storeCode ? String((await backOffice.storeByCode(context.db, reach, filter.storeCode)).id) : undefined;
      const rows = await pageStaffAccounts(context.db, backOffice.accountFilter(reach, filter, storeId), request.limit, request.afterId ?? null);
      return toConnection('StaffAccount', rows, request);
    },
    async staffAccount(_parent, { id }, context) {
      const { reach } = await adminReach(context);
      return backOffice.accountInReach(context.db, reach, id);
    },
    async myStaffAccount(_parent, _args, context) {
      const userId = context.identity.userId;
      return userId ? context.backOffice.accountById.load(userId) : null;
    },
    async terminals(_parent, { storeCode, first, after }, context) {
      const userId = requireUser(context);
      const request = page(context, 'Terminal', { first, after });
      const store = context.identity.scopes.includes(ADMIN_SCOPE)
        ? await backOffice.storeByCode(context.db, await backOffice.reachOf(context.db, userId), storeCode)
        : await (async () => {
            requireScope(context, OPERATE_SCOPE);
            const access = await backOffice.requireStoreAccess(context.db, userId, storeCode);
            return { id: access.storeId! };
          })();
      return toConnection('Terminal', await pageTerminals(context.db, String(store.id), request.limit, request.afterId ?? null), request);
    },
    async terminal(_parent, { id }, context) {
      const userId = requireUser(context);
      const isAdmin = context.identity.scopes.includes(ADMIN_SCOPE);
      if (!isAdmin) requireScope(context, OPERATE_SCOPE);
      return terminals.terminalInReach(context.db, userId, isAdmin ? await backOffice.reachOf(context.db, userId) : null, id);
    },
    async identifyMember(_parent, { storeCode, code }, context) {
      const userId = requireScope(context, OPERATE_SCOPE);
      await backOffice.requireStoreAccess(context.db, userId, storeCode);
      // Every code tried counts, found or not: an account (or a stolen terminal) must not walk phone numbers to members.
      await hitOrThrow(context.services.limiter, `identify:user:${userId}`, IDENTIFY_RULE, 'Too many member identifications, try again in a minute');
      return identifyMember(context.db, context.services.peers, code, context.requestId);
    },
    async memberCards(_parent, { userId }, context) {
      requireScope(context, ADMIN_SCOPE);
      // A malformed id is the caller's mistake, not a database error.
      if (!isBigintId(userId)) throw badInput('userId is an account id', 'userId');
      return findCardsOfUser(context.db, userId);
    },
    async storeStatistics(_parent, { storeCode, from, to }, context) {
      const range = stats.period(from, to);
      if (storeCode) return stats.overview(context.db, [await statsStore(context, storeCode)], storeCode, range);
      const { reach } = await anyReach(context);
      const codes = reach.all ? null : (await context.backOffice.storeById.loadMany(reach.storeIds)).flatMap((s) => (s && !(s instanceof Error) ? [s.code] : []));
      return stats.overview(context.db, codes, null, range);
    },
    async storeSkuSales(_parent, { storeCode, from, to, first }, context) {
      const range = stats.period(from, to);
      const size = first ?? 20;
      if (size < 1 || size > context.config.maxPageSize) throw badInput(`first must be between 1 and ${context.config.maxPageSize}`, 'first');
      return stats.skuSales(context.db, await statsStore(context, storeCode), range, size);
    },
    async storeAccess(_parent, { checks }, context) {
      requireService(context, 'promote');
      return backOffice.storeAccess(context.db, checks);
    },
  },
  Mutation: {
    async upsertSalesBranch(_parent, { input }, context) {
      const { reach } = await adminReach(context);
      return backOffice.upsertBranch(context.db, reach, input);
    },
    async upsertFranchisee(_parent, { input }, context) {
      const { reach } = await adminReach(context);
      return backOffice.upsertFranchisee(context.db, reach, input);
    },
    async upsertStore(_parent, { input }, context) {
      const { reach } = await adminReach(context);
      return backOffice.upsertStore(context.db, reach, input);
    },
    async setStoreBusinessStatus(_parent, { code, businessStatus }, context) {
      const userId = requireUser(context);
      if (context.identity.scopes.includes(ADMIN_SCOPE)) {
        return backOffice.setBusinessStatus(context.db, await backOffice.reachOf(context.db, userId), code, businessStatus);
      }
      requireScope(context, OPERATE_SCOPE);
      await backOffice.requireStoreAccess(context.db, userId, code);
      return backOffice.setBusinessStatus(context.db, { all: true }, code, businessStatus);
    },
    async createStaffRole(_parent, { name, scopes }, context) {
      requireScope(context, ROLES_SCOPE);
      return backOffice.createRole(context.db, name, scopes, context.identity.scopes);
    },
    async updateStaffRole(_parent, { name, scopes }, context) {
      requireScope(context, ROLES_SCOPE);
      return backOffice.updateRole(context.db, name, scopes, context.identity.scopes);
    },
    async deleteStaffRole(_parent, { name }, context) {
      requireScope(context, ROLES_SCOPE);
      return backOffice.removeRole(context.db, name);
    },
    async createStaffAccount(_parent, { input }, context) {
      const { userId, reach } = await adminReach(context);
      return account(context, await backOffice.createAccount(context.db, reach, { userId, scopes: context.identity.scopes }, input));
    },
    async updateStaffAccount(_parent, { id, input }, context) {
      const { reach } = await adminReach(context);
      await backOffice.updateAccount(context.db, reach, context.identity.scopes, id, input);
      return account(context, id);
    },
    async setStaffAccountDisabled(_parent, { id, disabled }, context) {
      const { userId, reach } = await adminReach(context);
      await backOffice.setDisabled(context.db, context.services.revocations, reach, { userId, scopes: context.identity.scopes }, id, disabled);
      return account(context, id);
    },
    async resetStaffPassword(_parent, { id, password }, context) {
      const { reach } = await adminReach(context);
      await backOffice.resetPassword(context.db, context.services.revocations, reach, context.identity.scopes, id, password);
      return account(context, id);
    },
    async changeMyPassword(_parent, { currentPassword, newPassword }, context) {
      const userId = requireUser(context);
      // A stolen access token must not become a way to guess the account's password: tries per account, as for login.
      const { maxFailures, windowSeconds } = context.services.config.loginRateLimit;
      await hitOrThrow(context.services.limiter, `change-password:user:${userId}`, { limit: maxFailures, windowMs: windowSeconds * 1000 }, 'Too many password changes tried, try again later');
      return backOffice.changeOwnPassword(context.db, context.services.revocations, userId, context.identity.sessionId, currentPassword, newPassword);
    },
    async issueTerminalBindingCode(_parent, { storeCode }, context) {
      return terminals.issueBindingCode(context.db, requireScope(context, OPERATE_SCOPE), storeCode);
    },
    async bindTerminal(_parent, { code, name, deviceId }, context) {
      return terminals.bindTerminal(context.db, code, name, deviceId);
    },
    async terminalSignIn(_parent, { deviceSecret }, context) {
      const result = await terminals.terminalSignIn(context.db, context.config, deviceSecret);
      context.selfIds.add(result.user.id);
      return result;
    },
    async revokeTerminal(_parent, { id }, context) {
      const userId = requireUser(context);
      const isAdmin = context.identity.scopes.includes(ADMIN_SCOPE);
      if (!isAdmin) requireScope(context, OPERATE_SCOPE);
      const terminal = await terminals.terminalInReach(context.db, userId, isAdmin ? await backOffice.reachOf(context.db, userId) : null, id);
      return terminals.revokeTerminal(context.db, context.services.revocations, terminal);
    },
    async setMemberCard(_parent, { userId, kind, number }, context) {
      requireScope(context, ADMIN_SCOPE);
      const cardNumber = number.replace(/[\s-]/g, '');
      if (!/^[A-Za-z0-9]{4,32}$/.test(cardNumber)) throw badInput('A card number is 4–32 letters or digits', 'number');
      if (!(await findUserById(context.db, userId).catch(() => undefined))) throw badInput('No such account', 'userId');
      let stored: boolean;
      try {
        stored = await putMemberCard(context.db, userId, kind as MemberCardKind, cardNumber);
      } catch (error) {
        if ((error as { code?: string }).code !== '23505') throw error;
        stored = false;
      }
      if (!stored) throw conflict('Another account holds this card number');
      return findCardsOfUser(context.db, userId);
    },
  },
  Store: {
    businessStatus: (store: StoreRow) => store.business_status as StoreBusinessStatus,
    franchisee: (store: StoreRow, _args, context) => (store.franchisee_id ? context.backOffice.franchiseeById.load(String(store.franchisee_id)) : null),
    branch: (store: StoreRow, _args, context) => (store.branch_id ? context.backOffice.branchById.load(String(store.branch_id)) : null),
    createdAt: (store: StoreRow) => store.created_at.toISOString(),
    updatedAt: (store: StoreRow) => store.updated_at.toISOString(),
  },
  Franchisee: {
    contactName: (row: FranchiseeRow) => row.contact_name,
    contactPhone: (row: FranchiseeRow) => row.contact_phone,
    createdAt: (row: FranchiseeRow) => row.created_at.toISOString(),
    updatedAt: (row: FranchiseeRow) => row.updated_at.toISOString(),
  },
  SalesBranch: {
    createdAt: (row: BranchRow) => row.created_at.toISOString(),
    updatedAt: (row: BranchRow) => row.updated_at.toISOString(),
  },
  StaffAccount: {
    realName: (row: StaffAccountRow) => row.real_name,
    allStores: (row: StaffAccountRow) => row.all_stores,
    disabled: (row: StaffAccountRow) => row.disabled_at !== null,
    createdAt: (row: StaffAccountRow) => row.created_at.toISOString(),
    stores: (row: StaffAccountRow, _args, context) => context.backOffice.storesOfAccount.load(String(row.id)),
    roles: async (row: StaffAccountRow, _args, context) => (await context.backOffice.rolesOfAccount.load(String(row.id))).map((r) => r.name),
    permissions: async (row: StaffAccountRow, _args, context) => {
      const granted = new Set((await context.backOffice.scopesOfAccount.load(String(row.id))).map((r) => r.scope));
      return ALL_SCOPES.filter((scope) => granted.has(scope));
    },
  },
  Terminal: {
    deviceId: (row: TerminalRow) => row.device_id,
    store: async (row: TerminalRow, _args, context) => (await context.backOffice.storeById.load(String(row.store_id)))!,
    boundAt: (row: TerminalRow) => row.bound_at.toISOString(),
    lastSeenAt: (row: TerminalRow) => iso(row.last_seen_at),
    revokedAt: (row: TerminalRow) => iso(row.revoked_at),
  },
};
