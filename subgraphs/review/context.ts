import type { Knex } from 'knex';
import type { BaseContext } from '../../platform/context';
import type { ReviewLoaders } from './loaders';

export interface ReviewContext extends BaseContext {
  db: Knex;
  loaders: ReviewLoaders;
}
