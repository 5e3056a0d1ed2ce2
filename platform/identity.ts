/**
 * Signed identity between the router and the subgraphs, and signed service-to-service calls.
 *
 * The router verifies the shopper's JWT and forwards who they are in one header,
 * `x-shop-identity: <base64url(json)>.<base64url(hmac-sha256)>`, signed with INTERNAL_SECRET.
 * A subgraph trusts nothing else: an identity header it cannot verify (bad signature, stale, signed for another
 * subgraph) is refused, and so is a request without one (see identity-gate.ts).
 * Subgraphs calling each other sign `{ svc }` the same way, so internal operations can require a service caller.
 * Every header names the one subgraph it is for (`aud`), so a header seen by one subgraph cannot be replayed at
 * another, and it lives IDENTITY_MAX_AGE_SECONDS (default 60) from `iat`. See docs/security.md.
 */
import crypto from 'node:crypto';

export const IDENTITY_HEADER = 'x-shop-identity';

export type Scope = 'catalog:write' | 'promote:write' | 'order:write' | 'payment:refund';
export const ALL_SCOPES: Scope[] = ['catalog:write', 'promote:write', 'order:write', 'payment:refund'];

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
}

interface SignedClaims {
  sub?: string;
  scp?: string[];
  svc?: string;
  sid?: string;
  ip?: string;
  /** Audience: the name of the subgraph this header is for. */
  aud?: string;
  /** Issued at, unix seconds. */
  iat: number;
}

function hmac(secret: string, payload: string): string {
  return crypto.createHmac('sha256', secret).update(payload).digest('base64url');
}

export function signIdentity(identity: Identity, secret: string, now = Date.now()): string {
  const claims: SignedClaims = { iat: Math.floor(now / 1000) };
  if (identity.userId) claims.sub = identity.userId;
  if (identity.scopes.length) claims.scp = identity.scopes;
  if (identity.service) claims.svc = identity.service;
  if (identity.sessionId) claims.sid = identity.sessionId;
  if (identity.clientIp) claims.ip = identity.clientIp;
  if (identity.audience) claims.aud = identity.audience;
  const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
  return `${payload}.${hmac(secret, payload)}`;
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
  secret: string,
  maxAgeSeconds: number,
  now = Date.now(),
  audience?: string,
): Identity {
  const [payload, signature, extra] = header.split('.');
  if (!payload || !signature || extra !== undefined) throw new IdentityError('malformed identity header');
  const expected = Buffer.from(hmac(secret, payload));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !crypto.timingSafeEqual(expected, given)) {
    throw new IdentityError('identity header signature does not verify');
  }
  let claims: SignedClaims;
  try {
    claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as SignedClaims;
  } catch {
    throw new IdentityError('malformed identity header');
  }
  const age = Math.floor(now / 1000) - claims.iat;
  if (!Number.isInteger(claims.iat) || age > maxAgeSeconds || age < -CLOCK_SKEW_SECONDS) {
    throw new IdentityError('identity header is stale');
  }
  if (audience !== undefined && claims.aud !== audience) {
    throw new IdentityError(`identity header is not for the ${audience} subgraph`);
  }
  return {
    userId: claims.sub,
    scopes: Array.isArray(claims.scp) ? claims.scp : [],
    service: claims.svc,
    sessionId: claims.sid,
    clientIp: claims.ip,
    audience: claims.aud,
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
    private readonly secret: string,
    private readonly audience: string,
  ) {}

  sign(identity: Identity, now = Date.now()): string {
    const second = Math.floor(now / 1000);
    if (second !== this.second) {
      this.headers.clear();
      this.second = second;
    }
    // Every claim the header carries except `aud` (fixed here) and `iat` (this second).
    const key = JSON.stringify([identity.userId, identity.scopes, identity.service, identity.sessionId, identity.clientIp]);
    let header = this.headers.get(key);
    if (header === undefined) {
      header = signIdentity({ ...identity, audience: this.audience }, this.secret, now);
      this.headers.set(key, header);
    }
    return header;
  }
}
