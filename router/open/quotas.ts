/**
 * Per-app minute and daily limits (seed 004 §3.1.2.4), with rate-limiter-flexible: counts in Redis shared by every
 * router instance (one atomic INCRBY+PEXPIRE script per window: exactly N calls admitted per window across instances),
 * windows aligned to the calendar — the key carries the minute since the epoch, or the date in Asia/Shanghai — so a
 * daily limit resets at midnight China time. A call first takes its cost from the minute window, then from the day;
 * refused by the day, it gives the minute back: only admitted calls count.
 * Redis down or slow: each instance counts on its own, admitting limit ÷ OPEN_ROUTER_INSTANCES per window (at least
 * 1), with a log line and a counter (`degraded`); never an error because of Redis.
 */
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Config } from '../../platform/config';
import { minuteWindow, shanghaiDay } from './clock';
import type { GatewayApp } from './registry';
import type { OpenRedis } from './redis';

export interface QuotaState {
  minute: { limit: number; remaining: number };
  day: { limit: number; remaining: number };
}

export type Admission = QuotaState & ({ admitted: true } | { admitted: false; refusedBy: 'minute' | 'day'; retryAfterSeconds: number });

type Kind = 'minute' | 'day';
/** Keys outlive their window a little (cleanup only: the window is in the key). */
const KEY_SECONDS: Record<Kind, number> = { minute: 120, day: 2 * 86_400 };

export class Quotas {
  private readonly limiters = new Map<string, RateLimiterAbstract>();
  /** Calls counted per instance because Redis was not usable. */
  degraded = 0;

  constructor(
    private readonly config: Config,
    private readonly redis: OpenRedis | undefined,
  ) {}

  private limiter(kind: Kind, points: number, shared: boolean): RateLimiterAbstract {
    const name = `${kind}:${points}:${shared}`;
    let limiter = this.limiters.get(name);
    if (!limiter) {
      limiter = shared
        ? new RateLimiterRedis({
            storeClient: this.redis!.client,
            useRedisPackage: true,
            rejectIfRedisNotReady: true,
            keyPrefix: `${this.redis!.prefix}open:quota:${kind}`,
            points,
            duration: KEY_SECONDS[kind],
          })
        : new RateLimiterMemory({ keyPrefix: `open:${kind}`, points, duration: KEY_SECONDS[kind] });
      this.limiters.set(name, limiter);
    }
    return limiter;
  }

  private localPoints(limit: number) {
    return Math.max(1, Math.floor(limit / this.config.open.routerInstances));
  }

  /** Runs `op` on the shared limiter, or on the local one when Redis is not usable. Resolves with the state after. */
  private async run(kind: Kind, app: GatewayApp, key: string, op: (limiter: RateLimiterAbstract) => Promise<RateLimiterRes>): Promise<{ res: RateLimiterRes; refused: boolean; limit: number }> {
    const limit = kind === 'minute' ? app.minuteLimit : app.dailyLimit;
    if (this.redis?.ready) {
      const outcome = await this.redis.bounded(
        op(this.limiter(kind, limit, true)).then(
          (res) => ({ res, refused: false }),
          (error: unknown) => (error instanceof RateLimiterRes ? { res: error, refused: true } : Promise.reject(error)),
        ),
      );
      if (outcome) return { ...outcome, limit };
    }
    if (this.redis) {
      this.degraded++;
      this.redis.degradedLog('call limits are counted per instance');
    }
    const points = this.redis ? this.localPoints(limit) : limit;
    try {
      return { res: await op(this.limiter(kind, points, false)), refused: false, limit: points };
    } catch (error) {
      if (error instanceof RateLimiterRes) return { res: error, refused: true, limit: points };
      throw error;
    }
  }

  /** Takes `cost` from the minute, then from the day. */
  async admit(app: GatewayApp, cost: number, now: number): Promise<Admission> {
    const minute = minuteWindow(now);
    const day = shanghaiDay(now);
    const minuteKey = `${app.appKey}:${minute.id}`;
    const dayKey = `${app.appKey}:${day.id}`;
    const m = await this.run('minute', app, minuteKey, (limiter) => limiter.consume(minuteKey, cost));
    const minuteState = { limit: m.limit, remaining: Math.max(0, m.limit - m.res.consumedPoints) };
    if (m.refused) {
      const d = await this.peekKind('day', app, dayKey);
      return { admitted: false, refusedBy: 'minute', retryAfterSeconds: minute.resetSeconds, minute: minuteState, day: d };
    }
    const d = await this.run('day', app, dayKey, (limiter) => limiter.consume(dayKey, cost));
    const dayState = { limit: d.limit, remaining: Math.max(0, d.limit - d.res.consumedPoints) };
    if (d.refused) {
      // Not admitted: the minute window gets its points back.
      const back = await this.run('minute', app, minuteKey, (limiter) => limiter.reward(minuteKey, cost));
      return {
        admitted: false,
        refusedBy: 'day',
        retryAfterSeconds: day.resetSeconds,
        minute: { limit: back.limit, remaining: Math.max(0, back.limit - back.res.consumedPoints) },
        day: dayState,
      };
    }
    return { admitted: true, minute: minuteState, day: dayState };
  }

  private async peekKind(kind: Kind, app: GatewayApp, key: string): Promise<{ limit: number; remaining: number }> {
    const limit = kind === 'minute' ? app.minuteLimit : app.dailyLimit;
    const shared = this.redis?.ready;
    const points = this.redis && !shared ? this.localPoints(limit) : limit;
    const limiter = this.limiter(kind, points, Boolean(shared));
    const res = shared ? await this.redis!.bounded(limiter.get(key).catch(() => null)) : await limiter.get(key);
    return { limit: points, remaining: Math.max(0, points - (res?.consumedPoints ?? 0)) };
  }

  /** The current state without counting (the headers of calls refused before the limits). */
  async peek(app: GatewayApp, now: number): Promise<QuotaState> {
    const [minute, day] = await Promise.all([
      this.peekKind('minute', app, `${app.appKey}:${minuteWindow(now).id}`),
      this.peekKind('day', app, `${app.appKey}:${shanghaiDay(now).id}`),
    ]);
    return { minute, day };
  }
}
