import DataLoader from 'dataloader';
import type { Knex } from 'knex';
import { byIds, groupedBy } from '../../platform/loaders';
import { findCouponsByIds, type CouponRow } from './data/coupons';
import { findOpeningsOfPackets, findPacketsByIds, type OpeningRow, type RedPacketRow } from './data/red-packets';
import { findTemplatesByIds, type CouponTemplateRow } from './data/templates';

/** Per request: every coupon / template asked for during one request is fetched in one statement. */
export function createPromoteLoaders(db: Knex) {
  return {
    couponById: new DataLoader<string, CouponRow | null>(byIds((ids) => findCouponsByIds(db, ids))),
    redPacketById: new DataLoader<string, RedPacketRow | null>(byIds((ids) => findPacketsByIds(db, ids))),
    /** A packet's openings, best luck first. */
    openingsByPacket: new DataLoader<string, OpeningRow[]>(groupedBy((row) => String(row.packet_id), (ids) => findOpeningsOfPackets(db, ids))),
    /** The families (promote's copy) each user belongs to: one statement for all users of a request. */
    familiesOfUser: new DataLoader<string, Set<string>>(async (userIds) => {
      const rows = (await db('promote_family_members').whereIn('user_id', [...userIds]).select('user_id', 'family_id')) as { user_id: string; family_id: string }[];
      return userIds.map((id) => new Set(rows.filter((row) => String(row.user_id) === id).map((row) => String(row.family_id))));
    }),
    templateById: new DataLoader<string, CouponTemplateRow | null>(byIds((ids) => findTemplatesByIds(db, ids))),
  };
}

export type PromoteLoaders = ReturnType<typeof createPromoteLoaders>;
