/** The order subgraph: builds its schema and per-request context; starting a server is the launcher's job. */
import { skuFactsCoalescing } from '../../platform/price-summary-services';
import { buildFederatedSchema } from '../../platform/schema-loader';
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

export { migrations } from './migrations';

export const buildOrderSchema = () => buildFederatedSchema(__dirname, resolvers);

export function createOrderSubgraph(deps: SubgraphDeps): SubgraphDefinition<OrderContext> {
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
      },
    },
    schema: buildOrderSchema(),
    createContext: (base) => ({ ...base, db: deps.db, services: deps.services, holds: deps.jobs, loaders: createOrderLoaders(deps.db) }),
    stats: () => ({ skuFacts: skuFactsCoalescing(deps.services) }),
  };
}
