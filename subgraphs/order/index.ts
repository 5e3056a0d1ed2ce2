/** The order subgraph: builds its schema and per-request context; starting a server is the launcher's job. */
import { skuFactsCoalescing } from '../../platform/price-summary-services';
import { buildFederatedSchema } from '../../platform/schema-loader';
import { internalCallers } from './internal-callers';
import type { SubgraphDefinition, SubgraphDeps } from '../../platform/subgraph-server';
import type { OrderContext } from './context';
import { createOrderLoaders } from './loaders';
import { resolvers } from './resolvers';
import { clientFanOut } from './events';
import { autoCancel, AUTO_CANCEL } from './auto-cancel';
import { RECOVER_SAGA } from './checkout/compensation';
import { recoverSaga } from './checkout/recovery';
import { holdsJobs } from './holds';
import { refundJobHandlers } from './refund-jobs';
import { withLogistics } from './logistics-resolvers';
import { mountKuaidi100 } from './kuaidi100';
import { trackingSubscriptionJobs } from './tracking-subscription';
import { subscriptionJobs } from './subscription-jobs';
import { withSubscriptions } from './subscription-resolvers';

export { migrations } from './migrations';
export { seedDemo } from './seed';

export const buildOrderSchema = () => buildFederatedSchema(__dirname, withSubscriptions(withLogistics(resolvers)), internalCallers);

export function createOrderSubgraph(deps: SubgraphDeps): SubgraphDefinition<OrderContext> {
  // Subscription packages: created when paid, prepared (stock taken) when due (subscription-jobs.ts).
  const subscriptions = subscriptionJobs({ services: deps.services, config: deps.config });
  return {
    name: 'order',
    events: {
      relayOutbox: true,
      consumers: [clientFanOut(deps.events)],
      // Payment timeout at expiresAt; failing checkouts that never finished (process killed mid-saga).
      // Releases and commits of stock and coupons, cart lines bought: durable, retried until done (holds.ts).
      // Refunds (after-sales → payment, restock, staff-refund watch) and the receipt timer: refund-jobs.ts.
      jobs: {
        [AUTO_CANCEL]: autoCancel,
        [RECOVER_SAGA]: recoverSaga,
        ...holdsJobs(deps.services),
        ...refundJobHandlers({ services: deps.services, config: deps.config }),
        ...trackingSubscriptionJobs(deps.config.logistics),
        ...subscriptions.handlers,
      },
      periodic: [subscriptions.periodic],
    },
    schema: buildOrderSchema(),
    // Kuaidi100's tracking pushes, POST /notify/kuaidi100 (signed by the carrier aggregator, not by our router).
    mountRoutes: (app) => mountKuaidi100(app, { db: deps.db, config: deps.config.logistics }),
    createContext: (base) => ({ ...base, db: deps.db, services: deps.services, holds: deps.jobs, loaders: createOrderLoaders(deps.db) }),
    stats: () => ({ skuFacts: skuFactsCoalescing(deps.services) }),
  };
}
