/**
 * What the process knows about the request it is serving, wherever the code runs (resolvers, data access, service
 * calls, log lines): an AsyncLocalStorage store opened by `observeRequests` (platform/observe.ts) around each HTTP
 * request, and filled in as the request goes (operation, user, errors). Nothing here reads headers or logs.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import crypto from 'node:crypto';

export const REQUEST_ID_HEADER = 'x-request-id';

/**
 * A request id we accept from a caller: what the usual generators make (UUIDs, ULIDs, hex trace ids, nginx's
 * $request_id, `<prefix>-<n>`), bounded so that a client cannot put anything else into every log line of ours.
 */
const ACCEPTED_REQUEST_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

/** The caller's id when it is one we accept (a single header, bounded length and charset), else a new UUID. */
export function requestIdOf(header: string | string[] | undefined): string {
  return typeof header === 'string' && ACCEPTED_REQUEST_ID.test(header) ? header : crypto.randomUUID();
}

export interface RequestStore {
  /** The service serving the request (`router`, `user`, …). */
  service: string;
  requestId: string;
  /** GraphQL details, set by the request-context plugin (platform/observe.ts) once known. */
  operationName?: string;
  operationHash?: string;
  operationType?: string;
  userId?: string;
  /** The calling service, on a subgraph (from its verified identity header). */
  caller?: string;
  /** Codes of the GraphQL errors of the answer, in order, at most a few. */
  errorCodes?: string[];
}

const storage = new AsyncLocalStorage<RequestStore>();

/** Runs `fn` inside `store` (everything it awaits or schedules sees it). */
export function runWithRequest<T>(store: RequestStore, fn: () => T): T {
  return storage.run(store, fn);
}

/** Runs `fn` outside any request: work shared by many requests must not be attributed to the first of them. */
export function runOutsideRequest<T>(fn: () => T): T {
  return storage.exit(fn);
}

/** The request being served here, if any (undefined in background work: jobs, consumers, timers). */
export function currentRequest(): RequestStore | undefined {
  return storage.getStore();
}

export function currentRequestId(): string | undefined {
  return storage.getStore()?.requestId;
}
