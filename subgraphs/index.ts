/** Every subgraph's module, by name: what the launcher, migrations, seeding and composition iterate over. */
import type { Knex } from 'knex';
import type { Config, SubgraphName } from '../platform/config';
import type { Migration } from '../platform/db';
import type { SubgraphDefinition, SubgraphDeps } from '../platform/subgraph-server';
import * as cart from './cart';
import * as order from './order';
import * as payment from './payment';
import * as product from './product';
import * as promote from './promote';
import * as open from './open';
import * as review from './review';
import * as user from './user';

export interface SubgraphModule {
  name: SubgraphName;
  migrations: Migration[];
  create(deps: SubgraphDeps): SubgraphDefinition<any>;
  /** Development demo data; never called with NODE_ENV=production. Idempotent. */
  seedDemo?(db: Knex, config: Config): Promise<void>;
}

export const subgraphModules: Record<SubgraphName, SubgraphModule> = {
  user: { name: 'user', migrations: user.migrations, create: user.createUserSubgraph, seedDemo: user.seedDemo },
  product: { name: 'product', migrations: product.migrations, create: product.createProductSubgraph, seedDemo: product.seedDemo },
  cart: { name: 'cart', migrations: cart.migrations, create: cart.createCartSubgraph },
  order: { name: 'order', migrations: order.migrations, create: order.createOrderSubgraph, seedDemo: order.seedDemo },
  promote: { name: 'promote', migrations: promote.migrations, create: promote.createPromoteSubgraph, seedDemo: promote.seedDemo },
  payment: { name: 'payment', migrations: payment.migrations, create: payment.createPaymentSubgraph },
  review: { name: 'review', migrations: review.migrations, create: review.createReviewSubgraph, seedDemo: review.seedDemo },
  open: { name: 'open', migrations: open.migrations, create: open.createOpenSubgraph, seedDemo: open.seedDemo },
};
