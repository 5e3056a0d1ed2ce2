import type { Knex } from 'knex';
import type { BaseContext } from '../../platform/context';
import type { OrderLoaders } from './loaders';

export interface OrderContext extends BaseContext {
  db: Knex;
  loaders: OrderLoaders;
}
