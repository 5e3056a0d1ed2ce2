/**
 * platform/rate-limit.ts: the fixed-window limiter, in memory and in Redis (the Redis half runs when REDIS_URL is set),
 * with a controlled clock so crossing a window needs no sleeping.
 */
import crypto from 'node:crypto';
import { createClient } from 'redis';
import {
  createMemoryRateLimiter,
  createRateLimiter,
  createRedisRateLimiter,
  hitOrThrow,
  retryAfterSeconds,
  type RateLimiter,
  type RateLimiterOptions,
} from '../platform/rate-limit';

const redisUrl = process.env.REDIS_URL;

const implementations: [string, (options: RateLimiterOptions) => RateLimiter][] = [
  ['memory', (options) => createMemoryRateLimiter(options)],
  ...(redisUrl ? [['redis', (options: RateLimiterOptions) => createRedisRateLimiter(redisUrl, options)] as [string, (o: RateLimiterOptions) => RateLimiter]] : []),
];

describe.each(implementations)('%s limiter', (_name, create) => {
  // A window start in the future of any real clock, so keys never collide with earlier runs.
  let now = (Math.floor(Date.now() / 60_000) + 1) * 60_000;
  let limiter: RateLimiter;
  const prefix = `test:rl:${crypto.randomUUID()}:`;
  const rule = { limit: 3, windowMs: 60_000 };
  beforeAll(() => {
    limiter = create({ prefix, now: () => now });
  });
  afterAll(async () => {
    await limiter?.close();
  });

  it('allows `limit` hits per window, then refuses, and starts again in the next window', async () => {
    const key = crypto.randomUUID();
    const states = [];
    for (let i = 0; i < 5; i++) states.push(await limiter.hit(key, rule));
    expect(states.map((s) => [s.count, s.allowed])).toEqual([
      [1, true],
      [2, true],
      [3, true],
      [4, false],
      [5, false],
    ]);
    expect(states[0].resetInMs).toBe(60_000);
    now += 59_999;
    expect(await limiter.hit(key, rule)).toEqual({ count: 6, allowed: false, resetInMs: 1 });
    now += 1;
    expect(await limiter.hit(key, rule)).toEqual({ count: 1, allowed: true, resetInMs: 60_000 });
  });

  it('counts keys separately', async () => {
    const [a, b] = [crypto.randomUUID(), crypto.randomUUID()];
    for (let i = 0; i < 4; i++) await limiter.hit(a, rule);
    expect(await limiter.hit(b, rule)).toMatchObject({ count: 1, allowed: true });
  });

  it('peeks without counting, and reset forgets the window', async () => {
    const key = crypto.randomUUID();
    expect(await limiter.peek(key, rule)).toMatchObject({ count: 0, allowed: true });
    await limiter.hit(key, rule);
    await limiter.hit(key, rule);
    expect(await limiter.peek(key, rule)).toMatchObject({ count: 2 });
    expect(await limiter.peek(key, rule)).toMatchObject({ count: 2 });
    await limiter.reset(key, rule);
    expect(await limiter.peek(key, rule)).toMatchObject({ count: 0 });
    expect(await limiter.hit(key, rule)).toMatchObject({ count: 1 });
  });

  it('counts concurrent hits exactly', async () => {
    const key = crypto.randomUUID();
    const states = await Promise.all(Array.from({ length: 20 }, () => limiter.hit(key, { limit: 10, windowMs: 60_000 })));
    expect(states.map((s) => s.count).sort((x, y) => x - y)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(states.filter((s) => s.allowed)).toHaveLength(10);
  });

  it('refund takes back one hit of the running window, never below 0, and nothing once the window ended', async () => {
    const key = crypto.randomUUID();
    await limiter.hit(key, rule);
    await limiter.hit(key, rule);
    await limiter.refund(key, rule);
    expect(await limiter.peek(key, rule)).toMatchObject({ count: 1 });
    await limiter.refund(key, rule);
    await limiter.refund(key, rule);
    expect(await limiter.peek(key, rule)).toMatchObject({ count: 0 });
    await limiter.refund(crypto.randomUUID(), rule);
    await limiter.hit(key, rule);
    now += rule.windowMs;
    await limiter.refund(key, rule);
    expect(await limiter.hit(key, rule)).toMatchObject({ count: 1, resetInMs: rule.windowMs });
  });

  it('ends each window by its own length, whatever rule the caller that triggers a sweep uses', async () => {
    // A one-hour rule (registration), then a one-minute rule (login) used after more than a minute: the sweep that
    // hit runs must not end the hour's window (it used the caller's window for every entry).
    const hour = { limit: 1, windowMs: 3_600_000 };
    const minute = { limit: 10, windowMs: 60_000 };
    const long = crypto.randomUUID();
    expect(await limiter.hit(long, hour)).toMatchObject({ count: 1, allowed: true });
    now += 61_000;
    await limiter.hit(crypto.randomUUID(), minute);
    expect(await limiter.hit(long, hour)).toMatchObject({ count: 2, allowed: false, resetInMs: 3_600_000 - 61_000 });
    // Ended windows are still dropped.
    now += 3_600_000;
    await limiter.hit(crypto.randomUUID(), minute);
    expect(await limiter.peek(long, hour)).toMatchObject({ count: 0 });
  });

  it('refuses a nonsensical rule', async () => {
    await expect(limiter.hit('k', { limit: 1, windowMs: 0 })).rejects.toThrow(/invalid rate limit rule/);
  });
});

(redisUrl ? describe : describe.skip)('redis limiter keys', () => {
  it('are prefixed, one per key and window length, and expire shortly after their window', async () => {
    const prefix = `test:rl:${crypto.randomUUID()}:`;
    const limiter = createRedisRateLimiter(redisUrl!, { prefix });
    const client = createClient({ url: redisUrl });
    await client.connect();
    try {
      await limiter.hit('login:abc', { limit: 5, windowMs: 10_000 });
      const keys = await client.keys(`${prefix}*`);
      expect(keys).toHaveLength(1);
      expect(keys[0]).toBe(`${prefix}login:abc:10000`);
      const ttl = await client.pTTL(keys[0]);
      expect(ttl).toBeGreaterThan(1000);
      expect(ttl).toBeLessThanOrEqual(11_000);
    } finally {
      await client.close();
      await limiter.close();
    }
  });

  it('is what createRateLimiter picks when REDIS_URL is set, memory otherwise', async () => {
    const prefix = `test:rl:${crypto.randomUUID()}:`;
    const client = createClient({ url: redisUrl });
    await client.connect();
    const viaRedis = createRateLimiter({ redisUrl }, { prefix });
    const inMemory = createRateLimiter({ redisUrl: undefined }, { prefix });
    try {
      await viaRedis.hit('k', { limit: 1, windowMs: 60_000 });
      await inMemory.hit('m', { limit: 1, windowMs: 60_000 });
      expect((await client.keys(`${prefix}*`)).map((key) => key.split(':')[3])).toEqual(['k']);
    } finally {
      await client.close();
      await viaRedis.close();
      await inMemory.close();
    }
  });

  it('keeps the keys of two deployments sharing a Redis apart (EVENTS_NAMESPACE)', async () => {
    const prefix = `test:rl:${crypto.randomUUID()}:`;
    const one = createRateLimiter({ redisUrl, events: { namespace: `ns-one-${crypto.randomUUID()}` } }, { prefix });
    const two = createRateLimiter({ redisUrl, events: { namespace: `ns-two-${crypto.randomUUID()}` } }, { prefix });
    try {
      expect((await one.hit('user:1', { limit: 1, windowMs: 60_000 })).allowed).toBe(true);
      expect((await one.hit('user:1', { limit: 1, windowMs: 60_000 })).allowed).toBe(false);
      // The same key in the other deployment starts from nothing.
      expect((await two.hit('user:1', { limit: 1, windowMs: 60_000 })).allowed).toBe(true);
    } finally {
      await one.close();
      await two.close();
    }
  });

  it('closes cleanly without ever having connected', async () => {
    await expect(createRedisRateLimiter(redisUrl!).close()).resolves.toBeUndefined();
  });
});

describe('redis limiter with Redis unreachable', () => {
  it('waits at most the connect timeout once, then counts in memory (same rule), says so once, and closes', async () => {
    const errors = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    const lines: string[] = [];
    const limiter = createRedisRateLimiter('redis://127.0.0.1:1', { connectTimeoutMs: 200, log: (line) => lines.push(line) });
    try {
      const rule = { limit: 2, windowMs: 60_000 };
      const first = Date.now();
      expect(await limiter.hit('k', rule)).toMatchObject({ count: 1, allowed: true });
      expect(Date.now() - first).toBeLessThan(2000);
      // Degraded: no more waiting for the connection.
      const second = Date.now();
      expect(await limiter.hit('k', rule)).toMatchObject({ count: 2, allowed: true });
      expect(await limiter.hit('k', rule)).toMatchObject({ count: 3, allowed: false });
      expect(Date.now() - second).toBeLessThan(150);
      expect(await limiter.peek('k', rule)).toMatchObject({ count: 3, allowed: false });
      await limiter.refund('k', rule);
      expect(await limiter.peek('k', rule)).toMatchObject({ count: 2 });
      await limiter.reset('k', rule);
      expect(await limiter.peek('k', rule)).toMatchObject({ count: 0 });
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^\[rate-limit\] Redis unavailable \(.*\): throttles fall back to per-instance in-process counters/);
    } finally {
      await limiter.close();
      errors.mockRestore();
    }
  });
});

describe('RATE_LIMITED answers', () => {
  it('say when to retry: extensions.retryAfterSeconds, whole seconds rounded up, at least 1', async () => {
    let now = 1_000_000;
    const limiter = createMemoryRateLimiter({ now: () => now });
    const rule = { limit: 1, windowMs: 90_500 };
    await hitOrThrow(limiter, 'k', rule, 'slow down');
    now += 10_000;
    const error = await hitOrThrow(limiter, 'k', rule, 'slow down').catch((e: unknown) => e);
    expect(error).toMatchObject({ message: 'slow down', extensions: { code: 'RATE_LIMITED', retryAfterSeconds: 81 } });
    expect(retryAfterSeconds({ resetInMs: 1 })).toBe(1);
    expect(retryAfterSeconds({ resetInMs: 0 })).toBe(1);
  });
});
