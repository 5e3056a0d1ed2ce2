/** The slow-API monitor's alerts (migration 440): at most one per method and window. Knows knex, not GraphQL. */
import type { Knex } from 'knex';

export interface AlertRow {
  id: string;
  method: string;
  window_start: Date;
  window_end: Date;
  calls: number;
  average_ms: number;
  threshold_ms: number;
  emailed_at: Date | null;
  webhook_at: Date | null;
  created_at: Date;
}

/**
 * Records an alert unless this method already has one for an overlapping window (a slow spell alerts once per window
 * length, not every minute the sliding window moves on). Returns the new alert, or null.
 */
export async function insertAlertUnlessOverlapping(
  trx: Knex.Transaction,
  alert: { method: string; windowStart: Date; windowEnd: Date; calls: number; averageMs: number; thresholdMs: number },
): Promise<AlertRow | null> {
  // Serializes two runs that would both see "no overlapping alert" for this method (a run that lost its lease).
  await trx.raw('SELECT pg_advisory_xact_lock(hashtext(?))', [`open.alert:${alert.method}`]);
  const overlapping = await trx('open_alerts').where('method', alert.method).andWhere('window_end', '>', alert.windowStart).first('id');
  if (overlapping) return null;
  const [row] = await trx('open_alerts')
    .insert({
      method: alert.method,
      window_start: alert.windowStart,
      window_end: alert.windowEnd,
      calls: alert.calls,
      average_ms: alert.averageMs,
      threshold_ms: alert.thresholdMs,
    })
    .onConflict(['method', 'window_start'])
    .ignore()
    .returning('*');
  return row ?? null;
}

export async function findAlert(db: Knex, id: string): Promise<AlertRow | undefined> {
  return db('open_alerts').where({ id }).first();
}

export async function markAlertNotified(db: Knex | Knex.Transaction, id: string, channel: 'email' | 'webhook'): Promise<void> {
  await db('open_alerts').where({ id }).update(channel === 'email' ? { emailed_at: db.fn.now() } : { webhook_at: db.fn.now() });
}

/** Newest first, keyset by id; `limit` rows. */
export async function listAlerts(db: Knex, page: { limit: number; afterId?: string }, method?: string | null): Promise<AlertRow[]> {
  const query = db('open_alerts').orderBy('id', 'desc').limit(page.limit);
  if (page.afterId) query.where('id', '<', page.afterId);
  if (method) query.where('method', method);
  return query;
}

/** Per-method thresholds set on open APIs (null: the platform default). */
export async function alertThresholds(db: Knex): Promise<Map<string, number>> {
  const rows: { method: string; alert_threshold_ms: number }[] = await db('open_apis').whereNotNull('alert_threshold_ms').select('method', 'alert_threshold_ms');
  return new Map(rows.map((row) => [row.method, row.alert_threshold_ms]));
}
