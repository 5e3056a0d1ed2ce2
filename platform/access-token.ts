/**
 * Access tokens (JWT, HS256, signed with JWT_SECRET): issued by the user subgraph, verified by the router.
 * Claims: sub = user id, scopes = staff scopes, typ = "access", sid = the login session, exp (required).
 * A token must end: one without `exp`, or whose `exp` lies further ahead than ACCESS_TOKEN_TTL_SECONDS plus
 * ACCESS_TOKEN_CLOCK_SKEW_SECONDS, is refused, whoever signed it (docs/security.md).
 */
import crypto from 'node:crypto';
import jwt from 'jsonwebtoken';
import type { Config } from './config';

const ISSUER = 'shop-user';
const AUDIENCE = 'shop';

export interface AccessClaims {
  userId: string;
  scopes: string[];
  /** The login session (refresh-token family) the token belongs to: what `logout` ends. */
  sessionId?: string;
}

export function signAccessToken(claims: AccessClaims, config: Pick<Config, 'jwtSecret' | 'accessTokenTtlSeconds'>): string {
  return jwt.sign({ scopes: claims.scopes, typ: 'access', ...(claims.sessionId ? { sid: claims.sessionId } : {}) }, config.jwtSecret, {
    algorithm: 'HS256',
    subject: claims.userId,
    issuer: ISSUER,
    audience: AUDIENCE,
    expiresIn: config.accessTokenTtlSeconds,
  });
}

export class AccessTokenError extends Error {}

/**
 * JWT_SECRET as a key object, made once per secret: given a string, jsonwebtoken first tries it as a PEM public key
 * on every verify, fails (an exception with its stack trace) and only then makes a secret key of it.
 */
const verifyKeys = new Map<string, crypto.KeyObject>();
function verifyKey(secret: string): crypto.KeyObject {
  let key = verifyKeys.get(secret);
  if (!key) {
    key = crypto.createSecretKey(Buffer.from(secret));
    verifyKeys.set(secret, key);
  }
  return key;
}

/** Verifies signature, algorithm, expiry, lifetime, issuer and audience; throws AccessTokenError otherwise. */
export function verifyAccessToken(token: string, config: Config): AccessClaims {
  return verifyAccessTokenExpiry(token, config).claims;
}

type TokenConfig = Pick<Config, 'jwtSecret' | 'accessTokenTtlSeconds' | 'accessTokenClockSkewSeconds'>;

/** verifyAccessToken, with when the token expires (ms since epoch). */
export function verifyAccessTokenExpiry(token: string, config: TokenConfig): { claims: AccessClaims; expiresAt: number } {
  let payload: jwt.JwtPayload;
  try {
    payload = jwt.verify(token, verifyKey(config.jwtSecret), {
      algorithms: ['HS256'],
      issuer: ISSUER,
      audience: AUDIENCE,
    }) as jwt.JwtPayload;
  } catch (error) {
    const expired = error instanceof jwt.TokenExpiredError;
    throw new AccessTokenError(expired ? 'Access token expired' : 'Access token is invalid');
  }
  if (payload.typ !== 'access' || typeof payload.sub !== 'string') throw new AccessTokenError('Access token is invalid');
  // jsonwebtoken checks `exp` only when present; ours always carry one, no longer ahead than the configured lifetime.
  if (typeof payload.exp !== 'number' || !Number.isFinite(payload.exp)) throw new AccessTokenError('Access token has no expiry');
  if (payload.exp - Date.now() / 1000 > config.accessTokenTtlSeconds + config.accessTokenClockSkewSeconds) {
    throw new AccessTokenError('Access token lives longer than allowed');
  }
  const scopes = Array.isArray(payload.scopes) ? payload.scopes.filter((s): s is string => typeof s === 'string') : [];
  return {
    claims: { userId: payload.sub, scopes, sessionId: typeof payload.sid === 'string' ? payload.sid : undefined },
    expiresAt: payload.exp * 1000,
  };
}
