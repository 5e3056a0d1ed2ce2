/**
 * The open platform's call record as it travels from the routers (router/open/call-events.ts) to the open subgraph's
 * call logs (subgraphs/open/call-logs/consumer.ts) on the stream `shop.open.calls`: a wire contract between two
 * deployables, so it is defined once, here. The router builds it; the consumer parses every event with
 * `openCallPayloadSchema` (a router of another version, or a hand-written event, cannot half-write a row) and maps it
 * to its row (subgraphs/open/data/call-logs.ts).
 *
 * The seed's log fields (004 §3.1.2.7): appkey → appKey, servIP → gateway, venderId → merchant, remoteIp →
 * clientAddress, apiName → method, platformRepTime → responseTimeMs, requestContent → request, errorCode,
 * receiveTime → receivedAt.
 */
import { z } from 'zod';

/** The stream call records travel on (routers → open subgraph, consumer group `open`), and their event type. */
export const OPEN_CALLS_STREAM = 'shop.open.calls';
export const OPEN_CALL_RECORDED = 'OpenCallRecorded';

export interface OpenCallPayload {
  /** The call's id (X-Request-Id when the caller sent a sane one, else a fresh UUID); also answered as X-Request-Id. */
  requestId: string;
  /** X-App-Key as sent (null when missing); a key the registry does not know is still recorded. */
  appKey: string | null;
  /** The router instance that served the call (host:port and process id). */
  gateway: string;
  /** The session's merchant (a user id); null when the call was refused before its session was known. */
  merchant: string | null;
  /** The caller's address as the router sees it (router/client-address.ts, TRUST_PROXY_HOPS). */
  clientAddress: string;
  /** The method of /open/v1/{method}; null when the path named none or an invalid one. */
  method: string | null;
  /** From the first byte read to the answer written, in whole milliseconds. */
  responseTimeMs: number;
  /**
   * The JSON body (the business parameters) with secret-looking values removed and personal data masked
   * (docs/open-call-logs.md, "What a record keeps"), truncated to OPEN_LOG_REQUEST_MAX_CHARS. Headers are never
   * included: the signature and session are not in it.
   */
  request: string;
  /** The gateway error code (docs/open-platform.md, "Error codes"), or null for a call that succeeded. */
  errorCode: string | null;
  /** The HTTP status answered. */
  httpStatus: number;
  /** When the gateway received the call, ISO 8601 UTC. */
  receivedAt: string;
  /** Whether the call passed every check and ran (or tried to run) its operation: ranked and averaged only then. */
  admitted: boolean;
}

/** The consumer's check of each event's payload; unknown fields are dropped. */
export const openCallPayloadSchema = z.object({
  requestId: z.string(),
  appKey: z.string().nullable(),
  gateway: z.string(),
  merchant: z.string().nullable(),
  clientAddress: z.string(),
  method: z.string().nullable(),
  responseTimeMs: z.number().nonnegative(),
  request: z.string(),
  errorCode: z.string().nullable(),
  httpStatus: z.number().int().min(100).max(599),
  receivedAt: z.iso.datetime(),
  admitted: z.boolean(),
}) satisfies z.ZodType<OpenCallPayload>;
