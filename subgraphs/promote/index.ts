/** The promote subgraph: builds its schema and per-request context; starting a server is the launcher's job. */
import { buildFederatedSchema } from '../../platform/schema-loader';
import type { SubgraphDefinition, SubgraphDeps } from '../../platform/subgraph-server';
import type { PromoteContext } from './context';
import { couponHoldSweep, SWEEP_COUPON_HOLDS } from './holds-sweep';
import { createPromoteLoaders } from './loaders';
import { resolvers } from './resolvers';

export { migrations } from './migrations';
export { seedDemo } from './seed';

export const buildPromoteSchema = () => buildFederatedSchema(__dirname, resolvers);

export function createPromoteSubgraph(deps: SubgraphDeps): SubgraphDefinition<PromoteContext> {
  // Gives back coupons held for orders that are not live and locks whose lease ran out (holds-sweep.ts).
  const sweep = couponHoldSweep(deps.db, { services: deps.services, config: deps.config });
  sweep.ensureScheduled().catch((error) => console.error('[promote] scheduling the hold sweep failed:', (error as Error).message));
  return {
    name: 'promote',
    events: { jobs: { [SWEEP_COUPON_HOLDS]: sweep.handler } },
    stop: () => sweep.stop(),
    schema: buildPromoteSchema(),
    createContext: (base) => ({ ...base, db: deps.db, loaders: createPromoteLoaders(deps.db) }),
  };
}
