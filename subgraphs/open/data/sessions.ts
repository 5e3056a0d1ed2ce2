/** The `sessions` table: merchant tokens (kept as SHA-256) → app, merchant, scopes, expiry. */
import type { Knex } from 'knex';
import type { PageRequest } from '../../../platform/connection';

export interface SessionRow {
  id: string;
  app_id: string;
  token_hash: string;
  token_hint: string;
  merchant: string;
  scopes: string[];
  expires_at: Date;
  revoked_at: Date | null;
  created_by: string | null;
  created_at: Date;
}

/** A session with its app's key (what the API and the gateway show). */
export type SessionView = SessionRow & { app_key: string };

const withAppKey = (db: Knex) => db<SessionView>('sessions as s').join('apps as a', 'a.id', 's.app_id').select('s.*', 'a.app_key');

export async function insertSession(db: Knex, session: Omit<SessionRow, 'id' | 'created_at' | 'revoked_at'>): Promise<SessionRow> {
  const [row] = await db<SessionRow>('sessions').insert(session).returning('*');
  return row;
}

export async function listSessions(db: Knex, appId: string, page: PageRequest): Promise<SessionView[]> {
  const query = withAppKey(db).where('s.app_id', appId).orderBy('s.id', 'desc').limit(page.limit);
  if (page.afterId) query.where('s.id', '<', page.afterId);
  return query;
}

export async function findSessionById(db: Knex, id: string): Promise<SessionView | undefined> {
  return withAppKey(db).where('s.id', id).first();
}

/** The live session of a token hash: not revoked, not expired (by the database's clock). */
export async function findLiveSessionByHash(db: Knex, tokenHash: string): Promise<SessionView | undefined> {
  return withAppKey(db).where('s.token_hash', tokenHash).whereNull('s.revoked_at').where('s.expires_at', '>', db.fn.now()).first();
}

export async function revokeSession(db: Knex, id: string): Promise<void> {
  await db('sessions').where({ id }).whereNull('revoked_at').update({ revoked_at: db.fn.now() });
}
