/**
 * The gateway's Redis connection: commands fail fast (no offline queue), never wait longer than OPEN_REDIS_TIMEOUT_MS,
 * and a failure is `undefined` for the caller, which then counts locally (replay.ts, quotas.ts): a Redis outage
 * degrades the open platform's limits, it never turns a call into a 5xx. One log line per 10 s says so.
 */
import { createClient } from 'redis';
import type { Config } from '../../platform/config';
import { logger } from '../../platform/log';

const openLog = logger({ component: 'open' });

export type RedisClient = ReturnType<typeof createClient>;

export class OpenRedis {
  readonly client: RedisClient;
  readonly prefix: string;
  private lastLog = 0;
  private closed = false;

  constructor(private readonly config: Config) {
    this.prefix = config.events.namespace ? `${config.events.namespace}:` : '';
    this.client = createClient({ url: config.redisUrl!, disableOfflineQueue: true, socket: { reconnectStrategy: (retries: number) => Math.min(retries * 100, 1000) } });
    this.client.on('error', () => undefined);
    this.client.connect().catch(() => undefined);
  }

  get ready(): boolean {
    return this.client.isReady;
  }

  /** Runs a command within the timeout; undefined when Redis is not usable. */
  async command<T>(args: string[]): Promise<T | undefined> {
    if (!this.client.isReady) return undefined;
    return this.bounded(this.client.sendCommand(args) as Promise<T>);
  }

  async bounded<T>(work: Promise<T>): Promise<T | undefined> {
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([work, new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), this.config.open.redisTimeoutMs)))]);
    } catch {
      return undefined;
    } finally {
      clearTimeout(timer);
    }
  }

  degradedLog(what: string) {
    if (Date.now() - this.lastLog < 10_000) return;
    this.lastLog = Date.now();
    openLog.warn({ instances: this.config.open.routerInstances }, `open platform: Redis unavailable, ${what} (limits per instance: limit ÷ ${this.config.open.routerInstances})`);
  }

  async close() {
    if (this.closed) return;
    this.closed = true;
    if (this.client.isReady) await this.client.close().catch(() => undefined);
    else if (this.client.isOpen) this.client.destroy();
  }
}
