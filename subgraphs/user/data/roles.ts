/** Data access for staff roles: roles, role_scopes, user_roles. Knows knex, not GraphQL. */
import type { Knex } from 'knex';

export interface UserScopeRow {
  user_id: string;
  scope: string;
}

/** Every (user, scope) pair granted through the users' roles, for a whole batch of users in one statement. */
export async function findScopesByUserIds(db: Knex, userIds: readonly string[]): Promise<UserScopeRow[]> {
  return db('user_roles as ur')
    .join('role_scopes as rs', 'rs.role_id', 'ur.role_id')
    .distinct('ur.user_id', 'rs.scope')
    .whereRaw('ur.user_id = ANY(?::bigint[])', [[...userIds]])
    .orderBy(['ur.user_id', 'rs.scope']);
}

/** Creates the role if missing and makes its scopes exactly `scopes`. Returns its id. */
export async function upsertRole(db: Knex, name: string, scopes: readonly string[]): Promise<string> {
  await db('roles').insert({ name }).onConflict('name').ignore();
  const { id } = await db('roles').select('id').where({ name }).first();
  if (scopes.length) {
    await db('role_scopes')
      .insert(scopes.map((scope) => ({ role_id: id, scope })))
      .onConflict(['role_id', 'scope'])
      .ignore();
  }
  await db('role_scopes').where({ role_id: id }).whereNotIn('scope', [...scopes]).delete();
  return String(id);
}

export async function findRoleId(db: Knex, name: string): Promise<string | undefined> {
  const row = await db('roles').select('id').where({ name }).first();
  return row ? String(row.id) : undefined;
}

export async function grantRole(db: Knex, userId: string, roleId: string): Promise<void> {
  await db('user_roles').insert({ user_id: userId, role_id: roleId }).onConflict(['user_id', 'role_id']).ignore();
}
