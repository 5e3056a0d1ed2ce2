/**
 * Who a message goes to: the shopper's mini-program openid. The ONE place the messages module reads a WeChat
 * identity, so a change of where identities live (e.g. a table of identities per platform) is a change here only.
 */
import type { Knex } from 'knex';

/** The user's openid of this mini-program, or null (no WeChat identity). `lock`: also locks the user row. */
export async function findOpenid(db: Knex | Knex.Transaction, userId: string, options: { lock?: boolean } = {}): Promise<string | null> {
  const query = db('users').where({ id: userId }).first('wechat_openid');
  if (options.lock) query.forUpdate();
  const row = (await query) as { wechat_openid: string | null } | undefined;
  return row?.wechat_openid || null;
}
