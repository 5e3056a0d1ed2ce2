/**
 * Calendar days in Asia/Shanghai (UTC+8 all year; China has no daylight saving): the open platform's daily limits,
 * today's ranking and the call logs' partitions all turn over at 00:00 China time, not at 08:00 as a UTC day would.
 */
const SHANGHAI_OFFSET_MS = 8 * 3600_000;
export const DAY_MS = 86_400_000;

/** The Asia/Shanghai date (YYYY-MM-DD) of an instant. */
export function shanghaiDate(at: number | Date): string {
  const ms = typeof at === 'number' ? at : at.getTime();
  return new Date(Math.floor((ms + SHANGHAI_OFFSET_MS) / DAY_MS) * DAY_MS).toISOString().slice(0, 10);
}

/** The instant a Shanghai date (YYYY-MM-DD) begins. */
export function shanghaiDayStart(date: string): Date {
  return new Date(`${date}T00:00:00+08:00`);
}

/** The Shanghai date `days` after (or before, when negative) `date`. */
export function addDays(date: string, days: number): string {
  return shanghaiDate(shanghaiDayStart(date).getTime() + days * DAY_MS);
}
