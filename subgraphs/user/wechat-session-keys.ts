/**
 * The WeChat session key of each openid's latest login, kept server side to decrypt that user's encrypted data
 * (phone, unionid). Sealed with AES-256-GCM under a key derived from JWT_SECRET (HKDF, "shop/wechat-session-key/v1"):
 * a database dump alone does not yield session keys. Expires after WECHAT_SESSION_KEY_TTL_SECONDS; an expired, missing
 * or unopenable one (JWT_SECRET rotated) means "call wx.login() again". Never in a GraphQL field, never logged.
 */
import crypto from 'node:crypto';
import type { Knex } from 'knex';
import type { Config } from '../../platform/config';
import { shopError } from '../../platform/errors';
import { deleteExpiredWechatSessions, findLiveWechatSession, upsertWechatSession } from './data/wechat-sessions';

const sealingKey = (config: Pick<Config, 'jwtSecret'>) =>
  Buffer.from(crypto.hkdfSync('sha256', config.jwtSecret, Buffer.alloc(0), 'shop/wechat-session-key/v1', 32));

export function sealSessionKey(config: Pick<Config, 'jwtSecret'>, sessionKey: string, openid: string): string {
  const iv = crypto.randomBytes(12);
  const cipher = crypto.createCipheriv('aes-256-gcm', sealingKey(config), iv);
  // The openid is authenticated with it: a sealed key copied onto another openid's row does not open.
  cipher.setAAD(Buffer.from(openid, 'utf8'));
  const sealed = Buffer.concat([cipher.update(sessionKey, 'utf8'), cipher.final()]);
  return Buffer.concat([iv, sealed, cipher.getAuthTag()]).toString('base64');
}

export function openSessionKey(config: Pick<Config, 'jwtSecret'>, sealed: string, openid: string): string | null {
  try {
    const bytes = Buffer.from(sealed, 'base64');
    const decipher = crypto.createDecipheriv('aes-256-gcm', sealingKey(config), bytes.subarray(0, 12));
    decipher.setAAD(Buffer.from(openid, 'utf8'));
    decipher.setAuthTag(bytes.subarray(bytes.length - 16));
    return Buffer.concat([decipher.update(bytes.subarray(12, bytes.length - 16)), decipher.final()]).toString('utf8');
  } catch {
    return null;
  }
}

/** Stores the login's session key (replacing the openid's older one); now and then drops expired ones. */
export async function keepSessionKey(db: Knex, config: Config, userId: string, openid: string, sessionKey: string): Promise<void> {
  await upsertWechatSession(db, {
    openid,
    user_id: userId,
    sealed_session_key: sealSessionKey(config, sessionKey, openid),
    expires_at: new Date(Date.now() + config.passport.wechatSessionKeyTtlSeconds * 1000),
  });
  // About one login in fifty cleans up a bounded batch: no timer, and the table stays the size of recent logins.
  if (crypto.randomInt(50) === 0) await deleteExpiredWechatSessions(db);
}

/** The user's live session key for that openid, or UNAUTHENTICATED with reason WECHAT_SESSION_EXPIRED. */
export async function liveSessionKey(db: Knex, config: Config, userId: string, openid: string): Promise<string> {
  const row = await findLiveWechatSession(db, userId, openid);
  const key = row ? openSessionKey(config, row.sealed_session_key, openid) : null;
  if (!key) {
    throw shopError('UNAUTHENTICATED', 'The WeChat session has expired: call wx.login() and loginWithWechat again, then retry', {
      reason: 'WECHAT_SESSION_EXPIRED',
    });
  }
  return key;
}
