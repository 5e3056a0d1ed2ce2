/**
 * One lazily connected Redis client for state a process shares with other instances (revoked sessions, subscription
 * slots): commands fail fast while Redis is unreachable (no offline queue; a caller waits at most `connectTimeoutMs`
 * for a connection) instead of hanging, and socket errors are logged at most every 10 s. Callers decide how to
 * degrade. As platform/rate-limit.ts does for its own client.
 */
import { createClient } from 'redis';
import { log } from './log';

export type RedisClient = ReturnType<typeof createClient>;

export interface SharedRedis {
  /** The connected client; throws when Redis cannot be reached within the connect timeout. */
  ready(): Promise<RedisClient>;
  /** Key prefix of the deployment (EVENTS_NAMESPACE + ':'), '' without one. */
  prefix: string;
  /** Called after the client reconnected (not on its first connection). */
  onReconnect(listener: () => void): void;
  close(): Promise<void>;
}

export function sharedRedis(url: string, options: { label: string; namespace?: string; connectTimeoutMs?: number }): SharedRedis {
  const connectTimeoutMs = options.connectTimeoutMs ?? 2000;
  const client: RedisClient = createClient({ url, disableOfflineQueue: true });
  let lastErrorLog = 0;
  client.on('error', (error: Error) => {
    // Without a listener a socket error would crash the process; reconnecting is the client's job.
    if (Date.now() - lastErrorLog > 10_000) {
      lastErrorLog = Date.now();
      log.error({ redis: options.label, err: error }, `${options.label}: redis error`);
    }
  });
  const reconnectListeners: (() => void)[] = [];
  let connectedOnce = false;
  client.on('ready', () => {
    if (connectedOnce) for (const listener of reconnectListeners) listener();
    connectedOnce = true;
  });
  let connecting: Promise<unknown> | undefined;
  let closed = false;
  return {
    prefix: options.namespace ? `${options.namespace}:` : '',
    async ready() {
      if (client.isReady) return client;
      if (closed) throw new Error('closed');
      // The client keeps retrying in the background; callers wait a bounded time, then fail instead of hanging.
      connecting ??= client.connect().catch(() => {
        connecting = undefined;
      });
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([connecting, new Promise((resolve) => (timer = setTimeout(resolve, connectTimeoutMs)))]);
      clearTimeout(timer);
      if (!client.isReady) throw new Error(`Redis is unavailable (${options.label})`);
      return client;
    },
    onReconnect(listener) {
      reconnectListeners.push(listener);
    },
    async close() {
      closed = true;
      if (client.isReady) await client.close();
      else if (client.isOpen) client.destroy();
    },
  };
}
