import type { Knex } from 'knex';
import type { BaseContext } from '../../platform/context';
import type { CartLoaders } from './loaders';

export interface CartContext extends BaseContext {
  db: Knex;
  loaders: CartLoaders;
}
