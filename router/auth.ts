/** The router's half of identity: read `Authorization: Bearer <jwt>`, verify it, hand the identity to the gateway. */
import type http from 'node:http';
import { AccessTokenError, verifyAccessToken } from '../platform/access-token';
import type { Config } from '../platform/config';
import { shopError } from '../platform/errors';
import type { Identity } from '../platform/identity';
import type { SessionRevocations } from '../platform/session-revocation';
import { clientAddress } from './client-address';

export const SESSION_ENDED = 'Session ended (signed out); sign in again';

/**
 * The caller's identity. A token of a revoked session (logout, refresh-token reuse) is refused like an expired one:
 * `revocations` is the router's in-memory copy of the shared list (platform/session-revocation.ts), a Map lookup.
 */
export function identityFromRequest(req: http.IncomingMessage, config: Config, revocations?: SessionRevocations): Identity {
  const clientIp = clientAddress(req, config.trustProxyHops);
  const authorization = req.headers.authorization;
  if (!authorization) return { scopes: [], clientIp };
  const match = /^Bearer\s+(\S+)$/i.exec(authorization);
  if (!match) throw shopError('UNAUTHENTICATED', 'Authorization header must be "Bearer <token>"', { http: { status: 401 } });
  try {
    const claims = verifyAccessToken(match[1], config);
    if (claims.sessionId && revocations?.isRevoked(claims.sessionId)) throw new AccessTokenError(SESSION_ENDED);
    return { userId: claims.userId, scopes: claims.scopes, sessionId: claims.sessionId, clientIp };
  } catch (error) {
    if (error instanceof AccessTokenError) throw shopError('UNAUTHENTICATED', error.message, { http: { status: 401 } });
    throw error;
  }
}
