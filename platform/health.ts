/**
 * Liveness, readiness and draining, for the router and every subgraph server (docs/operations.md, "Health and
 * shutdown"):
 * - GET /livez: the process is up and its event loop answers. No dependency is checked: a restart never fixes a
 *   database outage, and a liveness probe that fails on one restarts every instance at once.
 * - GET /readyz: this instance can serve: each dependency check passes within READINESS_TIMEOUT_MS and the process is
 *   not draining; else 503 with `{ status: 'unready', reason, checks }`. Reasons name the check and an error code
 *   (ECONNREFUSED, "timed out"), never a message that could carry a host, user or password.
 * - Draining (SIGTERM): /readyz answers 503 at once, so a balancer stops sending; after SHUTDOWN_DELAY_MS each server
 *   closes (`refuseWhileClosing`: new requests answered 503 "shutting down", the listener closed, in-flight requests
 *   finished within SHUTDOWN_GRACE_MS).
 */
import type http from 'node:http';
import type express from 'express';
import type { Knex } from 'knex';
import { MIGRATIONS_TABLE } from './db';
import { errorBody } from './http-errors';
import { sharedRedis, type SharedRedis } from './redis-connection';

/** The process's draining state, shared by every server it runs (`npm start` runs eight). */
export class Readiness {
  private drained?: Promise<void>;

  constructor(private readonly delayMs: number) {}

  get draining(): boolean {
    return this.drained !== undefined;
  }

  /**
   * From now on /readyz answers 503 (draining). Resolves once the balancers had `delayMs` (SHUTDOWN_DELAY_MS) to see
   * it; later calls share the first call's wait, so servers closed in turn do not wait again.
   */
  drain(): Promise<void> {
    this.drained ??= this.delayMs > 0 ? new Promise((resolve) => setTimeout(resolve, this.delayMs)) : Promise.resolve();
    return this.drained;
  }
}

/** One dependency: resolves when reachable, throws otherwise. */
export interface ReadinessCheck {
  name: string;
  run(): Promise<void>;
}

export type CheckResult = 'ok' | string;

export interface ReadinessReport {
  status: 'ready' | 'unready';
  service: string;
  /** Why not ready: 'draining', or the first failed check and its error code. */
  reason?: string;
  checks: Record<string, CheckResult>;
}

class CheckTimeout extends Error {
  constructor() {
    super('timed out');
  }
}

/** An error's code (ECONNREFUSED, 57P01…) or "timed out"; never its message, which may name a host or a role. */
function describe(error: unknown): string {
  if (error instanceof CheckTimeout) return 'timed out';
  const code = (error as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string' && /^[A-Z0-9_]{2,40}$/.test(code)) return code;
  // Errors of our own checks (e.g. migrations pending) are ours to word; anything else stays generic.
  if (error instanceof ReadinessError) return error.message;
  return 'failed';
}

/** A failed check whose message is safe to show (no host, user, password). */
export class ReadinessError extends Error {}

/**
 * At most one run of each check at a time: a probe every few seconds against a hung database must not pile up
 * queries holding pool connections. A caller arriving while a run is pending waits for that run (bounded by the
 * timeout). A run still pending after `staleMs` (a connection hung for good) is left behind and a new one starts:
 * at most one hung probe per `staleMs`.
 */
function singleFlight(check: ReadinessCheck, staleMs: number): ReadinessCheck {
  let pending: { promise: Promise<void>; since: number } | undefined;
  return {
    name: check.name,
    run() {
      if (!pending || Date.now() - pending.since > staleMs) {
        const run: { promise: Promise<void>; since: number } = { since: Date.now(), promise: Promise.resolve() };
        run.promise = check.run().finally(() => {
          if (pending === run) pending = undefined;
        });
        pending = run;
      }
      return pending.promise;
    },
  };
}

async function withTimeout(promise: Promise<void>, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([promise, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new CheckTimeout()), timeoutMs)))]);
  } finally {
    clearTimeout(timer);
  }
}

export interface HealthOptions {
  /** The service's name in answers (router, user, …). */
  service: string;
  readiness: Readiness;
  checks: ReadinessCheck[];
  /** Bound of each check (READINESS_TIMEOUT_MS). */
  timeoutMs: number;
}

export interface Health {
  /** Runs every check (in parallel) and reports; 'unready' when draining or any check failed. */
  report(): Promise<ReadinessReport>;
  /** Mounts GET /livez and GET /readyz. */
  mount(app: express.Express): void;
}

export function createHealth(options: HealthOptions): Health {
  const checks = options.checks.map((check) => singleFlight(check, Math.max(10 * options.timeoutMs, 5000)));
  const report = async (): Promise<ReadinessReport> => {
    const results = await Promise.all(
      checks.map(async (check): Promise<[string, CheckResult]> => {
        try {
          await withTimeout(check.run(), options.timeoutMs);
          return [check.name, 'ok'];
        } catch (error) {
          return [check.name, describe(error)];
        }
      }),
    );
    const failed = results.find(([, result]) => result !== 'ok');
    // Draining wins: the balancer must stop sending whatever the dependencies say.
    const reason = options.readiness.draining ? 'draining' : failed ? `${failed[0]}: ${failed[1]}` : undefined;
    return { status: reason ? 'unready' : 'ready', service: options.service, ...(reason ? { reason } : {}), checks: Object.fromEntries(results) };
  };
  return {
    report,
    mount(app) {
      app.get('/livez', (_req, res) => {
        res.set('cache-control', 'no-store').json({ status: 'live', service: options.service, draining: options.readiness.draining });
      });
      app.get('/readyz', async (_req, res) => {
        const result = await report();
        res.set('cache-control', 'no-store').status(result.status === 'ready' ? 200 : 503).json(result);
      });
    },
  };
}

/** PostgreSQL answers `select 1` on the service's own pool (so a full pool shows as not ready, too). */
export function databaseCheck(db: Knex): ReadinessCheck {
  return {
    name: 'database',
    async run() {
      await db.raw('select 1');
    },
  };
}

/**
 * Every migration this build knows is recorded in the subgraph's migrations table (the migration Job of a rollout
 * ran). Newer rows (a newer build migrated first) are fine. Once complete it is not read again: migrations are never
 * rolled back under a running instance.
 */
export function migrationsCheck(db: Knex, schema: string, names: readonly string[]): ReadinessCheck {
  let complete = false;
  return {
    name: 'migrations',
    async run() {
      if (complete) return;
      const rows = await db.withSchema(schema).from(MIGRATIONS_TABLE).select<{ name: string }[]>('name');
      const applied = new Set(rows.map((row) => row.name));
      const pending = names.filter((name) => !applied.has(name));
      if (pending.length) throw new ReadinessError(`${pending.length} pending (run the migrations)`);
      complete = true;
    },
  };
}

/** Redis answers PING, on a connection of its own (one per process, `close()` on shutdown). */
export function redisCheck(url: string, connectTimeoutMs: number): ReadinessCheck & { close(): Promise<void> } {
  const redis: SharedRedis = sharedRedis(url, { label: 'readyz', connectTimeoutMs });
  return {
    name: 'redis',
    async run() {
      try {
        const client = await redis.ready();
        await client.ping();
      } catch (error) {
        throw (error as { code?: string }).code ? error : new ReadinessError('unreachable');
      }
    },
    close: () => redis.close(),
  };
}

/** Probes stay answered while a server closes: /readyz says 503 draining, /livez 200. */
export function isProbePath(url: string | undefined): boolean {
  const path = (url ?? '').split('?', 1)[0];
  return path === '/livez' || path === '/readyz';
}

/**
 * A request arriving while its server closes (after SHUTDOWN_DELAY_MS), on a connection accepted earlier (keep-alive):
 * 503 before anything is done, so any client or balancer may retry it elsewhere, even a mutation.
 */
export function refuseClosing(res: http.ServerResponse): void {
  const body = JSON.stringify(
    errorBody('INTERNAL_SERVER_ERROR', 'This instance is shutting down; the request was not processed, retry it', { reason: 'SHUTTING_DOWN' }),
  );
  res.writeHead(503, { 'content-type': 'application/json; charset=utf-8', connection: 'close', 'retry-after': '1', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}
