/** The router's half of identity: read `Authorization: Bearer <jwt>`, verify it, hand the identity to the gateway. */
import type http from 'node:http';
import { AccessTokenError, verifyAccessToken } from '../platform/access-token';
import type { Config } from '../platform/config';
import { shopError } from '../platform/errors';
import type { Identity } from '../platform/identity';

export function identityFromRequest(headers: http.IncomingHttpHeaders, config: Config): Identity {
  const authorization = headers.authorization;
  if (!authorization) return { scopes: [] };
  const match = /^Bearer\s+(\S+)$/i.exec(authorization);
  if (!match) throw shopError('UNAUTHENTICATED', 'Authorization header must be "Bearer <token>"', { http: { status: 401 } });
  try {
    const claims = verifyAccessToken(match[1], config);
    return { userId: claims.userId, scopes: claims.scopes, sessionId: claims.sessionId };
  } catch (error) {
    if (error instanceof AccessTokenError) throw shopError('UNAUTHENTICATED', error.message, { http: { status: 401 } });
    throw error;
  }
}
