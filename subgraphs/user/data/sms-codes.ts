/** Data access for SMS one-time codes (stored as HMACs only). Knows knex, not GraphQL. */
import type { Knex } from 'knex';

export type SmsPurpose = 'register' | 'login' | 'reset' | 'bind';

export interface SmsCodeRow {
  id: string;
  phone: string;
  purpose: SmsPurpose;
  user_id: string | null;
  code_hash: string;
  attempts: number;
  expires_at: Date;
  consumed_at: Date | null;
}

const COLUMNS = ['id', 'phone', 'purpose', 'user_id', 'code_hash', 'attempts', 'expires_at', 'consumed_at'] as const;

/** Stores a new code and retires the older open ones of the same phone and purpose: only the latest code works. */
export async function insertSmsCode(
  trx: Knex.Transaction,
  row: { phone: string; purpose: SmsPurpose; user_id: string | null; code_hash: string; expires_at: Date },
): Promise<string> {
  await trx('sms_codes').where({ phone: row.phone, purpose: row.purpose }).whereNull('consumed_at').update({ consumed_at: trx.fn.now() });
  const [inserted] = await trx('sms_codes').insert(row).returning('id');
  return String(inserted.id);
}

/** The latest code of the phone and purpose, locked: concurrent verifications of one code serialize on it. */
export async function findLatestSmsCodeForUpdate(trx: Knex.Transaction, phone: string, purpose: SmsPurpose): Promise<SmsCodeRow | undefined> {
  return trx('sms_codes').select(COLUMNS).where({ phone, purpose }).orderBy('id', 'desc').forUpdate().first();
}

export async function countSmsAttempt(trx: Knex.Transaction, id: string): Promise<void> {
  await trx('sms_codes').where({ id }).increment('attempts', 1);
}

export async function consumeSmsCode(trx: Knex.Transaction, id: string): Promise<void> {
  await trx('sms_codes').where({ id }).update({ consumed_at: trx.fn.now() });
}

/** A code the provider did not take is withdrawn (it was never delivered). */
export async function deleteSmsCode(db: Knex, id: string): Promise<void> {
  await db('sms_codes').where({ id }).delete();
}

/** Drops codes expired more than a day ago (their rows only serve audits of recent abuse). */
export async function deleteOldSmsCodes(db: Knex, limit = 500): Promise<number> {
  return db('sms_codes')
    .whereIn('id', db('sms_codes').select('id').where('expires_at', '<', db.raw("now() - interval '1 day'")).limit(limit))
    .delete();
}
