/**
 * Registry changes reach every router instance through one generation counter (platform/read-cache.ts's
 * SharedGeneration, `<namespace>:shop.open.registry:generation` in Redis): a write commits, then bumps it; each router
 * reads it every OPEN_REGISTRY_POLL_MS (500 ms) and drops its copy when it moved (router/open/registry.ts), so a change
 * is seen everywhere within about a second. A bump lost while Redis is away is made again on reconnect.
 * Without Redis (`npm start`): a per-process counter, which the in-process router reads the same way.
 */
import type { Config } from '../../platform/config';
import { rateLimitedErrorLog, SharedGeneration } from '../../platform/read-cache';

export const OPEN_REGISTRY_CACHE = 'shop.open.registry';

export interface RegistryChanges {
  /** Call after the write committed. Never throws (a failed bump is made again when Redis is back). */
  changed(): Promise<void>;
  close(): Promise<void>;
}

export function registryGeneration(config: Config, label: string): SharedGeneration {
  return new SharedGeneration({
    name: OPEN_REGISTRY_CACHE,
    redisUrl: config.redisUrl,
    namespace: config.events.namespace,
    onError: rateLimitedErrorLog(`[${label}] open registry generation:`),
  });
}

export function registryChanges(config: Config): RegistryChanges {
  const generation = registryGeneration(config, 'open');
  return {
    changed: () => generation.bump(),
    close: () => generation.close(),
  };
}

/**
 * The safelist's own generation (`shop.open.safelist`): bumped after a manifest is registered, a release retired or a
 * client's mode set; the routers' manifest caches (router/safelist/registry.ts) poll it like the registry's.
 */
export const OPEN_SAFELIST_CACHE = 'shop.open.safelist';

export function safelistGeneration(config: Config, label: string): SharedGeneration {
  return new SharedGeneration({
    name: OPEN_SAFELIST_CACHE,
    redisUrl: config.redisUrl,
    namespace: config.events.namespace,
    onError: rateLimitedErrorLog(`[${label}] safelist generation:`),
  });
}

export function safelistChanges(config: Config): RegistryChanges {
  const generation = safelistGeneration(config, 'open');
  return { changed: () => generation.bump(), close: () => generation.close() };
}
