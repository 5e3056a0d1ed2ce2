/**
 * Shopper messages (docs/messages.md): WeChat mini-program subscribe messages on paid, shipped, delivered and
 * after-sales decided, for shoppers who accepted them. What the user subgraph declares for it: the consumer of order's
 * stream, the send job, and the WeChat client with its shared access token.
 */
import type { Config } from '../../../platform/config';
import type { SubgraphEvents } from '../../../platform/events';
import { sharedRedis } from '../../../platform/redis-connection';
import type { ServiceClient } from '../../../platform/service-client';
import { memoryTokenStore, redisTokenStore } from './access-token';
import { pruneFinishedMessages } from './data/messages';
import { sendMessageJob, type MessageRuntime } from './send-job';
import { messageTriggers, SEND_MESSAGE_JOB } from './triggers';
import { createWechatMessageClient } from './wechat-client';

export const PRUNE_MESSAGES_JOB = 'user.pruneMessages';

export interface ShopperMessages {
  events: Required<Pick<SubgraphEvents, 'consumers' | 'jobs' | 'periodic'>>;
  stop(): Promise<void>;
}

export function createShopperMessages(config: Config, services: ServiceClient): ShopperMessages {
  const { appId, secret, apiBase } = config.wechat;
  const redis = config.redisUrl && appId ? sharedRedis(config.redisUrl, { label: 'user messages', namespace: config.events.namespace }) : undefined;
  const runtime: MessageRuntime = {
    config: config.messages,
    services,
    wechat:
      appId && secret
        ? createWechatMessageClient({
            appId,
            secret,
            apiBase,
            timeoutMs: config.messages.timeoutMs,
            tokens: redis ? redisTokenStore(redis, appId) : memoryTokenStore(),
          })
        : undefined,
  };
  return {
    events: {
      consumers: [messageTriggers(config.messages)],
      jobs: { [SEND_MESSAGE_JOB]: (job, ctx) => sendMessageJob(runtime, job, ctx) },
      // Finished messages older than MESSAGES_RETENTION_DAYS, with the events' retention schedule.
      periodic: [
        {
          kind: PRUNE_MESSAGES_JOB,
          intervalMs: config.events.retention.pruneIntervalMs,
          handler: async (_job, ctx) => void (await pruneFinishedMessages(ctx.db, config.messages.retentionMs)),
        },
      ],
    },
    stop: async () => redis?.close(),
  };
}
