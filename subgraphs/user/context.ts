import type { Knex } from 'knex';
import type { BaseContext } from '../../platform/context';

export interface UserContext extends BaseContext {
  db: Knex;
}
