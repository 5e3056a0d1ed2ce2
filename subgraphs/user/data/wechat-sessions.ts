/** Data access for the sealed WeChat session keys (one per openid, the latest login's). Knows knex, not GraphQL. */
import type { Knex } from 'knex';

export interface WechatSessionRow {
  openid: string;
  user_id: string;
  sealed_session_key: string;
  expires_at: Date;
}

/** Keeps the latest session key of the openid (a newer wx.login() replaces the older key at WeChat too). */
export async function upsertWechatSession(db: Knex, row: WechatSessionRow): Promise<void> {
  await db('wechat_sessions')
    .insert({ ...row, created_at: db.fn.now() })
    .onConflict('openid')
    .merge(['user_id', 'sealed_session_key', 'expires_at', 'created_at']);
}

/** The unexpired session of the user's openid, if any. */
export async function findLiveWechatSession(db: Knex, userId: string, openid: string): Promise<WechatSessionRow | undefined> {
  return db('wechat_sessions')
    .select('openid', 'user_id', 'sealed_session_key', 'expires_at')
    .where({ user_id: userId, openid })
    .where('expires_at', '>', db.fn.now())
    .first();
}

/** Drops expired keys (called now and then by logins: the table stays as small as the active shoppers). */
export async function deleteExpiredWechatSessions(db: Knex, limit = 500): Promise<number> {
  return db('wechat_sessions')
    .whereIn('openid', db('wechat_sessions').select('openid').where('expires_at', '<=', db.fn.now()).limit(limit))
    .delete();
}

/** Moves the session of an openid along with the identity (account folded into another). */
export async function moveWechatSessions(db: Knex, fromUserId: string, toUserId: string): Promise<void> {
  await db('wechat_sessions').where({ user_id: fromUserId }).update({ user_id: toUserId });
}
