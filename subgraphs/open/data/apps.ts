/** The `apps` table: ISV applications, their sealed secrets and limits. Knows knex, nothing of GraphQL. */
import type { Knex } from 'knex';
import type { PageRequest } from '../../../platform/connection';

export interface AppRow {
  id: string;
  app_key: string;
  name: string;
  corp_name: string | null;
  description: string | null;
  minute_limit: number;
  daily_limit: number;
  enabled: boolean;
  secret_sealed: string;
  previous_secret_sealed: string | null;
  previous_secret_valid_until: Date | null;
  secret_rotated_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

export type NewApp = Pick<AppRow, 'app_key' | 'name' | 'corp_name' | 'description' | 'minute_limit' | 'daily_limit' | 'enabled' | 'secret_sealed'>;
export type AppChanges = Partial<Pick<AppRow, 'name' | 'corp_name' | 'description' | 'minute_limit' | 'daily_limit' | 'enabled'>>;

export async function insertApp(db: Knex, app: NewApp): Promise<AppRow> {
  const [row] = await db<AppRow>('apps').insert(app).returning('*');
  return row;
}

export async function findAppByKey(db: Knex, appKey: string): Promise<AppRow | undefined> {
  return db<AppRow>('apps').where({ app_key: appKey }).first();
}

export async function findAppsByIds(db: Knex, ids: readonly string[]): Promise<AppRow[]> {
  return db<AppRow>('apps').whereRaw('id = ANY(?::bigint[])', [[...ids]]);
}

export async function listApps(db: Knex, page: PageRequest): Promise<AppRow[]> {
  const query = db<AppRow>('apps').orderBy('id', 'desc').limit(page.limit);
  if (page.afterId) query.where('id', '<', page.afterId);
  return query;
}

export async function allApps(db: Knex): Promise<AppRow[]> {
  return db<AppRow>('apps').orderBy('id');
}

export async function updateApp(db: Knex, appKey: string, changes: AppChanges): Promise<AppRow | undefined> {
  const [row] = await db<AppRow>('apps')
    .where({ app_key: appKey })
    .update({ ...changes, updated_at: db.fn.now() as unknown as Date })
    .returning('*');
  return row;
}

/** Replaces the secret; the current one becomes the previous, valid until `previousValidUntil` (null: not at all). */
export async function rotateSecret(
  db: Knex,
  appKey: string,
  newSealed: string,
  previousSealed: (current: AppRow) => string | null,
  previousValidUntil: Date | null,
): Promise<AppRow | undefined> {
  return db.transaction(async (trx) => {
    const current = await trx<AppRow>('apps').where({ app_key: appKey }).forUpdate().first();
    if (!current) return undefined;
    const [row] = await trx<AppRow>('apps')
      .where({ id: current.id })
      .update({
        secret_sealed: newSealed,
        previous_secret_sealed: previousValidUntil ? previousSealed(current) : null,
        previous_secret_valid_until: previousValidUntil,
        secret_rotated_at: trx.fn.now() as unknown as Date,
        updated_at: trx.fn.now() as unknown as Date,
      })
      .returning('*');
    return row;
  });
}
