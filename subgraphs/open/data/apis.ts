/** The `open_apis` table: method → registered GraphQL operation. */
import type { Knex } from 'knex';

export interface OpenApiRow {
  id: string;
  method: string;
  description: string | null;
  document: string;
  enabled: boolean;
  idempotent: boolean;
  cost: number;
  max_concurrency: number;
  alert_threshold_ms: number | null;
  created_at: Date;
  updated_at: Date;
}

export type OpenApiValues = Pick<OpenApiRow, 'method' | 'description' | 'document' | 'enabled' | 'idempotent' | 'cost' | 'max_concurrency' | 'alert_threshold_ms'>;

export async function allApis(db: Knex): Promise<OpenApiRow[]> {
  return db<OpenApiRow>('open_apis').orderBy('method');
}

export async function findApiByMethod(db: Knex, method: string): Promise<OpenApiRow | undefined> {
  return db<OpenApiRow>('open_apis').where({ method }).first();
}

/** Inserts the method or replaces every given value of the existing one (one statement, concurrent saves serialize). */
export async function upsertApi(db: Knex, values: OpenApiValues): Promise<OpenApiRow> {
  const [row] = await db<OpenApiRow>('open_apis')
    .insert(values)
    .onConflict('method')
    .merge({ ...values, updated_at: db.fn.now() as unknown as Date })
    .returning('*');
  return row;
}
