/**
 * The open subgraph: the open platform's registry (apps, open APIs, grants, merchant sessions), managed by staff with
 * open:admin and read by the router's gateway (router/open/). docs/open-platform.md.
 */
import { buildFederatedSchema } from '../../platform/schema-loader';
import type { SubgraphDefinition, SubgraphDeps } from '../../platform/subgraph-server';
import type { OpenContext } from './context';
import { internalCallers } from './internal-callers';
import { registryChanges } from './invalidation';
import { createOpenLoaders } from './loaders';
import { resolvers } from './resolvers';

export { migrations } from './migrations';
export { seedDemoOpenPlatform as seedDemo } from './seed';

export const buildOpenSchema = () => buildFederatedSchema(__dirname, resolvers, internalCallers);

export function createOpenSubgraph(deps: SubgraphDeps): SubgraphDefinition<OpenContext> {
  // Production seals and opens app secrets with a configured key only (config.ts derives one outside production).
  if (!deps.config.open.secretKey) console.warn('[open] OPEN_SECRET_KEY is not set: apps cannot be created nor their secrets rotated');
  const changes = registryChanges(deps.config);
  return {
    name: 'open',
    schema: buildOpenSchema(),
    createContext: (base) => ({ ...base, db: deps.db, loaders: createOpenLoaders(deps.db), changes }),
    stop: () => changes.close(),
  };
}
