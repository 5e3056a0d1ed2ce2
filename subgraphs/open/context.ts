import type { Knex } from 'knex';
import type { BaseContext } from '../../platform/context';
import type { OpenLoaders } from './loaders';
import type { RegistryChanges } from './invalidation';

export interface OpenContext extends BaseContext {
  db: Knex;
  loaders: OpenLoaders;
  /** Tells every router instance the registry changed (invalidation.ts). */
  changes: RegistryChanges;
}
