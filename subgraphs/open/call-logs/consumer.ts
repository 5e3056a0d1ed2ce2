/**
 * The call logs' writer: the router's records (stream `shop.open.calls`, router/open/call-events.ts) into the
 * partitioned call_logs table, consumer group `open`. Idempotent twice over: processed_events skips a redelivered
 * record, and the row's key (received_at, id) would too. Refused calls are kept as well: operators search them.
 */
import type { EventConsumerSpec } from '../../../platform/events';
import { insertCallLog } from '../data/call-logs';

/** Produced by the routers (router/open/call-events.ts); the open subgraph only reads them. */
export const OPEN_CALLS_STREAM = 'shop.open.calls';
export const OPEN_CALL_RECORDED = 'OpenCallRecorded';

/** The record as it travels (OpenCallPayload of the router). */
export interface OpenCallRecordedPayload {
  requestId: string;
  appKey: string | null;
  gateway: string;
  merchant: string | null;
  clientAddress: string;
  method: string | null;
  responseTimeMs: number;
  request: string;
  errorCode: string | null;
  httpStatus: number;
  receivedAt: string;
  admitted: boolean;
}

export function recordOpenCalls(): EventConsumerSpec<OpenCallRecordedPayload> {
  return {
    stream: OPEN_CALLS_STREAM,
    types: [OPEN_CALL_RECORDED],
    name: 'open.call-logs',
    effect: async (event, trx) => {
      const call = event.payload;
      const receivedAt = new Date(call.receivedAt);
      // A malformed record is a router bug: parked as a dead event (after the retries) rather than half-written.
      if (Number.isNaN(receivedAt.getTime())) throw new Error(`call record ${event.id}: receivedAt is not a date`);
      await insertCallLog(trx, {
        id: event.id,
        requestId: String(call.requestId ?? ''),
        appKey: call.appKey ?? null,
        gateway: String(call.gateway ?? ''),
        merchant: call.merchant ?? null,
        clientAddress: String(call.clientAddress ?? ''),
        method: call.method ?? null,
        responseTimeMs: Number(call.responseTimeMs) || 0,
        request: String(call.request ?? ''),
        errorCode: call.errorCode ?? null,
        httpStatus: Number(call.httpStatus) || 0,
        admitted: call.admitted === true,
        receivedAt,
      });
    },
  };
}
