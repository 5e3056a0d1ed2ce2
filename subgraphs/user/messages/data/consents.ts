/** Data access for message_consents: how many messages of each kind a shopper allowed. Knows knex, not GraphQL. */
import type { Knex } from 'knex';

export interface ConsentRow {
  user_id: string;
  kind: string;
  remaining: number;
  always: boolean;
  updated_at: Date;
}

/** Acceptances kept per kind at most: a client reporting the same dialog in a loop cannot grow it without bound. */
export const MAX_REMAINING = 50;

export async function findConsentsByUserIds(db: Knex, userIds: readonly string[]): Promise<ConsentRow[]> {
  return db<ConsentRow>('message_consents').whereRaw('user_id = ANY(?::bigint[])', [[...userIds]]).orderBy(['user_id', 'kind']);
}

/**
 * One dialog's answers, in one statement per kind set: each accepted kind gains one acceptance (capped), each
 * `always` kind becomes long-term, each rejected kind loses its acceptances and long-term flag (the latest answer wins).
 */
export async function recordConsentAnswers(
  trx: Knex.Transaction,
  userId: string,
  answers: { accepted: Map<string, number>; always: Set<string>; rejected: Set<string> },
): Promise<void> {
  for (const [kind, count] of answers.accepted) {
    const always = answers.always.has(kind);
    await trx.raw(
      `INSERT INTO message_consents (user_id, kind, remaining, always) VALUES (?, ?, LEAST(?::int, ?::int), ?)
       ON CONFLICT (user_id, kind) DO UPDATE
         SET remaining = LEAST(message_consents.remaining + excluded.remaining, ?::int), always = message_consents.always OR excluded.always, updated_at = now()`,
      [userId, kind, count, MAX_REMAINING, always, MAX_REMAINING],
    );
  }
  if (answers.rejected.size) {
    await trx('message_consents')
      .where({ user_id: userId })
      .whereIn('kind', [...answers.rejected])
      .update({ remaining: 0, always: false, updated_at: trx.fn.now() });
  }
}

/**
 * Uses one acceptance of (user, kind) for a message, or none under a long-term subscription; under the row's lock
 * (a conditional update), so two events racing for the last acceptance get one message between them.
 * Answers how it was allowed, or null when the shopper has not allowed it.
 */
export async function useConsent(trx: Knex.Transaction, userId: string, kind: string): Promise<'COUNT' | 'ALWAYS' | null> {
  const result = await trx.raw(
    `UPDATE message_consents SET remaining = CASE WHEN always THEN remaining ELSE remaining - 1 END, updated_at = now()
     WHERE user_id = ? AND kind = ? AND (always OR remaining > 0)
     RETURNING always`,
    [userId, kind],
  );
  const row = result.rows[0] as { always: boolean } | undefined;
  return row ? (row.always ? 'ALWAYS' : 'COUNT') : null;
}

/** WeChat answered that the shopper refused (43101): what we counted is gone at WeChat, so it is gone here too. */
export async function withdrawConsent(trx: Knex.Transaction, userId: string, kind: string): Promise<void> {
  await trx('message_consents').where({ user_id: userId, kind }).update({ remaining: 0, always: false, updated_at: trx.fn.now() });
}
