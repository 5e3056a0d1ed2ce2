import DataLoader from 'dataloader';
import type { Knex } from 'knex';
import { byIds, groupedBy, isBigintId } from '../../platform/loaders';
import { findAddressesByUserIds, type AddressRow } from './data/addresses';
import { findIdentitiesByUserIds, type IdentityRow } from './data/identities';
import { findMembersByRoleIds, findMenusByRoleIds, type MenuRow } from './data/menus';
import { findScopesByUserIds, type UserScopeRow } from './data/roles';
import { findUsersByIds, type UserRow } from './data/users';
import { createMessageLoaders } from './messages/loaders';

/** Only well-formed ids reach SQL; a batch of none sends no statement. */
const validOnly =
  <Row>(fetch: (ids: readonly string[]) => Promise<Row[]>) =>
  async (ids: readonly string[]) => {
    const valid = ids.filter(isBigintId);
    return valid.length ? fetch(valid) : [];
  };

/** Per request: users, their addresses, identities and scopes, each in one statement however many users are asked for. */
export function createUserLoaders(db: Knex) {
  return {
    userById: new DataLoader<string, UserRow | null>(byIds((ids) => findUsersByIds(db, ids))),
    addressesByUserId: new DataLoader<string, AddressRow[]>(
      groupedBy((row: AddressRow) => String(row.user_id), validOnly((ids) => findAddressesByUserIds(db, ids))),
    ),
    identitiesByUserId: new DataLoader<string, IdentityRow[]>(
      groupedBy((row: IdentityRow) => String(row.user_id), validOnly((ids) => findIdentitiesByUserIds(db, ids))),
    ),
    scopesByUserId: new DataLoader<string, UserScopeRow[]>(
      groupedBy((row: UserScopeRow) => String(row.user_id), validOnly((ids) => findScopesByUserIds(db, ids))),
    ),
    // The console's roles page (console-menus.ts): per role, its menus and members.
    menusByRoleId: new DataLoader<string, MenuRow[]>(
      groupedBy((row: MenuRow & { role_id: string }) => String(row.role_id), validOnly((ids) => findMenusByRoleIds(db, ids))),
    ),
    membersByRoleId: new DataLoader<string, { role_id: string; username: string }[]>(
      groupedBy((row: { role_id: string }) => String(row.role_id), validOnly((ids) => findMembersByRoleIds(db, ids))),
    ),
    ...createMessageLoaders(db),
  };
}
export type UserLoaders = ReturnType<typeof createUserLoaders>;
