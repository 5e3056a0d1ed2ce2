/**
 * Data access for the back office directory: sales branches, franchisees and stores. Knows knex, not GraphQL.
 * Lists are keyset pages by id (newest first: `id < afterId`), never OFFSET, so page 500 of a large list costs what
 * page 1 does.
 */
import type { Knex } from 'knex';

export type DirectoryKind = 'sales_branches' | 'franchisees' | 'stores';

export interface BranchRow {
  id: string;
  code: string;
  name: string;
  status: string;
  created_at: Date;
  updated_at: Date;
}

export interface FranchiseeRow extends BranchRow {
  contact_name: string | null;
  contact_phone: string | null;
}

export interface StoreRow extends BranchRow {
  franchisee_id: string | null;
  branch_id: string | null;
  address: string | null;
  phone: string | null;
  business_status: string;
}

export interface DirectoryFilter {
  codes?: string[];
  status?: string;
  keyword?: string;
  /** Stores only. */
  franchiseeCode?: string;
  branchCode?: string;
  businessStatus?: string;
  /** Stores only: restrict to these store ids (an account's own stores). */
  storeIds?: string[];
}

const escapeLike = (value: string) => value.replace(/[\\%_]/g, (c) => `\\${c}`);

/** One keyset page (`limit` rows, ids below `afterId`) of a directory table. */
export async function pageDirectory<Row>(db: Knex, table: DirectoryKind, filter: DirectoryFilter, limit: number, afterId: string | null): Promise<Row[]> {
  const query = db(table).select(`${table}.*`).orderBy(`${table}.id`, 'desc').limit(limit);
  if (afterId) query.where(`${table}.id`, '<', afterId);
  if (filter.codes) query.whereRaw(`${table}.code = ANY(?::text[])`, [filter.codes]);
  if (filter.status) query.where(`${table}.status`, filter.status);
  if (filter.keyword) query.whereRaw(`${table}.name ILIKE ? ESCAPE '\\'`, [`%${escapeLike(filter.keyword)}%`]);
  if (table === 'stores') {
    if (filter.businessStatus) query.where('stores.business_status', filter.businessStatus);
    if (filter.franchiseeCode) query.whereIn('stores.franchisee_id', db('franchisees').select('id').where({ code: filter.franchiseeCode }));
    if (filter.branchCode) query.whereIn('stores.branch_id', db('sales_branches').select('id').where({ code: filter.branchCode }));
    if (filter.storeIds) query.whereRaw('stores.id = ANY(?::bigint[])', [filter.storeIds]);
  }
  return query;
}

export async function findByIds<Row>(db: Knex, table: DirectoryKind, ids: readonly string[]): Promise<Row[]> {
  return (await db(table).whereRaw('id = ANY(?::bigint[])', [[...ids]])) as Row[];
}

export async function findByCodes<Row>(db: Knex, table: DirectoryKind, codes: readonly string[]): Promise<Row[]> {
  return (await db(table).whereRaw('code = ANY(?::text[])', [[...codes]])) as Row[];
}

export async function findIdByCode(db: Knex, table: DirectoryKind, code: string): Promise<string | undefined> {
  const row = await db(table).select('id').where({ code }).first();
  return row ? String(row.id) : undefined;
}

/** Inserts or updates (by code) one row; returns it. `values` holds only the columns to set. */
export async function upsertByCode<Row>(db: Knex, table: DirectoryKind, code: string, values: Record<string, unknown>): Promise<Row> {
  const [row] = await db(table)
    .insert({ code, ...values })
    .onConflict('code')
    .merge({ ...values, updated_at: db.fn.now() })
    .returning('*');
  return row;
}

export async function updateStoreBusinessStatus(db: Knex, code: string, businessStatus: string): Promise<StoreRow | undefined> {
  const [row] = await db('stores').where({ code }).update({ business_status: businessStatus, updated_at: db.fn.now() }).returning('*');
  return row;
}

/** Inserts many rows at once (tests, seeds); existing codes are left alone. */
export async function insertMany(db: Knex, table: DirectoryKind, rows: Record<string, unknown>[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 1000) await db(table).insert(rows.slice(i, i + 1000)).onConflict('code').ignore();
}
