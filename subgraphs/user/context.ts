import type { Knex } from 'knex';
import type { BaseContext } from '../../platform/context';
import type { UserServices } from './accounts';
import type { UserLoaders } from './loaders';

export interface UserContext extends BaseContext {
  db: Knex;
  loaders: UserLoaders;
  services: UserServices;
  /**
   * Users whose private fields (phone, addresses, scopes) this request may show: the signed-in caller, and whoever
   * signs in during the request (the `user` of an AuthPayload).
   */
  selfIds: Set<string>;
}
