/**
 * Data access for lucky red packets (拼手气红包). Knows knex, not GraphQL.
 * A packet's shares are drawn and stored when it is created; opening takes the next unopened share with
 * `FOR UPDATE SKIP LOCKED` and issues a coupon of its amount, in one transaction (docs/invites.md).
 */
import type { Knex } from 'knex';

export interface RedPacketRow {
  id: string;
  created_by: string;
  kind: 'SHOPPER' | 'STAFF';
  total_amount: number;
  share_count: number;
  created_at: Date;
  expires_at: Date;
  /** Derived when read. */
  opened_count: number;
  opened_amount: number;
  expired: boolean;
}

export interface OpeningRow {
  packet_id: string;
  seq: number;
  amount: number;
  opened_by: string;
  opened_at: Date;
  coupon_id: string;
}

/** An opening as shown: whether it is the packet's best luck is known from the packet's other openings. */
export type OpeningView = OpeningRow & { luckiest: boolean };

/** Midnight of today in Beijing time, as a timestamptz expression: the "day" of the daily limits. */
const TODAY_START = `(date_trunc('day', now() AT TIME ZONE 'Asia/Shanghai') AT TIME ZONE 'Asia/Shanghai')`;

const PACKET_COLUMNS = `p.*, p.expires_at < now() AS expired,
  (SELECT count(*)::int FROM red_packet_shares s WHERE s.packet_id = p.id AND s.opened_by IS NOT NULL) AS opened_count,
  (SELECT COALESCE(sum(s.amount), 0)::int FROM red_packet_shares s WHERE s.packet_id = p.id AND s.opened_by IS NOT NULL) AS opened_amount`;

export async function findPacketsByIds(db: Knex, ids: readonly string[]): Promise<RedPacketRow[]> {
  const { rows } = await db.raw(`SELECT ${PACKET_COLUMNS} FROM red_packets p WHERE p.id = ANY(?::bigint[])`, [[...ids]]);
  return rows as RedPacketRow[];
}

/** The packets a shopper created, newest first. */
export async function findPacketsCreatedBy(db: Knex, userId: string, limit: number): Promise<RedPacketRow[]> {
  const { rows } = await db.raw(`SELECT ${PACKET_COLUMNS} FROM red_packets p WHERE p.created_by = ? ORDER BY p.id DESC LIMIT ?`, [userId, limit]);
  return rows as RedPacketRow[];
}

/** The opened shares of several packets, best luck first (largest amount, then earliest): one statement. */
export async function findOpeningsOfPackets(db: Knex, packetIds: readonly string[]): Promise<OpeningRow[]> {
  const { rows } = await db.raw(
    `SELECT * FROM red_packet_shares WHERE packet_id = ANY(?::bigint[]) AND opened_by IS NOT NULL
      ORDER BY packet_id, amount DESC, opened_at, seq`,
    [[...packetIds]],
  );
  return rows as OpeningRow[];
}

/** What a shopper opened today (Beijing time), newest first. */
export async function findOpeningsToday(db: Knex, userId: string): Promise<OpeningRow[]> {
  const { rows } = await db.raw(
    `SELECT * FROM red_packet_shares WHERE opened_by = ? AND opened_at >= ${TODAY_START} ORDER BY opened_at DESC, packet_id DESC`,
    [userId],
  );
  return rows as OpeningRow[];
}

export async function countCreatedToday(db: Knex, userId: string): Promise<number> {
  const { rows } = await db.raw(`SELECT count(*)::int AS n FROM red_packets WHERE created_by = ? AND kind = 'SHOPPER' AND created_at >= ${TODAY_START}`, [
    userId,
  ]);
  return rows[0].n as number;
}

/** Serializes one shopper's creations or openings (the daily counts are checked and written under it). */
async function lockShopper(trx: Knex.Transaction, purpose: 'create' | 'open', userId: string) {
  await trx.raw(`SELECT pg_advisory_xact_lock(hashtextextended(?, 0))`, [`red-packet-${purpose}:${userId}`]);
}

export type CreateResult = { packet: RedPacketRow } | { refusal: 'DAILY_LIMIT' };

/**
 * Stores a packet with its drawn shares. A shopper's packets count against `perDayLimit` (null: staff, no limit);
 * the per-shopper lock makes concurrent creations count one after another.
 */
export async function insertPacket(
  db: Knex,
  input: { createdBy: string; kind: 'SHOPPER' | 'STAFF'; shares: number[]; ttlHours: number; perDayLimit: number | null },
): Promise<CreateResult> {
  return db.transaction(async (trx) => {
    if (input.perDayLimit !== null) {
      await lockShopper(trx, 'create', input.createdBy);
      if ((await countCreatedToday(trx, input.createdBy)) >= input.perDayLimit) return { refusal: 'DAILY_LIMIT' as const };
    }
    const total = input.shares.reduce((sum, share) => sum + share, 0);
    const [packet] = (await trx('red_packets')
      .insert({
        created_by: input.createdBy,
        kind: input.kind,
        total_amount: total,
        share_count: input.shares.length,
        expires_at: trx.raw('now() + make_interval(hours => ?)', [input.ttlHours]),
      })
      .returning('*')) as Omit<RedPacketRow, 'opened_count' | 'opened_amount' | 'expired'>[];
    await trx('red_packet_shares').insert(input.shares.map((amount, index) => ({ packet_id: packet!.id, seq: index + 1, amount })));
    return { packet: { ...packet!, opened_count: 0, opened_amount: 0, expired: false } };
  });
}

export type OpenRefusal = 'NOT_FOUND' | 'EXPIRED' | 'OWN_PACKET' | 'ALREADY_OPENED' | 'ALL_OPENED' | 'DAILY_LIMIT';
export type OpenResult = { opening: OpeningRow } | { refusal: OpenRefusal };

/**
 * Opens a packet for a shopper: under the shopper's lock (so the daily count holds), checks the packet and the
 * shopper, takes the next unopened share skipping shares other openers hold, and issues its coupon from the red
 * packet template. Each share goes to one opener; the unique (packet, opener) index backs "each friend once".
 */
export async function openPacket(
  db: Knex,
  input: { packetId: string; userId: string; perDayLimit: number; couponValidDays: number },
): Promise<OpenResult> {
  return db.transaction(async (trx) => {
    await lockShopper(trx, 'open', input.userId);
    const packet = (await trx('red_packets').where({ id: input.packetId }).first('created_by', 'kind', trx.raw('expires_at < now() AS expired'))) as
      | { created_by: string; kind: string; expired: boolean }
      | undefined;
    if (!packet) return { refusal: 'NOT_FOUND' as const };
    if (packet.kind === 'SHOPPER' && packet.created_by === input.userId) return { refusal: 'OWN_PACKET' as const };
    const mine = await trx('red_packet_shares').where({ packet_id: input.packetId, opened_by: input.userId }).first('seq');
    if (mine) return { refusal: 'ALREADY_OPENED' as const };
    if (packet.expired) return { refusal: 'EXPIRED' as const };
    const { rows: today } = await trx.raw(`SELECT count(*)::int AS n FROM red_packet_shares WHERE opened_by = ? AND opened_at >= ${TODAY_START}`, [
      input.userId,
    ]);
    if (today[0].n >= input.perDayLimit) return { refusal: 'DAILY_LIMIT' as const };

    const { rows: taken } = await trx.raw(
      `UPDATE red_packet_shares s SET opened_by = ?, opened_at = now()
        WHERE (s.packet_id, s.seq) = (SELECT packet_id, seq FROM red_packet_shares
                                        WHERE packet_id = ? AND opened_by IS NULL ORDER BY seq LIMIT 1 FOR UPDATE SKIP LOCKED)
        RETURNING s.*`,
      [input.userId, input.packetId],
    );
    const share = taken[0] as Omit<OpeningRow, 'coupon_id'> | undefined;
    // SKIP LOCKED may pass over a share whose opener then rolls back: a retry of that opener's friend finds it again.
    if (!share) return { refusal: 'ALL_OPENED' as const };
    const { rows: coupons } = await trx.raw(
      `INSERT INTO coupons (template_id, user_id, status, source, share_amount, valid_from, valid_until)
       SELECT template_id, ?, 'AVAILABLE', 'PACKET', ?, now(), now() + make_interval(days => ?)
         FROM promote_system_templates WHERE purpose = 'RED_PACKET_SHARE'
       RETURNING id`,
      [input.userId, share.amount, input.couponValidDays],
    );
    const couponId = String(coupons[0].id);
    await trx('red_packet_shares').where({ packet_id: share.packet_id, seq: share.seq }).update({ coupon_id: couponId });
    return { opening: { ...share, coupon_id: couponId } };
  });
}
