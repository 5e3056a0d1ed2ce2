/**
 * Call logs in PostgreSQL (migration 440): inserts that ignore a redelivered record, the day partitions, and the staff
 * searches and statistics. Knows knex and nothing of GraphQL.
 */
import type { Knex } from 'knex';
import type { OpenCallPayload } from '../../../platform/open-call-record';
import { addDays, shanghaiDate, shanghaiDayStart } from '../../../platform/shanghai-time';

/** A router's call record (platform/open-call-record.ts) with its event id, and its instant as a Date. */
export type CallLogInsert = Omit<OpenCallPayload, 'receivedAt'> & { id: string; receivedAt: Date };

export interface CallLogRow {
  id: string;
  request_id: string;
  app_key: string | null;
  gateway: string;
  merchant: string | null;
  client_address: string;
  method: string | null;
  response_time_ms: number;
  request: string;
  error_code: string | null;
  http_status: number;
  admitted: boolean;
  received_at: Date;
}

const PARTITION = /^call_logs_p(\d{8})$/;
export const partitionName = (date: string) => `call_logs_p${date.replaceAll('-', '')}`;

/**
 * Creates the partition of one Shanghai date if it is missing; safe when instances race to create it, and inside a
 * caller's transaction (a savepoint keeps a lost race from aborting it).
 */
export async function ensurePartition(db: Knex | Knex.Transaction, date: string): Promise<void> {
  const from = shanghaiDayStart(date).toISOString();
  const to = shanghaiDayStart(addDays(date, 1)).toISOString();
  try {
    await db.transaction((sp) => sp.raw(`CREATE TABLE IF NOT EXISTS ?? PARTITION OF call_logs FOR VALUES FROM ('${from}') TO ('${to}')`, [partitionName(date)]));
  } catch (error) {
    // Two instances creating it at once: the loser sees a duplicate name; the partition exists either way.
    const code = (error as { code?: string }).code;
    if (code !== '42P07' && code !== '23505') throw error;
  }
}

/** The Shanghai dates that have a partition, oldest first. */
export async function partitionDates(db: Knex): Promise<string[]> {
  const { rows } = await db.raw(
    `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
     JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = 'call_logs'`,
  );
  return (rows as { name: string }[])
    .map((row) => PARTITION.exec(row.name)?.[1])
    .filter((digits): digits is string => Boolean(digits))
    .map((d) => `${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6, 8)}`)
    .sort();
}

/** Drops the partitions of dates before `keepFrom` (whole days: retention never scans or deletes rows). */
export async function dropPartitionsBefore(db: Knex, keepFrom: string): Promise<string[]> {
  const dropped: string[] = [];
  for (const date of await partitionDates(db)) {
    if (date >= keepFrom) continue;
    await db.raw('DROP TABLE IF EXISTS ??', [partitionName(date)]);
    dropped.push(date);
  }
  return dropped;
}

/** Inserts one record; false when it was there already (a redelivery). */
export async function insertCallLog(db: Knex | Knex.Transaction, record: CallLogInsert): Promise<boolean> {
  const row = {
    id: record.id,
    request_id: record.requestId.slice(0, 128),
    app_key: record.appKey?.slice(0, 64) ?? null,
    gateway: record.gateway.slice(0, 128),
    merchant: record.merchant?.slice(0, 32) ?? null,
    client_address: record.clientAddress.slice(0, 64),
    method: record.method?.slice(0, 64) ?? null,
    response_time_ms: Math.max(0, Math.round(record.responseTimeMs)),
    request: record.request,
    error_code: record.errorCode?.slice(0, 64) ?? null,
    http_status: record.httpStatus,
    admitted: record.admitted,
    received_at: record.receivedAt,
  };
  // In a savepoint: a record of a day with no partition yet must not abort the caller's transaction.
  const insert = () => db.transaction((sp) => sp('call_logs').insert(row).onConflict(['received_at', 'id']).ignore().returning('id'));
  try {
    return (await insert()).length > 0;
  } catch (error) {
    // 23514: no partition for this row (a record of a day not prepared yet). Create it, then insert again.
    if ((error as { code?: string }).code !== '23514') throw error;
    await ensurePartition(db, shanghaiDate(record.receivedAt));
    return (await insert()).length > 0;
  }
}

export interface CallLogFilter {
  from: Date;
  to: Date;
  appKey?: string | null;
  method?: string | null;
  /** Substring of the request content, case-insensitive (Chinese included). */
  keyword?: string | null;
  errorsOnly?: boolean | null;
}

/** LIKE's wildcards in user text are literal. */
const likeLiteral = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

function filtered(db: Knex, filter: CallLogFilter) {
  const query = db('call_logs').where('received_at', '>=', filter.from).andWhere('received_at', '<', filter.to);
  if (filter.appKey) query.andWhere('app_key', filter.appKey);
  if (filter.method) query.andWhere('method', filter.method);
  if (filter.keyword) query.andWhereRaw(`request ILIKE ? ESCAPE '\\'`, [`%${likeLiteral(filter.keyword)}%`]);
  if (filter.errorsOnly) query.whereNotNull('error_code');
  return query;
}

/** Newest first, keyset-paged by (received_at, id); `limit` rows (the caller asks one more to learn of a next page). */
export async function searchCallLogs(
  db: Knex,
  filter: CallLogFilter,
  page: { limit: number; after?: { receivedAt: Date; id: string } },
): Promise<CallLogRow[]> {
  const query = filtered(db, filter);
  if (page.after) query.andWhereRaw('(received_at, id) < (?, ?::uuid)', [page.after.receivedAt, page.after.id]);
  return query.orderBy([{ column: 'received_at', order: 'desc' }, { column: 'id', order: 'desc' }]).limit(page.limit);
}

export interface MethodStatisticsRow {
  method: string;
  calls: number;
  errors: number;
  average_ms: number;
  p95_ms: number;
  max_ms: number;
}

/** Per method over a time range: calls, errors, average, 95th percentile and slowest response time. One statement. */
export async function methodStatistics(db: Knex, filter: Omit<CallLogFilter, 'keyword'>): Promise<MethodStatisticsRow[]> {
  const { rows } = await db.raw(
    `SELECT method, count(*)::int AS calls, count(error_code)::int AS errors,
            round(avg(response_time_ms))::int AS average_ms,
            round((percentile_cont(0.95) WITHIN GROUP (ORDER BY response_time_ms))::numeric)::int AS p95_ms,
            max(response_time_ms)::int AS max_ms
     FROM (${filtered(db, filter).whereNotNull('method').select('method', 'response_time_ms', 'error_code').toString()}) AS calls
     GROUP BY method ORDER BY calls DESC, method`,
  );
  return rows;
}

/** Calls per method of one Shanghai date (the ranking when Redis is not configured). */
export async function callsPerMethodOn(db: Knex, date: string, limit: number): Promise<{ method: string; calls: number }[]> {
  const { rows } = await db.raw(
    `SELECT method, count(*)::int AS calls FROM call_logs
     WHERE received_at >= ? AND received_at < ? AND method IS NOT NULL AND admitted
     GROUP BY method ORDER BY calls DESC, method LIMIT ?`,
    [shanghaiDayStart(date), shanghaiDayStart(addDays(date, 1)), limit],
  );
  return rows;
}

/** Average response time per method over a window, for the monitor: methods with at least one call. */
export async function windowAverages(db: Knex, from: Date, to: Date): Promise<{ method: string; calls: number; average_ms: number }[]> {
  const { rows } = await db.raw(
    `SELECT method, count(*)::int AS calls, round(avg(response_time_ms))::int AS average_ms
     FROM call_logs WHERE received_at >= ? AND received_at < ? AND method IS NOT NULL AND admitted
     GROUP BY method`,
    [from, to],
  );
  return rows;
}

export interface MinuteBucketRow {
  minute: Date;
  calls: number;
  errors: number;
  average_ms: number | null;
  max_ms: number | null;
}

/**
 * Calls per minute over [from, to) (both on whole minutes), every minute answered, empty ones with zero calls: one
 * statement, the range bounding the scan to the partitions it touches (the dashboard used to send a query per minute).
 */
export async function callsPerMinute(db: Knex, filter: Omit<CallLogFilter, 'keyword' | 'errorsOnly'>): Promise<MinuteBucketRow[]> {
  // The filter as placeholders, not inlined text: a `?` in an app key must stay a value.
  const calls = filtered(db, filter).select('received_at', 'response_time_ms', 'error_code').toSQL();
  const { rows } = await db.raw(
    `WITH buckets AS (
       SELECT date_trunc('minute', received_at) AS minute, count(*)::int AS calls, count(error_code)::int AS errors,
              round(avg(response_time_ms))::int AS average_ms, max(response_time_ms)::int AS max_ms
       FROM (${calls.sql}) AS calls
       GROUP BY 1
     )
     SELECT m.minute, coalesce(b.calls, 0) AS calls, coalesce(b.errors, 0) AS errors, b.average_ms, b.max_ms
     FROM generate_series(?::timestamptz, ?::timestamptz - interval '1 minute', interval '1 minute') AS m(minute)
     LEFT JOIN buckets b ON b.minute = m.minute
     ORDER BY m.minute`,
    [...calls.bindings, filter.from, filter.to],
  );
  return rows;
}
