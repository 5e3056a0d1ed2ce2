/**
 * Revoked login sessions, shared between the user subgraph (which owns sessions and writes here when one ends: logout,
 * or a refresh token presented twice) and every router instance (which refuses the ended session's access tokens and
 * closes its subscriptions). docs/security.md, "Token lifetime and revocation".
 *
 * With REDIS_URL: one sorted set, `<EVENTS_NAMESPACE>:shop.user.revoked-sessions`, member = session id, score = when
 * it was revoked by Redis's own clock (TIME, inside the script that adds it, so scores never go backwards between
 * writers). Entries older than the longest an access token can live (ACCESS_TOKEN_TTL_SECONDS + skew) are dropped by
 * each write: by then every token of that session has expired anyway. Each router keeps the set in memory and reads
 * what was added since its last read every SESSION_REVOCATION_POLL_MS (1 s): a request's check is a Map lookup, no
 * Redis round trip on the hot path, and a revocation is refused everywhere within about a second.
 *
 * Redis briefly down: routers keep the sessions they know and catch up on the next successful read (the set keeps a
 * token's whole lifetime), so they degrade open — a session revoked during the outage keeps working until Redis is
 * back or its tokens expire (≤ ACCESS_TOKEN_TTL_SECONDS) — rather than refusing every shopper. The user subgraph
 * answers `logout` once the session row is revoked; when Redis does not take the entry, it retries every 2 s for the
 * access tokens' lifetime (a crash of that instance meanwhile loses the retry: the tokens then expire on their own).
 *
 * Without REDIS_URL: one in-process list shared by everything in the process (`npm start`, the tests).
 */
import type { Config } from './config';
import { sharedRedis, type SharedRedis } from './redis-connection';
import { logger } from './log';

const log = logger({ component: 'sessions' });

export interface SessionRevocations {
  /** Records that `sessionId` ended. Resolves once shared; never rejects (a failed write is retried in the background). */
  revoke(sessionId: string): Promise<void>;
  /** Whether this process knows `sessionId` ended: synchronous, from memory. */
  isRevoked(sessionId: string): boolean;
  /** Called once for each session this process learns was revoked. */
  onRevoked(listener: (sessionId: string) => void): () => void;
  close(): Promise<void>;
}

export const REVOKED_SESSIONS_KEY = 'shop.user.revoked-sessions';

/** How long a revocation must be remembered: the longest an access token may still be accepted. */
export const revocationRetentionMs = (config: Pick<Config, 'accessTokenTtlSeconds' | 'accessTokenClockSkewSeconds'>) =>
  (config.accessTokenTtlSeconds + config.accessTokenClockSkewSeconds) * 1000;

/** The known revocations with the time of each, forgetting what is older than the retention. */
class RevokedSet {
  private readonly revokedAt = new Map<string, number>();
  private readonly listeners = new Set<(sessionId: string) => void>();
  constructor(private readonly retentionMs: number) {}

  has(sessionId: string) {
    return this.revokedAt.has(sessionId);
  }

  add(sessionId: string, at: number) {
    if (this.revokedAt.has(sessionId)) return;
    this.revokedAt.set(sessionId, at);
    for (const listener of this.listeners) {
      try {
        listener(sessionId);
      } catch (error) {
        log.error({ err: error, sessionId }, 'revocation listener failed');
      }
    }
  }

  /** Drops entries older than the retention before `now` (insertion order is time order, near enough). */
  prune(now: number) {
    for (const [sessionId, at] of this.revokedAt) {
      if (at >= now - this.retentionMs) break;
      this.revokedAt.delete(sessionId);
    }
  }

  listen(listener: (sessionId: string) => void) {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }
}

/** In-process: one set per namespace and retention, shared by every user subgraph and router of this process. */
const processSets = new Map<string, RevokedSet>();

function memoryRevocations(config: Config): SessionRevocations {
  const retention = revocationRetentionMs(config);
  const name = `${config.events.namespace ?? ''}:${retention}`;
  let set = processSets.get(name);
  if (!set) processSets.set(name, (set = new RevokedSet(retention)));
  const shared = set;
  const unlisteners: (() => void)[] = [];
  return {
    async revoke(sessionId) {
      shared.prune(Date.now());
      shared.add(sessionId, Date.now());
    },
    isRevoked: (sessionId) => shared.has(sessionId),
    onRevoked(listener) {
      const off = shared.listen(listener);
      unlisteners.push(off);
      return off;
    },
    async close() {
      for (const off of unlisteners) off();
    },
  };
}

/** Adds the session at Redis's time and drops entries past the retention; returns that time (ms). */
const REVOKE_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZADD', KEYS[1], now, ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[2]))
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]))
return now`;

function redisRevocations(config: Config, options: { read: boolean }): SessionRevocations {
  const retention = revocationRetentionMs(config);
  const redis: SharedRedis = sharedRedis(config.redisUrl!, { label: 'sessions', namespace: config.events.namespace });
  const key = `${redis.prefix}${REVOKED_SESSIONS_KEY}`;
  const known = new RevokedSet(retention);
  let since = '-inf';
  let closed = false;
  let lastFailureLog = 0;
  const retries = new Set<NodeJS.Timeout>();

  const write = async (sessionId: string) => {
    const client = await redis.ready();
    const at = Number(await client.eval(REVOKE_SCRIPT, { keys: [key], arguments: [sessionId, String(retention)] }));
    known.add(sessionId, at);
  };

  /** What was added since the last read (scores are Redis's clock, so `since` never skips a later entry). */
  const read = async () => {
    const client = await redis.ready();
    const entries = await client.zRangeByScoreWithScores(key, since, '+inf');
    for (const { value, score } of entries) {
      known.add(value, score);
      since = String(score);
    }
    if (entries.length) known.prune(Number(since));
  };

  let timer: NodeJS.Timeout | undefined;
  const poll = async () => {
    try {
      await read();
    } catch (error) {
      if (Date.now() - lastFailureLog > 10_000) {
        lastFailureLog = Date.now();
        log.error({ err: error }, `could not read revoked sessions (tokens of sessions revoked meanwhile stay accepted until Redis answers): ${(error as Error).message}`);
      }
    }
    if (!closed) {
      timer = setTimeout(poll, config.sessionRevocationPollMs);
      timer.unref();
    }
  };
  if (options.read) void poll();

  return {
    async revoke(sessionId) {
      try {
        await write(sessionId);
        return;
      } catch (error) {
        log.error({ err: error, sessionId }, `could not share the revocation of session ${sessionId}; retrying: ${(error as Error).message}`);
      }
      const giveUpAt = Date.now() + retention;
      const retry = () => {
        const handle = setTimeout(async () => {
          retries.delete(handle);
          if (closed) return;
          try {
            await write(sessionId);
          } catch {
            if (Date.now() < giveUpAt) retry();
          }
        }, 2000);
        handle.unref();
        retries.add(handle);
      };
      retry();
    },
    isRevoked: (sessionId) => known.has(sessionId),
    onRevoked: (listener) => known.listen(listener),
    async close() {
      closed = true;
      clearTimeout(timer);
      for (const handle of retries) clearTimeout(handle);
      await redis.close();
    },
  };
}

/**
 * Redis with REDIS_URL, in process otherwise. `read`: keep the shared list in memory and follow it (routers); the
 * user subgraph only writes.
 */
export function createSessionRevocations(config: Config, options: { read: boolean }): SessionRevocations {
  return config.redisUrl ? redisRevocations(config, options) : memoryRevocations(config);
}
