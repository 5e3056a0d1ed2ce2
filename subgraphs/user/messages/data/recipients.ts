/**
 * Who a message goes to: the shopper's mini-program openid, their `wechat_mp` identity (passport's account_platforms,
 * docs/passport.md). The ONE place the messages module reads a WeChat identity.
 */
import type { Knex } from 'knex';
import { findIdentityOfUser } from '../../data/identities';

/** The user's openid of this mini-program, or null (no WeChat identity). `lock`: also locks the user row. */
export async function findOpenid(db: Knex | Knex.Transaction, userId: string, options: { lock?: boolean } = {}): Promise<string | null> {
  if (options.lock) await db('users').where({ id: userId }).forUpdate().first('id');
  const identity = await findIdentityOfUser(db, userId, 'wechat_mp');
  return identity?.platform_id ?? null;
}
