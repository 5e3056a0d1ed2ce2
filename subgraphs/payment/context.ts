import type { Knex } from 'knex';
import type { BaseContext } from '../../platform/context';
import type { PaymentLoaders } from './loaders';

export interface PaymentContext extends BaseContext {
  db: Knex;
  loaders: PaymentLoaders;
}
