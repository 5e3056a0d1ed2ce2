/**
 * Family coupon wallets and members' free-shipping coupons (docs/family-coupons.md). Knows knex, not GraphQL.
 *
 * Promote keeps its own copy of families (owner, members, level) from the user subgraph's MembershipChanged; family
 * coupons are `coupons` rows with `family_id` set, usable by the members of that copy. A membership period
 * (family, level, end) is one `family_coupon_grants` row; each 30-day slot of it issues its coupons once
 * (`family_coupon_slots` primary key), whatever the event redelivery or concurrent activation.
 */
import type { Knex } from 'knex';
import { COUPON_COLUMNS, STATUS_FILTERS, type CouponRow, type CouponStatusFilter } from './coupons';

export type MemberLevel = 'NONE' | 'TRIAL' | 'FORMAL';

export interface MembershipChange {
  familyId: string;
  ownerId: string;
  memberUserIds: string[];
  level: MemberLevel;
  expiresAt: string | null;
  occurredAt: string;
}

const SLOT = `interval '30 days'`;

/**
 * Applies one MembershipChanged: the family's copy and members (unless a newer event was applied already), the
 * period's grant (once per family, level and end) and the coupons of its slots due now. Returns the coupons issued.
 */
export async function applyMembershipChange(trx: Knex.Transaction, change: MembershipChange, perSlot: number): Promise<string[]> {
  // The upsert takes the family row's lock: one family's events and activations run one after another.
  const { rows } = await trx.raw(
    `INSERT INTO promote_families (family_id, owner_id, level, expires_at, event_at) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (family_id) DO UPDATE SET owner_id = EXCLUDED.owner_id, level = EXCLUDED.level,
       expires_at = EXCLUDED.expires_at, event_at = EXCLUDED.event_at
     WHERE promote_families.event_at <= EXCLUDED.event_at
     RETURNING family_id`,
    [change.familyId, change.ownerId, change.level, change.expiresAt, change.occurredAt],
  );
  if (!rows.length) return []; // an older event delivered late: what it says is already superseded
  const members = [...new Set([change.ownerId, ...change.memberUserIds].map(String))];
  await trx('promote_family_members').where({ family_id: change.familyId }).whereNotIn('user_id', members).delete();
  await trx('promote_family_members')
    .insert(members.map((user_id) => ({ family_id: change.familyId, user_id })))
    .onConflict(['family_id', 'user_id'])
    .ignore();
  if (change.level !== 'NONE' && change.expiresAt && perSlot > 0) {
    // The period starts when it was granted, or where the family's last period ended (an extension adds only the
    // time not covered yet, so overlapping periods never pay twice).
    await trx.raw(
      `INSERT INTO family_coupon_grants (family_id, level, starts_at, ends_at, per_slot)
       SELECT ?, ?, s.starts_at, ?::timestamptz, ?
         FROM (SELECT GREATEST(?::timestamptz, (SELECT max(ends_at) FROM family_coupon_grants WHERE family_id = ?)) AS starts_at) s
        WHERE s.starts_at < ?::timestamptz AND ?::timestamptz > now()
       ON CONFLICT (family_id, level, ends_at) DO NOTHING`,
      [change.familyId, change.level, change.expiresAt, perSlot, change.occurredAt, change.familyId, change.expiresAt, change.expiresAt],
    );
  }
  return activateDueSlots(trx, change.familyId);
}

/**
 * Issues the coupons of every slot of the family's periods that has started and not ended and was not issued yet;
 * returns their ids (none when everything due was issued before). The slots' primary key makes concurrent calls
 * issue each slot once: a second insert of a slot waits for the first to commit, then does nothing.
 */
export async function activateDueSlots(db: Knex, familyId: string): Promise<string[]> {
  const { rows } = await db.raw(
    `WITH due AS (
       SELECT g.id AS grant_id, s.slot, g.family_id, g.per_slot,
              g.starts_at + s.slot * ${SLOT} AS from_at,
              LEAST(g.starts_at + (s.slot + 1) * ${SLOT}, g.ends_at) AS until_at
         FROM family_coupon_grants g
        CROSS JOIN LATERAL generate_series(0, ceil(extract(epoch FROM g.ends_at - g.starts_at) / 2592000)::int - 1) AS s(slot)
        WHERE g.family_id = ? AND g.ends_at > now() AND g.per_slot > 0
          AND g.starts_at + s.slot * ${SLOT} <= now()
          AND LEAST(g.starts_at + (s.slot + 1) * ${SLOT}, g.ends_at) > now()),
     claimed AS (
       INSERT INTO family_coupon_slots (grant_id, slot) SELECT grant_id, slot FROM due
       ON CONFLICT (grant_id, slot) DO NOTHING RETURNING grant_id, slot)
     INSERT INTO coupons (template_id, user_id, family_id, status, source, valid_from, valid_until)
     SELECT t.template_id, f.owner_id, d.family_id, 'AVAILABLE', 'MEMBER', d.from_at, d.until_at
       FROM claimed c
       JOIN due d ON d.grant_id = c.grant_id AND d.slot = c.slot
       JOIN promote_families f ON f.family_id = d.family_id
      CROSS JOIN (SELECT template_id FROM promote_system_templates WHERE purpose = 'MEMBER_FREE_SHIPPING') t
      CROSS JOIN generate_series(1, d.per_slot)
     RETURNING id`,
    [familyId],
  );
  return rows.map((row: { id: string }) => String(row.id));
}

/** Whether promote knows the family, and whether the user is its owner or a member (as of the last event). */
export async function familyAccess(db: Knex, familyId: string, userId: string): Promise<{ known: boolean; member: boolean }> {
  const { rows } = await db.raw(
    `SELECT EXISTS (SELECT 1 FROM promote_families WHERE family_id = ?) AS known,
            EXISTS (SELECT 1 FROM promote_family_members WHERE family_id = ? AND user_id = ?) AS member`,
    [familyId, familyId, userId],
  );
  return { known: rows[0].known, member: rows[0].member };
}

/** The coupons of some families, newest first per family, optionally of one (derived) status: one statement. */
export async function findFamiliesCoupons(db: Knex, familyIds: readonly string[], status: CouponStatusFilter | null): Promise<CouponRow[]> {
  const { rows } = await db.raw(
    `SELECT ${COUPON_COLUMNS} FROM coupons c JOIN coupon_templates t ON t.id = c.template_id
      WHERE c.family_id = ANY(?::bigint[]) ${status ? `AND ${STATUS_FILTERS[status]}` : ''}
      ORDER BY c.id DESC`,
    [[...familyIds]],
  );
  return rows as CouponRow[];
}

/** Of these coupons, the ids `userId` may use: personal ones of theirs, family ones of a family they belong to. */
export async function usableByUser(db: Knex, coupons: readonly Pick<CouponRow, 'id' | 'user_id' | 'family_id'>[], userId: string): Promise<Set<string>> {
  const allowed = new Set<string>();
  const familyIds = new Set<string>();
  for (const coupon of coupons) {
    if (coupon.family_id == null) {
      if (String(coupon.user_id) === String(userId)) allowed.add(String(coupon.id));
    } else familyIds.add(String(coupon.family_id));
  }
  if (familyIds.size) {
    const rows = (await db('promote_family_members').where('user_id', userId).whereIn('family_id', [...familyIds]).select('family_id')) as { family_id: string }[];
    const mine = new Set(rows.map((row) => String(row.family_id)));
    for (const coupon of coupons) if (coupon.family_id != null && mine.has(String(coupon.family_id))) allowed.add(String(coupon.id));
  }
  return allowed;
}
