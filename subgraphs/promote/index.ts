/** The promote subgraph: builds its schema and per-request context; starting a server is the launcher's job. */
import { buildFederatedSchema } from '../../platform/schema-loader';
import { internalCallers } from './internal-callers';
import type { SubgraphDefinition, SubgraphDeps } from '../../platform/subgraph-server';
import type { PromoteContext } from './context';
import { couponHoldSweep } from './holds-sweep';
import { releaseMarkerRetention } from './marker-retention';
import { createPromoteLoaders } from './loaders';
import { createStoreAccessLoader } from './user-client';
import { resolvers } from './resolvers';
import { recordInvitations } from './invitations';
import { issueFamilyCoupons } from './family-coupons';

export { migrations } from './migrations';
export { seedDemo } from './seed';

export const buildPromoteSchema = () => buildFederatedSchema(__dirname, resolvers, internalCallers);

export function createPromoteSubgraph(deps: SubgraphDeps): SubgraphDefinition<PromoteContext> {
  // Gives back coupons held for orders that are not live and locks whose lease ran out (holds-sweep.ts).
  const sweep = couponHoldSweep(deps.db, { services: deps.services, config: deps.config });
  // Deletes release markers once no late lock can still arrive (marker-retention.ts).
  const markers = releaseMarkerRetention(deps.db, deps.config);
  return {
    name: 'promote',
    // Invitations from the user subgraph's UserRegistered (invitations.ts); family coupons from its MembershipChanged (family-coupons.ts).
    events: {
      periodic: [sweep.job, markers.job],
      consumers: [recordInvitations(deps.config.invites), issueFamilyCoupons(deps.config.familyCoupons)],
      // CouponRedeemedAtStore (store-redemptions.ts) leaves through the outbox.
      relayOutbox: true,
    },
    stop: async () => {
      await sweep.stop();
      await markers.stop();
    },
    schema: buildPromoteSchema(),
    createContext: (base) => ({
      ...base,
      db: deps.db,
      loaders: createPromoteLoaders(deps.db),
      storeAccess: createStoreAccessLoader(deps.services, base.requestId),
    }),
  };
}
