/**
 * The gateway's clock and its calendar: minutes since the epoch and days in Asia/Shanghai (UTC+8 all year; China has
 * no daylight saving), so a daily limit resets at 00:00 China time, not at 08:00 as a UTC day would.
 * Tests move the clock of a real router process with OPEN_TEST_CLOCK_START_MS (NODE_ENV=test only, config.ts).
 */
import { DAY_MS, shanghaiDate, shanghaiDayStart } from '../../platform/shanghai-time';

export interface OpenClock {
  now(): number;
}

export const systemClock = (offsetMs = 0): OpenClock => ({ now: () => Date.now() + offsetMs });

/** The calendar minute (since the epoch) and the seconds until the next one (at least 1). */
export function minuteWindow(now: number): { id: number; resetSeconds: number } {
  const id = Math.floor(now / 60_000);
  return { id, resetSeconds: Math.max(1, Math.ceil(((id + 1) * 60_000 - now) / 1000)) };
}

/** The Asia/Shanghai date (YYYY-MM-DD) and the seconds until its midnight (at least 1). */
export function shanghaiDay(now: number): { id: string; resetSeconds: number } {
  const id = shanghaiDate(now);
  const nextMidnight = shanghaiDayStart(id).getTime() + DAY_MS;
  return { id, resetSeconds: Math.max(1, Math.ceil((nextMidnight - now) / 1000)) };
}
