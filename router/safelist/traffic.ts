/**
 * Requests per (client, version, Asia/Shanghai day), counted in memory (a Map increment per request) and reported to
 * the open subgraph every SAFELIST_TRAFFIC_FLUSH_MS in one internal call, where rows add up across router instances.
 * Retirement checks the last 7 days, so a minute's delay is harmless; a failed report is kept and sent with the next.
 * Bounded: at most MAX_KEYS pending keys (versions are few; beyond that, new keys are dropped and logged).
 */
import { shanghaiDate } from '../../platform/shanghai-time';
import { log } from '../../platform/log';
import type { SafelistOpenClient, TrafficReport } from './open-client';

const MAX_KEYS = 2_000;
const routerLog = log.child({ service: 'router' });

export class TrafficCounter {
  private pending = new Map<string, TrafficReport>();
  private readonly timer: NodeJS.Timeout;
  private flushing?: Promise<void>;
  private dropped = 0;

  constructor(
    private readonly client: SafelistOpenClient,
    flushMs: number,
  ) {
    this.timer = setInterval(() => void this.flush(), flushMs);
    this.timer.unref();
  }

  count(clientName: string, version: string, now = Date.now()) {
    const day = shanghaiDate(now);
    const key = `${clientName}\n${version}\n${day}`;
    const entry = this.pending.get(key);
    if (entry) {
      entry.requests += 1;
      entry.lastSeenAt = new Date(now).toISOString();
    } else if (this.pending.size < MAX_KEYS) {
      this.pending.set(key, { clientName, version, day, requests: 1, lastSeenAt: new Date(now).toISOString() });
    } else if (this.dropped++ % 1000 === 0) {
      routerLog.warn({ dropped: this.dropped }, 'safelist traffic: too many client versions pending, counts dropped');
    }
  }

  /** Reports what was counted (one call at a time); kept for the next flush when the open subgraph is away. */
  flush(): Promise<void> {
    this.flushing ??= this.send().finally(() => (this.flushing = undefined));
    return this.flushing;
  }

  private async send() {
    if (!this.pending.size) return;
    const batch = this.pending;
    this.pending = new Map();
    try {
      await this.client.reportTraffic([...batch.values()]);
    } catch (error) {
      routerLog.warn({ err: error }, 'safelist traffic: report failed, kept for the next one');
      for (const [key, entry] of batch) {
        const now = this.pending.get(key);
        if (now) {
          now.requests += entry.requests;
        } else if (this.pending.size < MAX_KEYS) this.pending.set(key, entry);
      }
    }
  }

  async close() {
    clearInterval(this.timer);
    await this.flush();
  }
}
