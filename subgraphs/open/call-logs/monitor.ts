/**
 * The slow-API monitor (seed 004 §3.1.6): every OPEN_MONITOR_INTERVAL_MS, once across every instance — a periodic job
 * of the subgraph's one job runner, whose claim is a lease on a PostgreSQL row, so exactly one instance runs each
 * period however many are deployed — it averages each method's admitted calls over the last OPEN_MONITOR_WINDOW_MS
 * and, above the method's threshold (open_apis.alert_threshold_ms, else OPEN_ALERT_THRESHOLD_MS), records one alert
 * and schedules its notification (mail and/or webhook) in the same transaction. The unique (method, window) and the
 * overlap check keep it to one alert per window even if a run that lost its lease finished anyway.
 */
import type { Knex } from 'knex';
import type { Config } from '../../../platform/config';
import { scheduleJob, type JobContext, type PeriodicJob } from '../../../platform/events/jobs';
import { alertThresholds, insertAlertUnlessOverlapping, type AlertRow } from '../data/alerts';
import { windowAverages } from '../data/call-logs';
import { NOTIFY_ALERT_JOB } from './alert-notify';
import { log } from '../../../platform/log';

export const MONITOR_JOB = 'open.monitor';

/** One pass: the alerts it raised. `now` is injectable for tests; windows end on a whole minute. */
export async function runMonitor(
  db: Knex,
  config: Pick<Config, 'open' | 'openLogs'>,
  options: { now?: number; fenced?: JobContext['fenced'] } = {},
): Promise<AlertRow[]> {
  const end = new Date(Math.floor((options.now ?? Date.now()) / 60_000) * 60_000);
  const start = new Date(end.getTime() - config.openLogs.monitorWindowMs);
  const [averages, thresholds] = await Promise.all([windowAverages(db, start, end), alertThresholds(db)]);
  const slow = averages
    .map((row) => ({ ...row, thresholdMs: thresholds.get(row.method) ?? config.open.alertThresholdMs }))
    .filter((row) => row.average_ms > row.thresholdMs);
  if (!slow.length) return [];
  const write = options.fenced ?? ((fn: (trx: Knex.Transaction) => Promise<AlertRow[]>) => db.transaction(fn));
  return write(async (trx) => {
    const raised: AlertRow[] = [];
    for (const row of slow) {
      const alert = await insertAlertUnlessOverlapping(trx, {
        method: row.method,
        windowStart: start,
        windowEnd: end,
        calls: row.calls,
        averageMs: row.average_ms,
        thresholdMs: row.thresholdMs,
      });
      if (!alert) continue;
      await scheduleJob(trx, { kind: NOTIFY_ALERT_JOB, key: alert.id, runAt: new Date(), payload: { alertId: alert.id } });
      raised.push(alert);
    }
    return raised;
  });
}

export function monitorJob(db: Knex, config: Pick<Config, 'open' | 'openLogs'>): PeriodicJob {
  return {
    kind: MONITOR_JOB,
    intervalMs: config.openLogs.monitorIntervalMs,
    handler: async (_job, ctx) => {
      const raised = await runMonitor(db, config, { fenced: (fn) => ctx.fenced(fn) });
      for (const alert of raised) {
        log.warn({ method: alert.method, averageMs: alert.average_ms, calls: alert.calls, thresholdMs: alert.threshold_ms }, `[open] slow API ${alert.method}: ${alert.average_ms} ms average over ${alert.calls} calls (threshold ${alert.threshold_ms} ms)`);
      }
    },
  };
}
