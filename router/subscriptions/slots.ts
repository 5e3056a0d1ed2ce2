/**
 * Subscription slots per user and per client address, across router instances (docs/subscriptions.md, "Caps").
 *
 * Every instance counts its own subscriptions in memory (that alone is the rule without REDIS_URL). With Redis, a
 * subscription also holds a lease in two sorted sets — `shop.router.subscriptions.user.<id>` and
 * `….address.<ip>` — member `<instance>:<slot>`, score = when the lease ends (Redis's clock). Taking a slot drops
 * ended leases and counts the rest in one script, so concurrent subscribes on any instances never overshoot; the
 * instance renews its leases every third of SUBSCRIPTION_SLOT_LEASE_MS and removes a lease when its subscription
 * ends. A crashed instance renews nothing: its leases end within one lease time and their slots are free again.
 *
 * Redis unreachable: the instance's own counts still hold (per instance, as before), the subscription is served and
 * its lease is written with the next renewal that reaches Redis — a brief outage loosens the caps rather than refusing
 * every subscriber.
 */
import crypto from 'node:crypto';
import type { Config } from '../../platform/config';
import { sharedRedis, type SharedRedis } from '../../platform/redis-connection';
import { log } from '../../platform/log';

export type SlotRefusal = 'user' | 'address';

export interface SubscriptionSlots {
  /** Takes a slot for `userId` and `address`: undefined when granted, else which cap is full. */
  acquire(slotId: string, userId: string, address: string): Promise<SlotRefusal | undefined>;
  /** Gives a granted slot back (at once in memory, in the background in Redis). */
  release(slotId: string): void;
  close(): Promise<void>;
}

interface Held {
  userId: string;
  address: string;
  /** Whether Redis holds its lease (false while Redis was unreachable). */
  shared: boolean;
}

const ACQUIRE_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local lease = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then return 1 end
if redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[4]) then return 2 end
for i = 1, 2 do
  redis.call('ZADD', KEYS[i], now + lease, ARGV[1])
  redis.call('PEXPIRE', KEYS[i], lease)
end
return 0`;

/** KEYS: the sets, ARGV[1]: lease ms, ARGV[1 + i]: the member in KEYS[i]. */
const RENEW_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local lease = tonumber(ARGV[1])
for i = 1, #KEYS do
  redis.call('ZADD', KEYS[i], now + lease, ARGV[i + 1])
  redis.call('PEXPIRE', KEYS[i], lease)
end
return #KEYS`;

export function createSubscriptionSlots(config: Config): SubscriptionSlots {
  const limits = config.subscriptions;
  const held = new Map<string, Held>();
  const perUser = new Map<string, number>();
  const perAddress = new Map<string, number>();
  const bump = (map: Map<string, number>, key: string, by: number) => {
    const next = (map.get(key) ?? 0) + by;
    if (next > 0) map.set(key, next);
    else map.delete(key);
  };
  const local = {
    refusal(userId: string, address: string): SlotRefusal | undefined {
      if ((perUser.get(userId) ?? 0) >= limits.perUser) return 'user';
      if ((perAddress.get(address) ?? 0) >= limits.perAddress) return 'address';
      return undefined;
    },
    take(slotId: string, entry: Held) {
      held.set(slotId, entry);
      bump(perUser, entry.userId, 1);
      bump(perAddress, entry.address, 1);
    },
    give(slotId: string): Held | undefined {
      const entry = held.get(slotId);
      if (!entry) return undefined;
      held.delete(slotId);
      bump(perUser, entry.userId, -1);
      bump(perAddress, entry.address, -1);
      return entry;
    },
  };

  if (!config.redisUrl) {
    return {
      async acquire(slotId, userId, address) {
        const refusal = local.refusal(userId, address);
        if (!refusal) local.take(slotId, { userId, address, shared: false });
        return refusal;
      },
      release: (slotId) => void local.give(slotId),
      async close() {
        held.clear();
      },
    };
  }

  const redis: SharedRedis = sharedRedis(config.redisUrl, { label: 'subscription slots', namespace: config.events.namespace });
  const instance = crypto.randomBytes(6).toString('base64url');
  const member = (slotId: string) => `${instance}:${slotId}`;
  const userKey = (userId: string) => `${redis.prefix}shop.router.subscriptions.user.${userId}`;
  const addressKey = (address: string) => `${redis.prefix}shop.router.subscriptions.address.${address}`;
  const releasing = new Set<Promise<unknown>>();
  let lastFailureLog = 0;
  const logFailure = (what: string, error: unknown) => {
    if (Date.now() - lastFailureLog < 10_000) return;
    lastFailureLog = Date.now();
    log.error({ service: 'router', err: error }, `subscriptions: ${what} (caps hold per instance meanwhile)`);
  };

  const renew = async () => {
    const entries = [...held.entries()];
    // In chunks: one script call holds Redis for its duration.
    for (let i = 0; i < entries.length; i += 250) {
      const chunk = entries.slice(i, i + 250);
      const keys: string[] = [];
      const members: string[] = [];
      for (const [slotId, entry] of chunk) {
        keys.push(userKey(entry.userId), addressKey(entry.address));
        members.push(member(slotId), member(slotId));
      }
      const client = await redis.ready();
      await client.eval(RENEW_SCRIPT, { keys, arguments: [String(limits.slotLeaseMs), ...members] });
      for (const [, entry] of chunk) entry.shared = true;
    }
  };
  const renewal = setInterval(() => {
    renew().catch((error: unknown) => logFailure('could not renew subscription slots in Redis', error));
  }, Math.max(1000, Math.floor(limits.slotLeaseMs / 3)));
  renewal.unref();

  return {
    async acquire(slotId, userId, address) {
      // Our own subscriptions count in the shared sets too: refused here, Redis would refuse as well.
      const refusal = local.refusal(userId, address);
      if (refusal) return refusal;
      // Taken locally first, so concurrent subscribes on this instance cannot overshoot while Redis answers.
      const entry: Held = { userId, address, shared: false };
      local.take(slotId, entry);
      try {
        const client = await redis.ready();
        const answer = Number(
          await client.eval(ACQUIRE_SCRIPT, {
            keys: [userKey(userId), addressKey(address)],
            arguments: [member(slotId), String(limits.slotLeaseMs), String(limits.perUser), String(limits.perAddress)],
          }),
        );
        if (answer !== 0) {
          local.give(slotId);
          return answer === 1 ? 'user' : 'address';
        }
        entry.shared = true;
      } catch (error) {
        logFailure('could not take a subscription slot in Redis', error);
      }
      return undefined;
    },
    release(slotId) {
      const entry = local.give(slotId);
      if (!entry) return;
      const removal = redis
        .ready()
        .then((client) =>
          client.multi().zRem(userKey(entry.userId), member(slotId)).zRem(addressKey(entry.address), member(slotId)).exec(),
        )
        .catch((error: unknown) => logFailure('could not give a subscription slot back in Redis (its lease ends on its own)', error))
        .finally(() => releasing.delete(removal));
      releasing.add(removal);
    },
    async close() {
      clearInterval(renewal);
      // Subscriptions still open (the sockets are being closed) give their slots back before the client goes.
      for (const slotId of [...held.keys()]) this.release(slotId);
      await Promise.allSettled([...releasing]);
      await redis.close();
    },
  };
}
