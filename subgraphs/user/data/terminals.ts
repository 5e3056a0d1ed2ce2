/** Data access for terminals (devices bound to a store) and their one-time binding codes. Knows knex, not GraphQL. */
import type { Knex } from 'knex';

export interface TerminalRow {
  id: string;
  store_id: string;
  user_id: string;
  name: string;
  device_id: string | null;
  bound_by: string;
  bound_at: Date;
  last_seen_at: Date | null;
  revoked_at: Date | null;
}

const COLUMNS = ['id', 'store_id', 'user_id', 'name', 'device_id', 'bound_by', 'bound_at', 'last_seen_at', 'revoked_at'] as const;

export async function insertBindingCode(db: Knex, row: { code_hash: string; store_id: string; issued_by: string; expires_at: Date }): Promise<void> {
  await db('terminal_binding_codes').insert(row);
}

/** Spends a live code (once: the conditional UPDATE decides between concurrent bindings). Returns its store. */
export async function spendBindingCode(trx: Knex.Transaction, codeHash: string): Promise<{ store_id: string; issued_by: string } | undefined> {
  const [row] = await trx('terminal_binding_codes')
    .where({ code_hash: codeHash })
    .whereNull('used_at')
    .where('expires_at', '>', trx.fn.now())
    .update({ used_at: trx.fn.now() })
    .returning(['store_id', 'issued_by']);
  return row ? { store_id: String(row.store_id), issued_by: String(row.issued_by) } : undefined;
}

export async function attachTerminalToCode(trx: Knex.Transaction, codeHash: string, terminalId: string): Promise<void> {
  await trx('terminal_binding_codes').where({ code_hash: codeHash }).update({ terminal_id: terminalId });
}

export async function insertTerminal(
  trx: Knex.Transaction,
  row: { store_id: string; user_id: string; name: string; device_id: string | null; secret_hash: string; bound_by: string },
): Promise<TerminalRow> {
  const [terminal] = await trx('terminals').insert(row).returning(COLUMNS);
  return terminal;
}

export async function findTerminalBySecret(db: Knex, secretHash: string): Promise<TerminalRow | undefined> {
  return db('terminals').select(COLUMNS).where({ secret_hash: secretHash }).first();
}

export async function findTerminalsByIds(db: Knex, ids: readonly string[]): Promise<TerminalRow[]> {
  return db('terminals').select(COLUMNS).whereRaw('id = ANY(?::bigint[])', [[...ids]]);
}

export async function findTerminalByUser(db: Knex, userId: string): Promise<TerminalRow | undefined> {
  return db('terminals').select(COLUMNS).where({ user_id: userId }).first();
}

export async function pageTerminals(db: Knex, storeId: string, limit: number, afterId: string | null): Promise<TerminalRow[]> {
  const query = db('terminals').select(COLUMNS).where({ store_id: storeId }).orderBy('id', 'desc').limit(limit);
  if (afterId) query.where('id', '<', afterId);
  return query;
}

export async function touchTerminal(db: Knex, id: string): Promise<void> {
  await db('terminals').where({ id }).update({ last_seen_at: db.fn.now() });
}

export async function markTerminalRevoked(db: Knex, id: string): Promise<TerminalRow | undefined> {
  const [row] = await db('terminals')
    .where({ id })
    .update({ revoked_at: db.raw('coalesce(revoked_at, now())') })
    .returning(COLUMNS);
  return row;
}
