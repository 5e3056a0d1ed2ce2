/** Per-request loaders of the back office (back-office.ts): one statement per batch however many rows ask. */
import DataLoader from 'dataloader';
import type { Knex } from 'knex';
import { byIds, groupedBy, isBigintId } from '../../platform/loaders';
import { findByIds, type BranchRow, type FranchiseeRow, type StoreRow } from './data/directory';
import { findScopesByUserIds } from './data/roles';
import { findStaffAccountsByIds, findStoreIdsOfAccounts, rolesOfUsers, type StaffAccountRow } from './data/staff-accounts';

const validOnly = (ids: readonly string[]) => ids.filter(isBigintId);

export function createBackOfficeLoaders(db: Knex) {
  const storeById = new DataLoader<string, StoreRow | null>(byIds((ids) => findByIds<StoreRow>(db, 'stores', ids)));
  return {
    storeById,
    franchiseeById: new DataLoader<string, FranchiseeRow | null>(byIds((ids) => findByIds<FranchiseeRow>(db, 'franchisees', ids))),
    branchById: new DataLoader<string, BranchRow | null>(byIds((ids) => findByIds<BranchRow>(db, 'sales_branches', ids))),
    accountById: new DataLoader<string, StaffAccountRow | null>(byIds((ids) => findStaffAccountsByIds(db, ids))),
    /** Each account's stores (rows), in store id order. */
    storesOfAccount: new DataLoader<string, StoreRow[]>(async (userIds) => {
      const pairs = await findStoreIdsOfAccounts(db, validOnly(userIds));
      const stores = await storeById.loadMany(pairs.map((pair) => String(pair.store_id)));
      const byUser = new Map<string, StoreRow[]>();
      pairs.forEach((pair, index) => {
        const store = stores[index];
        if (!store || store instanceof Error) return;
        const list = byUser.get(String(pair.user_id)) ?? [];
        list.push(store);
        byUser.set(String(pair.user_id), list);
      });
      return userIds.map((id) => byUser.get(String(id)) ?? []);
    }),
    rolesOfAccount: new DataLoader<string, { user_id: string; name: string }[]>(
      groupedBy((row: { user_id: string }) => String(row.user_id), (ids) => rolesOfUsers(db, validOnly(ids))),
    ),
    scopesOfAccount: new DataLoader<string, { user_id: string; scope: string }[]>(
      groupedBy((row: { user_id: string }) => String(row.user_id), (ids) => findScopesByUserIds(db, validOnly(ids))),
    ),
  };
}
export type BackOfficeLoaders = ReturnType<typeof createBackOfficeLoaders>;
