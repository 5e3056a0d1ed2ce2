/** Thin resolvers of families and membership (spread into resolvers.ts); the rules are in families.ts, membership.ts, activation-codes.ts. */
import { requireScope, requireService, requireUser } from '../../platform/context';
import { badInput, notFound } from '../../platform/errors';
import { activateCode, batches, cancelBatchCodes, createBatch } from './activation-codes';
import type { UserContext } from './context';
import type { BatchRow, FamilyRow } from './data/families';
import type { UserRow } from './data/users';
import * as families from './families';
import type {
  ActivationCodeBatchResolvers,
  FamilyResolvers,
  MembershipResolvers,
  MutationResolvers,
  QueryResolvers,
  UserResolvers,
} from './generated/resolvers-types';
import { membershipOf, membershipsOfUsers, type MembershipView } from './membership';

export interface UserMembershipView {
  userId: string;
  membership: MembershipView;
}
export interface NewBatchView {
  batch: BatchRow;
  codes: string[];
}

/** More ids than this in one internal call is a malformed request. */
const MAX_USERS_PER_CALL = 500;
const MEMBER_WRITE = 'member:write' as const;

const isSelf = (context: UserContext, user: UserRow) => context.selfIds.has(String(user.id));

/** A family loaded in this request is remembered, so its fields resolve without asking again. */
function remember(context: UserContext, family: FamilyRow): FamilyRow {
  context.families.familyById.clear(String(family.id)).prime(String(family.id), family);
  context.families.membersOfFamily.clear(String(family.id));
  return family;
}

async function familiesOf(context: UserContext, userId: string): Promise<FamilyRow[]> {
  const ids = await context.families.familyIdsOfUser.load(userId);
  const rows = await context.families.familyById.loadMany(ids);
  return rows.filter((row): row is FamilyRow => Boolean(row) && !(row instanceof Error));
}

type FamilyMutations = Pick<
  MutationResolvers,
  | 'createFamily'
  | 'updateFamily'
  | 'setDefaultFamily'
  | 'addFamilyMember'
  | 'removeFamilyMember'
  | 'startMemberTrial'
  | 'activateMembershipCode'
  | 'createActivationCodeBatch'
  | 'cancelActivationCodes'
>;
type FamilyQueries = Pick<QueryResolvers, 'family' | 'activationCodeBatches' | 'membershipsOfUsers'>;
type FamilyUserFields = Pick<UserResolvers, 'families' | 'defaultFamily' | 'membership' | 'memberTrialTaken'>;

export const familyResolvers: {
  Query: FamilyQueries;
  Mutation: FamilyMutations;
  User: FamilyUserFields;
  Family: FamilyResolvers;
  Membership: MembershipResolvers;
  ActivationCodeBatch: ActivationCodeBatchResolvers;
} = {
  Query: {
    async family(_parent, { id }, context) {
      const family = await families.familyForViewer(context.db, requireUser(context), id);
      if (!family) throw notFound('Family not found');
      return remember(context, family);
    },
    activationCodeBatches(_parent, { first }, context) {
      requireScope(context, MEMBER_WRITE);
      return batches(context.db, first, context.config.maxPageSize);
    },
    async membershipsOfUsers(_parent, { userIds }, context) {
      requireService(context, 'cart', 'order', 'product', 'promote');
      if (userIds.length > MAX_USERS_PER_CALL) throw badInput(`At most ${MAX_USERS_PER_CALL} users at a time`, 'userIds');
      const views = await membershipsOfUsers(context.db, userIds);
      return userIds.map((userId, i) => ({ userId, membership: views[i] }));
    },
  },
  Mutation: {
    createFamily: async (_parent, { input, isDefault }, context) => remember(context, await families.createFamily(context.db, requireUser(context), input, isDefault)),
    updateFamily: async (_parent, { id, input }, context) => remember(context, await families.updateFamily(context.db, requireUser(context), id, input)),
    setDefaultFamily: async (_parent, { id }, context) => remember(context, await families.setDefaultFamily(context.db, requireUser(context), id)),
    addFamilyMember: async (_parent, { familyId, phone }, context) =>
      remember(context, await families.addFamilyMember(context.db, requireUser(context), familyId, phone)),
    removeFamilyMember: (_parent, { familyId, userId }, context) => families.removeFamilyMember(context.db, requireUser(context), familyId, userId),
    startMemberTrial: async (_parent, { familyId }, context) =>
      remember(context, await families.startMemberTrial(context.db, requireUser(context), familyId, context.config.family.trialDays)),
    async activateMembershipCode(_parent, { familyId, code }, context) {
      const userId = requireUser(context);
      return remember(context, await activateCode(context.services, userId, familyId, code, context.identity.clientIp));
    },
    createActivationCodeBatch: (_parent, { input }, context) => createBatch(context.db, requireScope(context, MEMBER_WRITE), input),
    cancelActivationCodes: (_parent, { batchId, codes }, context) => {
      requireScope(context, MEMBER_WRITE);
      return cancelBatchCodes(context.db, batchId, codes);
    },
  },
  User: {
    /** The user's own families only: another viewer sees none. */
    families: (user: UserRow, _args, context) => (isSelf(context, user) ? familiesOf(context, String(user.id)) : []),
    async defaultFamily(user: UserRow, _args, context) {
      if (!isSelf(context, user)) return null;
      return (await familiesOf(context, String(user.id))).find((family) => family.is_default && String(family.owner_id) === String(user.id)) ?? null;
    },
    membership: (user: UserRow, _args, context) => (isSelf(context, user) ? context.families.membershipOfUser.load(String(user.id)) : null),
    memberTrialTaken: (user: UserRow, _args, context) => (isSelf(context, user) ? context.families.userTried.load(String(user.id)) : null),
  },
  Family: {
    contactName: (family) => family.contact_name,
    isDefault: (family) => family.is_default,
    owner: async (family, _args, context) => (await context.loaders.userById.load(String(family.owner_id)))!,
    async members(family, _args, context) {
      const rows = await context.families.membersOfFamily.load(String(family.id));
      const users = await context.loaders.userById.loadMany(rows.map((row) => String(row.user_id)));
      return users.filter((user): user is UserRow => Boolean(user) && !(user instanceof Error));
    },
    membership: (family) => membershipOf(family),
    memberTrialTaken: (family, _args, context) => context.families.familyTried.load(String(family.id)),
    createdAt: (family) => family.created_at.toISOString(),
  },
  Membership: {
    familyId: (membership) => membership.familyId,
  },
  ActivationCodeBatch: {
    cycleDays: (batch) => batch.cycle_days,
    total: (batch) => batch.code_count,
    createdBy: (batch) => String(batch.created_by),
    createdAt: (batch) => batch.created_at.toISOString(),
  },
};
