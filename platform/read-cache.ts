/**
 * A cache of reads that every caller may share (the public catalog), in two levels: each process keeps recent
 * entries in memory (lru-cache), and with Redis the entries are also shared between instances, so a new instance
 * starts warm and PostgreSQL serves each entry once rather than once per instance. Without Redis it is memory only,
 * which is right for the one-process embedded mode (several instances need Redis, as the events do).
 *
 * Invalidation is by generation. Every key carries the generation that was current when the request began. A write
 * commits, then bumps the generation (INCR in Redis, shared by every instance); the next request on any instance
 * reads the new number and finds nothing under it. A reader racing the write can only have filled keys of the old
 * generation, which nobody reads any more, so a committed change is seen by the very next read, with no window.
 * Kinds that change too often for that (stock) get a short `maxAgeMs` and are deleted directly (`forget`): there a
 * racing reader may put back an older value, which then lives at most `maxAgeMs` — that is the documented lag.
 *
 * Redis trouble never fails a read: while the connection is not ready, requests bypass the cache. A bump that could not
 * reach Redis is made again as soon as the connection is back.
 */
import { LRUCache } from 'lru-cache';
import { createClient } from 'redis';
import { log } from './log';

/**
 * The public catalog's cache (product's): the router's response cache follows its generation, so a staff write drops
 * the answers the router kept as well.
 */
export const PUBLIC_CATALOG_CACHE = 'catalog';

export interface ReadCacheOptions {
  /** Part of every Redis key: `<namespace>:<name>:…`. */
  name: string;
  redisUrl?: string;
  namespace?: string;
  /** Entries kept in memory per process. */
  maxEntries: number;
  /** Life of an entry of a kind without its own `maxAgeMs`. */
  ttlMs: number;
  now?: () => number;
}

/** One kind of entry (e.g. products by id). */
export interface CacheKind<T> {
  name: string;
  /** Longest an entry may be served after it was read from the database (default: the cache's `ttlMs`). */
  maxAgeMs?: number;
  /** Rebuilds a value that went through JSON (Redis): dates back to Date objects. */
  revive?(value: T): T;
}

export interface KindStats {
  /** Served from this process's memory. */
  memoryHits: number;
  /** Served from Redis (then kept in memory). */
  sharedHits: number;
  /** Read from the database. */
  misses: number;
  /** Read from the database without looking, because the cache was bypassed (Redis not ready, or off). */
  bypassed: number;
}

export interface ReadCacheStats {
  kinds: Record<string, KindStats & { hitRate: number }>;
  generation: number | null;
  /** Whether entries are shared through Redis. */
  shared: boolean;
}

interface Stored<T> {
  value: T;
  /** When the value was read from the database (ms since epoch). */
  at: number;
}

type RedisClient = ReturnType<typeof createClient>;

/** Generations of memory-only caches, per process: every cache (and reader) of one name in the process shares it. */
const localGenerations = new Map<string, number>();

/**
 * A logger of Redis trouble that writes at most one line per 10 s: an unreachable Redis fails every request, and
 * one line says it as well as thousands.
 */
export function rateLimitedErrorLog(label: string, now: () => number = Date.now): (what: string, error: Error) => void {
  let last = -Infinity;
  return (what, error) => {
    if (now() - last < 10_000) return;
    last = now();
    log.error({ err: error }, `${label} ${what}`);
  };
}

export interface GenerationOptions {
  /** Names the counter: `<namespace>:<name>:generation` in Redis. */
  name: string;
  redisUrl?: string;
  namespace?: string;
  /** Logs Redis trouble (rate-limited by the caller). */
  onError?(what: string, error: Error): void;
}

/**
 * The generation counter of a cache: in Redis when there is one (every instance sees every bump), else per process.
 * Readers that only need to know the generation (the router's response cache) use it alone.
 */
export class SharedGeneration {
  /** @internal The Redis connection, shared with the cache's entries. */
  readonly redis?: RedisClient;
  readonly prefix: string;
  private last: number | null = null;
  private bumpOwed = false;

  constructor(private readonly options: GenerationOptions) {
    this.prefix = `${options.namespace ? `${options.namespace}:` : ''}${options.name}:`;
    if (options.redisUrl) {
      const client: RedisClient = createClient({ url: options.redisUrl, disableOfflineQueue: true });
      client.on('error', (error: Error) => this.options.onError?.('redis error', error));
      client.on('ready', () => {
        // A bump lost while Redis was away is made now: other instances may have kept serving the old generation.
        if (this.bumpOwed) void this.bump();
      });
      client.connect().catch((error: Error) => this.options.onError?.('connecting to redis failed', error));
      this.redis = client;
    }
  }

  /** The current generation, or null: the cache must be bypassed (Redis not ready or failing). */
  async current(): Promise<number | null> {
    if (!this.redis) return localGenerations.get(this.prefix) ?? 0;
    if (!this.redis.isReady) return null;
    try {
      this.last = Number((await this.redis.get(this.key)) ?? 0);
      return this.last;
    } catch (error) {
      this.options.onError?.('reading the generation failed (reads bypass the cache)', error as Error);
      return null;
    }
  }

  /** The generation last seen (no I/O), or null before the first read. */
  lastSeen(): number | null {
    return this.redis ? this.last : (localGenerations.get(this.prefix) ?? 0);
  }

  /** Everything cached under earlier generations is out of date, on every instance. */
  async bump(): Promise<void> {
    if (!this.redis) {
      localGenerations.set(this.prefix, (localGenerations.get(this.prefix) ?? 0) + 1);
      return;
    }
    try {
      if (!this.redis.isReady) throw new Error('not connected');
      this.last = await this.redis.incr(this.key);
      this.bumpOwed = false;
    } catch (error) {
      this.bumpOwed = true;
      this.options.onError?.('bumping the generation failed (made again on reconnect)', error as Error);
    }
  }

  async close(): Promise<void> {
    if (this.redis?.isReady) await this.redis.close();
    else if (this.redis?.isOpen) this.redis.destroy();
  }

  private get key(): string {
    return `${this.prefix}generation`;
  }
}

export class ReadCache {
  private readonly memory: LRUCache<string, Stored<unknown>>;
  private readonly generation: SharedGeneration;
  private readonly redis?: RedisClient;
  private readonly prefix: string;
  private readonly now: () => number;
  private readonly logError: (what: string, error: Error) => void;
  private readonly counters = new Map<string, KindStats>();

  constructor(private readonly options: ReadCacheOptions) {
    this.now = options.now ?? Date.now;
    this.memory = new LRUCache({ max: options.maxEntries, ttlAutopurge: false });
    this.logError = rateLimitedErrorLog(`[${options.name} cache]`, this.now);
    this.generation = new SharedGeneration({ ...options, onError: this.logError });
    this.redis = this.generation.redis;
    this.prefix = this.generation.prefix;
  }

  /** The view one request reads through: it reads the generation once, lazily. */
  request(): ReadCacheView {
    return new ReadCacheView(this);
  }

  /** After a committed write: everything cached so far is gone for the next request, on every instance. */
  async bump(): Promise<void> {
    await this.generation.bump();
    // Unreachable from now on in this process: free the memory at once.
    this.memory.clear();
  }

  /** After a committed change of a short-lived kind: drops those entries now rather than at their max age. */
  async forget(kind: CacheKind<unknown>, ids: readonly string[]): Promise<void> {
    if (!ids.length) return;
    const seen = this.generation.lastSeen();
    if (seen !== null) for (const id of ids) this.memory.delete(this.memoryKey(seen, kind, id));
    if (!this.redis?.isReady) return;
    try {
      const current = await this.generation.current();
      if (current === null) return;
      await this.redis.del(ids.map((id) => this.sharedKey(current, kind, id)));
      for (const id of ids) this.memory.delete(this.memoryKey(current, kind, id));
    } catch (error) {
      this.logError('forgetting entries failed (they expire on their own)', error as Error);
    }
  }

  stats(): ReadCacheStats {
    const kinds: ReadCacheStats['kinds'] = {};
    for (const [name, counts] of this.counters) {
      const hits = counts.memoryHits + counts.sharedHits;
      const total = hits + counts.misses + counts.bypassed;
      kinds[name] = { ...counts, hitRate: total ? Math.round((hits / total) * 1000) / 1000 : 0 };
    }
    return { kinds, generation: this.generation.lastSeen(), shared: Boolean(this.redis) };
  }

  async close(): Promise<void> {
    await this.generation.close();
  }

  /** @internal The generation for a new request, or null: bypass the cache (Redis not ready or failing). */
  currentGeneration(): Promise<number | null> {
    return this.generation.current();
  }

  /** @internal */
  async lookup<T>(generation: number, kind: CacheKind<T>, ids: readonly string[]): Promise<Map<string, T>> {
    const found = new Map<string, T>();
    const counts = this.count(kind);
    const remote: string[] = [];
    for (const id of ids) {
      const entry = this.memory.get(this.memoryKey(generation, kind, id)) as Stored<T> | undefined;
      if (entry) {
        found.set(id, entry.value);
        counts.memoryHits += 1;
      } else remote.push(id);
    }
    if (!remote.length || !this.redis?.isReady) return found;
    let raw: (string | null)[];
    try {
      raw = (await this.redis.mGet(remote.map((id) => this.sharedKey(generation, kind, id)))) as (string | null)[];
    } catch (error) {
      this.logError('reading entries failed', error as Error);
      return found;
    }
    const maxAge = this.maxAge(kind);
    remote.forEach((id, index) => {
      const text = raw[index];
      if (text === null || text === undefined) return;
      const stored = JSON.parse(text) as Stored<T>;
      const left = stored.at + maxAge - this.now();
      if (left <= 0) return;
      const value = kind.revive ? kind.revive(stored.value) : stored.value;
      this.memory.set(this.memoryKey(generation, kind, id), { value, at: stored.at }, { ttl: left });
      found.set(id, value);
      counts.sharedHits += 1;
    });
    return found;
  }

  /**
   * @internal Memory at once; Redis in the background (callers need not wait: this process already has the entries).
   */
  async store<T>(generation: number, kind: CacheKind<T>, entries: ReadonlyMap<string, T>, readAt: number): Promise<void> {
    if (!entries.size) return;
    const maxAge = this.maxAge(kind);
    for (const [id, value] of entries) this.memory.set(this.memoryKey(generation, kind, id), { value, at: readAt }, { ttl: maxAge });
    if (!this.redis?.isReady) return;
    try {
      const multi = this.redis.multi();
      for (const [id, value] of entries) {
        multi.set(this.sharedKey(generation, kind, id), JSON.stringify({ value, at: readAt }), { PX: maxAge });
      }
      await multi.execAsPipeline();
    } catch (error) {
      this.logError('storing entries failed', error as Error);
    }
  }

  /** @internal */
  countBypass(kind: CacheKind<unknown>, n: number): void {
    this.count(kind).bypassed += n;
  }

  /** @internal */
  countMisses(kind: CacheKind<unknown>, n: number): void {
    this.count(kind).misses += n;
  }

  /** @internal */
  clock(): number {
    return this.now();
  }

  private count(kind: CacheKind<unknown>): KindStats {
    let counts = this.counters.get(kind.name);
    if (!counts) this.counters.set(kind.name, (counts = { memoryHits: 0, sharedHits: 0, misses: 0, bypassed: 0 }));
    return counts;
  }

  private maxAge(kind: CacheKind<unknown>): number {
    return Math.min(kind.maxAgeMs ?? this.options.ttlMs, this.options.ttlMs);
  }

  private memoryKey(generation: number, kind: CacheKind<unknown>, id: string): string {
    return `${generation}:${kind.name}:${id}`;
  }

  private sharedKey(generation: number, kind: CacheKind<unknown>, id: string): string {
    return `${this.prefix}${generation}:${kind.name}:${id}`;
  }
}

/** One request's reads: one generation for the whole request, so its answers are consistent with one another. */
export class ReadCacheView {
  private generation?: Promise<number | null>;

  constructor(private readonly cache: ReadCache) {}

  /**
   * The values of `ids` of this kind: cached ones from memory or Redis, the rest from `load` (stored for the next
   * reader). An id `load` does not return is not cached (unknown ids always reach the database).
   */
  async getMany<T>(kind: CacheKind<T>, ids: readonly string[], load: (missing: readonly string[]) => Promise<Map<string, T>>): Promise<Map<string, T>> {
    if (!ids.length) return new Map();
    this.generation ??= this.cache.currentGeneration();
    const generation = await this.generation;
    if (generation === null) {
      this.cache.countBypass(kind, ids.length);
      return load(ids);
    }
    const found = await this.cache.lookup(generation, kind, ids);
    const missing = ids.filter((id) => !found.has(id));
    if (!missing.length) return found;
    this.cache.countMisses(kind, missing.length);
    // The read time, not the store time: an entry's age counts from when the database said so.
    const readAt = this.cache.clock();
    const loaded = await load(missing);
    void this.cache.store(generation, kind, loaded, readAt);
    for (const [id, value] of loaded) found.set(id, value);
    return found;
  }

  /** Stores values read from the database by other means (rows that came with a list), for later requests. */
  async put<T>(kind: CacheKind<T>, entries: ReadonlyMap<string, T>, readAt: number): Promise<void> {
    this.generation ??= this.cache.currentGeneration();
    const generation = await this.generation;
    if (generation !== null) void this.cache.store(generation, kind, entries, readAt);
  }

  /** The cache's clock (ms), for `put`'s read time. */
  now(): number {
    return this.cache.clock();
  }

  /** From now on this request reads the database: after its own write, what it cached before is out of date. */
  bypass(): void {
    this.generation = Promise.resolve(null);
  }

  /** One value (a list, a page): `getMany` of one key. */
  async get<T>(kind: CacheKind<T>, id: string, load: () => Promise<T>): Promise<T> {
    const values = await this.getMany(kind, [id], async () => new Map([[id, await load()]]));
    return values.get(id)!;
  }
}
