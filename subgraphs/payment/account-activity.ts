/**
 * `shopperHoldsMoney`: the user subgraph asks, before folding an empty half account into another account
 * (docs/passport.md), whether the shopper has a wallet balance or ever had a wallet movement. Payments belong to orders,
 * which the user subgraph asks order about.
 */
import { requireService } from '../../platform/context';
import { badInput } from '../../platform/errors';
import { isBigintId } from '../../platform/loaders';
import type { PaymentContext } from './context';

export async function shopperHoldsMoney(context: PaymentContext, userId: string): Promise<boolean> {
  requireService(context, 'user');
  if (!isBigintId(userId)) throw badInput('Malformed user id', 'userId');
  const { rows } = await context.db.raw(
    `SELECT EXISTS (SELECT 1 FROM wallet_accounts WHERE user_id = ? AND balance <> 0)
         OR EXISTS (SELECT 1 FROM wallet_entries WHERE user_id = ?) AS holds`,
    [userId, userId],
  );
  return Boolean(rows[0]?.holds);
}
