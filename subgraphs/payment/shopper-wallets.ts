/**
 * Customer service's read of a shopper's wallet (scope customer:read; docs/shoppers.md): the shopper's own Wallet
 * (same balance and bills code), shown only once the read is recorded in user's access log.
 */
import { requireScope } from '../../platform/context';
import { notFound } from '../../platform/errors';
import { isBigintId } from '../../platform/loaders';
import type { PaymentContext } from './context';

export interface StaffWalletRef {
  userId: string;
}

/** user's ShopperProfile as payment sees it: its key. */
export interface ShopperProfileRef {
  id: string;
}

export async function shopperWallet(context: PaymentContext, userId: string): Promise<StaffWalletRef> {
  requireScope(context, 'customer:read');
  if (!isBigintId(userId)) throw notFound(`No shopper ${userId}`);
  await context.loaders.walletReadRecorded.load(userId);
  return { userId };
}
