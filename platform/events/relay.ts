/**
 * Outbox relay: publishes a subgraph's outbox rows to the bus in id order, then marks them published.
 *
 * One relay per outbox publishes at a time: instances share a lease row (`outbox_relay`), renewed while they work;
 * the others stand by and take over when the lease expires (crash) or is released (clean stop). This keeps each
 * stream in commit order with several instances, and holds no database transaction across `publish` (the
 * in-process bus runs consumers inside publish, and embedded PGlite serializes transactions).
 *
 * At-least-once: a relay that dies after publishing and before marking leaves the rows unpublished; the next holder
 * publishes them again, and idempotent consumers (consumer.ts) make the effect happen once.
 */
import crypto from 'node:crypto';
import type { Knex } from 'knex';
import type { EventBus } from './bus';
import { envelopeFromRow } from './outbox';
import { eventTable, type EventTablesOptions } from './tables';
import { logger } from '../log';

const log = logger({ component: 'events' });

export interface OutboxRelayOptions extends EventTablesOptions {
  db: Knex;
  bus: EventBus;
  /** For logs and the lease holder id (e.g. the subgraph name). */
  name: string;
  /** How often to look for new rows when idle (default 100 ms). */
  pollIntervalMs?: number;
  /** Rows per publish (default 100). */
  batchSize?: number;
  /** How long the lease lasts without renewal: the takeover delay after a crash (default 10 s). */
  leaseMs?: number;
}

export interface OutboxRelay {
  /** Look for rows now (call after committing events, to skip the poll delay). */
  kick(): void;
  /** Stops polling, waits for the batch in flight, releases the lease. */
  stop(): Promise<void>;
  /** Resolves when the relay has seen the outbox empty (tests, shutdown drains). */
  idle(): Promise<void>;
}

interface OutboxRow {
  id: string;
  event_id: string;
  stream: string;
  type: string;
  aggregate_id: string;
  payload: unknown;
  created_at: Date;
}

export function startOutboxRelay(options: OutboxRelayOptions): OutboxRelay {
  const { db, bus } = options;
  const pollIntervalMs = options.pollIntervalMs ?? 100;
  const batchSize = options.batchSize ?? 100;
  const leaseMs = options.leaseMs ?? 10_000;
  const holder = `${options.name}-${process.pid}-${crypto.randomUUID()}`;
  const outbox = eventTable(options, 'outbox');
  const leaseTable = eventTable(options, 'outbox_relay');

  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | null = null;
  let again = false;
  let leaseRenewedAt = 0;
  let idleWaiters: (() => void)[] = [];

  /** Takes or renews the lease; true when this instance holds it. */
  const holdLease = async (): Promise<boolean> => {
    // Renew at half-life only: an idle holder costs one query per poll, not two.
    if (Date.now() - leaseRenewedAt < leaseMs / 2) return true;
    const result = await db.raw(
      `INSERT INTO ?? AS l (name, holder, lease_until) VALUES ('outbox', ?, now() + ? * interval '1 millisecond')
       ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, lease_until = excluded.lease_until
       WHERE l.holder = excluded.holder OR l.lease_until < now()
       RETURNING holder`,
      [leaseTable, holder, leaseMs],
    );
    const held = result.rows.length > 0;
    leaseRenewedAt = held ? Date.now() : 0;
    return held;
  };

  /** One batch; true when it was full (more may be waiting). */
  const relayBatch = async (): Promise<boolean> => {
    if (!(await holdLease())) return false;
    const rows: OutboxRow[] = await db(outbox)
      .select('id', 'event_id', 'stream', 'type', 'aggregate_id', 'payload', 'created_at')
      .whereNull('published_at')
      .orderBy('id')
      .limit(batchSize);
    if (!rows.length) return false;
    // A slow publish (in-process consumers) must not let the lease lapse under us.
    const heartbeat = setInterval(() => {
      leaseRenewedAt = 0;
      holdLease().catch(() => undefined);
    }, Math.max(50, Math.floor(leaseMs / 3)));
    try {
      await bus.publish(rows.map(envelopeFromRow));
    } finally {
      clearInterval(heartbeat);
    }
    await db(outbox)
      .whereIn('id', rows.map((row) => row.id))
      .update({ published_at: db.fn.now() });
    return rows.length === batchSize;
  };

  const run = async () => {
    try {
      do {
        again = false;
        while (!stopped && (await relayBatch()));
      } while (again && !stopped);
      const waiters = idleWaiters;
      idleWaiters = [];
      waiters.forEach((resolve) => resolve());
    } catch (error) {
      if (!stopped) log.error({ err: error, relay: options.name }, `outbox relay ${options.name}: ${(error as Error).message}`);
    }
  };

  const tick = () => {
    if (stopped) return;
    clearTimeout(timer);
    if (running) {
      again = true;
      return;
    }
    running = run().finally(() => {
      running = null;
      if (!stopped) timer = setTimeout(tick, pollIntervalMs);
    });
  };
  tick();

  return {
    kick: tick,
    idle() {
      return new Promise<void>((resolve) => {
        idleWaiters.push(resolve);
        tick();
      });
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
      idleWaiters.forEach((resolve) => resolve());
      idleWaiters = [];
      // Hand over now rather than after the lease runs out.
      await db(leaseTable)
        .where({ name: 'outbox', holder })
        .update({ lease_until: db.raw("now() - interval '1 second'") })
        .catch(() => undefined);
    },
  };
}
