/** Who may call open's internal (`@inaccessible`) fields; enforced by platform/internal-callers.ts. */
import type { InternalCallers } from '../../platform/internal-callers';

export const internalCallers: InternalCallers = {
  // The router's gateway (router/open/registry.ts) reads what it checks calls against, signed as the router.
  'Query.openGatewayRegistry': ['router'],
  'Query.openGatewaySession': ['router'],
  // The router's safelist (router/safelist/): the live manifests it checks persisted ids against, and its traffic counts.
  'Query.safelistRegistry': ['router'],
  'Mutation.recordClientTraffic': ['router'],
};
