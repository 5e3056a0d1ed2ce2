/** Data access for welfare activities. Knows knex, not GraphQL. */
import type { Knex } from 'knex';

export interface ActivityRow {
  id: string;
  title: string;
  description: string | null;
  link: string | null;
  starts_at: Date;
  ends_at: Date;
  created_by: string;
  created_at: Date;
  deleted_at: Date | null;
}

export type NewActivity = Pick<ActivityRow, 'title' | 'description' | 'link' | 'starts_at' | 'ends_at' | 'created_by'>;

/** The shown list is short by nature (a handful of campaigns); the cap keeps a mistake from flooding it. */
const MAX_RUNNING = 100;

export async function insertActivity(db: Knex, activity: NewActivity): Promise<ActivityRow> {
  const [row] = await db('promote_activities').insert(activity).returning('*');
  return row as ActivityRow;
}

/** Running now by the database clock, ending soonest first. */
export async function findRunningActivities(db: Knex): Promise<ActivityRow[]> {
  return db<ActivityRow>('promote_activities')
    .whereNull('deleted_at')
    .whereRaw('starts_at <= now() AND ends_at > now()')
    .orderBy([{ column: 'ends_at' }, { column: 'id' }])
    .limit(MAX_RUNNING);
}

/** Soft delete; false when there is no such activity left. */
export async function deleteActivity(db: Knex, id: string): Promise<boolean> {
  const count = await db('promote_activities').where({ id }).whereNull('deleted_at').update({ deleted_at: db.fn.now() });
  return count > 0;
}
