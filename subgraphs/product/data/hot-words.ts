/** Data access for the staff-curated hot search words. Knows knex, not GraphQL. */
import type { Knex } from 'knex';

export interface HotSearchWordRow {
  id: string;
  word: string;
  highlighted: boolean;
  sort_order: number;
  created_at: Date;
}

export type HotSearchWordFields = Pick<HotSearchWordRow, 'word' | 'highlighted' | 'sort_order'>;

export async function findHotWords(db: Knex): Promise<HotSearchWordRow[]> {
  return db<HotSearchWordRow>('hot_search_words').orderBy([{ column: 'sort_order' }, { column: 'id' }]);
}

export async function insertHotWord(db: Knex, fields: HotSearchWordFields): Promise<HotSearchWordRow> {
  const [row] = await db<HotSearchWordRow>('hot_search_words').insert(fields).returning('*');
  return row;
}

export async function updateHotWord(db: Knex, id: string, changes: Partial<HotSearchWordFields>): Promise<HotSearchWordRow | undefined> {
  const [row] = await db<HotSearchWordRow>('hot_search_words').where('id', id).update(changes).returning('*');
  return row;
}

export async function deleteHotWord(db: Knex, id: string): Promise<boolean> {
  return (await db('hot_search_words').where('id', id).delete()) > 0;
}
