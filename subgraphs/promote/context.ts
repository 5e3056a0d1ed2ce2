import type { Knex } from 'knex';
import type { BaseContext } from '../../platform/context';
import type { PromoteLoaders } from './loaders';

export interface PromoteContext extends BaseContext {
  db: Knex;
  loaders: PromoteLoaders;
}
