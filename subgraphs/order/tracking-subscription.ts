/**
 * Subscribing a new shipment's parcel to Kuaidi100 pushes: the durable job `order.subscribeTracking` (key
 * `<carrier code>:<tracking number>`, so orders shipped in one parcel subscribe it once), scheduled in the
 * transaction that created the shipment when KUAIDI100_KEY is set, and run right away by that instance once the
 * shipment committed (`subscribeNow`; the job runner's poll picks it up otherwise). Retried with backoff while Kuaidi100 is
 * unreachable or answers 500; a refusal (bad key, unknown company or number: 600/601/700/701/702...) is final and
 * kept as the shipments' trackingNote, so staff see why no events arrive (they can still enter events by hand).
 */
import type { Knex } from 'knex';
import type { LogisticsConfig } from '../../platform/config';
import { scheduleJob, type Job, type JobContext, type JobHandler, type JobTrigger } from '../../platform/events';
import { noteParcelTracking, type ShipmentRow } from './data/shipments';
import { subscribeTracking } from './kuaidi100-client';

export const SUBSCRIBE_TRACKING = 'order.subscribeTracking';

export interface SubscribeTrackingPayload {
  carrierCode: string;
  trackingNumber: string;
}

export async function scheduleTrackingSubscription(trx: Knex, config: LogisticsConfig, shipment: Pick<ShipmentRow, 'carrier_code' | 'tracking_number'>): Promise<void> {
  if (!config.kuaidi100Key) return;
  const payload: SubscribeTrackingPayload = { carrierCode: shipment.carrier_code, trackingNumber: shipment.tracking_number };
  await scheduleJob(trx, { kind: SUBSCRIBE_TRACKING, key: `${shipment.carrier_code}:${shipment.tracking_number}`, runAt: new Date(), payload });
}

/** Runs the parcel's subscription right away on this instance (after the shipment committed); the poll retries it otherwise. */
export function subscribeNow(trigger: JobTrigger | undefined, config: LogisticsConfig, shipment: Pick<ShipmentRow, 'carrier_code' | 'tracking_number'>): void {
  if (!config.kuaidi100Key || !trigger) return;
  // Not awaited: the staff's answer does not wait for Kuaidi100 (runNow logs its own failures).
  void trigger.runNow(SUBSCRIBE_TRACKING, `${shipment.carrier_code}:${shipment.tracking_number}`);
}

export function trackingSubscriptionJobs(config: LogisticsConfig): Record<string, JobHandler> {
  return {
    [SUBSCRIBE_TRACKING]: async (job: Job<SubscribeTrackingPayload>, ctx: JobContext) => {
      // Scheduled by an instance that has the key: one without it leaves the job for another run (never finalizes it).
      if (!config.kuaidi100Key) throw new Error('KUAIDI100_KEY is not set on this instance');
      const answer = await subscribeTracking(config, job.payload);
      if (answer.retry) throw new Error(`Kuaidi100 subscription not answered (${answer.returnCode}): ${answer.message}`);
      if (answer.ok) return;
      const note = `订阅失败 ${answer.returnCode}: ${answer.message}`;
      await ctx.fenced((trx) => noteParcelTracking(trx, job.payload.carrierCode, job.payload.trackingNumber, note), { complete: true });
    },
  };
}
