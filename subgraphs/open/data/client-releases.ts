/** Tables `client_releases`, `client_release_operations`, `client_safelist_modes`, `client_traffic`. */
import type { Knex } from 'knex';

export type SafelistModeValue = 'OFF' | 'AUDIT' | 'ENFORCE';

export interface ClientReleaseRow {
  id: string;
  client_name: string;
  version: string;
  content_hash: string;
  operation_count: number;
  registered_by: string | null;
  registered_at: Date;
  retired_at: Date | null;
  retired_by: string | null;
}

export interface ReleaseOperation {
  operation_id: string;
  name: string;
  type: string;
  body: string;
}

export interface ModeRow {
  client_name: string;
  mode: SafelistModeValue;
  updated_by: string | null;
  updated_at: Date;
}

export interface TrafficEntry {
  clientName: string;
  version: string;
  /** Asia/Shanghai date, YYYY-MM-DD. */
  day: string;
  requests: number;
  lastSeenAt: Date;
}

export async function findRelease(db: Knex, clientName: string, version: string): Promise<ClientReleaseRow | undefined> {
  return db<ClientReleaseRow>('client_releases').where({ client_name: clientName, version }).first();
}

/**
 * Inserts the release and its operations in one transaction, unless that (client, version) exists: then nothing is
 * written and the existing row is answered (`created: false`), for the caller to compare contents.
 */
export async function insertRelease(
  db: Knex,
  values: Pick<ClientReleaseRow, 'client_name' | 'version' | 'content_hash' | 'operation_count' | 'registered_by'>,
  operations: ReleaseOperation[],
): Promise<{ release: ClientReleaseRow; created: boolean }> {
  return db.transaction(async (trx) => {
    const [inserted] = await trx<ClientReleaseRow>('client_releases').insert(values).onConflict(['client_name', 'version']).ignore().returning('*');
    if (!inserted) {
      const existing = await trx<ClientReleaseRow>('client_releases').where({ client_name: values.client_name, version: values.version }).first();
      return { release: existing!, created: false };
    }
    for (let i = 0; i < operations.length; i += 500) {
      await trx('client_release_operations').insert(operations.slice(i, i + 500).map((op) => ({ release_id: inserted.id, ...op })));
    }
    return { release: inserted, created: true };
  });
}

/** Releases, newest first; of one client when given; retired ones included. */
export async function listReleases(db: Knex, clientName?: string): Promise<ClientReleaseRow[]> {
  const query = db<ClientReleaseRow>('client_releases').orderBy([{ column: 'client_name' }, { column: 'id', order: 'desc' }]);
  if (clientName) query.where({ client_name: clientName });
  return query;
}

/** Traffic since `fromDay` (inclusive) of the given releases, by (client, version): sum and last seen. */
export async function trafficSince(
  db: Knex,
  keys: { client_name: string; version: string }[],
  fromDay: string,
): Promise<{ client_name: string; version: string; requests: string; last_seen_at: Date }[]> {
  if (!keys.length) return [];
  return db('client_traffic')
    .select('client_name', 'version')
    .sum({ requests: 'requests' })
    .max({ last_seen_at: 'last_seen_at' })
    .whereIn(['client_name', 'version'], keys.map((k) => [k.client_name, k.version]))
    .andWhere('day', '>=', fromDay)
    .groupBy('client_name', 'version');
}

/** The last time any traffic of these releases was seen (all days kept). */
export async function lastSeen(db: Knex, keys: { client_name: string; version: string }[]): Promise<{ client_name: string; version: string; last_seen_at: Date }[]> {
  if (!keys.length) return [];
  return db('client_traffic')
    .select('client_name', 'version')
    .max({ last_seen_at: 'last_seen_at' })
    .whereIn(['client_name', 'version'], keys.map((k) => [k.client_name, k.version]))
    .groupBy('client_name', 'version');
}

/**
 * Retires the release unless it had traffic on or after `fromDay`: one transaction holding the release's row, so two
 * retirements do not both pass. Answers the release as it is afterwards and whether traffic refused it.
 */
export async function retireReleaseIfIdle(
  db: Knex,
  release: ClientReleaseRow,
  fromDay: string,
  by: string,
): Promise<{ release: ClientReleaseRow; recentRequests: number }> {
  return db.transaction(async (trx) => {
    const locked = await trx<ClientReleaseRow>('client_releases').where({ id: release.id }).forUpdate().first();
    if (!locked || locked.retired_at) return { release: locked ?? release, recentRequests: 0 };
    const [{ requests }] = await trx('client_traffic')
      .sum({ requests: 'requests' })
      .where({ client_name: locked.client_name, version: locked.version })
      .andWhere('day', '>=', fromDay);
    const recentRequests = Number(requests ?? 0);
    if (recentRequests > 0) return { release: locked, recentRequests };
    const [retired] = await trx<ClientReleaseRow>('client_releases')
      .where({ id: locked.id })
      .update({ retired_at: trx.fn.now() as unknown as Date, retired_by: by })
      .returning('*');
    return { release: retired, recentRequests: 0 };
  });
}

export async function allModes(db: Knex): Promise<ModeRow[]> {
  return db<ModeRow>('client_safelist_modes').orderBy('client_name');
}

export async function upsertMode(db: Knex, clientName: string, mode: SafelistModeValue, by: string): Promise<ModeRow> {
  const values = { client_name: clientName, mode, updated_by: by };
  const [row] = await db<ModeRow>('client_safelist_modes')
    .insert(values)
    .onConflict('client_name')
    .merge({ mode, updated_by: by, updated_at: db.fn.now() as unknown as Date })
    .returning('*');
  return row;
}

/** Every operation of every live (not retired) release: what the routers check persisted ids against. */
export async function liveOperations(db: Knex): Promise<{ client_name: string; version: string; operation_id: string; body: string }[]> {
  return db('client_release_operations as o')
    .join('client_releases as r', 'r.id', 'o.release_id')
    .whereNull('r.retired_at')
    .select('r.client_name', 'r.version', 'o.operation_id', 'o.body')
    .orderBy([{ column: 'r.client_name' }, { column: 'o.operation_id' }]);
}

/** Adds the routers' counts (one statement; concurrent flushes of several routers add up). */
export async function addTraffic(db: Knex, entries: TrafficEntry[]): Promise<void> {
  // One row per key (ON CONFLICT cannot touch a row twice), in key order (concurrent flushes lock rows alike).
  const merged = new Map<string, { client_name: string; version: string; day: string; requests: number; last_seen_at: Date }>();
  for (const e of entries) {
    const key = `${e.clientName}\n${e.version}\n${e.day}`;
    const row = merged.get(key);
    if (row) {
      row.requests += e.requests;
      if (e.lastSeenAt > row.last_seen_at) row.last_seen_at = e.lastSeenAt;
    } else merged.set(key, { client_name: e.clientName, version: e.version, day: e.day, requests: e.requests, last_seen_at: e.lastSeenAt });
  }
  if (!merged.size) return;
  const rows = [...merged.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, row]) => row);
  await db('client_traffic')
    .insert(rows)
    .onConflict(['client_name', 'version', 'day'])
    .merge({
      requests: db.raw('client_traffic.requests + excluded.requests'),
      last_seen_at: db.raw('GREATEST(client_traffic.last_seen_at, excluded.last_seen_at)'),
    });
}
