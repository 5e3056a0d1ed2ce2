/**
 * Invitations in SQL (docs/invites.md): invite codes, recording an invitation from UserRegistered with its coupons,
 * the counter row per inviter (ranking) and the reads. Knows knex, nothing of GraphQL or events.
 */
import crypto from 'node:crypto';
import type { Knex } from 'knex';

/** Start of today in Beijing time (daily caps), as in data/red-packets.ts. */
const TODAY_START = `(date_trunc('day', now() AT TIME ZONE 'Asia/Shanghai') AT TIME ZONE 'Asia/Shanghai')`;

/** Upper-case letters and digits without the look-alikes 0/O, 1/I/L: 31 symbols, 8 of them ≈ 2^39.6 codes. */
const CODE_ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';
const CODE_LENGTH = 8;

export const REWARD_PURPOSE = 'INVITE_COUNT_REWARD';

export function newInviteCode(): string {
  let code = '';
  for (let i = 0; i < CODE_LENGTH; i += 1) code += CODE_ALPHABET[crypto.randomInt(CODE_ALPHABET.length)];
  return code;
}

const isUniqueViolation = (error: unknown) => (error as { code?: string })?.code === '23505';

/** The shopper's invite code, created on first ask; concurrent first asks agree on one code. */
export async function inviteCodeOf(db: Knex, userId: string): Promise<string> {
  for (let attempt = 0; attempt < 5; attempt += 1) {
    const existing = await db('invite_codes').where({ user_id: userId }).first('code');
    if (existing) return existing.code;
    try {
      await db('invite_codes').insert({ user_id: userId, code: newInviteCode() }).onConflict('user_id').ignore();
    } catch (error) {
      // Another shopper's code drawn (about one in 10^12 per shopper): draw again.
      if (!isUniqueViolation(error)) throw error;
    }
  }
  throw new Error('Could not create an invite code');
}

export interface InviteRules {
  countedPerDay: number;
  rewardAfter: number;
  rewardAmountFen: number;
  newUserTemplateId: string | null;
  couponValidDays: number;
}

export type InviteOutcome =
  | { recorded: false; reason: 'UNKNOWN_CODE' | 'SELF_INVITE' | 'ALREADY_INVITED' }
  | { recorded: true; inviterId: string; counted: boolean; newUserCouponId: string | null; rewardCouponId: string | null };

/**
 * Records that `inviteeId` signed up with `code`, inside the consumer's transaction. The inviter's counter row is
 * locked first, so one inviter's acceptances run one after another: the daily cap and the "10th counted invitation"
 * are exact under concurrency, and the reward's unique (user, purpose) row backs "once" anyway.
 */
export async function recordInvitation(trx: Knex.Transaction, inviteeId: string, code: string, rules: InviteRules): Promise<InviteOutcome> {
  const owner = await trx('invite_codes').where({ code }).first('user_id');
  if (!owner) return { recorded: false, reason: 'UNKNOWN_CODE' };
  const inviterId = String(owner.user_id);
  if (inviterId === String(inviteeId)) return { recorded: false, reason: 'SELF_INVITE' };

  await trx.raw('INSERT INTO invite_counters (inviter_id) VALUES (?) ON CONFLICT DO NOTHING', [inviterId]);
  await trx.raw('SELECT 1 FROM invite_counters WHERE inviter_id = ? FOR UPDATE', [inviterId]);
  const { rows: today } = await trx.raw(
    `SELECT count(*)::int AS n FROM invitations WHERE inviter_id = ? AND counted AND created_at >= ${TODAY_START}`,
    [inviterId],
  );
  const counted = today[0].n < rules.countedPerDay;
  const { rows: inserted } = await trx.raw(
    'INSERT INTO invitations (invitee_id, inviter_id, counted) VALUES (?, ?, ?) ON CONFLICT (invitee_id) DO NOTHING RETURNING invitee_id',
    [inviteeId, inviterId, counted],
  );
  if (!inserted.length) return { recorded: false, reason: 'ALREADY_INVITED' };
  const { rows: counter } = await trx.raw(
    `UPDATE invite_counters SET accepted_count = accepted_count + 1,
            counted_count = counted_count + ?, last_counted_at = CASE WHEN ? THEN now() ELSE last_counted_at END
      WHERE inviter_id = ? RETURNING counted_count`,
    [counted ? 1 : 0, counted, inviterId],
  );

  let newUserCouponId: string | null = null;
  let rewardCouponId: string | null = null;
  if (counted) {
    if (rules.newUserTemplateId) {
      newUserCouponId = await issueNewUserCoupon(trx, inviteeId, rules.newUserTemplateId, rules.couponValidDays);
      if (newUserCouponId) await trx('invitations').where({ invitee_id: inviteeId }).update({ new_user_coupon_id: newUserCouponId });
    }
    if (counter[0].counted_count >= rules.rewardAfter) rewardCouponId = await rewardOnce(trx, inviterId, rules);
  }
  return { recorded: true, inviterId, counted, newUserCouponId, rewardCouponId };
}

/**
 * The invitee's coupon from the configured template, within its per-user limit; source INVITE, so issued_count (claims
 * and codes only, audit/invariants/issued.ts) is untouched. Null (skipped) when the template is gone or the limit is
 * reached.
 */
async function issueNewUserCoupon(trx: Knex.Transaction, userId: string, templateId: string, validDays: number): Promise<string | null> {
  const { rows } = await trx.raw(
    `INSERT INTO coupons (template_id, user_id, status, source, valid_from, valid_until)
     SELECT t.id, ?, 'AVAILABLE', 'INVITE', COALESCE(t.valid_from, now()),
            COALESCE(t.valid_until, now() + make_interval(days => COALESCE(t.valid_days, ?)))
       FROM coupon_templates t
      WHERE t.id = ? AND (t.valid_until IS NULL OR t.valid_until > now())
        AND (SELECT count(*) FROM coupons c WHERE c.template_id = t.id AND c.user_id = ?) < t.per_user_limit
     RETURNING id`,
    [userId, validDays, templateId, userId],
  );
  return rows[0] ? String(rows[0].id) : null;
}

/** The inviter's cash coupon (system template INVITE_REWARD, amount in share_amount), once per inviter. */
async function rewardOnce(trx: Knex.Transaction, inviterId: string, rules: InviteRules): Promise<string | null> {
  const given = await trx('invite_rewards').where({ user_id: inviterId, purpose: REWARD_PURPOSE }).first('coupon_id');
  if (given) return null;
  const { rows } = await trx.raw(
    `INSERT INTO coupons (template_id, user_id, status, source, share_amount, valid_from, valid_until)
     SELECT template_id, ?, 'AVAILABLE', 'INVITE', ?, now(), now() + make_interval(days => ?)
       FROM promote_system_templates WHERE purpose = 'INVITE_REWARD'
     RETURNING id`,
    [inviterId, rules.rewardAmountFen, rules.couponValidDays],
  );
  const couponId = String(rows[0].id);
  await trx('invite_rewards').insert({ user_id: inviterId, purpose: REWARD_PURPOSE, coupon_id: couponId });
  return couponId;
}

export interface InvitationRow {
  invitee_id: string;
  inviter_id: string;
  counted: boolean;
  new_user_coupon_id: string | null;
  created_at: Date;
}

/** One page of an inviter's invitations, newest first, after the keyset (created_at, invitee_id) of `after`. */
export async function findInvitationsOf(
  db: Knex,
  inviterId: string,
  first: number,
  after: { createdAt: string; inviteeId: string } | null,
): Promise<InvitationRow[]> {
  const query = db<InvitationRow>('invitations').where({ inviter_id: inviterId });
  if (after) query.andWhereRaw('(created_at, invitee_id) < (?::timestamptz, ?::bigint)', [after.createdAt, after.inviteeId]);
  return query.orderBy([{ column: 'created_at', order: 'desc' }, { column: 'invitee_id', order: 'desc' }]).limit(first).select('*');
}

export async function findInvitationOf(db: Knex, inviteeId: string): Promise<InvitationRow | undefined> {
  return db<InvitationRow>('invitations').where({ invitee_id: inviteeId }).first('*');
}

export interface InviteCounterRow {
  inviter_id: string;
  accepted_count: number;
  counted_count: number;
}

export async function findCounter(db: Knex, inviterId: string): Promise<InviteCounterRow | undefined> {
  return db<InviteCounterRow>('invite_counters').where({ inviter_id: inviterId }).first('inviter_id', 'accepted_count', 'counted_count');
}

export async function countCountedToday(db: Knex, inviterId: string): Promise<number> {
  const { rows } = await db.raw(
    `SELECT count(*)::int AS n FROM invitations WHERE inviter_id = ? AND counted AND created_at >= ${TODAY_START}`,
    [inviterId],
  );
  return rows[0].n;
}

export async function findReward(db: Knex, userId: string): Promise<{ coupon_id: string } | undefined> {
  return db('invite_rewards').where({ user_id: userId, purpose: REWARD_PURPOSE }).first('coupon_id');
}

/** Top inviters by counted invitations (ties: who got there first), one index scan. */
export async function findRanking(db: Knex, first: number): Promise<InviteCounterRow[]> {
  return db<InviteCounterRow>('invite_counters')
    .where('counted_count', '>', 0)
    .orderBy([{ column: 'counted_count', order: 'desc' }, { column: 'last_counted_at', order: 'asc' }, { column: 'inviter_id', order: 'asc' }])
    .limit(first)
    .select('inviter_id', 'accepted_count', 'counted_count');
}
