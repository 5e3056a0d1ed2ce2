/**
 * WeChat's API access token, shared by every instance: fetched with `POST /cgi-bin/stable_token` and kept in Redis
 * (REDIS_URL) until 5 minutes before it expires; in process without Redis.
 *
 * Why stable_token and not `GET /cgi-bin/token`: /cgi-bin/token hands out a NEW token on every call and the previous
 * one dies within minutes, so instances refreshing at once would invalidate each other's tokens. stable_token (without
 * force_refresh) answers the same token to every caller while it is valid: instances that miss the cache together
 * just get the same token. When WeChat calls our token invalid (40001, 42001, 40014) the cached entry is dropped if
 * it still holds that token, and ONE instance (a Redis lock of 30 s) asks with force_refresh: true; the others ask
 * without it and get the fresh one. Force refresh is limited by WeChat (a few per day), hence the lock.
 */
import type { SharedRedis } from '../../../platform/redis-connection';

export interface TokenStore {
  get(): Promise<string | null>;
  set(token: string, ttlMs: number): Promise<void>;
  /** Drops the entry only while it still holds `token` (another instance may have stored a fresh one). */
  invalidate(token: string): Promise<void>;
  /** True for the one caller that may force a refresh now. */
  claimForceRefresh(): Promise<boolean>;
}

const FORCE_REFRESH_LOCK_MS = 30_000;

export function memoryTokenStore(now: () => number = Date.now): TokenStore {
  let entry: { token: string; until: number } | null = null;
  let lockUntil = 0;
  return {
    async get() {
      return entry && entry.until > now() ? entry.token : null;
    },
    async set(token, ttlMs) {
      entry = { token, until: now() + ttlMs };
    },
    async invalidate(token) {
      if (entry?.token === token) entry = null;
    },
    async claimForceRefresh() {
      if (lockUntil > now()) return false;
      lockUntil = now() + FORCE_REFRESH_LOCK_MS;
      return true;
    },
  };
}

const COMPARE_AND_DELETE = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end";

export function redisTokenStore(redis: SharedRedis, appId: string): TokenStore {
  const key = `${redis.prefix}shop:user:wechat:access-token:${appId}`;
  const lockKey = `${key}:force-refresh`;
  return {
    async get() {
      return (await (await redis.ready()).get(key)) ?? null;
    },
    async set(token, ttlMs) {
      await (await redis.ready()).set(key, token, { PX: ttlMs });
    },
    async invalidate(token) {
      await (await redis.ready()).eval(COMPARE_AND_DELETE, { keys: [key], arguments: [token] });
    },
    async claimForceRefresh() {
      return (await (await redis.ready()).set(lockKey, '1', { NX: true, PX: FORCE_REFRESH_LOCK_MS })) === 'OK';
    },
  };
}
