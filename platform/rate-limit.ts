/**
 * Fixed-window rate limiting: at most `limit` events per key per window of `windowMs`, each key's window opening at
 * its first event (not aligned to the clock, so no shared boundary at which every counter resets at once).
 * Two implementations behind one interface: Redis (shared by every instance of a service) when REDIS_URL is set,
 * in-process memory otherwise (one process: `npm start`, tests without Redis). The Redis one falls back to memory
 * while Redis is down: a throttle must never turn an infrastructure fault into a refusal of every sign-in.
 * Callers pass keys that carry no personal data (hash phone numbers and emails before they get here).
 */
import { createClient } from 'redis';
import type { Config, ThrottleRule } from './config';
import { rateLimited } from './errors';
import { logger } from './log';

const rateLimitLog = logger({ component: 'rate-limit' });

export interface RateLimitRule {
  limit: number;
  windowMs: number;
}

export interface RateLimitState {
  /** Events counted in the current window, including this one for `hit`. */
  count: number;
  /** `count <= limit`: whether the event just counted is within the limit. */
  allowed: boolean;
  /** Milliseconds until the window ends and the count starts again from 0. */
  resetInMs: number;
}

export interface RateLimiter {
  /** Counts one event for `key` and says whether it is within the rule. */
  hit(key: string, rule: RateLimitRule): Promise<RateLimitState>;
  /** The current window's count, counting nothing. */
  peek(key: string, rule: RateLimitRule): Promise<RateLimitState>;
  /** Forgets the current window's count for `key` (e.g. after a successful sign-in). */
  reset(key: string, rule: RateLimitRule): Promise<void>;
  /**
   * Takes back one event counted by `hit` in the current window (never below 0; nothing once the window ended):
   * count every attempt before the work, give successes back, and only failures stay limited — without letting
   * parallel attempts slip past the limit.
   */
  refund(key: string, rule: RateLimitRule): Promise<void>;
  close(): Promise<void>;
}

export interface RateLimiterOptions {
  /** Namespace of the keys (Redis key prefix). */
  prefix?: string;
  /** Clock, for tests that move across windows without sleeping. */
  now?: () => number;
  /** Redis: how long the first call waits for a connection before counting in memory instead (default 2 s). */
  connectTimeoutMs?: number;
  /** Redis: how long a command may take before the call is counted in memory instead (default 1 s). */
  commandTimeoutMs?: number;
  /** Redis: while degraded, at most one call per this interval tries Redis again; the others count in memory at once (default 2 s). */
  probeEveryMs?: number;
  /** Redis: while degraded, the "counting in memory" line is repeated at most this often (default 60 s). */
  logEveryMs?: number;
  /** Redis: where the degraded / recovered lines go (default: the process log, at warn). */
  log?: (line: string) => void;
}

function assertRule(rule: RateLimitRule) {
  if (!(Number.isInteger(rule.windowMs) && rule.windowMs > 0 && Number.isInteger(rule.limit) && rule.limit >= 0)) {
    throw new Error(`invalid rate limit rule ${JSON.stringify(rule)}`);
  }
}

/** Counts in this process only: right for one instance, too lenient when several run behind a load balancer. */
export function createMemoryRateLimiter(options: RateLimiterOptions = {}): RateLimiter {
  const now = options.now ?? Date.now;
  const windows = new Map<string, { start: number; count: number; windowMs: number }>();
  let lastSweep = 0;
  const sweep = (at: number) => {
    // Drop ended windows now and then, so keys seen once do not pile up. Each entry ends by its own window:
    // a short rule's caller must not end a long rule's window.
    if (at - lastSweep < 60_000 && windows.size < 10_000) return;
    lastSweep = at;
    for (const [key, entry] of windows) if (entry.start + entry.windowMs <= at) windows.delete(key);
  };
  const mapKey = (key: string, rule: RateLimitRule) => `${key}:${rule.windowMs}`;
  const current = (key: string, rule: RateLimitRule, at: number) => {
    const entry = windows.get(mapKey(key, rule));
    return entry && at - entry.start < rule.windowMs ? entry : undefined;
  };
  return {
    async hit(key, rule) {
      assertRule(rule);
      const at = now();
      sweep(at);
      const entry = current(key, rule, at) ?? { start: at, count: 0, windowMs: rule.windowMs };
      entry.count += 1;
      windows.set(mapKey(key, rule), entry);
      return { count: entry.count, allowed: entry.count <= rule.limit, resetInMs: entry.start + rule.windowMs - at };
    },
    async peek(key, rule) {
      assertRule(rule);
      const at = now();
      const entry = current(key, rule, at);
      const count = entry?.count ?? 0;
      return { count, allowed: count <= rule.limit, resetInMs: entry ? entry.start + rule.windowMs - at : rule.windowMs };
    },
    async reset(key, rule) {
      windows.delete(mapKey(key, rule));
    },
    async refund(key, rule) {
      assertRule(rule);
      const entry = current(key, rule, now());
      if (entry && entry.count > 0) entry.count -= 1;
    },
    async close() {
      windows.clear();
    },
  };
}

/**
 * One atomic step in Redis: open a window at the caller's clock if none is running (or it has ended), count the hit,
 * keep the key a second past the window's end. Returns { count, msLeft }.
 */
const HIT_SCRIPT = `
local now = tonumber(ARGV[1])
local windowMs = tonumber(ARGV[2])
local start = tonumber(redis.call('HGET', KEYS[1], 's'))
if (not start) or now - start >= windowMs or now < start then
  redis.call('DEL', KEYS[1])
  redis.call('HSET', KEYS[1], 's', now)
  start = now
end
local count = redis.call('HINCRBY', KEYS[1], 'c', 1)
local left = windowMs - (now - start)
redis.call('PEXPIRE', KEYS[1], left + 1000)
return { count, left }`;

/** Takes one back from a running window; an ended or missing window is left alone. */
const REFUND_SCRIPT = `
local now = tonumber(ARGV[1])
local windowMs = tonumber(ARGV[2])
local start = tonumber(redis.call('HGET', KEYS[1], 's'))
if (not start) or now - start >= windowMs or now < start then return 0 end
local count = tonumber(redis.call('HGET', KEYS[1], 'c') or '0')
if count > 0 then redis.call('HINCRBY', KEYS[1], 'c', -1) end
return 1`;

/**
 * Counts in Redis, shared by every instance: one hash per (key, window length) holding the window's start and count,
 * updated by one Lua script so concurrent hits count exactly; the key disappears shortly after its window ends.
 *
 * Degrades, never fails closed on infrastructure: while Redis is unreachable (not connected within
 * `connectTimeoutMs`, a command failing or not answering within `commandTimeoutMs`), every call is answered by
 * in-process counters instead — the same rules, counted per instance (n instances let up to n times the limit
 * through) — so sign-in keeps working with the throttles still on. One log line says so (again at most every
 * `logEveryMs` while it lasts) and another when Redis answers again, from when the shared counts resume; what was
 * counted in memory meanwhile is not carried over. The client reconnects in the background; while degraded, calls do
 * not wait for Redis: one call per `probeEveryMs` tries it (so a Redis that hangs costs one call the timeout, not
 * every call), the others count in memory at once.
 */
export function createRedisRateLimiter(url: string, options: RateLimiterOptions = {}): RateLimiter {
  const now = options.now ?? Date.now;
  const prefix = options.prefix ?? 'rl:';
  const connectTimeoutMs = options.connectTimeoutMs ?? 2000;
  const commandTimeoutMs = options.commandTimeoutMs ?? 1000;
  const logEveryMs = options.logEveryMs ?? 60_000;
  const probeEveryMs = options.probeEveryMs ?? 2000;
  const log = options.log ?? ((line: string) => rateLimitLog.warn(line));
  const fallback = createMemoryRateLimiter({ now });
  const client = createClient({ url, disableOfflineQueue: true });
  let lastErrorLog = 0;
  client.on('error', (error: Error) => {
    // Without a listener a socket error would crash the process; reconnecting is the client's job.
    if (Date.now() - lastErrorLog > 10_000) {
      lastErrorLog = Date.now();
      rateLimitLog.error({ err: error }, `redis error: ${error.message}`);
    }
  });
  let connecting: Promise<unknown> | undefined;
  /** Since when calls are answered in memory (undefined: Redis is in use), and when that was last logged. */
  let degradedSince: number | undefined;
  let lastDegradedLog = 0;
  /** While degraded: when the next call may try Redis (a hung Redis would otherwise cost every call the timeout). */
  let nextProbeAt = 0;
  let closed = false;

  const withTimeout = async <T>(work: Promise<T>, ms: number, what: string): Promise<T> => {
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([work, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(what)), ms)))]);
    } finally {
      clearTimeout(timer);
    }
  };
  const ready = async () => {
    if (client.isReady) return;
    // The client keeps retrying in the background; once degraded, callers do not wait for it at all.
    connecting ??= client.connect().catch(() => {
      connecting = undefined;
    });
    if (degradedSince === undefined) await withTimeout(connecting, connectTimeoutMs, 'not connected').catch(() => undefined);
    if (!client.isReady) throw new Error('Redis is unavailable for rate limiting');
  };
  const degrade = (error: unknown) => {
    const at = Date.now();
    nextProbeAt = at + probeEveryMs;
    if (degradedSince === undefined) degradedSince = at;
    else if (at - lastDegradedLog < logEveryMs) return;
    lastDegradedLog = at;
    const reason = error instanceof Error ? error.message : String(error);
    log(
      `[rate-limit] Redis unavailable (${reason}): throttles fall back to per-instance in-process counters ` +
        `since ${new Date(degradedSince).toISOString()} (each instance counts on its own until Redis is back)`,
    );
  };
  const recovered = () => {
    if (degradedSince === undefined) return;
    log(`[rate-limit] Redis is back: throttles are shared again (in-process counters used for ${Math.round((Date.now() - degradedSince) / 1000)} s)`);
    degradedSince = undefined;
  };
  /** Runs `op` on Redis; on any failure of the infrastructure, `memory` answers instead. */
  const attempt = async <T>(op: () => Promise<T>, memory: () => Promise<T>): Promise<T> => {
    if (closed) return memory();
    if (degradedSince !== undefined) {
      if (Date.now() < nextProbeAt) return memory();
      // This call probes; concurrent ones do not wait for it.
      nextProbeAt = Date.now() + probeEveryMs;
    }
    try {
      await ready();
      const result = await withTimeout(op(), commandTimeoutMs, `no answer within ${commandTimeoutMs} ms`);
      recovered();
      return result;
    } catch (error) {
      degrade(error);
      return memory();
    }
  };
  const redisKey = (key: string, rule: RateLimitRule) => `${prefix}${key}:${rule.windowMs}`;
  return {
    async hit(key, rule) {
      assertRule(rule);
      return attempt(async () => {
        const reply = (await client.eval(HIT_SCRIPT, {
          keys: [redisKey(key, rule)],
          arguments: [String(now()), String(rule.windowMs)],
        })) as [number, number];
        const count = Number(reply[0]);
        return { count, allowed: count <= rule.limit, resetInMs: Number(reply[1]) };
      }, () => fallback.hit(key, rule));
    },
    async peek(key, rule) {
      assertRule(rule);
      return attempt(async () => {
        const at = now();
        const [start, stored] = await client.hmGet(redisKey(key, rule), ['s', 'c']);
        const running = start !== null && at - Number(start) < rule.windowMs && at >= Number(start);
        const count = running ? Number(stored ?? 0) : 0;
        return { count, allowed: count <= rule.limit, resetInMs: running ? Number(start) + rule.windowMs - at : rule.windowMs };
      }, () => fallback.peek(key, rule));
    },
    async reset(key, rule) {
      assertRule(rule);
      // Both: a count made in memory while Redis was away is forgotten too.
      await fallback.reset(key, rule);
      await attempt(async () => void (await client.del(redisKey(key, rule))), async () => undefined);
    },
    async refund(key, rule) {
      assertRule(rule);
      await attempt(
        async () => void (await client.eval(REFUND_SCRIPT, { keys: [redisKey(key, rule)], arguments: [String(now()), String(rule.windowMs)] })),
        () => fallback.refund(key, rule),
      );
    },
    async close() {
      closed = true;
      await fallback.close();
      if (client.isReady) await client.close();
      // Still connecting or reconnecting: nothing pending worth waiting for.
      else if (client.isOpen) client.destroy();
    },
  };
}

/** Redis when REDIS_URL is set, memory otherwise. */
/**
 * Redis when REDIS_URL is set, memory otherwise. Keys start with the deployment's namespace (EVENTS_NAMESPACE) like
 * every other key of ours: two deployments (or two test runs) sharing a Redis never count each other's calls.
 */
export function createRateLimiter(
  config: Pick<Config, 'redisUrl'> & { events?: Pick<Config['events'], 'namespace'> },
  options: RateLimiterOptions = {},
): RateLimiter {
  const namespace = config.events?.namespace;
  const prefixed = namespace ? { ...options, prefix: `${namespace}:${options.prefix ?? ''}` } : options;
  return config.redisUrl ? createRedisRateLimiter(config.redisUrl, prefixed) : createMemoryRateLimiter(prefixed);
}

/** A config throttle rule as the limiter takes it. */
export const ruleOf = (rule: ThrottleRule): RateLimitRule => ({ limit: rule.limit, windowMs: rule.windowSeconds * 1000 });

/** Seconds until the window of `state` ends: what a RATE_LIMITED answer tells the client (`retryAfterSeconds`). */
export const retryAfterSeconds = (state: Pick<RateLimitState, 'resetInMs'>) => Math.max(1, Math.ceil(state.resetInMs / 1000));

/** Counts one event for `key`; over the limit, throws RATE_LIMITED carrying `retryAfterSeconds`. */
export async function hitOrThrow(limiter: RateLimiter, key: string, rule: RateLimitRule, message: string): Promise<RateLimitState> {
  const state = await limiter.hit(key, rule);
  if (!state.allowed) throw rateLimited(message, retryAfterSeconds(state));
  return state;
}
