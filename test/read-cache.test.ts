/**
 * platform/read-cache.ts on its own: generations invalidate across instances sharing a Redis (REDIS_URL), a reader that
 * raced a write cannot bring old values back, short-lived kinds expire and can be forgotten, and Redis trouble makes
 * reads bypass the cache instead of failing. Without REDIS_URL the memory-only cache is tested the same way where it
 * applies.
 */
import crypto from 'node:crypto';
import { ReadCache, type CacheKind } from '../platform/read-cache';

const redisUrl = process.env.REDIS_URL;
const namespace = `read-cache-test-${crypto.randomUUID()}`;
const caches: ReadCache[] = [];
const open = (options: Partial<ConstructorParameters<typeof ReadCache>[0]> = {}) => {
  const cache = new ReadCache({ name: 'test', redisUrl, namespace, maxEntries: 100, ttlMs: 60_000, ...options });
  caches.push(cache);
  return cache;
};
afterAll(async () => {
  await Promise.all(caches.map((cache) => cache.close()));
});

const KIND: CacheKind<{ n: number }> = { name: 'thing' };
const SHORT: CacheKind<{ n: number }> = { name: 'short', maxAgeMs: 150 };

/** A loader over a mutable "database" that counts what it was asked. */
function source(initial: number) {
  const db = { value: initial, reads: [] as string[][] };
  const load = async (ids: readonly string[]) => {
    db.reads.push([...ids]);
    return new Map(ids.map((id) => [id, { n: db.value }]));
  };
  return { db, load };
}

/** Redis connects in the background; until it is ready requests bypass the cache. */
const PROBE: CacheKind<{ n: number }> = { name: 'probe' };
async function ready(cache: ReadCache) {
  const deadline = Date.now() + 5000;
  for (;;) {
    const bypassed = () => cache.stats().kinds.probe?.bypassed ?? 0;
    const before = bypassed();
    await cache.request().getMany(PROBE, ['p'], async () => new Map([['p', { n: 0 }]]));
    if (bypassed() === before) return;
    if (Date.now() > deadline) throw new Error('redis never became ready');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

it('serves a second request from the cache and loads only the misses', async () => {
  const cache = open();
  await ready(cache);
  const { db, load } = source(1);
  expect([...(await cache.request().getMany(KIND, ['a', 'b'], load)).values()]).toEqual([{ n: 1 }, { n: 1 }]);
  expect([...(await cache.request().getMany(KIND, ['a', 'b', 'c'], load)).entries()]).toEqual([
    ['a', { n: 1 }],
    ['b', { n: 1 }],
    ['c', { n: 1 }],
  ]);
  expect(db.reads).toEqual([['a', 'b'], ['c']]);
});

it('a bump hides everything cached before it, and a reader that raced the write cannot bring the old value back', async () => {
  const cache = open();
  await ready(cache);
  const { db, load } = source(1);
  await cache.request().getMany(KIND, ['x'], load);
  const racing = cache.request();
  await racing.getMany(KIND, ['other'], load); // this request's generation is now fixed
  db.value = 2;
  await cache.bump();
  // The racing request read before the write committed and stores what it saw, under its own (old) generation.
  db.value = 1;
  await racing.getMany(KIND, ['y'], load);
  db.value = 2;
  expect((await cache.request().getMany(KIND, ['x', 'y'], load)).get('y')).toEqual({ n: 2 });
  expect((await cache.request().getMany(KIND, ['x'], load)).get('x')).toEqual({ n: 2 });
});

(redisUrl ? it : it.skip)('a bump on one instance is seen by the next request on another (shared Redis)', async () => {
  const first = open();
  const second = open();
  await ready(first);
  await ready(second);
  const { db, load } = source(1);
  await first.request().getMany(KIND, ['k'], load);
  await new Promise((resolve) => setTimeout(resolve, 50)); // the first instance writes to Redis in the background
  expect((await second.request().getMany(KIND, ['k'], load)).get('k')).toEqual({ n: 1 });
  expect(db.reads).toEqual([['k']]); // the second instance was served from Redis
  expect(second.stats().kinds.thing.sharedHits).toBeGreaterThanOrEqual(1);
  db.value = 2;
  await second.bump();
  expect((await first.request().getMany(KIND, ['k'], load)).get('k')).toEqual({ n: 2 });
});

it('a short-lived kind expires after its max age, and `forget` drops it at once', async () => {
  const cache = open();
  await ready(cache);
  const { db, load } = source(1);
  await cache.request().getMany(SHORT, ['s'], load);
  db.value = 2;
  expect((await cache.request().getMany(SHORT, ['s'], load)).get('s')).toEqual({ n: 1 });
  await new Promise((resolve) => setTimeout(resolve, 200));
  expect((await cache.request().getMany(SHORT, ['s'], load)).get('s')).toEqual({ n: 2 });
  db.value = 3;
  await cache.forget(SHORT, ['s']);
  expect((await cache.request().getMany(SHORT, ['s'], load)).get('s')).toEqual({ n: 3 });
});

it('reads the database instead of failing while Redis is unreachable', async () => {
  const cache = open({ redisUrl: 'redis://127.0.0.1:1' });
  const { db, load } = source(1);
  expect((await cache.request().getMany(KIND, ['a'], load)).get('a')).toEqual({ n: 1 });
  expect((await cache.request().getMany(KIND, ['a'], load)).get('a')).toEqual({ n: 1 });
  expect(db.reads).toEqual([['a'], ['a']]);
  expect(cache.stats().kinds.thing).toMatchObject({ bypassed: 2, misses: 0 });
  await expect(cache.bump()).resolves.toBeUndefined();
});
