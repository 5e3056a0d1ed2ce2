/** Thin resolvers of the call logs, statistics, ranking and alerts (all open:admin); rules in search.ts. */
import { pageRequest, toConnection } from '../../../platform/connection';
import { requireScope } from '../../../platform/context';
import { badInput } from '../../../platform/errors';
import { listAlerts, type AlertRow } from '../data/alerts';
import { callsPerMinute, methodStatistics, searchCallLogs, type CallLogRow } from '../data/call-logs';
import type { OpenContext } from '../context';
import { OPEN_ADMIN } from '../registry';
import { todayRanking } from './ranking';
import { callCursor, callLogFilter, highlight, minuteRange, parseCallCursor, shortText, STATISTICS_MAX_DAYS, timeRange } from './search';

const iso = (value: Date | null) => (value ? value.toISOString() : null);

function pageSize(first: number | null | undefined, max: number, fallback: number): number {
  const size = first ?? fallback;
  if (!Number.isInteger(size) || size < 1 || size > max) throw badInput(`first must be between 1 and ${max}`, 'first');
  return size;
}

const callLogView = (row: CallLogRow, keyword: string | null | undefined) => ({
  id: row.id,
  requestId: row.request_id,
  appKey: row.app_key,
  gateway: row.gateway,
  merchant: row.merchant,
  clientAddress: row.client_address,
  method: row.method,
  responseTimeMs: row.response_time_ms,
  request: row.request,
  requestHighlight: highlight(row.request, keyword),
  errorCode: row.error_code,
  httpStatus: row.http_status,
  admitted: row.admitted,
  receivedAt: row.received_at.toISOString(),
});

const alertView = (row: AlertRow) => ({
  id: String(row.id),
  method: row.method,
  windowStart: row.window_start.toISOString(),
  windowEnd: row.window_end.toISOString(),
  calls: row.calls,
  averageMs: row.average_ms,
  thresholdMs: row.threshold_ms,
  emailedAt: iso(row.emailed_at),
  webhookAt: iso(row.webhook_at),
  createdAt: row.created_at.toISOString(),
});

export const callLogQueries = {
  async openCallLogs(_parent: unknown, args: { filter: Parameters<typeof callLogFilter>[0]; first?: number | null; after?: string | null }, context: OpenContext) {
    requireScope(context, OPEN_ADMIN);
    const filter = callLogFilter(args.filter);
    const size = pageSize(args.first, 100, 20);
    const rows = await searchCallLogs(context.db, filter, { limit: size + 1, after: parseCallCursor(args.after) });
    const edges = rows.slice(0, size).map((row) => ({ cursor: callCursor(row), node: callLogView(row, filter.keyword) }));
    return { edges, pageInfo: { hasNextPage: rows.length > size, endCursor: edges.at(-1)?.cursor ?? null } };
  },
  async openCallStatistics(_parent: unknown, args: { from: string; to: string; appKey?: string | null; method?: string | null }, context: OpenContext) {
    requireScope(context, OPEN_ADMIN);
    const range = timeRange(args.from, args.to, STATISTICS_MAX_DAYS);
    const rows = await methodStatistics(context.db, { ...range, appKey: args.appKey ?? null, method: args.method ?? null });
    return rows.map((row) => ({ method: row.method, calls: row.calls, errors: row.errors, averageMs: row.average_ms, p95Ms: row.p95_ms, maxMs: row.max_ms }));
  },
  async openCallsPerMinute(_parent: unknown, args: { from: string; to: string; method?: string | null; appKey?: string | null }, context: OpenContext) {
    requireScope(context, OPEN_ADMIN);
    const range = minuteRange(args.from, args.to);
    const rows = await callsPerMinute(context.db, { ...range, appKey: shortText(args.appKey, 'appKey', 64), method: shortText(args.method, 'method', 64) });
    return rows.map((row) => ({ minute: row.minute.toISOString(), calls: row.calls, errors: row.errors, averageMs: row.average_ms, maxMs: row.max_ms }));
  },
  async openTodayRanking(_parent: unknown, args: { limit?: number | null }, context: OpenContext) {
    requireScope(context, OPEN_ADMIN);
    const limit = args.limit ?? 10;
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw badInput('limit must be between 1 and 100', 'limit');
    const { date, entries } = await todayRanking(context.db, context.redis, limit);
    return { date, entries };
  },
  async openAlerts(_parent: unknown, args: { first?: number | null; after?: string | null; method?: string | null }, context: OpenContext) {
    requireScope(context, OPEN_ADMIN);
    const page = pageRequest('open-alert', args, context.config.maxPageSize);
    const rows = await listAlerts(context.db, page, args.method);
    return toConnection('open-alert', rows.map((row) => ({ ...alertView(row), id: String(row.id) })), page);
  },
};
