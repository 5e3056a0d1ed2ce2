/** Thin resolvers of invitations (spread into resolvers.ts); the work is in data/invitations.ts and invitations.ts. */
import { requireUser } from '../../platform/context';
import { badInput } from '../../platform/errors';
import type { PromoteContext } from './context';
import {
  countCountedToday,
  findCounter,
  findInvitationOf,
  findInvitationsOf,
  findRanking,
  findReward,
  inviteCodeOf,
  type InvitationRow,
} from './data/invitations';
import type {
  InvitationResolvers,
  InviteProgressResolvers,
  InviteRankResolvers,
  QueryResolvers,
  ReceivedInvitationResolvers,
} from './generated/resolvers-types';
import { decodeCursor, encodeCursor } from './invitations';

const MAX_PAGE = 50;
const MAX_RANKING = 100;

export interface RankView {
  rank: number;
  inviterId: string;
  count: number;
}

export interface ProgressView {
  acceptedCount: number;
  countedCount: number;
  countedToday: number;
  dailyLimit: number;
  rewardAfter: number;
  rewardAmount: number;
  rewardCouponId: string | null;
}

function pageSize(first: number | null | undefined, max: number): number {
  const size = first ?? 20;
  if (!Number.isInteger(size) || size < 1 || size > max) throw badInput(`first must be 1 to ${max}`, 'first');
  return size;
}

export const inviteResolvers: {
  Query: Pick<QueryResolvers, 'myInviteCode' | 'myInvites' | 'myInviteProgress' | 'myInvitation' | 'inviteRanking'>;
  Invitation: InvitationResolvers;
  InviteRank: InviteRankResolvers;
  InviteProgress: InviteProgressResolvers;
  ReceivedInvitation: ReceivedInvitationResolvers;
} = {
  Query: {
    myInviteCode: (_parent, _args, context) => inviteCodeOf(context.db, requireUser(context)),
    async myInvites(_parent, { first, after }, context) {
      const userId = requireUser(context);
      const size = pageSize(first, MAX_PAGE);
      const keyset = after == null ? null : decodeCursor(after);
      if (after != null && !keyset) throw badInput('The cursor is malformed', 'after');
      // One more than asked tells whether there is a next page.
      const [rows, counter] = await Promise.all([findInvitationsOf(context.db, userId, size + 1, keyset), findCounter(context.db, userId)]);
      const nodes = rows.slice(0, size);
      const last = nodes[nodes.length - 1];
      return {
        nodes,
        endCursor: last ? encodeCursor(last.created_at, String(last.invitee_id)) : null,
        hasNextPage: rows.length > size,
        totalCount: counter?.accepted_count ?? 0,
      };
    },
    async myInviteProgress(_parent, _args, context) {
      const userId = requireUser(context);
      const settings = context.config.invites;
      const [counter, today, reward] = await Promise.all([
        findCounter(context.db, userId),
        countCountedToday(context.db, userId),
        findReward(context.db, userId),
      ]);
      return {
        acceptedCount: counter?.accepted_count ?? 0,
        countedCount: counter?.counted_count ?? 0,
        countedToday: today,
        dailyLimit: settings.countedPerDay,
        rewardAfter: settings.rewardAfter,
        rewardAmount: settings.rewardAmountFen,
        rewardCouponId: reward ? String(reward.coupon_id) : null,
      };
    },
    myInvitation: async (_parent, _args, context) => (await findInvitationOf(context.db, requireUser(context))) ?? null,
    async inviteRanking(_parent, { first }, context) {
      requireUser(context);
      const rows = await findRanking(context.db, pageSize(first ?? 10, MAX_RANKING));
      return rows.map((row, index) => ({ rank: index + 1, inviterId: String(row.inviter_id), count: row.counted_count }));
    },
  },

  Invitation: {
    inviteeId: (row: InvitationRow) => String(row.invitee_id),
    invitee: (row: InvitationRow) => ({ id: String(row.invitee_id) }),
    invitedAt: (row: InvitationRow) => row.created_at.toISOString(),
  },

  InviteRank: {
    inviter: (rank: RankView) => ({ id: rank.inviterId }),
  },

  InviteProgress: {
    // The caller's own coupon: loaded like any wallet coupon.
    rewardCoupon: (progress: ProgressView, _args, context: PromoteContext) =>
      progress.rewardCouponId ? context.loaders.couponById.load(progress.rewardCouponId) : null,
  },

  ReceivedInvitation: {
    inviterId: (row: InvitationRow) => String(row.inviter_id),
    inviter: (row: InvitationRow) => ({ id: String(row.inviter_id) }),
    invitedAt: (row: InvitationRow) => row.created_at.toISOString(),
    newUserCoupon: (row: InvitationRow, _args, context: PromoteContext) =>
      row.new_user_coupon_id ? context.loaders.couponById.load(String(row.new_user_coupon_id)) : null,
  },
};
