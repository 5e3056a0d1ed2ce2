import type { Knex } from 'knex';
import type { BaseContext } from '../../platform/context';
import type { ProductLoaders } from './loaders';

export interface ProductContext extends BaseContext {
  db: Knex;
  loaders: ProductLoaders;
}
