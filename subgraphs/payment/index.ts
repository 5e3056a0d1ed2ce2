/** The payment subgraph: builds its schema and per-request context; starting a server is the launcher's job. */
import { buildFederatedSchema } from '../../platform/schema-loader';
import type { SubgraphDefinition, SubgraphDeps } from '../../platform/subgraph-server';
import type { PaymentContext } from './context';
import { createPaymentLoaders } from './loaders';
import { mountPaymentRoutes } from './notify';
import { createProviders } from './providers';
import { resolvers } from './resolvers';
import { JOB_REFUND_SETTLED, refundSettledJob } from './refund-outcome';
import { JOB_ORDER_REFUNDED, JOB_RECONCILE, JOB_REFUND, JOB_SETTLE_ORDER, orderRefundedJob, reconcileJob, refundJob, settleOrderJob, type PaymentRuntime } from './settlement';

export { migrations } from './migrations';

export const buildPaymentSchema = () => buildFederatedSchema(__dirname, resolvers);

export function createPaymentSubgraph(deps: SubgraphDeps): SubgraphDefinition<PaymentContext> {
  const providers = createProviders(deps.config);
  const runtime: PaymentRuntime = { db: deps.db, services: deps.services, providers, config: deps.config };
  return {
    name: 'payment',
    schema: buildPaymentSchema(),
    createContext: (base) => ({ ...base, db: deps.db, services: deps.services, providers, loaders: createPaymentLoaders(deps.db) }),
    mountRoutes: (app) => mountPaymentRoutes(app, runtime),
    events: {
      relayOutbox: true,
      jobs: {
        // Outside any transaction: order, WeChat and Alipay are called with no row locked (settlement.ts).
        [JOB_SETTLE_ORDER]: (job, ctx) => settleOrderJob(runtime, job, ctx),
        [JOB_REFUND]: (job, ctx) => refundJob(runtime, job, ctx),
        [JOB_ORDER_REFUNDED]: (job) => orderRefundedJob(runtime, job),
        [JOB_RECONCILE]: (job, ctx) => reconcileJob(runtime, job, ctx),
        [JOB_REFUND_SETTLED]: refundSettledJob(deps.services),
      },
    },
  };
}
