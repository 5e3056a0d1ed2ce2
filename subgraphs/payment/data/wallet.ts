/**
 * The wallet: one balance row per user and an append-only ledger of entries. Every change is one conditional UPDATE
 * of the balance (never below zero: the WHERE and the CHECK constraint) plus one ledger row in the same
 * transaction, so the entries of a user always sum to the balance.
 */
import type { Knex } from 'knex';

export interface WalletEntryRow {
  id: string;
  user_id: string;
  amount: number;
  balance_after: number;
  kind: 'CREDIT' | 'PAYMENT' | 'REFUND';
  ref: string;
  note: string | null;
  created_at: Date;
}

export async function walletBalance(db: Knex, userId: string): Promise<number> {
  const row = await db('wallet_accounts').where({ user_id: userId }).first('balance');
  return row ? Number(row.balance) : 0;
}

/** The balances of a batch of users in one statement (0 for a user without a wallet row), in the order asked. */
export async function walletBalances(db: Knex, userIds: readonly string[]): Promise<number[]> {
  const rows: { user_id: string; balance: string | number }[] = await db('wallet_accounts')
    .select('user_id', 'balance')
    .whereRaw('user_id = ANY(?::bigint[])', [[...userIds]]);
  const byUser = new Map(rows.map((row) => [String(row.user_id), Number(row.balance)]));
  return userIds.map((id) => byUser.get(String(id)) ?? 0);
}

export async function findEntryByRef(db: Knex | Knex.Transaction, ref: string): Promise<WalletEntryRow | undefined> {
  return db<WalletEntryRow>('wallet_entries').where({ ref }).first();
}

/**
 * Adds `amount` (positive: credit, negative: debit) to the balance and books the entry; returns null when a debit
 * would take the balance below zero (nothing changes). `ref` is unique: a booked ref is returned as it was.
 */
export async function book(
  trx: Knex.Transaction,
  input: { userId: string; amount: number; kind: WalletEntryRow['kind']; ref: string; note?: string | null },
): Promise<WalletEntryRow | null> {
  const existing = await findEntryByRef(trx, input.ref);
  if (existing) return existing;
  if (input.amount > 0) {
    await trx.raw(`INSERT INTO wallet_accounts (user_id, balance) VALUES (?, 0) ON CONFLICT (user_id) DO NOTHING`, [input.userId]);
  }
  const updated = await trx.raw(
    `UPDATE wallet_accounts SET balance = balance + ?, updated_at = now() WHERE user_id = ? AND balance + ? >= 0 RETURNING balance`,
    [input.amount, input.userId, input.amount],
  );
  if (!updated.rows.length) return null;
  const [entry] = await trx<WalletEntryRow>('wallet_entries')
    .insert({
      user_id: input.userId,
      amount: input.amount,
      balance_after: Number(updated.rows[0].balance),
      kind: input.kind,
      ref: input.ref,
      note: input.note ?? null,
    } as never)
    .returning('*');
  return entry;
}

/** A page of the user's entries, newest first (keyset by id; `limit` one more than shown). */
export async function listEntries(db: Knex, userId: string, limit: number, afterId?: string): Promise<WalletEntryRow[]> {
  const query = db<WalletEntryRow>('wallet_entries').where({ user_id: userId }).orderBy('id', 'desc').limit(limit);
  if (afterId) query.where('id', '<', afterId);
  return query;
}
