/**
 * The hand-off of one gateway call to the call logs (docs/open-platform.md, "Call records"): the gateway builds one
 * OpenCallRecord per call to /open/v1 — admitted or refused, at any check — and hands it to the router's recorder exactly once,
 * after the answer is written and without awaiting anything, so logging never slows or fails a call.
 * The record's fields and what travels on the stream are the wire contract of platform/open-call-record.ts.
 *
 * The router's recorder (createOpenCallRecorder) logs the call as one JSON line (pino, platform/log.ts), publishes it
 * on the stream the open subgraph writes into partitioned PostgreSQL (subgraphs/open/call-logs/), and ranks it for today.
 */
import crypto from 'node:crypto';
import type { EventBus } from '../../platform/events/bus';
import { logger } from '../../platform/log';
import { OPEN_CALL_RECORDED, OPEN_CALLS_STREAM, type OpenCallPayload } from '../../platform/open-call-record';
import { shanghaiDate } from '../../platform/shanghai-time';
import type { OpenErrorCode } from './protocol';

/** One call as the gateway hands it over: the wire payload, with its instant as a Date and before `admitted` is decided. */
export type OpenCallRecord = Omit<OpenCallPayload, 'receivedAt' | 'admitted'> & { receivedAt: Date };

export { OPEN_CALL_RECORDED, OPEN_CALLS_STREAM, type OpenCallPayload };

/** Redis key of a Shanghai date's ranking: a sorted set, method → admitted calls (docs/open-platform.md, "Ranking"). */
export const rankingKey = (prefix: string, date: string) => `${prefix}open:ranking:${date}`;
/** Rankings are read for today; yesterday's is kept a day for who looks late, then Redis drops it. */
const RANKING_TTL_SECONDS = 2 * 86_400;

/**
 * Refusals before the operation ran (parameters, signature, replay, session, grant, limits): such a call is recorded
 * but neither ranked nor averaged by the monitor, and an unknown method's name never becomes a ranking entry. Typed
 * against the gateway's codes (protocol.ts), so a renamed code fails to compile here.
 */
const REFUSED_BEFORE_RUNNING = new Set<string>([
  'METHOD_NOT_ALLOWED', 'MISSING_PARAMETER', 'INVALID_PARAMETER', 'BODY_TOO_LARGE', 'UNKNOWN_METHOD', 'API_DISABLED',
  'INVALID_APP_KEY', 'APP_DISABLED', 'TIMESTAMP_OUT_OF_RANGE', 'INVALID_SIGNATURE', 'NONCE_REPLAYED', 'INVALID_SESSION',
  'SESSION_APP_MISMATCH', 'METHOD_NOT_GRANTED', 'MINUTE_LIMIT_EXCEEDED', 'DAILY_LIMIT_EXCEEDED', 'REGISTRY_UNAVAILABLE',
] satisfies OpenErrorCode[]);

/** Whether a call passed every check and ran (or tried to run) its operation. */
export function wasAdmitted(record: Pick<OpenCallRecord, 'method' | 'errorCode'>): boolean {
  return record.method !== null && (record.errorCode === null || !REFUSED_BEFORE_RUNNING.has(record.errorCode));
}

/** The few Redis commands the recorder needs (the gateway's fail-fast client, router/open/redis.ts, fits). */
export interface RankingRedis {
  readonly prefix: string;
  command<T>(args: string[]): Promise<T | undefined>;
}

export interface OpenCallRecorder {
  /** Records one call: synchronous and never throws, so whatever happens to the record cannot reach the caller. */
  emit(record: OpenCallRecord): void;
  /** Waits for the records being published (tests, shutdown). */
  flush(): Promise<void>;
  /** Records that could not be published (the bus was down): the log line is then the only trace. */
  readonly dropped: number;
}

const openLog = logger({ component: 'open.calls' });
/** The recorder's lines through the process's logger: `level` picks the method, `msg` is the message. */
function pinoLine({ level, msg, ...fields }: Record<string, unknown>): void {
  openLog[level === 'warn' ? 'warn' : 'info'](fields, String(msg));
}

/**
 * One recorder per router: each call becomes one JSON log line (always), one entry of the `shop.open.calls` stream
 * (Redis Streams; in process without REDIS_URL) that the open subgraph writes into its partitioned call_logs, and,
 * when admitted, one point in today's ranking (ZINCRBY, Asia/Shanghai day). Nothing is awaited by the call.
 */
export function createOpenCallRecorder(options: {
  bus: Pick<EventBus, 'publish'>;
  redis?: RankingRedis | null;
  log?: (line: Record<string, unknown>) => void;
}): OpenCallRecorder {
  const inFlight = new Set<Promise<void>>();
  let dropped = 0;
  let lastWarning = 0;
  const log = options.log ?? pinoLine;
  const track = (work: Promise<void>) => {
    inFlight.add(work);
    void work.finally(() => inFlight.delete(work));
  };
  return {
    emit(record) {
      try {
        const receivedAt = record.receivedAt.toISOString();
        const admitted = wasAdmitted(record);
        log({ level: 'info', msg: 'open.call', ...record, receivedAt, admitted });
        const payload: OpenCallPayload = { ...record, receivedAt, admitted };
        track(
          options.bus
            .publish([{ id: crypto.randomUUID(), stream: OPEN_CALLS_STREAM, type: OPEN_CALL_RECORDED, aggregateId: record.method ?? '', payload, occurredAt: receivedAt }])
            .catch((error: unknown) => {
              dropped += 1;
              if (Date.now() - lastWarning > 10_000) {
                lastWarning = Date.now();
                log({ level: 'warn', msg: 'open.call not published: the call logs miss it (the log line above keeps it)', error: String(error), dropped });
              }
            }),
        );
        const redis = options.redis;
        if (admitted && redis && record.method) {
          const key = rankingKey(redis.prefix, shanghaiDate(record.receivedAt));
          // A ranking that misses a point while Redis is down is acceptable; a slower call is not: never awaited.
          track(
            Promise.all([redis.command(['ZINCRBY', key, '1', record.method]), redis.command(['EXPIRE', key, String(RANKING_TTL_SECONDS)])]).then(
              () => undefined,
              () => undefined,
            ),
          );
        }
      } catch {
        // Nothing here may reach the caller.
      }
    },
    async flush() {
      while (inFlight.size) await Promise.allSettled([...inFlight]);
    },
    get dropped() {
      return dropped;
    },
  };
}
