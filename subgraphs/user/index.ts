/** The user subgraph: builds its schema and per-request context; starting a server is the launcher's job. */
import { createRateLimiter } from '../../platform/rate-limit';
import { createSessionRevocations } from '../../platform/session-revocation';
import { announce } from '../../platform/log';
import { buildFederatedSchema } from '../../platform/schema-loader';
import { internalCallers } from './internal-callers';
import type { SubgraphDefinition, SubgraphDeps } from '../../platform/subgraph-server';
import type { UserServices } from './accounts';
import type { UserContext } from './context';
import { accessRiskRetention } from './access-risk-retention';
import { createFamilyLoaders } from './families-loaders';
import { createFavoriteLoaders } from './favorites-loaders';
import { createUserLoaders } from './loaders';
import { createBackOfficeLoaders } from './back-office-loaders';
import { storeStatsConsumers } from './store-stats';
import { resolvers } from './resolvers';
import { createSmsSender, describeSms } from './sms-provider';
import { createWechatProvider, describeWechatLogin } from './wechat';
import { createShopperMessages } from './messages';
import { createMiniProgramCodes } from './mini-program-codes';

export { migrations } from './migrations';
export { seedDemo } from './seed';

export const buildUserSchema = () => buildFederatedSchema(__dirname, resolvers, internalCallers);

export function createUserSubgraph(deps: SubgraphDeps): SubgraphDefinition<UserContext> {
  const services: UserServices = {
    db: deps.db,
    config: deps.config,
    // Redis with REDIS_URL (counts shared by every instance), else in memory.
    limiter: createRateLimiter(deps.config, { prefix: 'shop:user:rl:' }),
    // WeChat's API with WECHAT_APPID/WECHAT_SECRET, else the development stand-in if WECHAT_DEV_LOGIN, else refused.
    wechat: createWechatProvider(deps.config),
    // Written here (sessions are ours), read by every router: Redis with REDIS_URL, in process otherwise.
    revocations: createSessionRevocations(deps.config, { read: false }),
    // Tencent Cloud SMS with TENCENT_SMS_*, else the logging stand-in if SMS_DEV_LOG, else refused.
    sms: createSmsSender(deps.config),
    peers: deps.services,
    // WeChat's getwxacodeunlimit with the messages' shared access token; images cached per scene.
    codes: createMiniProgramCodes(deps.config),
  };
  // Said once per process (jest starts many: not there).
  if (deps.config.env !== 'test') for (const line of [describeWechatLogin(services.wechat), describeSms(services.sms)]) announce(line, deps.config.isProduction);
  // Subscribe messages on order events (docs/messages.md): a consumer of shop.order.order and the send job.
  const messages = createShopperMessages(deps.config, deps.services);
  // Deletes activation attempts past MEMBER_ACCESS_RISK_RETENTION_DAYS (access-risk-retention.ts).
  const accessRisks = accessRiskRetention(deps.db, deps.config);
  return {
    name: 'user',
    events: {
      ...messages.events,
      // The back office's statistics from order's and promote's events (store-stats.ts).
      consumers: [...messages.events.consumers, ...storeStatsConsumers()],
      // MembershipChanged (families.ts, activation-codes.ts) and UserRegistered (registration.ts) leave through the outbox.
      relayOutbox: true,
      periodic: [...messages.events.periodic, accessRisks.job],
    },
    schema: buildUserSchema(),
    createContext: (base) => ({
      ...base,
      db: deps.db,
      loaders: createUserLoaders(deps.db),
      services,
      favorites: createFavoriteLoaders(deps.db, deps.services, base.identity.userId),
      families: createFamilyLoaders(deps.db),
      backOffice: createBackOfficeLoaders(deps.db),
      selfIds: new Set(base.identity.userId ? [base.identity.userId] : []),
    }),
    stop: async () => {
      await services.limiter.close();
      await services.revocations.close();
      await messages.stop();
      await services.codes?.stop();
      await accessRisks.stop();
    },
  };
}
