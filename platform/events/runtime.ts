/**
 * Starts the background event work a subgraph declares (`SubgraphDefinition.events`): its consumers, its outbox
 * relay, its ONE job runner (its jobs, its periodic jobs and the retention job `events.prune` every subgraph with
 * events gets). For every subgraph of a process at once, consumers first: the in-process bus delivers only
 * to groups that exist when an event is published, so every group must exist before any relay runs.
 */
import type { Knex } from 'knex';
import type { Config } from '../config';
import type { Consumption, EventBus } from './bus';
import {
  consumerEffect,
  consumerKey,
  newConsumerStats,
  startEventConsumer,
  type EventConsumerSpec,
  type EventConsumerStats,
} from './consumer';
import { REDELIVER_EVENT_JOB, redeliverDeadEventJob } from './dead-letters';
import { startJobRunner, type JobHandler, type JobRunner, type PeriodicJob } from './jobs';
import { pruneJob, PRUNE_JOB } from './retention';
import { startOutboxRelay, type OutboxRelay } from './relay';

/** What a subgraph declares; it must have appended `eventTablesMigration(...)` to its migrations. */
export interface SubgraphEvents {
  /** Relay this subgraph's outbox (it produces events). */
  relayOutbox?: boolean;
  /** Its consumers; the consumer group is the subgraph's name. */
  consumers?: EventConsumerSpec[];
  /** Durable job handlers by kind (platform/events/jobs.ts: run outside any transaction, effects in `ctx.fenced`). */
  jobs?: Record<string, JobHandler>;
  /** Jobs that run once per interval across every instance (sweeps). */
  periodic?: PeriodicJob[];
}

export interface EventRuntime {
  /** The relay of a subgraph (to `kick()` after a commit), when it relays. */
  relay(name: string): OutboxRelay | undefined;
  /** The job runner of a subgraph (runNow, stats). */
  jobs(name: string): JobRunner | undefined;
  /** The counters of a subgraph's consumers (dead letters), when it consumes. */
  consumerStats(name: string): EventConsumerStats | undefined;
  stop(): Promise<void>;
}

export function startEventRuntimes(
  bus: EventBus,
  config: Pick<Config, 'events'>,
  subgraphs: { name: string; db: Knex; events?: SubgraphEvents }[],
): EventRuntime {
  const consumptions: Consumption[] = [];
  const relays = new Map<string, OutboxRelay>();
  const runners = new Map<string, JobRunner>();
  const consumerStats = new Map<string, EventConsumerStats>();
  for (const { name, db, events } of subgraphs) {
    if (!events?.consumers?.length) continue;
    const stats = newConsumerStats();
    consumerStats.set(name, stats);
    for (const spec of events.consumers) {
      consumptions.push(startEventConsumer({ db, bus, group: name, ...spec, maxDeliveries: config.events.maxDeliveries, stats }));
    }
  }
  for (const { name, db, events } of subgraphs) {
    if (events?.relayOutbox) {
      relays.set(
        name,
        startOutboxRelay({
          db,
          bus,
          name,
          pollIntervalMs: config.events.pollIntervalMs,
          leaseMs: config.events.relayLeaseMs,
        }),
      );
    }
    if (events) {
      const { retention } = config.events;
      // Every subgraph with events has the tables, so each prunes its own (and trims the streams it produces).
      const prune: PeriodicJob = { kind: PRUNE_JOB, intervalMs: retention.pruneIntervalMs, handler: pruneJob(name, retention, bus) };
      runners.set(
        name,
        startJobRunner({
          db,
          name,
          handlers: { ...redeliverHandler(name, db, events), ...(events.jobs ?? {}) },
          periodic: [prune, ...(events.periodic ?? [])],
          pollIntervalMs: config.events.jobPollIntervalMs,
          leaseMs: config.events.jobLeaseMs,
          concurrency: config.events.jobConcurrency,
          maxAttempts: config.events.jobMaxAttempts,
        }),
      );
    }
  }
  return {
    relay: (name) => relays.get(name),
    jobs: (name) => runners.get(name),
    consumerStats: (name) => consumerStats.get(name),
    async stop() {
      // Together: an in-process relay may be waiting on a consumer that keeps failing; stopping the consumer ends
      // that wait (the rows stay unpublished and are delivered again at the next start).
      await Promise.all([
        ...[...relays.values()].map((relay) => relay.stop()),
        ...[...runners.values()].map((runner) => runner.stop()),
        ...consumptions.map((consumption) => consumption.stop()),
      ]);
    },
  };
}

/** A consuming subgraph's runner redelivers its dead events an operator requeued (`npm run jobs -- retry-event`). */
function redeliverHandler(name: string, db: Knex, events: SubgraphEvents): Record<string, JobHandler> {
  if (!events.consumers?.length) return {};
  const effects = new Map(events.consumers.map((spec) => [consumerKey(name, spec), consumerEffect({ db, group: name, ...spec })]));
  return { [REDELIVER_EVENT_JOB]: redeliverDeadEventJob(effects, { subgraph: name }) };
}
