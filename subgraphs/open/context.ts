import type { Knex } from 'knex';
import type { SharedRedis } from '../../platform/redis-connection';
import type { BaseContext } from '../../platform/context';
import type { OpenLoaders } from './loaders';
import type { RegistryChanges } from './invalidation';

export interface OpenContext extends BaseContext {
  db: Knex;
  loaders: OpenLoaders;
  /** Tells every router instance the registry changed (invalidation.ts). */
  changes: RegistryChanges;
  /** Tells every router instance the client releases or safelist modes changed (invalidation.ts). */
  safelistChanges: RegistryChanges;
  /** Today's ranking (call-logs/ranking.ts); null without REDIS_URL. */
  redis: SharedRedis | null;
}
