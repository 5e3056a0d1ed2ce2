/**
 * The client's address as the router sees it, for per-address throttling in the subgraphs.
 *
 * X-Forwarded-For is written by whoever sends the request, so it is trusted only as far as our own proxies wrote it:
 * with TRUST_PROXY_HOPS=N (N load balancers in front of the router, each appending the address it saw) the client is
 * the N-th address from the right end of the header; everything left of it may be forged. With N=0 (the default) the
 * header is ignored and the TCP peer is the client.
 */
import type http from 'node:http';

export function clientAddress(req: http.IncomingMessage, trustProxyHops: number): string {
  const peer = normalize(req.socket.remoteAddress ?? 'unknown');
  if (trustProxyHops <= 0) return peer;
  const header = req.headers['x-forwarded-for'];
  const hops = (Array.isArray(header) ? header.join(',') : header ?? '')
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean);
  // The nearest proxy is the TCP peer; it appended the address it saw as the last entry, and so on outwards.
  const index = hops.length - trustProxyHops;
  if (index < 0) return hops.length ? normalize(hops[0]) : peer;
  return normalize(hops[index]);
}

/** `::ffff:1.2.3.4` (an IPv4 client on a dual-stack socket) is the same client as `1.2.3.4`. */
function normalize(address: string): string {
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}
