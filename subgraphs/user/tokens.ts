/**
 * Sessions and tokens. A sign-in starts a session (the refresh-token family): a JWT access token carrying the session
 * id (`sid`) and the user's staff scopes, and a refresh token — 32 random bytes, base64url, stored only as its sha256.
 * Refreshing spends the token and issues the next one in the same session; presenting a spent token again means two
 * parties hold the family (one of them stole it), so the whole session is revoked.
 */
import crypto from 'node:crypto';
import type { Knex } from 'knex';
import { signAccessToken } from '../../platform/access-token';
import type { Config } from '../../platform/config';
import { ALL_SCOPES, type Scope } from '../../platform/identity';
import { findScopesByUserIds } from './data/roles';
import {
  findRefreshTokenForUpdate,
  insertRefreshToken,
  insertSession,
  markRefreshTokenUsed,
  revokeSession,
  type SessionMethod,
} from './data/sessions';
import { findUserById, type UserRow } from './data/users';

/** What AuthPayload resolves from. */
export interface AuthResult {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
  user: UserRow;
}

const REFRESH_TOKEN_FORMAT = /^[A-Za-z0-9_-]{43}$/;

export const newRefreshToken = () => crypto.randomBytes(32).toString('base64url');
export const hashRefreshToken = (token: string) => crypto.createHash('sha256').update(token).digest('hex');

const refreshExpiry = (config: Config) => new Date(Date.now() + config.refreshTokenTtlSeconds * 1000);

/** The staff scopes the user's roles grant today (unknown scope names in role_scopes are ignored). */
export async function scopesOf(db: Knex, userId: string): Promise<Scope[]> {
  const granted = new Set((await findScopesByUserIds(db, [userId])).map((row) => row.scope));
  return ALL_SCOPES.filter((scope) => granted.has(scope));
}

function issue(config: Config, user: UserRow, sessionId: string, refreshToken: string, scopes: Scope[]): AuthResult {
  return {
    accessToken: signAccessToken({ userId: user.id, scopes, sessionId }, config),
    refreshToken,
    expiresIn: config.accessTokenTtlSeconds,
    user,
  };
}

/** Starts a session for `user`. Pass the transaction that created the user, if any, so both commit together. */
export async function startSession(db: Knex, config: Config, user: UserRow, method: SessionMethod): Promise<AuthResult> {
  const refreshToken = newRefreshToken();
  const sessionId = await insertSession(db, user.id, method);
  await insertRefreshToken(db, sessionId, hashRefreshToken(refreshToken), refreshExpiry(config));
  return issue(config, user, sessionId, refreshToken, await scopesOf(db, user.id));
}

export type RefreshOutcome =
  | { ok: true; auth: AuthResult }
  | { ok: false; reason: 'unknown' | 'expired' | 'revoked' }
  /** The session was revoked by this call: its access tokens must be refused too. */
  | { ok: false; reason: 'reused'; sessionId: string };

/**
 * Spends `token` and issues the next one of its session, in one transaction that holds the token's row lock; the
 * access token's scopes are read again, so role changes apply from the next refresh.
 * A spent token revokes its session — committed, even though the caller then answers with an error.
 */
export async function rotateRefreshToken(
  db: Knex,
  config: Config,
  token: string,
  /**
   * Called with a key naming the session (its id and start time, unique even across databases) just before a valid
   * token is spent; throwing (e.g. throttled) rolls everything back.
   */
  beforeRotate?: (sessionKey: string) => Promise<unknown>,
): Promise<RefreshOutcome> {
  if (!REFRESH_TOKEN_FORMAT.test(token)) return { ok: false, reason: 'unknown' };
  return db.transaction(async (trx): Promise<RefreshOutcome> => {
    const state = await findRefreshTokenForUpdate(trx, hashRefreshToken(token));
    if (!state) return { ok: false, reason: 'unknown' };
    if (state.session_revoked_at) return { ok: false, reason: 'revoked' };
    if (state.used_at) {
      await revokeSession(trx, state.session_id, 'reuse');
      return { ok: false, reason: 'reused', sessionId: String(state.session_id) };
    }
    if (state.expires_at.getTime() <= Date.now()) return { ok: false, reason: 'expired' };
    const user = await findUserById(trx, state.user_id);
    if (!user) return { ok: false, reason: 'unknown' };
    await beforeRotate?.(`${state.session_id}.${new Date(state.session_created_at).getTime()}`);
    await markRefreshTokenUsed(trx, state.id);
    const next = newRefreshToken();
    await insertRefreshToken(trx, state.session_id, hashRefreshToken(next), refreshExpiry(config));
    return { ok: true, auth: issue(config, user, state.session_id, next, await scopesOf(trx, user.id)) };
  });
}
