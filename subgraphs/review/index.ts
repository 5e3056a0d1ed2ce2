/** The review subgraph: builds its schema and per-request context; starting a server is the launcher's job. */
import { buildFederatedSchema } from '../../platform/schema-loader';
import type { SubgraphDefinition, SubgraphDeps } from '../../platform/subgraph-server';
import type { ReviewContext } from './context';
import { internalCallers } from './internal-callers';
import { createReviewLoaders } from './loaders';
import { recordPurchasedLines } from './purchases';
import { resolvers } from './resolvers';

export { migrations } from './migrations';
export { seedDemoReviews as seedDemo } from './seed';

export const buildReviewSchema = () => buildFederatedSchema(__dirname, resolvers, internalCallers);

export function createReviewSubgraph(deps: SubgraphDeps): SubgraphDefinition<ReviewContext> {
  return {
    name: 'review',
    schema: buildReviewSchema(),
    // Order's OrderCompleted: the lines a shopper may review (purchases.ts). Nothing review writes is published, and
    // its answers carry no Cache-Control, so the router never keeps them (docs/reviews.md, "Fresh on the next read").
    events: { consumers: [recordPurchasedLines()] },
    createContext: (base) => ({ ...base, db: deps.db, loaders: createReviewLoaders(deps.db), services: deps.services }),
  };
}
