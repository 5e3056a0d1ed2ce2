/** Thin resolvers of shopper messages, spread into the user subgraph's resolver map. */
import { requireUser } from '../../../platform/context';
import type { UserRow } from '../data/users';
import type { MutationResolvers, QueryResolvers, UserResolvers } from '../generated/resolvers-types';
import { consentViews, offeredTemplates, reportMessageConsent } from './consent';

export const messageQueryResolvers: Pick<QueryResolvers, 'messageTemplates'> = {
  messageTemplates: (_parent, _args, context) => offeredTemplates(context.services.config.messages),
};

export const messageMutationResolvers: Pick<MutationResolvers, 'reportMessageConsent'> = {
  async reportMessageConsent(_parent, args, context) {
    const userId = requireUser(context);
    const config = context.services.config.messages;
    await reportMessageConsent(context.db, config, userId, args);
    context.loaders.consentsByUserId.clear(userId);
    return consentViews(config, await context.loaders.consentsByUserId.load(userId));
  },
};

export const messageUserResolvers: Pick<UserResolvers, 'messageConsents'> = {
  async messageConsents(user: UserRow, _args, context) {
    if (!context.selfIds.has(user.id)) return [];
    return consentViews(context.services.config.messages, await context.loaders.consentsByUserId.load(user.id));
  },
};
