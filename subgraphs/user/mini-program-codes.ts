/**
 * Mini-program code images for sharing (docs/mini-program-codes.md; seed `/wx/invite/get/wx_code`,
 * `/subscribe/scene/wares/wx/code`): WeChat's getwxacodeunlimit (wxacode-client.ts) for a known page and a scene the
 * page understands, answered as a base64 `data:` URL. Codes of getwxacodeunlimit never expire, so each (page, scene,
 * width, version) is made once and kept (Redis with REDIS_URL, shared by instances; a bounded map in process
 * otherwise) for WECHAT_CODE_CACHE_DAYS; concurrent misses of one code in a process make one call. Only misses count
 * against the shopper's limit (WeChat's own quota is what the limit protects).
 */
import type { Config } from '../../platform/config';
import { shopError, badInput } from '../../platform/errors';
import { hitOrThrow, type RateLimiter } from '../../platform/rate-limit';
import { sharedRedis, type SharedRedis } from '../../platform/redis-connection';
import { memoryTokenStore, redisTokenStore } from './messages/access-token';
import { createWxacodeClient, WxacodeError, type WxacodeClient, type WxacodeImage } from './wxacode-client';
import { logger } from '../../platform/log';

const log = logger({ component: 'user' });

export type CodePage = 'INVITE' | 'SUBSCRIPTION_WARES';

/** What each page's scene may be: an invite code (promote's, 4-32 letters and digits) or a wares id. */
const SCENES: Record<CodePage, { pattern: RegExp; what: string }> = {
  INVITE: { pattern: /^[A-Z0-9]{4,32}$/, what: 'an invite code' },
  SUBSCRIPTION_WARES: { pattern: /^[1-9][0-9]{0,18}$/, what: 'a subscription wares id' },
};

const MEMORY_ENTRIES = 500;

export interface MiniProgramCode {
  page: CodePage;
  scene: string;
  path: string;
  contentType: string;
  dataUrl: string;
}

export interface MiniProgramCodes {
  get(userId: string, page: CodePage, rawScene: string, limiter: RateLimiter): Promise<MiniProgramCode>;
  stop(): Promise<void>;
}

export function createMiniProgramCodes(config: Config): MiniProgramCodes {
  const settings = config.miniProgramCodes;
  const { appId, secret, apiBase } = config.wechat;
  const redis: SharedRedis | undefined = config.redisUrl && appId ? sharedRedis(config.redisUrl, { label: 'user mini-program codes', namespace: config.events.namespace }) : undefined;
  const client: WxacodeClient | undefined =
    appId && secret ? createWxacodeClient({ appId, secret, apiBase, timeoutMs: settings.timeoutMs, tokens: redis ? redisTokenStore(redis, appId) : memoryTokenStore() }) : undefined;
  const memory = new Map<string, { image: WxacodeImage; until: number }>();
  const pending = new Map<string, Promise<WxacodeImage>>();

  async function cached(key: string): Promise<WxacodeImage | null> {
    if (redis) {
      const value = await (await redis.ready()).get(key).catch(() => null);
      if (!value) return null;
      const split = value.indexOf(';');
      return { contentType: value.slice(0, split), bytes: Buffer.from(value.slice(split + 1), 'base64') };
    }
    const entry = memory.get(key);
    return entry && entry.until > Date.now() ? entry.image : null;
  }

  async function store(key: string, image: WxacodeImage): Promise<void> {
    if (redis) {
      await (await redis.ready()).set(key, `${image.contentType};${image.bytes.toString('base64')}`, { PX: settings.cacheTtlMs }).catch(() => undefined);
      return;
    }
    if (memory.size >= MEMORY_ENTRIES) memory.delete(memory.keys().next().value!);
    memory.set(key, { image, until: Date.now() + settings.cacheTtlMs });
  }

  return {
    async get(userId, page, rawScene, limiter) {
      const rule = SCENES[page];
      const scene = page === 'INVITE' ? rawScene.trim().toUpperCase() : rawScene.trim();
      if (!rule.pattern.test(scene)) throw badInput(`scene must be ${rule.what} for the ${page} page`, 'scene');
      if (!client) throw shopError('INTERNAL_SERVER_ERROR', 'Mini-program codes are not available: WeChat is not configured', { reason: 'WECHAT_NOT_CONFIGURED' });
      const path = settings.pages[page];
      const key = `${redis?.prefix ?? ''}shop:user:wxacode:${appId}:${settings.envVersion}:${settings.width}:${path}:${scene}`;
      let image = await cached(key);
      if (!image) {
        let call = pending.get(key);
        if (!call) {
          await hitOrThrow(limiter, `wxacode:user:${userId}`, { limit: settings.perUser.limit, windowMs: settings.perUser.windowSeconds * 1000 }, 'Too many share codes made, try again later');
          call = client
            .getUnlimited({ scene, page: path, width: settings.width, checkPath: settings.envVersion === 'release', envVersion: settings.envVersion })
            .then(async (made) => {
              await store(key, made);
              return made;
            })
            .finally(() => pending.delete(key));
          pending.set(key, call);
        }
        try {
          image = await call;
        } catch (error) {
          if (error instanceof WxacodeError) {
            log.error({ path }, `mini-program code for ${path}: ${error.message}`);
            throw shopError('INTERNAL_SERVER_ERROR', 'WeChat could not make the code now, please try again later', { reason: 'WECHAT_UNAVAILABLE' });
          }
          throw error;
        }
      }
      return { page, scene, path, contentType: image.contentType, dataUrl: `data:${image.contentType};base64,${image.bytes.toString('base64')}` };
    },
    stop: async () => redis?.close(),
  };
}
