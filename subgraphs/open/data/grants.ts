/** The `grants` table: which app may call which method. */
import type { Knex } from 'knex';

export interface GrantRow {
  app_id: string;
  method: string;
}

/** Idempotent: granting twice keeps one row. */
export async function insertGrant(db: Knex, appId: string, apiId: string, grantedBy: string | null): Promise<void> {
  await db('grants').insert({ app_id: appId, api_id: apiId, granted_by: grantedBy }).onConflict(['app_id', 'api_id']).ignore();
}

export async function deleteGrant(db: Knex, appId: string, apiId: string): Promise<void> {
  await db('grants').where({ app_id: appId, api_id: apiId }).delete();
}

/** The granted methods of many apps in one statement. */
export async function grantedMethodsOf(db: Knex, appIds: readonly string[]): Promise<GrantRow[]> {
  return db('grants as g')
    .join('open_apis as a', 'a.id', 'g.api_id')
    .whereRaw('g.app_id = ANY(?::bigint[])', [[...appIds]])
    .orderBy('a.method')
    .select<GrantRow[]>(db.raw('g.app_id::text as app_id'), 'a.method');
}
