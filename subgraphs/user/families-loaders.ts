/** Per-request loaders of families and membership: one statement per kind however many users or families are asked for. */
import DataLoader from 'dataloader';
import type { Knex } from 'knex';
import { byIds, groupedBy, isBigintId } from '../../platform/loaders';
import { familiesWithTrial, findFamiliesByIds, findFamilyIdsOfUsers, findMembersOfFamilies, usersWithTrial, type FamilyMemberRow, type FamilyRow } from './data/families';
import { membershipsOfUsers, type MembershipView } from './membership';

const validOnly =
  <Row>(fetch: (ids: readonly string[]) => Promise<Row[]>) =>
  async (ids: readonly string[]) => {
    const valid = ids.filter(isBigintId);
    return valid.length ? fetch(valid) : [];
  };

const flags = (fetch: (ids: readonly string[]) => Promise<string[]>) => async (ids: readonly string[]) => {
  const found = new Set(await validOnly(fetch)(ids));
  return ids.map((id) => found.has(String(id)));
};

export function createFamilyLoaders(db: Knex) {
  const familyById = new DataLoader<string, FamilyRow | null>(byIds((ids) => findFamiliesByIds(db, ids)));
  return {
    familyById,
    /** The ids of a user's families: owned (default first, then oldest), then joined. */
    familyIdsOfUser: new DataLoader<string, string[]>(async (userIds) => {
      const links = await validOnly((ids) => findFamilyIdsOfUsers(db, ids))(userIds);
      return userIds.map((id) => links.filter((link) => link.user_id === String(id)).map((link) => link.family_id));
    }),
    membersOfFamily: new DataLoader<string, FamilyMemberRow[]>(
      groupedBy((row: FamilyMemberRow) => String(row.family_id), validOnly((ids) => findMembersOfFamilies(db, ids))),
    ),
    userTried: new DataLoader<string, boolean>(flags((ids) => usersWithTrial(db, ids))),
    familyTried: new DataLoader<string, boolean>(flags((ids) => familiesWithTrial(db, ids))),
    membershipOfUser: new DataLoader<string, MembershipView>((ids) => membershipsOfUsers(db, ids)),
  };
}
export type FamilyLoaders = ReturnType<typeof createFamilyLoaders>;
