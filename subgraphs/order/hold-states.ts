/** `orderHoldStates`: product's and promote's hold sweeps ask what should become of the holds of orders (signed). */
import { requireService } from '../../platform/context';
import { badInput } from '../../platform/errors';
import type { OrderContext } from './context';
import { findHoldVerdicts } from './data/hold-states';

/** Ids per call: the sweeps send at most 500. */
export const MAX_HOLD_STATE_IDS = 500;

export async function orderHoldStates(context: OrderContext, ids: readonly string[]) {
  requireService(context, 'product', 'promote');
  if (ids.length > MAX_HOLD_STATE_IDS) throw badInput(`At most ${MAX_HOLD_STATE_IDS} ids`, 'ids');
  const states = await findHoldVerdicts(context.db, ids);
  return [...states.values()].map((state) => ({
    orderId: state.orderId,
    status: state.status,
    expiresAt: state.expiresAt?.toISOString() ?? null,
    verdict: state.verdict,
  }));
}
