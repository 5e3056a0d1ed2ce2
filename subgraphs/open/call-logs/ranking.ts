/**
 * Today's ranking (seed 004 §3.1.1.7): admitted calls per method on today's Asia/Shanghai date, read from the sorted
 * set the routers increment (router/open/call-events.ts). Without Redis, or while it cannot answer, the same numbers
 * are counted from the call logs (slower, and as fresh as the consumer).
 */
import type { Knex } from 'knex';
import type { SharedRedis } from '../../../platform/redis-connection';
import { shanghaiDate } from '../../../platform/shanghai-time';
import { callsPerMethodOn } from '../data/call-logs';

export interface RankEntry {
  rank: number;
  method: string;
  calls: number;
}

export const rankingKey = (prefix: string, date: string) => `${prefix}open:ranking:${date}`;

export async function todayRanking(
  db: Knex,
  redis: SharedRedis | null,
  limit: number,
  now = Date.now(),
): Promise<{ date: string; source: 'redis' | 'call_logs'; entries: RankEntry[] }> {
  const date = shanghaiDate(now);
  if (redis) {
    try {
      const client = await redis.ready();
      const reply = (await client.sendCommand(['ZREVRANGE', rankingKey(redis.prefix, date), '0', String(limit - 1), 'WITHSCORES'])) as unknown[];
      // RESP2 answers member, score, member, …; RESP3 answers [member, score] pairs.
      const flat = reply.flat().map(String);
      const entries: RankEntry[] = [];
      for (let i = 0; i + 1 < flat.length; i += 2) entries.push({ rank: entries.length + 1, method: flat[i], calls: Number(flat[i + 1]) });
      return { date, source: 'redis', entries };
    } catch {
      // Fall through to the call logs.
    }
  }
  const rows = await callsPerMethodOn(db, date, limit);
  return { date, source: 'call_logs', entries: rows.map((row, index) => ({ rank: index + 1, method: row.method, calls: row.calls })) };
}
