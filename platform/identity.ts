/**
 * Signed identity between the router and the subgraphs, and signed service-to-service calls.
 *
 * The router verifies the shopper's JWT and forwards who they are in one header,
 * `x-shop-identity: <issuer>:<kid>.<base64url(json)>.<base64url(hmac-sha256)>`, signed with the issuer's own key for
 * the one audience (service-keys.ts): a subgraph verifies with the key of the service the header claims to come from.
 * A subgraph trusts nothing else: an identity header it cannot verify (bad signature, stale, signed for another
 * subgraph) is refused, and so is a request without one (see identity-gate.ts).
 * Subgraphs calling each other sign `{ svc }` with their own keys, so internal operations can require a service caller
 * (internal-callers.ts). What an issuer may assert is fixed here: only the router carries scopes, sessions and client
 * addresses; a service carries its own name, and a user id only when it may act for users (SERVICES_ACTING_FOR_USERS).
 * Every header names the one subgraph it is for (`aud`), so a header seen by one subgraph cannot be replayed at
 * another, and it lives IDENTITY_MAX_AGE_SECONDS (default 60) from `iat`. See docs/security.md.
 */
import crypto from 'node:crypto';
import { ROUTER, SERVICE_NAMES, ServiceKeys } from './service-keys';

export const IDENTITY_HEADER = 'x-shop-identity';

export type Scope =
  | 'catalog:write'
  | 'promote:write'
  | 'order:write'
  | 'payment:refund'
  | 'review:moderate'
  | 'member:write'
  | 'subscription:erp'
  | 'open:admin'
  /** Client releases, their persisted-operation manifests and safelist modes (docs/persisted-operations.md). */
  | 'clients:admin'
  /** The back office's directory, staff accounts and roles (docs/back-office.md). */
  | 'store:admin'
  /** Acting at one's own stores: member identification, coupon redemption, terminals, store statistics. */
  | 'store:operate'
  /** The operations console's menus per role (docs/console.md). */
  | 'staff:admin'
  /** Reading shoppers' personal data (profile, addresses, wallet) for customer service; every read audited (docs/shoppers.md). */
  | 'customer:read';
export const ALL_SCOPES: Scope[] = [
  'catalog:write',
  'promote:write',
  'order:write',
  'payment:refund',
  'review:moderate',
  'member:write',
  'subscription:erp',
  'open:admin',
  'clients:admin',
  'store:admin',
  'store:operate',
  'staff:admin',
  'customer:read',
];

export interface Identity {
  /** Signed-in user id, absent for anonymous requests and pure service calls. */
  userId?: string;
  scopes: string[];
  /** Set when the caller is another subgraph (service-to-service). */
  service?: string;
  /** The login session of the access token (see access-token.ts). */
  sessionId?: string;
  /** The client's address as the router saw it (see router/client-address.ts), for per-address throttling. */
  clientIp?: string;
  /** The subgraph the header is signed for (`aud`); set by the signer, checked by the receiving subgraph. */
  audience?: string;
  /**
   * An open-platform app acting for a merchant (router/open/): its app key. Set only by the router's gateway, with
   * `userId` = the merchant session's merchant and `scopes` = that session's scopes (docs/open-platform.md).
   */
  app?: string;
}

interface SignedClaims {
  sub?: string;
  scp?: string[];
  svc?: string;
  sid?: string;
  ip?: string;
  /** Open-platform app key (router only). */
  app?: string;
  /** Audience: the name of the subgraph this header is for. */
  aud?: string;
  /** Issued at, unix seconds. */
  iat: number;
}

/**
 * The services that may sign a user id (act for a shopper):
 * - order: adds a past order's items to the cart (buyAgain), reads the shopper's cart lines at checkout and
 *   locks/confirms/uses/releases the shopper's coupon;
 * - cart: asks promote for the coupon savings of the shopper's cart (couponQuote reads whose coupons they are).
 * Every other service (user, product, promote, payment) calls as itself only, and no service carries scopes: the
 * router alone asserts users with scopes, sessions and addresses, from their verified access tokens.
 */
export const SERVICES_ACTING_FOR_USERS: readonly string[] = ['order', 'cart'];

/** Keys given as a plain string are derived from it as a base secret (development, tests); cached per string. */
const derivedRings = new Map<string, ServiceKeys>();
export function keyRing(keys: ServiceKeys | string): ServiceKeys {
  if (typeof keys !== 'string') return keys;
  let ring = derivedRings.get(keys);
  if (!ring) {
    if (derivedRings.size > 16) derivedRings.clear();
    derivedRings.set(keys, (ring = ServiceKeys.derivedFrom(keys)));
  }
  return ring;
}

function hmac(key: Buffer, head: string, payload: string): string {
  return crypto.createHmac('sha256', key).update(head).update('.').update(payload).digest('base64url');
}

/** Signs as `identity.service` (the router when absent) for `identity.audience`, with that issuer's key. */
export function signIdentity(identity: Identity, keys: ServiceKeys | string, now = Date.now()): string {
  const claims: SignedClaims = { iat: Math.floor(now / 1000) };
  if (identity.userId) claims.sub = identity.userId;
  if (identity.scopes.length) claims.scp = identity.scopes;
  if (identity.service) claims.svc = identity.service;
  if (identity.sessionId) claims.sid = identity.sessionId;
  if (identity.clientIp) claims.ip = identity.clientIp;
  if (identity.app) claims.app = identity.app;
  if (identity.audience) claims.aud = identity.audience;
  const issuer = identity.service ?? ROUTER;
  const { kid, key } = keyRing(keys).signingKey(issuer, identity.audience ?? '');
  const head = `${issuer}:${kid}`;
  const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
  return `${head}.${payload}.${hmac(key, head, payload)}`;
}

export class IdentityError extends Error {}

/**
 * How far a header's `iat` may lie in the future: the signer's clock may run ahead of ours by this much.
 * Clocks are assumed NTP-synchronised to within a few seconds; the lifetime (IDENTITY_MAX_AGE_SECONDS) also absorbs
 * the skew the other way.
 */
export const CLOCK_SKEW_SECONDS = 30;

/**
 * Verifies a header value; throws IdentityError when it is forged, malformed, stale or — when `audience` is given —
 * signed for another subgraph (or for none).
 */
export function verifyIdentity(
  header: string,
  keys: ServiceKeys | string,
  maxAgeSeconds: number,
  now = Date.now(),
  audience?: string,
): Identity {
  const [head, payload, signature, extra] = header.split('.');
  if (!head || !payload || !signature || extra !== undefined) throw new IdentityError('malformed identity header');
  const colon = head.indexOf(':');
  const issuer = head.slice(0, colon);
  const kid = head.slice(colon + 1);
  if (colon < 0 || !(SERVICE_NAMES as readonly string[]).includes(issuer)) throw new IdentityError('malformed identity header');
  let claims: SignedClaims | undefined;
  const parse = () => {
    try {
      return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as SignedClaims;
    } catch {
      throw new IdentityError('malformed identity header');
    }
  };
  // Without an expected audience (tests, tools), the key is the one for the audience the header names.
  const keyAudience = audience ?? (claims = parse()).aud ?? '';
  const key = keyRing(keys).verificationKey(issuer, kid, keyAudience);
  if (!key) throw new IdentityError(`identity header signed with a key unknown here (${issuer}, kid ${kid})`);
  const expected = Buffer.from(hmac(key, head, payload));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !crypto.timingSafeEqual(expected, given)) {
    throw new IdentityError('identity header signature does not verify');
  }
  claims ??= parse();
  const age = Math.floor(now / 1000) - claims.iat;
  if (!Number.isInteger(claims.iat) || age > maxAgeSeconds || age < -CLOCK_SKEW_SECONDS) {
    throw new IdentityError('identity header is stale');
  }
  if (audience !== undefined && claims.aud !== audience) {
    throw new IdentityError(`identity header is not for the ${audience} subgraph`);
  }
  // What the issuer may assert (see SERVICES_ACTING_FOR_USERS): a valid key of one service never carries more.
  if (issuer === ROUTER) {
    if (claims.svc !== undefined) throw new IdentityError('the router signs for shoppers, not as a service');
  } else {
    if (claims.svc !== issuer) throw new IdentityError(`a header signed by ${issuer} must name ${issuer} as its service`);
    if (claims.scp?.length || claims.sid !== undefined || claims.ip !== undefined || claims.app !== undefined) {
      throw new IdentityError(`${issuer} may not assert scopes, sessions, client addresses or open apps (only the router does)`);
    }
    if (claims.sub !== undefined && !SERVICES_ACTING_FOR_USERS.includes(issuer)) throw new IdentityError(`${issuer} may not act for a user`);
  }
  return {
    userId: claims.sub,
    scopes: Array.isArray(claims.scp) ? claims.scp : [],
    service: claims.svc,
    sessionId: claims.sid,
    clientIp: claims.ip,
    audience: claims.aud,
    ...(typeof claims.app === 'string' ? { app: claims.app } : {}),
  };
}

/**
 * Signs headers for one audience, reusing the header signed for the same identity within the same second. `iat` has
 * a resolution of one second, so a reused header is byte for byte the one signing again would give (same claims,
 * same `iat`, same lifetime): the subgraphs see no difference, and the router pays one HMAC per identity and second
 * instead of one per subgraph request.
 */
export class SameSecondIdentitySigner {
  private second = -1;
  /** Headers signed this second, by identity: at most the identities seen within one second. */
  private readonly headers = new Map<string, string>();

  constructor(
    private readonly keys: ServiceKeys | string,
    private readonly audience: string,
  ) {}

  sign(identity: Identity, now = Date.now()): string {
    const second = Math.floor(now / 1000);
    if (second !== this.second) {
      this.headers.clear();
      this.second = second;
    }
    // Every claim the header carries except `aud` (fixed here) and `iat` (this second).
    const key = JSON.stringify([identity.userId, identity.scopes, identity.service, identity.sessionId, identity.clientIp, identity.app]);
    let header = this.headers.get(key);
    if (header === undefined) {
      header = signIdentity({ ...identity, audience: this.audience }, this.keys, now);
      this.headers.set(key, header);
    }
    return header;
  }
}
