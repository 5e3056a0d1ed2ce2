/**
 * Bounds on the router's connections (docs/limits.md, "Connections"): timeouts a slow client cannot stretch, bounded
 * keep-alive, and a cap on the TCP connections one peer address holds open at once.
 *
 * Node's HTTP server enforces `headersTimeout` and `requestTimeout` (whole request, body included) only when its
 * connection checker runs, every `connectionsCheckingInterval` (30 s by default, which let a body dribbled in at one
 * byte every 2 s hold a connection 311 s); the checker runs every second here, so a timeout fires within a second of
 * its due time. A request that times out is answered 408 and its connection closed.
 *
 * The per-address cap counts TCP peers: it is a transport-level bound, so X-Forwarded-For (which only a request can
 * carry, after the connection is accepted) plays no part. Behind proxies (TRUST_PROXY_HOPS > 0) every peer is one of
 * our proxies, so the cap is off by default there; the proxies bound their clients' connections themselves.
 */
import type http from 'node:http';
import type net from 'node:net';
import type { HttpServerConfig } from '../platform/config';

export const CONNECTION_CHECK_INTERVAL_MS = 1000;

/** Options for http.createServer from the router's config. */
export function httpServerOptions(config: HttpServerConfig): http.ServerOptions {
  return {
    headersTimeout: config.headersTimeoutMs,
    requestTimeout: config.requestTimeoutMs,
    keepAliveTimeout: config.keepAliveTimeoutMs,
    connectionsCheckingInterval: CONNECTION_CHECK_INTERVAL_MS,
  };
}

export interface ConnectionCapStats {
  /** Connections closed on arrival because their address already held the maximum. */
  refused: number;
}

/** Bounds requests per keep-alive connection; closes a new connection at once when its peer address already holds `max` open ones (0: no cap). */
export function capConnectionsPerAddress(server: http.Server, config: HttpServerConfig): ConnectionCapStats {
  // 0 is Node's "no bound"; past the bound Node answers with `Connection: close` and the client opens a new one.
  server.maxRequestsPerSocket = config.maxRequestsPerSocket;
  const stats: ConnectionCapStats = { refused: 0 };
  const max = config.maxConnectionsPerAddress;
  if (max <= 0) return stats;
  const open = new Map<string, number>();
  server.on('connection', (socket: net.Socket) => {
    const address = socket.remoteAddress ?? 'unknown';
    const count = open.get(address) ?? 0;
    if (count >= max) {
      stats.refused++;
      socket.destroy();
      return;
    }
    open.set(address, count + 1);
    socket.once('close', () => {
      const left = (open.get(address) ?? 1) - 1;
      if (left > 0) open.set(address, left);
      else open.delete(address);
    });
  });
  return stats;
}
