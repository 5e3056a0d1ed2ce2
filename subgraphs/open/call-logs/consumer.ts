/**
 * The call logs' writer: the router's records (stream `shop.open.calls`, router/open/call-events.ts) into the
 * partitioned call_logs table, consumer group `open`. Idempotent twice over: processed_events skips a redelivered
 * record, and the row's key (received_at, id) would too. Refused calls are kept as well: operators search them.
 */
import type { EventConsumerSpec } from '../../../platform/events';
import { OPEN_CALL_RECORDED, OPEN_CALLS_STREAM, openCallPayloadSchema } from '../../../platform/open-call-record';
import { insertCallLog } from '../data/call-logs';

export { OPEN_CALL_RECORDED, OPEN_CALLS_STREAM };

export function recordOpenCalls(): EventConsumerSpec<unknown> {
  return {
    stream: OPEN_CALLS_STREAM,
    types: [OPEN_CALL_RECORDED],
    name: 'open.call-logs',
    effect: async (event, trx) => {
      // The wire contract (platform/open-call-record.ts), checked: a malformed record is a router bug, parked as a dead
      // event (after the retries) rather than half-written.
      const parsed = openCallPayloadSchema.safeParse(event.payload);
      if (!parsed.success) throw new Error(`call record ${event.id} is malformed: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
      await insertCallLog(trx, { ...parsed.data, id: event.id, receivedAt: new Date(parsed.data.receivedAt) });
    },
  };
}
