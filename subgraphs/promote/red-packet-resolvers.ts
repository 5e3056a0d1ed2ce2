/** Thin resolvers of lucky red packets (spread into resolvers.ts); the work is in data/red-packets.ts and red-packet-split.ts. */
import { MAX_RED_PACKET_SHARES } from '../../platform/config';
import { requireScope, requireUser } from '../../platform/context';
import { badInput, notFound, shopError } from '../../platform/errors';
import { isBigintId } from '../../platform/loaders';
import { checkOrderAmount } from '../../platform/money';
import { STAFF_SCOPE } from './admin-resolvers';
import type { PromoteContext } from './context';
import {
  countCreatedToday,
  findOpeningsToday,
  findPacketsCreatedBy,
  insertPacket,
  openPacket,
  type OpeningRow,
  type OpeningView,
  type OpenRefusal,
  type RedPacketRow,
} from './data/red-packets';
import type { MutationResolvers, QueryResolvers, RedPacketOpeningResolvers, RedPacketResolvers } from './generated/resolvers-types';
import { splitRedPacket } from './red-packet-split';

const MAX_LISTED = 50;
const DAY_MS = 86_400_000;
/** Beijing time is UTC+8 all year (no daylight saving). */
const BEIJING_OFFSET_MS = 8 * 3_600_000;

/** Seconds until the next Beijing midnight, when daily limits start over (the client's Retry-After). */
export function secondsUntilBeijingMidnight(now = Date.now()): number {
  const nextMidnight = Math.floor((now + BEIJING_OFFSET_MS) / DAY_MS + 1) * DAY_MS - BEIJING_OFFSET_MS;
  return Math.max(1, Math.ceil((nextMidnight - now) / 1000));
}

/** A daily limit reached: RATE_LIMITED until the day (Beijing time) turns. */
const dailyLimitError = (message: string) =>
  shopError('RATE_LIMITED', message, { reason: 'DAILY_LIMIT', retryAfterSeconds: secondsUntilBeijingMidnight() });

/** Each opening with whether it is the best luck among `all` openings of its packet (sorted best first). */
function withLuck(rows: OpeningRow[], bestOfPacket: (packetId: string) => OpeningRow | undefined): OpeningView[] {
  return rows.map((row) => {
    const best = bestOfPacket(String(row.packet_id));
    return { ...row, luckiest: !!best && best.seq === row.seq && String(best.packet_id) === String(row.packet_id) };
  });
}

async function viewOf(context: PromoteContext, rows: OpeningRow[]): Promise<OpeningView[]> {
  const packetIds = [...new Set(rows.map((row) => String(row.packet_id)))];
  const all = await context.loaders.openingsByPacket.loadMany(packetIds);
  const best = new Map(packetIds.map((id, index) => [id, (all[index] as OpeningRow[])[0]]));
  return withLuck(rows, (id) => best.get(id));
}

function openRefusal(refusal: OpenRefusal, limit: number) {
  const withReason = (code: 'CONFLICT' | 'NOT_FOUND', message: string) => shopError(code, message, { reason: refusal });
  switch (refusal) {
    case 'NOT_FOUND':
      return withReason('NOT_FOUND', 'This red packet does not exist');
    case 'EXPIRED':
      return withReason('CONFLICT', 'This red packet has expired');
    case 'OWN_PACKET':
      return withReason('CONFLICT', 'You cannot open your own red packet: share it with friends');
    case 'ALREADY_OPENED':
      return withReason('CONFLICT', 'You have already opened this red packet');
    case 'ALL_OPENED':
      return withReason('CONFLICT', 'Too late: every share of this red packet has been taken');
    case 'DAILY_LIMIT':
      return dailyLimitError(`You can open at most ${limit} red packets a day. Come back tomorrow`);
  }
}

export const redPacketResolvers: {
  Query: Pick<QueryResolvers, 'redPacket' | 'myRedPackets' | 'myRedPacketDay'>;
  Mutation: Pick<MutationResolvers, 'createRedPacket' | 'createStaffRedPacket' | 'openRedPacket'>;
  RedPacket: RedPacketResolvers;
  RedPacketOpening: RedPacketOpeningResolvers;
} = {
  Query: {
    async redPacket(_parent, { id }, context) {
      requireUser(context);
      return isBigintId(id) ? context.loaders.redPacketById.load(id) : null;
    },
    async myRedPackets(_parent, { first }, context) {
      const userId = requireUser(context);
      return findPacketsCreatedBy(context.db, userId, Math.max(0, Math.min(first ?? 20, MAX_LISTED)));
    },
    async myRedPacketDay(_parent, _args, context) {
      const userId = requireUser(context);
      const { openedPerDay, createdPerDay } = context.config.redPackets;
      const [openings, createdCount] = await Promise.all([findOpeningsToday(context.db, userId), countCreatedToday(context.db, userId)]);
      return {
        openings: await viewOf(context, openings),
        opensLeft: Math.max(0, openedPerDay - openings.length),
        openLimit: openedPerDay,
        createdCount,
        createLimit: createdPerDay,
      };
    },
  },

  Mutation: {
    async createRedPacket(_parent, _args, context) {
      const userId = requireUser(context);
      const settings = context.config.redPackets;
      const result = await insertPacket(context.db, {
        createdBy: userId,
        kind: 'SHOPPER',
        shares: splitRedPacket(settings.amountFen, settings.shares),
        ttlHours: settings.ttlHours,
        perDayLimit: settings.createdPerDay,
      });
      if ('refusal' in result) {
        throw dailyLimitError(`You can create at most ${settings.createdPerDay} red packets a day. Come back tomorrow`);
      }
      return result.packet;
    },
    async createStaffRedPacket(_parent, { totalAmount, shareCount }, context) {
      const staffId = requireScope(context, STAFF_SCOPE);
      if (!Number.isInteger(shareCount) || shareCount < 1 || shareCount > MAX_RED_PACKET_SHARES) {
        throw badInput(`shareCount must be 1 to ${MAX_RED_PACKET_SHARES}`, 'shareCount');
      }
      checkOrderAmount(totalAmount, context.config.money, 'totalAmount');
      if (totalAmount < shareCount) throw badInput('totalAmount must be at least 1 fen a share', 'totalAmount');
      const result = await insertPacket(context.db, {
        createdBy: staffId,
        kind: 'STAFF',
        shares: splitRedPacket(totalAmount, shareCount),
        ttlHours: context.config.redPackets.ttlHours,
        perDayLimit: null,
      });
      if ('refusal' in result) throw new Error('Staff red packets have no daily limit');
      return result.packet;
    },
    async openRedPacket(_parent, { id }, context) {
      const userId = requireUser(context);
      if (!isBigintId(id)) throw notFound('This red packet does not exist');
      const { openedPerDay, couponValidDays } = context.config.redPackets;
      const result = await openPacket(context.db, { packetId: id, userId, perDayLimit: openedPerDay, couponValidDays });
      if ('refusal' in result) throw openRefusal(result.refusal, openedPerDay);
      context.loaders.openingsByPacket.clear(id);
      return (await viewOf(context, [result.opening]))[0]!;
    },
  },

  RedPacket: {
    totalAmount: (packet: RedPacketRow) => packet.total_amount,
    shareCount: (packet: RedPacketRow) => packet.share_count,
    openedCount: (packet: RedPacketRow) => packet.opened_count,
    openedAmount: (packet: RedPacketRow) => packet.opened_amount,
    createdAt: (packet: RedPacketRow) => packet.created_at.toISOString(),
    expiresAt: (packet: RedPacketRow) => packet.expires_at.toISOString(),
    mine: (packet: RedPacketRow, _args, context) => String(packet.created_by) === context.identity.userId,
    async openings(packet: RedPacketRow, { first }, context) {
      const all = await context.loaders.openingsByPacket.load(String(packet.id));
      return withLuck(all.slice(0, Math.max(0, Math.min(first ?? 20, MAX_LISTED))), () => all[0]);
    },
    async myOpening(packet: RedPacketRow, _args, context) {
      const all = await context.loaders.openingsByPacket.load(String(packet.id));
      const mine = all.find((row) => String(row.opened_by) === context.identity.userId);
      return mine ? withLuck([mine], () => all[0])[0]! : null;
    },
  },

  RedPacketOpening: {
    packetId: (opening: OpeningView) => String(opening.packet_id),
    userId: (opening: OpeningView) => String(opening.opened_by),
    user: (opening: OpeningView) => ({ id: String(opening.opened_by) }),
    openedAt: (opening: OpeningView) => opening.opened_at.toISOString(),
    // Another opener's coupon is theirs alone.
    async coupon(opening: OpeningView, _args, context) {
      if (String(opening.opened_by) !== context.identity.userId) return null;
      return context.loaders.couponById.load(String(opening.coupon_id));
    },
  },
};
