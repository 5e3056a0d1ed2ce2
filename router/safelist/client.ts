/**
 * Who is calling, as far as the safelist is concerned (docs/persisted-operations.md, "Naming the client"):
 * - `apollographql-client-name` / `apollographql-client-version` headers (web, console, any app);
 * - else the WeChat mini-program's `Referer: https://servicewechat.com/{appid}/{version}/page-frame.html`, which
 *   WeChat sets itself: client `miniprogram` when the appid is the configured WECHAT_APPID (any appid outside
 *   production while none is configured). Version `0` (develop and trial builds) and `devtools` count as `dev`.
 * Neither is authentication: a caller can claim any name. The safelist holds because ENFORCE lets a named client run
 * only its own manifests' operations and unnamed callers only registered operations (SAFELIST_DEFAULT_MODE=enforce).
 */
import type { Config } from '../../platform/config';

export const MINIPROGRAM_CLIENT = 'miniprogram';
/** The version develop/trial builds and the devtools report (their Referer's version is `0` or `devtools`). */
export const DEV_VERSION = 'dev';
const NAME = /^[a-z][a-z0-9_-]{0,39}$/;
const VERSION = /^[A-Za-z0-9][A-Za-z0-9._+-]{0,63}$/;
const WECHAT_REFERER = /^https:\/\/servicewechat\.com\/([A-Za-z0-9_-]{1,40})\/([A-Za-z0-9._+-]{1,64})\/page-frame\.html$/;

export interface ClientId {
  /** A valid client name, or null (unnamed). */
  name: string | null;
  /** A valid version, or null. */
  version: string | null;
}

type HeaderGetter = { get(name: string): string | undefined };

export function clientOf(headers: HeaderGetter | undefined, config: Pick<Config, 'wechat' | 'isProduction'>): ClientId {
  if (!headers) return { name: null, version: null };
  const name = headers.get('apollographql-client-name');
  if (name !== undefined) {
    const version = headers.get('apollographql-client-version');
    return NAME.test(name) ? { name, version: version !== undefined && VERSION.test(version) ? version : null } : { name: null, version: null };
  }
  const referer = headers.get('referer');
  const match = referer ? WECHAT_REFERER.exec(referer) : null;
  if (!match) return { name: null, version: null };
  const [, appId, version] = match;
  const expected = config.wechat.appId;
  if (expected ? appId !== expected : config.isProduction) return { name: null, version: null };
  return { name: MINIPROGRAM_CLIENT, version: version === '0' || version === 'devtools' ? DEV_VERSION : version };
}
