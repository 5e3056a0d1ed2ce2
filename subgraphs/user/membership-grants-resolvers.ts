/** Thin resolvers of payment's internal family calls (spread into resolvers.ts); the rules are in membership-grants.ts. */
import { requireService } from '../../platform/context';
import type { MutationResolvers, QueryResolvers } from './generated/resolvers-types';
import { familyForPayment, grantPaidMembership } from './membership-grants';

export const membershipGrantResolvers: {
  Query: Pick<QueryResolvers, 'familyForPayment'>;
  Mutation: Pick<MutationResolvers, 'grantPaidMembership'>;
} = {
  Query: {
    familyForPayment(_parent, { familyId }, context) {
      requireService(context, 'payment');
      return familyForPayment(context.db, familyId);
    },
  },
  Mutation: {
    grantPaidMembership(_parent, args, context) {
      requireService(context, 'payment');
      return grantPaidMembership(context.db, args);
    },
  },
};
