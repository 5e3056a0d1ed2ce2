import type { Knex } from 'knex';
import type { BaseContext } from '../../platform/context';
import type { ServiceClient } from '../../platform/service-client';
import type { ReviewLoaders } from './loaders';

export interface ReviewContext extends BaseContext {
  db: Knex;
  loaders: ReviewLoaders;
  /** Signed calls to other subgraphs (order-client.ts). */
  services: ServiceClient;
}
