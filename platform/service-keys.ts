/**
 * Per-service keys for the identity header (see identity.ts and docs/security.md, "Service keys").
 *
 * Every service (the router and each subgraph) signs with its own secret. The header a service signs for one
 * audience is keyed with a PAIR key, `HMAC-SHA256(issuer secret, "shop/identity/v2/" + audience)`: the receiving
 * subgraph needs only the pair keys of its callers for itself, and a pair key lets whoever holds it sign as that caller
 * to that one receiver — i.e. fool only itself. So the process of `order` can verify `payment`'s headers without being
 * able to sign as `payment` anywhere else, and a leaked key of one subgraph cannot act as another or as the router.
 *
 * Configuration (read by config.ts):
 * - `SERVICE_KEY_<NAME>` = `kid:secret[,kid:secret…]` (NAME: ROUTER, USER, PRODUCT, CART, ORDER, PROMOTE, PAYMENT, REVIEW, OPEN).
 *   The first key signs; every listed key verifies (rotation: two at once). A bare `secret` has kid `1`.
 * - `SERVICE_PEER_KEY_<NAME>` = `kid:base64url[,…]`: verification only, the pair key NAME → this process's service
 *   (printed by `npm run service-keys`), for a process that must not hold NAME's secret.
 * - Neither set, outside production: NAME's secret is derived from INTERNAL_SECRET (or the development default),
 *   kid `dev` — zero configuration for `npm start` and the tests. Production never derives (see requireServiceKeys).
 */
import crypto from 'node:crypto';

export const ROUTER = 'router';
export const SERVICE_NAMES = ['router', 'user', 'product', 'cart', 'order', 'promote', 'payment', 'review', 'open'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

/** The kid of keys derived from the base secret (development / back-compat). */
export const DERIVED_KID = 'dev';
const KID = /^[A-Za-z0-9_-]{1,32}$/;

interface IssuerKeys {
  /** Secrets by kid, the first one signing. Absent when the process holds only peer keys of this issuer. */
  secrets?: { kid: string; secret: string }[];
  /** Pair keys issuer → (the process's own audience), by kid: verification only. */
  peer?: Map<string, Buffer>;
  /** Whether these keys were derived from the base secret (never in production). */
  derived?: boolean;
}

export function pairKey(secret: string, audience: string): Buffer {
  return crypto.createHmac('sha256', secret).update(`shop/identity/v2/${audience}`).digest();
}

export function derivedServiceSecret(base: string, service: string): string {
  return crypto.createHmac('sha256', base).update(`shop/service-key/v2/${service}`).digest('base64url');
}

/** Parses `kid:value[,kid:value…]` (a bare value has kid `1`); throws naming the variable when malformed. */
export function parseKeyList(variable: string, raw: string): { kid: string; value: string }[] {
  const entries = raw.split(',').map((part) => part.trim()).filter(Boolean).map((part) => {
    const colon = part.indexOf(':');
    const [kid, value] = colon < 0 ? ['1', part] : [part.slice(0, colon), part.slice(colon + 1)];
    if (!KID.test(kid) || !value) throw new Error(`${variable}: expected kid:secret[,kid:secret] (kid: letters, digits, _ or -)`);
    return { kid, value };
  });
  if (!entries.length) throw new Error(`${variable} is empty`);
  if (new Set(entries.map((entry) => entry.kid)).size !== entries.length) throw new Error(`${variable}: a kid appears twice`);
  return entries;
}

export class ServiceKeys {
  private readonly issuers = new Map<string, IssuerKeys>();
  /** Pair keys by `issuer|kid|audience`: one derivation per pair and process, then a map lookup. */
  private readonly pairs = new Map<string, Buffer>();

  /** A ring whose every service secret is derived from `base` (development, tests, back-compat INTERNAL_SECRET). */
  static derivedFrom(base: string): ServiceKeys {
    const keys = new ServiceKeys();
    for (const name of SERVICE_NAMES) keys.setSecrets(name, [{ kid: DERIVED_KID, secret: derivedServiceSecret(base, name) }], true);
    return keys;
  }

  setSecrets(issuer: string, secrets: { kid: string; secret: string }[], derived = false): void {
    this.issuers.set(issuer, { ...this.issuers.get(issuer), secrets, derived });
    this.pairs.clear();
  }

  setPeerKeys(issuer: string, keys: { kid: string; key: Buffer }[]): void {
    this.issuers.set(issuer, { ...this.issuers.get(issuer), peer: new Map(keys.map((entry) => [entry.kid, entry.key])) });
    this.pairs.clear();
  }

  /** Whether `issuer`'s keys here are its own (configured) secret, derived ones, peer keys only, or none. */
  holds(issuer: string): 'secret' | 'derived' | 'peer' | 'none' {
    const keys = this.issuers.get(issuer);
    if (keys?.secrets?.length) return keys.derived ? 'derived' : 'secret';
    return keys?.peer?.size ? 'peer' : 'none';
  }

  /** The kid and key to sign as `issuer` for `audience`; throws when this process does not hold issuer's secret. */
  signingKey(issuer: string, audience: string): { kid: string; key: Buffer } {
    const first = this.issuers.get(issuer)?.secrets?.[0];
    if (!first) throw new Error(`No signing key for ${issuer} (SERVICE_KEY_${issuer.toUpperCase()})`);
    return { kid: first.kid, key: this.pair(issuer, first.kid, audience)! };
  }

  /** The key that verifies `issuer`'s header with `kid` for `audience`, or undefined (unknown issuer or kid). */
  verificationKey(issuer: string, kid: string, audience: string): Buffer | undefined {
    return this.pair(issuer, kid, audience) ?? undefined;
  }

  private pair(issuer: string, kid: string, audience: string): Buffer | null {
    const id = `${issuer}|${kid}|${audience}`;
    const cached = this.pairs.get(id);
    if (cached) return cached;
    const keys = this.issuers.get(issuer);
    const secret = keys?.secrets?.find((entry) => entry.kid === kid)?.secret;
    // Peer keys are pair keys for this process's own audience; the identity gate only ever asks for that one.
    const key = secret !== undefined ? pairKey(secret, audience) : (keys?.peer?.get(kid) ?? null);
    // Only keys found are kept (issuers x kids configured x audiences): a header naming unknown kids grows nothing.
    if (key) this.pairs.set(id, key);
    return key;
  }
}

/**
 * Builds the ring from the environment. Outside production every service without a configured key gets one derived
 * from `base` (INTERNAL_SECRET or the development default); in production nothing is derived, keys must be at least
 * 32 characters and no two services may share one (that would be one secret again).
 */
export function serviceKeysFromEnv(env: NodeJS.ProcessEnv, options: { base: string; production: boolean }): ServiceKeys {
  const keys = options.production ? new ServiceKeys() : ServiceKeys.derivedFrom(options.base);
  const owners = new Map<string, string>();
  for (const name of SERVICE_NAMES) {
    const variable = `SERVICE_KEY_${name.toUpperCase()}`;
    const raw = env[variable];
    if (raw) {
      const secrets = parseKeyList(variable, raw).map(({ kid, value }) => ({ kid, secret: value }));
      for (const { secret } of secrets) {
        if (options.production && secret.length < 32) throw new Error(`${variable}: NODE_ENV=production requires keys of at least 32 characters`);
        const other = owners.get(secret);
        if (other && other !== name) throw new Error(`${variable} repeats the key of SERVICE_KEY_${other.toUpperCase()}: each service needs its own`);
        owners.set(secret, name);
      }
      keys.setSecrets(name, secrets);
    }
    const peerVariable = `SERVICE_PEER_KEY_${name.toUpperCase()}`;
    const peerRaw = env[peerVariable];
    if (peerRaw) {
      if (raw) throw new Error(`Set ${variable} or ${peerVariable}, not both`);
      keys.setPeerKeys(name, parseKeyList(peerVariable, peerRaw).map(({ kid, value }) => {
        const key = Buffer.from(value, 'base64url');
        if (key.length !== 32) throw new Error(`${peerVariable}: expected kid:<32 bytes base64url> (npm run service-keys prints it)`);
        return { kid, key };
      }));
    }
  }
  return keys;
}

/**
 * Start-up check of one process (the router or one subgraph): its own signing key, and the verification keys of every
 * service that may call it (every other service and the router). Outside production derived keys always exist.
 */
export function requireServiceKeys(keys: ServiceKeys, self: ServiceName, production: boolean): void {
  if (!production) return;
  const problems: string[] = [];
  if (keys.holds(self) !== 'secret') problems.push(`SERVICE_KEY_${self.toUpperCase()} (its own signing key)`);
  // The router receives only operators' signed /stats calls (as router), which its own key verifies.
  if (self !== ROUTER) {
    const missing = SERVICE_NAMES.filter((name) => name !== self && keys.holds(name) === 'none');
    if (missing.length) problems.push(`the verification keys of ${missing.join(', ')} (SERVICE_KEY_<NAME> or SERVICE_PEER_KEY_<NAME>)`);
  }
  if (problems.length) throw new Error(`NODE_ENV=production: the ${self} service requires ${problems.join(' and ')}`);
}
