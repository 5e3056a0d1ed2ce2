/** Per-request loaders of subscriptions and packages: a page of orders costs one statement per table (WeakMap by context). */
import DataLoader from 'dataloader';
import { groupedBy } from '../../platform/loaders';
import type { OrderContext } from './context';
import { findPackagesByOrderIds, findSubscriptionsByOrderIds, type PackageRow, type SubscriptionRow } from './data/subscriptions';

function create(context: OrderContext) {
  return {
    subscriptionByOrder: new DataLoader<string, SubscriptionRow | null>(async (ids) => {
      const rows = new Map((await findSubscriptionsByOrderIds(context.db, ids)).map((row) => [String(row.order_id), row]));
      return ids.map((id) => rows.get(id) ?? null);
    }),
    packagesByOrder: new DataLoader<string, PackageRow[]>(groupedBy((row) => String(row.order_id), (ids) => findPackagesByOrderIds(context.db, ids))),
  };
}

const loaders = new WeakMap<OrderContext, ReturnType<typeof create>>();

export function subscriptionLoaders(context: OrderContext) {
  let found = loaders.get(context);
  if (!found) loaders.set(context, (found = create(context)));
  return found;
}

/** After a write: this request reads the order's subscription and packages again. */
export function forgetPackages(context: OrderContext, orderId: string): void {
  const found = loaders.get(context);
  found?.subscriptionByOrder.clear(orderId);
  found?.packagesByOrder.clear(orderId);
}
