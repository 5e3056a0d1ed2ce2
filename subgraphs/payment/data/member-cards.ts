/** Data access for the member card: its price history and its WeChat Pay orders. Knows knex, not GraphQL. */
import type { Knex } from 'knex';
import { newOutTradeNo } from './payments';

export interface MemberCardPriceRow {
  id: string;
  price: number;
  set_by: string;
  created_at: Date;
}

export interface MemberCardOrderRow {
  id: string;
  family_id: string;
  user_id: string;
  amount: number;
  status: 'PENDING' | 'PAID' | 'EXPIRED' | 'FLAGGED';
  out_trade_no: string;
  prepay_id: string | null;
  provider_txn_id: string | null;
  expires_at: Date;
  paid_at: Date | null;
  granted_at: Date | null;
  membership_expires_at: Date | null;
  created_at: Date;
}

/** The price on sale now: the latest one staff set (none: the card is not for sale). */
export async function currentMemberCardPrice(db: Knex | Knex.Transaction): Promise<MemberCardPriceRow | undefined> {
  return db<MemberCardPriceRow>('member_card_prices').orderBy('id', 'desc').first();
}

export async function insertMemberCardPrice(db: Knex, price: number, setBy: string): Promise<MemberCardPriceRow> {
  const [row] = await db<MemberCardPriceRow>('member_card_prices').insert({ price, set_by: setBy } as never).returning('*');
  return row;
}

/** The open card order of this family and buyer, created if there is none (the partial unique index settles races). */
export async function openMemberCardOrder(
  trx: Knex.Transaction,
  input: { familyId: string; userId: string; amount: number; expiresAt: Date },
): Promise<{ row: MemberCardOrderRow; created: boolean }> {
  const inserted = await trx.raw(
    `INSERT INTO member_card_orders (family_id, user_id, amount, status, out_trade_no, expires_at)
     VALUES (?, ?, ?, 'PENDING', ?, ?)
     ON CONFLICT (family_id, user_id) WHERE status = 'PENDING' DO NOTHING RETURNING id`,
    [input.familyId, input.userId, input.amount, newOutTradeNo('MEMBER_CARD'), input.expiresAt],
  );
  const row = await trx<MemberCardOrderRow>('member_card_orders').where({ family_id: input.familyId, user_id: input.userId, status: 'PENDING' }).first();
  if (!row) throw new Error('open member card order vanished');
  return { row, created: inserted.rows.length > 0 };
}

export async function findMemberCardOrder(db: Knex | Knex.Transaction, id: string): Promise<MemberCardOrderRow | undefined> {
  return db<MemberCardOrderRow>('member_card_orders').where({ id }).first();
}

export async function lockMemberCardOrder(trx: Knex.Transaction, where: { id: string } | { out_trade_no: string }): Promise<MemberCardOrderRow | undefined> {
  return trx<MemberCardOrderRow>('member_card_orders').where(where).forUpdate().first();
}

export async function setMemberCardPrepay(db: Knex, id: string, prepayId: string): Promise<void> {
  await db('member_card_orders').where({ id }).whereNull('prepay_id').update({ prepay_id: prepayId });
}

export async function updateMemberCardOrder(trx: Knex.Transaction, id: string, fields: Partial<MemberCardOrderRow>): Promise<MemberCardOrderRow> {
  const [row] = await trx<MemberCardOrderRow>('member_card_orders').where({ id }).update(fields as never).returning('*');
  return row;
}

/** A family's card orders, newest first (at most `limit`). */
export async function memberCardOrdersOfFamily(db: Knex, familyId: string, limit: number): Promise<MemberCardOrderRow[]> {
  return db<MemberCardOrderRow>('member_card_orders').where({ family_id: familyId }).orderBy('id', 'desc').limit(limit);
}
