import type { Knex } from 'knex';
import type { BaseContext } from '../../platform/context';

export interface PromoteContext extends BaseContext {
  db: Knex;
}
