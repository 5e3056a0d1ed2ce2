import type { Knex } from 'knex';
import type { BaseContext } from '../../platform/context';
import type { CatalogCache, CatalogReads } from './catalog-cache';
import type { ProductLoaders } from './loaders';

export interface ProductContext extends BaseContext {
  db: Knex;
  loaders: ProductLoaders;
  /** This request's reads through the catalog cache; undefined: read PostgreSQL (service callers, cache off). */
  catalog?: CatalogReads;
  /** The process's catalog cache, for invalidation after writes (undefined when off). */
  catalogCache?: CatalogCache;
  /** Set by a resolver whose answer depends on who asks (guessYouLike): the router must not share it (public-answers.ts). */
  personalAnswer?: boolean;
}
