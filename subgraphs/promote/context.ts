import type { Knex } from 'knex';
import type { BaseContext } from '../../platform/context';
import type { PromoteLoaders } from './loaders';
import type { createStoreAccessLoader } from './user-client';

export interface PromoteContext extends BaseContext {
  db: Knex;
  loaders: PromoteLoaders;
  /** Whether staff may act for stores: user's answer, one call per request (user-client.ts). */
  storeAccess: ReturnType<typeof createStoreAccessLoader>;
}
