/** Data access for subscribe_messages: each message we decided to send and what became of it. */
import type { Knex } from 'knex';

export type MessageStatus = 'PENDING' | 'SENDING' | 'SENT' | 'DROPPED' | 'UNCERTAIN';

export interface MessageRow {
  id: string;
  user_id: string;
  kind: string;
  event_id: string;
  order_id: string;
  facts: Record<string, string | number | null>;
  consent: 'COUNT' | 'ALWAYS';
  status: MessageStatus;
  template_id: string | null;
  errcode: number | null;
  error: string | null;
  attempts: number;
  created_at: Date;
  sending_at: Date | null;
  finished_at: Date | null;
}

/** Inserts the message of an event (once per event and kind); the new row's id, or null when it existed. */
export async function insertMessage(
  trx: Knex.Transaction,
  input: { userId: string; kind: string; eventId: string; orderId: string; facts: Record<string, unknown> },
): Promise<string | null> {
  // consent is set by the caller once an acceptance is used (or the row is deleted again).
  const result = await trx.raw(
    `INSERT INTO subscribe_messages (user_id, kind, event_id, order_id, facts, consent) VALUES (?, ?, ?, ?, ?::jsonb, 'COUNT')
     ON CONFLICT (event_id, kind) DO NOTHING RETURNING id`,
    [input.userId, input.kind, input.eventId, input.orderId, JSON.stringify(input.facts)],
  );
  return result.rows[0] ? String(result.rows[0].id) : null;
}

/** A message the shopper turned out not to allow (same transaction as its insert). */
export async function deleteMessage(trx: Knex.Transaction, id: string): Promise<void> {
  await trx('subscribe_messages').where({ id }).delete();
}

export async function findMessage(db: Knex, id: string): Promise<MessageRow | undefined> {
  const row = await db<MessageRow>('subscribe_messages').where({ id }).first();
  return row && { ...row, id: String(row.id), user_id: String(row.user_id), order_id: String(row.order_id) };
}

/** PENDING → SENDING under the row's lock: true when this run may call WeChat. */
export async function startSending(trx: Knex.Transaction, id: string, templateId: string): Promise<boolean> {
  const count = await trx('subscribe_messages')
    .where({ id, status: 'PENDING' })
    .update({ status: 'SENDING', sending_at: trx.fn.now(), template_id: templateId, attempts: trx.raw('attempts + 1') });
  return Number(count) > 0;
}

/** The outcome of a call: SENT / DROPPED end it; PENDING means WeChat said it did not send (retry). */
export async function finishSending(
  trx: Knex.Transaction,
  id: string,
  outcome: { status: 'SENT' | 'DROPPED' | 'PENDING'; errcode: number | null; error: string | null },
): Promise<void> {
  const done = outcome.status !== 'PENDING';
  await trx('subscribe_messages')
    .where({ id, status: 'SENDING' })
    .update({
      status: outcome.status,
      errcode: outcome.errcode,
      error: outcome.error?.slice(0, 500) ?? null,
      sending_at: done ? trx.raw('sending_at') : null,
      finished_at: done ? trx.fn.now() : null,
    });
}

/** A message that is not PENDING any more without a run's answer: ended here, never sent again. */
export async function endMessage(trx: Knex.Transaction, id: string, status: 'DROPPED' | 'UNCERTAIN', error: string): Promise<void> {
  await trx('subscribe_messages')
    .where({ id })
    .whereIn('status', ['PENDING', 'SENDING'])
    .update({ status, error: error.slice(0, 500), finished_at: trx.fn.now() });
}

/**
 * Deletes finished messages (SENT, DROPPED, UNCERTAIN) that ended more than `olderThanMs` ago, 1000 rows per
 * statement; PENDING and SENDING rows are never deleted. Answers how many went.
 */
export async function pruneFinishedMessages(db: Knex, olderThanMs: number): Promise<number> {
  let total = 0;
  for (;;) {
    const result = await db.raw(
      `DELETE FROM subscribe_messages WHERE id IN (
         SELECT id FROM subscribe_messages
         WHERE status IN ('SENT', 'DROPPED', 'UNCERTAIN') AND finished_at < now() - ? * interval '1 millisecond'
         LIMIT 1000)`,
      [olderThanMs],
    );
    total += result.rowCount ?? 0;
    if ((result.rowCount ?? 0) < 1000) return total;
  }
}
