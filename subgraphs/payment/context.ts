import type { Knex } from 'knex';
import type { BaseContext } from '../../platform/context';
import type { ServiceClient } from '../../platform/service-client';
import type { PaymentLoaders } from './loaders';
import type { Providers } from './providers';

export interface PaymentContext extends BaseContext {
  db: Knex;
  loaders: PaymentLoaders;
  services: ServiceClient;
  providers: Providers;
}
