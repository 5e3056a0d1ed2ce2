/** Data access for the help center: topics and their questions (Q&A). Knows knex, not GraphQL. */
import type { Knex } from 'knex';

export interface HelpTopicRow {
  id: string;
  title: string;
  sort_order: number;
  created_at: Date;
  updated_at: Date;
}

export interface HelpQuestionRow {
  id: string;
  topic_id: string;
  question: string;
  answer: string;
  featured: boolean;
  sort_order: number;
  created_at: Date;
  updated_at: Date;
}

export type HelpTopicFields = Pick<HelpTopicRow, 'title' | 'sort_order'>;
export type HelpQuestionFields = Pick<HelpQuestionRow, 'topic_id' | 'question' | 'answer' | 'featured' | 'sort_order'>;

const ORDER = [{ column: 'sort_order' }, { column: 'id' }];

export async function findTopics(db: Knex): Promise<HelpTopicRow[]> {
  return db<HelpTopicRow>('help_topics').orderBy(ORDER);
}

export async function findTopicsByIds(db: Knex, ids: readonly string[]): Promise<HelpTopicRow[]> {
  return db<HelpTopicRow>('help_topics').whereRaw('id = ANY(?::bigint[])', [[...ids]]);
}

export async function findQuestionsByIds(db: Knex, ids: readonly string[]): Promise<HelpQuestionRow[]> {
  return db<HelpQuestionRow>('help_questions').whereRaw('id = ANY(?::bigint[])', [[...ids]]);
}

/** The questions of many topics in one statement (all of them, or the featured ones only), in display order. */
export async function findQuestionsOfTopics(db: Knex, topicIds: readonly string[], featuredOnly: boolean): Promise<HelpQuestionRow[]> {
  const builder = db<HelpQuestionRow>('help_questions').whereRaw('topic_id = ANY(?::bigint[])', [[...topicIds]]);
  if (featuredOnly) builder.where('featured', true);
  return builder.orderBy([{ column: 'topic_id' }, ...ORDER]);
}

export async function insertTopic(db: Knex, fields: HelpTopicFields): Promise<HelpTopicRow> {
  const [row] = await db<HelpTopicRow>('help_topics').insert(fields).returning('*');
  return row;
}

export async function updateTopic(db: Knex, id: string, changes: Partial<HelpTopicFields>): Promise<HelpTopicRow | undefined> {
  const [row] = await db<HelpTopicRow>('help_topics').where('id', id).update({ ...changes, updated_at: db.fn.now() } as never).returning('*');
  return row;
}

/** Deletes the topic and its questions. */
export async function deleteTopic(db: Knex, id: string): Promise<boolean> {
  return (await db('help_topics').where('id', id).delete()) > 0;
}

export async function insertQuestion(db: Knex, fields: HelpQuestionFields): Promise<HelpQuestionRow> {
  const [row] = await db<HelpQuestionRow>('help_questions').insert(fields).returning('*');
  return row;
}

export async function updateQuestion(db: Knex, id: string, changes: Partial<HelpQuestionFields>): Promise<HelpQuestionRow | undefined> {
  const [row] = await db<HelpQuestionRow>('help_questions').where('id', id).update({ ...changes, updated_at: db.fn.now() } as never).returning('*');
  return row;
}

export async function deleteQuestion(db: Knex, id: string): Promise<boolean> {
  return (await db('help_questions').where('id', id).delete()) > 0;
}
