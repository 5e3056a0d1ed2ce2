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
import { startHoldsWorker } from './holds';
import { onLegacyRunnerAll } from '../../platform/events/job-context';
import { refundJobHandlers } from './refund-jobs';

export { migrations } from './migrations';

export const buildOrderSchema = () => buildFederatedSchema(__dirname, resolvers);

export function createOrderSubgraph(deps: SubgraphDeps): SubgraphDefinition<OrderContext> {
  // Releases and commits of stock and coupons: durable, retried until done (holds.ts).
  const holds = startHoldsWorker(deps.db, deps.services, deps.config);
  return {
    name: 'order',
    stop: holds.stop,
    events: {
      relayOutbox: true,
      consumers: [clientFanOut(deps.events)],
      // Payment timeout at expiresAt; failing checkouts that never finished (process killed mid-saga); refunds
      // (after-sales → payment, restock, staff-refund watch) and the receipt timer (refund-jobs.ts, written to the
      // i15-jobs runner contract and bridged to today's runner until that lands).
      jobs: {
        [AUTO_CANCEL]: autoCancel,
        [RECOVER_SAGA]: recoverSaga,
        ...onLegacyRunnerAll(refundJobHandlers({ services: deps.services, config: deps.config })),
      },
    },
    schema: buildOrderSchema(),
    createContext: (base) => ({ ...base, db: deps.db, services: deps.services, holds, loaders: createOrderLoaders(deps.db) }),
    stats: () => ({ skuFacts: skuFactsCoalescing(deps.services) }),
  };
}
