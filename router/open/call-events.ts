/**
 * The hand-off of one gateway call to the call logs (docs/open-platform.md, "Call records"): the gateway builds one
 * OpenCallRecord per call to /open/v1 — admitted or refused, at any check — and calls emitOpenCall exactly once,
 * after the answer is written and without awaiting anything, so logging never slows or fails a call.
 * The seed's log fields (§3.1.2.7): appkey → appKey, servIP → gateway, venderId → merchant, remoteIp →
 * clientAddress, apiName → method, platformRepTime → responseTimeMs, requestContent → request, errorCode,
 * receiveTime → receivedAt.
 *
 * For now: one JSON log line per call. The call-logs work (open-logs) replaces the body with a Redis Streams writer
 * feeding partitioned PostgreSQL, keeping this signature.
 */
export interface OpenCallRecord {
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
  /** The JSON body (the business parameters), truncated to OPEN_LOG_REQUEST_MAX_CHARS. Headers are not included: the signature and session never are. */
  request: string;
  /** The gateway error code (docs/open-platform.md, "Error codes"), or null for a call that succeeded. */
  errorCode: string | null;
  /** The HTTP status answered. */
  httpStatus: number;
  /** When the gateway received the call. */
  receivedAt: Date;
}

/** Records one call. Synchronous and never throws: whatever happens to the record cannot reach the caller. */
export function emitOpenCall(record: OpenCallRecord): void {
  try {
    process.stdout.write(`${JSON.stringify({ level: 'info', msg: 'open.call', ...record, receivedAt: record.receivedAt.toISOString() })}\n`);
  } catch {
    // A log line that cannot be written is not the caller's problem.
  }
}
