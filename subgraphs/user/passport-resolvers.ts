/** Thin resolvers of passport (passport.ts): who may call, and mapping rows to fields. Spread into resolvers.ts. */
import { requireUser } from '../../platform/context';
import type { UserContext } from './context';
import type { IdentityRow } from './data/identities';
import type { UserRow } from './data/users';
import type { MutationResolvers, LinkedIdentityResolvers, UserResolvers } from './generated/resolvers-types';
import * as passport from './passport';
import type { AuthResult } from './tokens';

const signedIn = (context: UserContext, result: AuthResult): AuthResult => {
  context.selfIds.add(result.user.id);
  return result;
};

/** The account that now holds the identity is the caller's (merged or not): it may see its private fields. */
const bound = (context: UserContext, result: passport.BindingResult) => {
  context.selfIds.add(result.user.id);
  return result;
};

export const passportResolvers: {
  Mutation: Pick<
    MutationResolvers<UserContext>,
    'sendSmsCode' | 'registerWithSmsCode' | 'loginWithSmsCode' | 'resetPasswordWithSmsCode' | 'bindPhoneWithSmsCode' | 'bindWechatPhone' | 'bindWechatUnionId'
  >;
  User: Pick<UserResolvers<UserContext>, 'accountState' | 'linkedIdentities'>;
  LinkedIdentity: LinkedIdentityResolvers<UserContext>;
} = {
  Mutation: {
    sendSmsCode: (_parent, { phone, purpose }, context) =>
      passport.sendSmsCode(context.services, { phone, purpose, userId: context.identity.userId ?? null, clientIp: context.identity.clientIp }),
    registerWithSmsCode: async (_parent, { input }, context) => signedIn(context, await passport.registerWithSmsCode(context.services, input)),
    loginWithSmsCode: async (_parent, { phone, code, inviteCode }, context) =>
      signedIn(context, await passport.loginWithSmsCode(context.services, { phone, code, inviteCode })),
    resetPasswordWithSmsCode: (_parent, { phone, code, newPassword }, context) =>
      passport.resetPasswordWithSmsCode(context.services, { phone, code, newPassword }),
    bindPhoneWithSmsCode: async (_parent, { phone, code }, context) =>
      bound(context, await passport.bindPhoneWithSmsCode(context.services, requireUser(context), { phone, code })),
    bindWechatPhone: async (_parent, { input }, context) => bound(context, await passport.bindWechatPhone(context.services, requireUser(context), input)),
    bindWechatUnionId: async (_parent, { input }, context) =>
      bound(context, await passport.bindWechatUnionId(context.services, requireUser(context), input)),
  },
  User: {
    async accountState(user: UserRow, _args, context) {
      if (!context.selfIds.has(user.id)) return null;
      return passport.accountState(user, await context.loaders.identitiesByUserId.load(user.id));
    },
    async linkedIdentities(user: UserRow, _args, context) {
      return context.selfIds.has(user.id) ? context.loaders.identitiesByUserId.load(user.id) : [];
    },
  },
  LinkedIdentity: {
    platform: (identity: IdentityRow) => passport.PLATFORM_NAMES[identity.platform],
    boundAt: (identity: IdentityRow) => new Date(identity.created_at).toISOString(),
  },
};
