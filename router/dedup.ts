/**
 * In-flight deduplication of identical subgraph requests (ROUTER_DEDUP, default on): while one request to a subgraph
 * is in flight, an identical one — same subgraph, same document, operation name and variables, same identity — waits
 * for its answer instead of being sent again. Popular pages (the first product page, a product everyone opens) then
 * cost a subgraph one execution per round trip instead of one per shopper.
 *
 * Safe by construction:
 * - Queries only: a document that does not start with `query` or `{` (a mutation, a subscription, a document
 *   opening with a fragment) is always sent, and so is every fetch of a client mutation (router/gateway.ts): a read
 *   after the write must not join one sent before it.
 * - The identity is part of the key: user id, scopes, calling service and login session. An anonymous identity is the
 *   same for every anonymous caller, so anonymous requests are shared; a signed-in shopper's requests are shared only
 *   with the same shopper's (same session). The client address is left out: only the sign-in mutations read it
 *   (throttling), and mutations are never shared.
 * - Nothing outlives the request: the entry is dropped when the answer arrives, so this is not a cache.
 * - Each waiter gets its own copy of the answer: the gateway merges later fetches into the objects of earlier ones,
 *   so two operations must never hold the same objects.
 */
import type { GraphQLDataSource } from '@apollo/gateway';
import type { Identity } from '../platform/identity';

export interface DedupStats {
  /** Subgraph requests sent that others could have joined. */
  sent: number;
  /** Subgraph requests not sent: they joined an identical one in flight. */
  joined: number;
}

export interface DedupRequest {
  subgraph: string;
  query?: string;
  operationName?: string;
  variables?: Record<string, unknown>;
  identity?: Identity;
}

/** A query document, as the query planner prints it: `query …` or the `{ … }` shorthand. */
const QUERY_DOCUMENT = /^\s*(query\b|\{)/;

/** The key of a shareable request, or undefined when it must be sent as is (not a query). */
export function dedupKey(request: DedupRequest): string | undefined {
  if (!request.query || !QUERY_DOCUMENT.test(request.query)) return undefined;
  const identity = request.identity;
  const who = identity
    ? JSON.stringify([identity.userId ?? null, identity.scopes, identity.service ?? null, identity.sessionId ?? null])
    : 'none';
  return `${request.subgraph}\n${who}\n${request.operationName ?? ''}\n${JSON.stringify(request.variables ?? {})}\n${request.query}`;
}

/** A private copy of an answer; `http` (the subgraph's response, read only for its headers) stays shared. */
function copy(response: GatewayGraphQLResponse): GatewayGraphQLResponse {
  const { http, ...rest } = response as GatewayGraphQLResponse & { http?: unknown };
  // The answer was parsed from JSON, so a JSON round trip copies it exactly (and beats structuredClone here).
  return { ...(JSON.parse(JSON.stringify(rest)) as object), ...(http ? { http } : {}) } as GatewayGraphQLResponse;
}

type GatewayGraphQLResponse = Awaited<ReturnType<GraphQLDataSource['process']>>;

interface InFlight {
  promise: Promise<GatewayGraphQLResponse>;
}

export class InFlightDedup {
  private readonly inFlight = new Map<string, InFlight>();
  readonly stats: DedupStats = { sent: 0, joined: 0 };

  /** Runs `send` unless an identical request (`key`) is in flight, in which case its answer is shared. */
  run(key: string | undefined, send: () => Promise<GatewayGraphQLResponse>): Promise<GatewayGraphQLResponse> {
    if (key === undefined) return send();
    const existing = this.inFlight.get(key);
    if (existing) {
      this.stats.joined += 1;
      return existing.promise.then(copy);
    }
    this.stats.sent += 1;
    const entry: InFlight = { promise: send().finally(() => this.inFlight.delete(key)) };
    this.inFlight.set(key, entry);
    // The first caller keeps the original, through this pass-through reaction registered before any waiter's: its
    // own continuation is queued only when the pass-through runs, i.e. behind the waiters' copying reactions, so the
    // original is untouched when they copy it. (Returning entry.promise itself would let the first caller's await
    // run before the waiters copy: test/router-dedup.test.ts.)
    return entry.promise.then((response) => response);
  }
}
