/** Data access for sessions (refresh-token families) and their refresh tokens. Knows knex, not GraphQL. */
import type { Knex } from 'knex';

/** sms: a code sent to the phone (register or quick login); merge: the caller's half account was folded into this one. */
export type SessionMethod = 'password' | 'register' | 'wechat' | 'sms' | 'merge' | 'terminal';
/** password_reset: every session of the account, when its password is reset; merged: the folded account's sessions. */
export type RevokeReason = 'logout' | 'reuse' | 'password_reset' | 'merged' | 'disabled';

export async function insertSession(db: Knex, userId: string, method: SessionMethod): Promise<string> {
  const [row] = await db('sessions').insert({ user_id: userId, method }).returning('id');
  return String(row.id);
}

export async function insertRefreshToken(db: Knex, sessionId: string, tokenHash: string, expiresAt: Date): Promise<void> {
  await db('refresh_tokens').insert({ session_id: sessionId, token_hash: tokenHash, expires_at: expiresAt });
}

export interface RefreshTokenState {
  id: string;
  session_id: string;
  user_id: string;
  expires_at: Date;
  used_at: Date | null;
  session_revoked_at: Date | null;
  session_created_at: Date;
}

/**
 * The token with its session, both rows locked for the rest of the transaction: two refreshes presenting the same
 * token serialize, and the second sees it spent.
 */
export async function findRefreshTokenForUpdate(trx: Knex.Transaction, tokenHash: string): Promise<RefreshTokenState | undefined> {
  return trx('refresh_tokens as t')
    .join('sessions as s', 's.id', 't.session_id')
    .select('t.id', 't.session_id', 's.user_id', 't.expires_at', 't.used_at', { session_revoked_at: 's.revoked_at', session_created_at: 's.created_at' })
    .where('t.token_hash', tokenHash)
    .forUpdate()
    .first();
}

export async function markRefreshTokenUsed(db: Knex, id: string): Promise<void> {
  await db('refresh_tokens').where({ id }).update({ used_at: db.fn.now() });
}

/** Revokes the session (all its refresh tokens stop working; idempotent). Returns whether it exists (and is `userId`'s, when given). */
export async function revokeSession(db: Knex, sessionId: string, reason: RevokeReason, userId?: string): Promise<boolean> {
  const query = db('sessions').where({ id: sessionId });
  if (userId) query.andWhere({ user_id: userId });
  // A session revoked earlier keeps its first time and reason.
  const rows = await query
    .update({ revoked_at: db.raw('coalesce(revoked_at, now())'), revoked_reason: db.raw('coalesce(revoked_reason, ?)', [reason]) })
    .returning('id');
  return rows.length > 0;
}

/** Revokes every open session of the user; returns the ids it revoked (to announce to the routers). */
export async function revokeUserSessions(db: Knex, userId: string, reason: RevokeReason): Promise<string[]> {
  const rows = await db('sessions')
    .where({ user_id: userId })
    .whereNull('revoked_at')
    .update({ revoked_at: db.fn.now(), revoked_reason: reason })
    .returning('id');
  return rows.map((row: { id: string | number }) => String(row.id));
}

/** Revokes every open session of the user but `keepSessionId` (the one asking); returns the ids it revoked. */
export async function revokeOtherSessions(db: Knex, userId: string, keepSessionId: string | null, reason: RevokeReason): Promise<string[]> {
  const query = db('sessions').where({ user_id: userId }).whereNull('revoked_at');
  if (keepSessionId) query.whereNot({ id: keepSessionId });
  const rows = await query.update({ revoked_at: db.fn.now(), revoked_reason: reason }).returning('id');
  return rows.map((row: { id: string | number }) => String(row.id));
}
