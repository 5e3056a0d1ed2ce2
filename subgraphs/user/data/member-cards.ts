/** Data access for member card numbers (WeChat, Alipay, the shop's own card) per account. Knows knex, not GraphQL. */
import type { Knex } from 'knex';

export type MemberCardKind = 'WECHAT' | 'ALIPAY' | 'SHOP';

export interface MemberCardRow {
  kind: MemberCardKind;
  number: string;
  user_id: string;
  created_at: Date;
}

/** The cards with this number, of any kind (numbers are unique per kind). */
export async function findCardsByNumber(db: Knex, number: string): Promise<MemberCardRow[]> {
  return db('member_cards').where({ number }).orderBy('kind');
}

export async function findCardsOfUser(db: Knex, userId: string): Promise<MemberCardRow[]> {
  return db('member_cards').where({ user_id: userId }).orderBy('kind');
}

/**
 * Gives the user a card of `kind` (replacing theirs of that kind). Returns false when the number belongs to another
 * account already.
 */
export async function putMemberCard(db: Knex, userId: string, kind: MemberCardKind, number: string): Promise<boolean> {
  return db.transaction(async (trx) => {
    const holder = await trx('member_cards').where({ kind, number }).first();
    if (holder && String(holder.user_id) !== userId) return false;
    await trx('member_cards').where({ user_id: userId, kind }).delete();
    await trx('member_cards').insert({ user_id: userId, kind, number });
    return true;
  });
}
