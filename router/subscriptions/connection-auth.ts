/**
 * Who a graphql-ws connection belongs to: the access token comes in `connectionParams.Authorization` ("Bearer …"),
 * because browsers cannot set headers on a WebSocket. Anonymous connections are refused: every subscription is
 * about one's own orders.
 */
import type http from 'node:http';
import { AccessTokenError, verifyAccessTokenExpiry } from '../../platform/access-token';
import type { Config } from '../../platform/config';
import type { Identity } from '../../platform/identity';
import type { SessionRevocations } from '../../platform/session-revocation';
import { SESSION_ENDED } from '../auth';
import { clientAddress } from '../client-address';

export class ConnectionRefused extends Error {}

export interface ConnectionIdentity {
  identity: Identity & { userId: string };
  /** When the token expires (ms since epoch): the connection is closed then. */
  expiresAt: number;
}

export function connectionIdentity(
  connectionParams: Record<string, unknown> | undefined,
  request: http.IncomingMessage,
  config: Config,
  revocations?: SessionRevocations,
): ConnectionIdentity {
  // Clients spell it either way (Apollo's docs use lower case, ours upper).
  const raw = connectionParams?.Authorization ?? connectionParams?.authorization;
  if (typeof raw !== 'string' || !raw) {
    throw new ConnectionRefused('Unauthorized: connectionParams.Authorization must be "Bearer <access token>"');
  }
  const match = /^Bearer\s+(\S+)$/i.exec(raw);
  if (!match) throw new ConnectionRefused('Unauthorized: Authorization must be "Bearer <access token>"');
  try {
    const { claims, expiresAt } = verifyAccessTokenExpiry(match[1], config);
    if (claims.sessionId && revocations?.isRevoked(claims.sessionId)) throw new AccessTokenError(SESSION_ENDED);
    return {
      identity: { userId: claims.userId, scopes: claims.scopes, sessionId: claims.sessionId, clientIp: clientAddress(request, config.trustProxyHops) },
      expiresAt,
    };
  } catch (error) {
    if (error instanceof AccessTokenError) throw new ConnectionRefused(`Unauthorized: ${error.message}`);
    throw error;
  }
}
