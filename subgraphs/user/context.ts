import type { Knex } from 'knex';
import type { BaseContext } from '../../platform/context';
import type { UserServices } from './accounts';
import type { BackOfficeLoaders } from './back-office-loaders';
import type { FamilyLoaders } from './families-loaders';
import type { FavoriteLoaders } from './favorites-loaders';
import type { UserLoaders } from './loaders';

export interface UserContext extends BaseContext {
  db: Knex;
  loaders: UserLoaders;
  services: UserServices;
  /** Favorites' per-request loaders (favorites-loaders.ts). */
  favorites: FavoriteLoaders;
  /** Families' and membership's per-request loaders (families-loaders.ts). */
  families: FamilyLoaders;
  /** The back office's per-request loaders (back-office-loaders.ts). */
  backOffice: BackOfficeLoaders;
  /**
   * Users whose private fields (phone, addresses, scopes) this request may show: the signed-in caller, and whoever
   * signs in during the request (the `user` of an AuthPayload).
   */
  selfIds: Set<string>;
}
