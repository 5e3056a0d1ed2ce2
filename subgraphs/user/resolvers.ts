/** Thin resolvers: who may do what, and mapping rows to fields; the work is in accounts.ts and address-book.ts. */
import { requireScope, requireService, requireUser } from '../../platform/context';
import { ALL_SCOPES } from '../../platform/identity';
import * as accounts from './accounts';
import * as addressBook from './address-book';
import * as consoleMenus from './console-menus';
import * as shoppers from './shoppers';
import type { ShopperView } from './shoppers';
import type { ShopperAccessRow } from './data/shoppers';
import { ROLES_SCOPE, type RoleView } from './back-office';
import type { MenuRow } from './data/menus';
import { messageMutationResolvers, messageQueryResolvers, messageUserResolvers } from './messages/resolvers';
import { passportResolvers } from './passport-resolvers';
import type { UserContext } from './context';
import type { AddressRow } from './data/addresses';
import { familyResolvers } from './families-resolvers';
import { membershipGrantResolvers } from './membership-grants-resolvers';
import { favoriteResolvers } from './favorites-resolvers';
import { backOfficeResolvers } from './back-office-resolvers';
import type { UserRow } from './data/users';
import type { Resolvers } from './generated/resolvers-types';
import type { AuthResult } from './tokens';

/** Whoever signs in during this request may see their own private fields in the AuthPayload. */
function signedIn(context: UserContext, result: AuthResult): AuthResult {
  context.selfIds.add(result.user.id);
  return result;
}

const isSelf = (context: UserContext, user: UserRow) => context.selfIds.has(user.id);

export const resolvers: Resolvers = {
  Query: {
    async me(_parent, _args, context) {
      const userId = context.identity.userId;
      return userId ? context.loaders.userById.load(userId) : null;
    },
    async addressForOrder(_parent, { userId, id }, context) {
      requireService(context, 'order');
      return addressBook.addressForOrder(context.db, userId, id);
    },
    ...messageQueryResolvers,
    ...familyResolvers.Query,
    async miniProgramCode(_parent, { page, scene }, context) {
      const userId = requireUser(context);
      if (!context.services.codes) throw new Error('mini-program codes are not set up');
      return context.services.codes.get(userId, page, scene, context.services.limiter);
    },
    ...membershipGrantResolvers.Query,
    ...backOfficeResolvers.Query,
    myConsoleMenus: (_parent, _args, context) => consoleMenus.myMenus(context),
    consoleMenus: (_parent, _args, context) => consoleMenus.allMenus(context),
    shoppers: (_parent, { filter, first, after }, context) => shoppers.searchShoppers(context, filter, { first, after }),
    shopper: (_parent, { id }, context) => shoppers.shopperDetail(context, id),
    shopperAccessLog: (_parent, { userId, staffUserId, from, to, first, after }, context) => shoppers.accessLog(context, { userId, staffUserId, from, to }, { first, after }),
  },
  Mutation: {
    register: async (_parent, { input }, context) => signedIn(context, await accounts.register(context.services, input, context.identity.clientIp)),
    login: async (_parent, { input }, context) => signedIn(context, await accounts.login(context.services, input, context.identity.clientIp)),
    loginWithWechat: async (_parent, { code, inviteCode }, context) =>
      signedIn(context, await accounts.loginWithWechat(context.services, code, context.identity.clientIp, inviteCode)),
    refreshToken: async (_parent, { refreshToken }, context) => signedIn(context, await accounts.refresh(context.services, refreshToken, context.identity.clientIp)),
    async logout(_parent, _args, context) {
      const userId = requireUser(context);
      return accounts.logout(context.services, userId, context.identity.sessionId);
    },
    async updateProfile(_parent, { input }, context) {
      return accounts.updateProfile(context.services, requireUser(context), input);
    },
    async addAddress(_parent, { input }, context) {
      return addressBook.addAddress(context.db, requireUser(context), input);
    },
    async updateAddress(_parent, { id, input }, context) {
      return addressBook.updateAddress(context.db, requireUser(context), id, input);
    },
    async deleteAddress(_parent, { id }, context) {
      return addressBook.deleteAddress(context.db, requireUser(context), id);
    },
    ...messageMutationResolvers,
    ...passportResolvers.Mutation,
    ...favoriteResolvers.Mutation,
    ...familyResolvers.Mutation,
    ...membershipGrantResolvers.Mutation,
    ...backOfficeResolvers.Mutation,
    setRoleMenus: (_parent, { role, menuKeys }, context) => consoleMenus.setRoleMenus(context, role, menuKeys),
    recordShopperAccess: (_parent, { staffUserId, shopperIds, what }, context) => shoppers.recordAccess(context, { staffUserId, shopperIds, what }),
  },
  User: {
    async __resolveReference(reference: { id: string }, context: UserContext) {
      return context.loaders.userById.load(reference.id);
    },
    avatarUrl: (user: UserRow) => user.avatar_url,
    async wechatOpenId(user: UserRow, _args, context) {
      if (context.identity.service !== 'payment') return null;
      const identities = await context.loaders.identitiesByUserId.load(user.id);
      return identities.find((identity) => identity.platform === 'wechat_mp')?.platform_id ?? null;
    },
    ...passportResolvers.User,
    phone: (user: UserRow, _args, context) => (isSelf(context, user) ? user.phone : null),
    async addresses(user: UserRow, _args, context) {
      return isSelf(context, user) ? context.loaders.addressesByUserId.load(user.id) : [];
    },
    async scopes(user: UserRow, _args, context) {
      if (!isSelf(context, user)) return [];
      const granted = new Set((await context.loaders.scopesByUserId.load(user.id)).map((row) => row.scope));
      return ALL_SCOPES.filter((scope) => granted.has(scope));
    },
    ...messageUserResolvers,
    ...favoriteResolvers.User,
    ...familyResolvers.User,
  },
  ShopperProfile: {
    __resolveReference: (reference: { id: string }, context: UserContext) => shoppers.shopperReference(context, reference.id),
    id: (view: ShopperView) => view.user.id,
    nickname: (view: ShopperView) => view.user.nickname,
    mobile: (view: ShopperView) => shoppers.shopperMobile(view),
    registeredAt: (view: ShopperView) => view.user.created_at.toISOString(),
    membership: (view: ShopperView, _args, context) => context.families.membershipOfUser.load(view.user.id),
    familyCount: async (view: ShopperView, _args, context) => (await context.families.familyIdsOfUser.load(view.user.id)).length,
    addresses: (view: ShopperView, _args, context) => (view.detail ? context.loaders.addressesByUserId.load(view.user.id) : null),
  },
  ShopperAccess: {
    staffUserId: (row: ShopperAccessRow) => row.staff_user_id,
    staffUsername: async (row: ShopperAccessRow, _args, context) => (await context.loaders.userById.load(row.staff_user_id))?.username ?? null,
    shopperId: (row: ShopperAccessRow) => row.shopper_id,
    at: (row: ShopperAccessRow) => row.created_at.toISOString(),
  },
  ConsoleMenu: {
    parentKey: (menu: MenuRow) => menu.parent_key,
  },
  StaffRole: {
    menus: (role: RoleView, _args, context) => context.loaders.menusByRoleId.load(role.id),
    // Every staff username of the shop: for those who define roles, not for a franchisee's admin reading roles to assign.
    members: async (role: RoleView, _args, context) => {
      requireScope(context, ROLES_SCOPE);
      return (await context.loaders.membersByRoleId.load(role.id)).map((row) => row.username);
    },
  },
  LinkedIdentity: passportResolvers.LinkedIdentity,
  Product: favoriteResolvers.Product,
  Family: familyResolvers.Family,
  Membership: familyResolvers.Membership,
  ActivationCodeBatch: familyResolvers.ActivationCodeBatch,
  Store: backOfficeResolvers.Store,
  Franchisee: backOfficeResolvers.Franchisee,
  SalesBranch: backOfficeResolvers.SalesBranch,
  StaffAccount: backOfficeResolvers.StaffAccount,
  Terminal: backOfficeResolvers.Terminal,
  Address: {
    contactName: (address: AddressRow) => address.contact_name,
    isDefault: (address: AddressRow) => address.is_default,
  },
};
