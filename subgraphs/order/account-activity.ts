/**
 * `shopperHasOrders`: the user subgraph asks, before folding an empty half account into another account
 * (docs/passport.md), whether the shopper ever placed an order (any status, deleted ones too: history is not thrown away).
 */
import { requireService } from '../../platform/context';
import { badInput } from '../../platform/errors';
import { isBigintId } from '../../platform/loaders';
import type { OrderContext } from './context';

export async function shopperHasOrders(context: OrderContext, userId: string): Promise<boolean> {
  requireService(context, 'user');
  if (!isBigintId(userId)) throw badInput('Malformed user id', 'userId');
  // orders (user_id, id) index: one index probe.
  return Boolean(await context.db('orders').select('id').where({ user_id: userId }).first());
}
