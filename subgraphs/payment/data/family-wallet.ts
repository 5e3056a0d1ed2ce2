/**
 * Family wallets: the user wallet's ledger design (data/wallet.ts) with one account per family. Every change is one
 * conditional UPDATE of the balance (never below zero: the WHERE and the CHECK constraint) plus one ledger row in the
 * same transaction, so a family's entries always sum to its balance; `ref` is unique, so nothing is booked twice.
 */
import type { Knex } from 'knex';

export interface FamilyWalletEntryRow {
  id: string;
  family_id: string;
  amount: number;
  balance_after: number;
  kind: 'CREDIT' | 'PAYMENT' | 'REFUND';
  ref: string;
  note: string | null;
  actor: string | null;
  created_at: Date;
}

export async function familyBalance(db: Knex | Knex.Transaction, familyId: string): Promise<number> {
  const row = await db('family_wallet_accounts').where({ family_id: familyId }).first('balance');
  return row ? Number(row.balance) : 0;
}

export async function findFamilyEntryByRef(db: Knex | Knex.Transaction, ref: string): Promise<FamilyWalletEntryRow | undefined> {
  return db<FamilyWalletEntryRow>('family_wallet_entries').where({ ref }).first();
}

/**
 * Adds `amount` (positive: credit, negative: debit) to the family's balance and books the entry; null when a debit
 * would take the balance below zero, or a credit above `maxBalance` (nothing changes). A ref already booked is returned as it was.
 */
export async function bookFamily(
  trx: Knex.Transaction,
  input: { familyId: string; amount: number; kind: FamilyWalletEntryRow['kind']; ref: string; note?: string | null; actor?: string | null; maxBalance?: number },
): Promise<FamilyWalletEntryRow | null> {
  const existing = await findFamilyEntryByRef(trx, input.ref);
  if (existing) return existing;
  if (input.amount > 0) {
    await trx.raw(`INSERT INTO family_wallet_accounts (family_id, balance) VALUES (?, 0) ON CONFLICT (family_id) DO NOTHING`, [input.familyId]);
  }
  // The row lock of this UPDATE serializes concurrent changes of one family; the WHERE refuses an overdraft.
  const updated = await trx.raw(
    `UPDATE family_wallet_accounts SET balance = balance + ?, updated_at = now()
     WHERE family_id = ? AND balance + ? >= 0 AND balance + ? <= ? RETURNING balance`,
    [input.amount, input.familyId, input.amount, input.amount, input.maxBalance ?? 2_147_483_647],
  );
  if (!updated.rows.length) return null;
  const [entry] = await trx<FamilyWalletEntryRow>('family_wallet_entries')
    .insert({
      family_id: input.familyId,
      amount: input.amount,
      balance_after: Number(updated.rows[0].balance),
      kind: input.kind,
      ref: input.ref,
      note: input.note ?? null,
      actor: input.actor ?? null,
    } as never)
    .returning('*');
  return entry;
}

/** A page of the family's entries, newest first (keyset by id; `limit` one more than shown). */
export async function listFamilyEntries(db: Knex, familyId: string, limit: number, afterId?: string): Promise<FamilyWalletEntryRow[]> {
  const query = db<FamilyWalletEntryRow>('family_wallet_entries').where({ family_id: familyId }).orderBy('id', 'desc').limit(limit);
  if (afterId) query.where('id', '<', afterId);
  return query;
}
