/** The payment subgraph: builds its schema and per-request context; starting a server is the launcher's job. */
import { announce } from '../../platform/log';
import { buildFederatedSchema } from '../../platform/schema-loader';
import { internalCallers } from './internal-callers';
import type { SubgraphDefinition, SubgraphDeps } from '../../platform/subgraph-server';
import type { PaymentContext } from './context';
import { createPaymentLoaders } from './loaders';
import { mountPaymentRoutes } from './notify';
import { createProviders, describeProviders } from './providers';
import { resolvers } from './resolvers';
import { JOB_REFUND_SETTLED, refundSettledJob } from './refund-outcome';
import { JOB_ORDER_REFUNDED, JOB_RECONCILE, JOB_REFUND, JOB_REFUND_QUERY, JOB_SETTLE_ORDER, orderRefundedJob, refundJob, settleOrderJob, type PaymentRuntime } from './settlement';
import { handleWechatNotification } from './notify';
import { reconcileJob, refundQueryJob } from './reconcile';
import { grantMemberCardJob, JOB_GRANT_MEMBER_CARD, JOB_MEMBER_CARD_QUERY, memberCardQueryJob } from './member-card';
import { closeTradeJob, closeTradesOfCancelledOrders, JOB_CLOSE_TRADE } from './trade-close';

export { migrations } from './migrations';

export const buildPaymentSchema = () => buildFederatedSchema(__dirname, resolvers, internalCallers);

export function createPaymentSubgraph(deps: SubgraphDeps): SubgraphDefinition<PaymentContext> {
  const providers = createProviders(deps.config);
  // Which provider takes each method's money, said once per process (jest runs many: not there).
  if (deps.config.env !== 'test') for (const line of describeProviders(providers, deps.config.payment.methods)) announce(line, deps.config.isProduction);
  const runtime: PaymentRuntime = { db: deps.db, services: deps.services, providers, config: deps.config };
  // The WeChat sandbox delivers its refund notifications to this server's notify handler (the same signed bytes).
  const detachSandbox = providers.mode.wechat === 'sandbox' ? providers.wechatSandbox?.receiveNotifications(async (headers, body) => (await handleWechatNotification(runtime, headers, Buffer.from(body))).status) : undefined;
  return {
    name: 'payment',
    stop: async () => detachSandbox?.(),
    schema: buildPaymentSchema(),
    createContext: (base) => ({ ...base, db: deps.db, services: deps.services, providers, loaders: createPaymentLoaders(deps.db, deps.services, base.requestId, base.identity.userId) }),
    mountRoutes: (app) => mountPaymentRoutes(app, runtime),
    events: {
      relayOutbox: true,
      // Order's OrderStatusChanged: a cancelled order's open provider trades are closed (trade-close.ts).
      consumers: [closeTradesOfCancelledOrders()],
      jobs: {
        // Outside any transaction: order, WeChat and Alipay are called with no row locked (settlement.ts).
        [JOB_SETTLE_ORDER]: (job, ctx) => settleOrderJob(runtime, job, ctx),
        [JOB_REFUND]: (job, ctx) => refundJob(runtime, job, ctx),
        [JOB_ORDER_REFUNDED]: (job) => orderRefundedJob(runtime, job),
        [JOB_RECONCILE]: (job, ctx) => reconcileJob(runtime, job, ctx),
        [JOB_CLOSE_TRADE]: (job, ctx) => closeTradeJob(runtime, job, ctx),
        [JOB_REFUND_QUERY]: (job, ctx) => refundQueryJob(runtime, job, ctx),
        [JOB_REFUND_SETTLED]: refundSettledJob(deps.services),
        // The member card: the year at user once paid, and the query/close of open card trades (member-card.ts).
        [JOB_GRANT_MEMBER_CARD]: (job, ctx) => grantMemberCardJob(runtime, job, ctx),
        [JOB_MEMBER_CARD_QUERY]: (job, ctx) => memberCardQueryJob(runtime, job, ctx),
      },
    },
  };
}
