import type { Knex } from 'knex';
import type { BaseContext } from '../../platform/context';

export interface ProductContext extends BaseContext {
  db: Knex;
}
