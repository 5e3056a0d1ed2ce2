/**
 * The open subgraph: the open platform's registry (apps, open APIs, grants, merchant sessions), managed by staff with
 * open:admin and read by the router's gateway (router/open/). docs/open-platform.md.
 */
import { sharedRedis } from '../../platform/redis-connection';
import { buildFederatedSchema } from '../../platform/schema-loader';
import type { SubgraphDefinition, SubgraphDeps } from '../../platform/subgraph-server';
import type { OpenContext } from './context';
import { notifyAlertJob, NOTIFY_ALERT_JOB } from './call-logs/alert-notify';
import { recordOpenCalls } from './call-logs/consumer';
import { monitorJob } from './call-logs/monitor';
import { callLogPartitionsTask } from './call-logs/partitions';
import { internalCallers } from './internal-callers';
import { registryChanges } from './invalidation';
import { createOpenLoaders } from './loaders';
import { resolvers } from './resolvers';
import { log } from '../../platform/log';

export { migrations } from './migrations';
export { seedDemoOpenPlatform as seedDemo } from './seed';

export const buildOpenSchema = () => buildFederatedSchema(__dirname, resolvers, internalCallers);

export function createOpenSubgraph(deps: SubgraphDeps): SubgraphDefinition<OpenContext> {
  // Production seals and opens app secrets with a configured key only (config.ts derives one outside production).
  if (!deps.config.open.secretKey) log.warn('[open] OPEN_SECRET_KEY is not set: apps cannot be created nor their secrets rotated');
  const changes = registryChanges(deps.config);
  const { config, db } = deps;
  const redis = config.redisUrl ? sharedRedis(config.redisUrl, { label: 'open', namespace: config.events.namespace }) : null;
  const partitions = callLogPartitionsTask(db, config);
  return {
    name: 'open',
    schema: buildOpenSchema(),
    // The routers' call records into the call logs; partitions, the slow-API monitor and its notifications as jobs.
    events: {
      consumers: [recordOpenCalls()],
      jobs: { [NOTIFY_ALERT_JOB]: notifyAlertJob(db, config) },
      periodic: [partitions.job, monitorJob(db, config)],
    },
    createContext: (base) => ({ ...base, db, loaders: createOpenLoaders(db), changes, redis }),
    stop: async () => {
      await partitions.stop();
      await Promise.all([changes.close(), redis?.close()]);
    },
  };
}
