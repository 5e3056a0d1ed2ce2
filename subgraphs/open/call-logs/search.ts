/**
 * The rules of searching the call logs (seed 004 §3.1.1.5–6): time ranges to the second, bounded so one search
 * cannot scan the whole retention by accident, keywords matched case-insensitively (Chinese included) and cut into
 * highlighted fragments, keyset cursors over (received_at, id).
 */
import { badInput } from '../../../platform/errors';
import { maskPersonalText } from '../../../platform/personal-data';
import type { CallLogFilter, CallLogRow } from '../data/call-logs';

export const SEARCH_MAX_DAYS = 31;
export const STATISTICS_MAX_DAYS = 366;
const KEYWORD_MAX = 100;

function instant(value: string, field: string): Date {
  // ISO 8601 with a date and a time; Date.parse alone would also take "12" or "Dec 5".
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/.test(value)) {
    throw badInput(`${field} must be an ISO 8601 instant with its offset, e.g. 2026-12-05T10:00:00+08:00`, field);
  }
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw badInput(`${field} is not a valid instant`, field);
  return date;
}

export function timeRange(from: string, to: string, maxDays: number, fields = { from: 'from', to: 'to' }): { from: Date; to: Date } {
  const range = { from: instant(from, fields.from), to: instant(to, fields.to) };
  if (range.to <= range.from) throw badInput(`${fields.to} must be after ${fields.from}`, fields.to);
  if (range.to.getTime() - range.from.getTime() > maxDays * 86_400_000) throw badInput(`a range covers at most ${maxDays} days`, fields.to);
  return range;
}

/** The per-minute series' span: 1440 buckets, what a day's chart shows. */
export const MINUTES_MAX = 1440;

/** A per-minute range: both ends on whole minutes (buckets never cut a minute), at most MINUTES_MAX minutes. */
export function minuteRange(from: string, to: string): { from: Date; to: Date } {
  const range = timeRange(from, to, 1);
  if (range.from.getTime() % 60_000 !== 0) throw badInput('from must be on a whole minute (seconds zero)', 'from');
  if (range.to.getTime() % 60_000 !== 0) throw badInput('to must be on a whole minute (seconds zero)', 'to');
  return range;
}

export function shortText(value: string | null | undefined, field: string, max: number): string | null {
  if (value === null || value === undefined) return null;
  if (value.length < 1 || value.length > max) throw badInput(`${field} must be 1..${max} characters`, field);
  return value;
}

const maskKeyword = (keyword: string | null | undefined) => (keyword ? maskPersonalText(keyword) : keyword);

export function callLogFilter(input: {
  from: string;
  to: string;
  appKey?: string | null;
  method?: string | null;
  keyword?: string | null;
  errorsOnly?: boolean | null;
}): CallLogFilter {
  return {
    ...timeRange(input.from, input.to, SEARCH_MAX_DAYS, { from: 'filter.from', to: 'filter.to' }),
    appKey: shortText(input.appKey, 'filter.appKey', 64),
    method: shortText(input.method, 'filter.method', 64),
    // Masked as the records were (platform/personal-data.ts): a full mobile number finds its 138****5678.
    keyword: maskKeyword(shortText(input.keyword, 'filter.keyword', KEYWORD_MAX)),
    errorsOnly: input.errorsOnly ?? false,
  };
}

/** The text cut into fragments, the case-insensitive matches of `keyword` flagged; joined, they are `text` again. */
export function highlight(text: string, keyword: string | null | undefined): { text: string; match: boolean }[] {
  if (!keyword) return [{ text, match: false }];
  const pattern = new RegExp(keyword.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'giu');
  const fragments: { text: string; match: boolean }[] = [];
  let last = 0;
  for (const found of text.matchAll(pattern)) {
    const at = found.index ?? 0;
    if (at > last) fragments.push({ text: text.slice(last, at), match: false });
    fragments.push({ text: found[0], match: true });
    last = at + found[0].length;
  }
  if (last < text.length || !fragments.length) fragments.push({ text: text.slice(last), match: false });
  return fragments;
}

const CURSOR_KIND = 'open-call';

export function callCursor(row: Pick<CallLogRow, 'received_at' | 'id'>): string {
  return Buffer.from(`${CURSOR_KIND}:${row.received_at.toISOString()}:${row.id}`).toString('base64url');
}

export function parseCallCursor(cursor: string | null | undefined): { receivedAt: Date; id: string } | undefined {
  if (cursor === null || cursor === undefined) return undefined;
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const match = /^open-call:(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z):([0-9a-f-]{36})$/.exec(text);
  const receivedAt = match ? new Date(match[1]) : null;
  if (!match || !receivedAt || Number.isNaN(receivedAt.getTime())) throw badInput('after is not a cursor of this list', 'after');
  return { receivedAt, id: match[2] };
}
