import type { Knex } from 'knex';
import type { BaseContext } from '../../platform/context';

export interface CartContext extends BaseContext {
  db: Knex;
}
