/**
 * Nonces: each accepted once per app for OPEN_NONCE_TTL_SECONDS (600), across every router instance — one Redis
 * `SET key 1 NX EX 600`, atomic, so two instances receiving the same signed call at once admit exactly one.
 * Redis down or slow (OPEN_REDIS_TIMEOUT_MS): the nonce is checked against this instance's own memory instead (a
 * replay sent to the same instance is still refused; one sent to another instance during the outage is not), with a
 * log line and a counter (`degraded`). Nonces are recorded only after the signature verified: unsigned noise fills nothing.
 */
import { LRUCache } from 'lru-cache';
import type { OpenRedis } from './redis';

export class NonceStore {
  private readonly local: LRUCache<string, true>;
  /** Nonces checked locally because Redis was not usable. */
  degraded = 0;

  constructor(
    private readonly redis: OpenRedis | undefined,
    private readonly ttlSeconds: number,
  ) {
    this.local = new LRUCache<string, true>({ max: 200_000, ttl: ttlSeconds * 1000 });
  }

  /** True the first time `nonce` is seen for `appKey` within the TTL. */
  async firstUse(appKey: string, nonce: string): Promise<boolean> {
    const key = `${appKey}:${nonce}`;
    if (this.redis) {
      const answer = await this.redis.command<string | null>(['SET', `${this.redis.prefix}open:nonce:${key}`, '1', 'NX', 'EX', String(this.ttlSeconds)]);
      if (answer !== undefined) {
        // Also kept locally: if Redis goes away, replays of recent calls to this instance stay refused.
        this.local.set(key, true);
        return answer === 'OK';
      }
      this.degraded++;
      this.redis.degradedLog('nonces are checked per instance');
    }
    if (this.local.has(key)) return false;
    this.local.set(key, true);
    return true;
  }
}
