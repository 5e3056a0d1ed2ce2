/**
 * The wiring that knows every service (so platform/ never imports router/ or subgraphs/).
 * Starts subgraphs (and the router) in this process: `npm start` (all of them), `npm run start:subgraph`
 * (one), and the supergraph tests (all, on ephemeral ports).
 */
import type { Knex } from 'knex';
import { startRouter, type RunningRouter } from '../router/server';
import { subgraphModules } from '../subgraphs';
import { SUBGRAPH_NAMES, type Config, type SubgraphName } from '../platform/config';
import { openDatabases, type OpenDatabases } from './databases';
import { withAdvisoryLock } from '../platform/advisory-lock';
import { createServiceClient, staticDirectory, type ServiceClient } from '../platform/service-client';
import { startSubgraphServer, type RunningServer, type SubgraphDefinition } from '../platform/subgraph-server';
import { createEventBus, type EventBus } from '../platform/events/bus';
import { startEventRuntimes, type EventRuntime } from '../platform/events/runtime';
import { deferredJobTrigger } from '../platform/events/jobs';
import { checkDemoAdminPassword } from '../platform/secrets';
import { requireServiceKeys } from '../platform/service-keys';
import { createMetrics, serveMetrics, type Metrics, type MetricsServer } from '../platform/metrics';
import { watchDbPool, watchEventTables, watchStreams } from '../platform/metrics-sources';
import { KNOWN_OPERATIONS } from '../router/known-operations';

export interface LaunchOptions {
  config: Config;
  subgraphs?: readonly SubgraphName[];
  /** Also start the router (default true when every subgraph is started). */
  router?: boolean;
  /** Listen on ports picked by the OS instead of the configured ones (tests). */
  ephemeralPorts?: boolean;
  /** Seed demo data when empty (never in production). Default: not in production. */
  seedDemo?: boolean;
  /** Already opened databases (tests share one set per worker); otherwise opened and migrated here. */
  databases?: OpenDatabases;
  /** An event bus to use (closed by the caller); otherwise one is created for this process and closed on stop. */
  events?: EventBus;
  /**
   * Metrics to report to (served by the caller); otherwise one registry for this process, served on its own listener
   * (METRICS_PORT, default the main port + 1000; an OS-picked port with `ephemeralPorts`; none when METRICS_PORT=0).
   */
  metrics?: Metrics;
}

export interface RunningSupergraph {
  routerUrl?: string;
  router?: RunningRouter;
  subgraphs: Partial<Record<SubgraphName, { url: string; db: Knex }>>;
  databases: OpenDatabases;
  events: EventBus;
  /** The process's metrics, and where they are served (GET), when this launch serves them. */
  metrics: Metrics;
  metricsUrl?: string;
  stop(): Promise<void>;
}

/**
 * Development demo data for the subgraphs named (never in production). Each seed checks what exists, then
 * inserts: instances starting together take turns (advisory lock per subgraph) so none duplicates the demo
 * shopper or the coupon templates, or fails on a unique key.
 */
export async function seedDemoData(config: Config, names: readonly SubgraphName[], databases: OpenDatabases): Promise<void> {
  if (config.isProduction) throw new Error('Demo data is never seeded with NODE_ENV=production');
  for (const name of names) {
    const seed = subgraphModules[name].seedDemo;
    if (!seed) continue;
    const db = databases.dbs[name];
    await withAdvisoryLock(db, `seed:${name}`, () => seed(db, config));
  }
}

export async function launch(options: LaunchOptions): Promise<RunningSupergraph> {
  const { config } = options;
  const names = options.subgraphs ?? SUBGRAPH_NAMES;
  const seedDemo = options.seedDemo ?? !config.isProduction;
  // The demo admin's development password is public: never seed it where other machines can reach us.
  if (seedDemo && names.includes('user')) checkDemoAdminPassword(config);
  // Production: every service started here has its own key and its callers' keys, refused before any database opens.
  for (const name of names) requireServiceKeys(config.serviceKeys, name, config.isProduction);
  if (options.router ?? names.length === SUBGRAPH_NAMES.length) requireServiceKeys(config.serviceKeys, 'router', config.isProduction);
  const databases = options.databases ?? (await openDatabases(config, names));
  const ownsDatabases = !options.databases;

  if (seedDemo) await seedDemoData(config, names, databases);

  // Service calls go to the subgraphs started here (ephemeral ports), else to the configured addresses.
  const started: Partial<Record<SubgraphName, string>> = {};
  const fallback = staticDirectory(config);
  const directory = { urlOf: (name: SubgraphName) => started[name] ?? fallback.urlOf(name) };

  // One bus per process, shared by every subgraph started here.
  const events = options.events ?? createEventBus(config);
  const closeEvents = options.events ? async () => undefined : () => events.close();
  let eventRuntime: EventRuntime | undefined;
  const definitions: { name: SubgraphName; db: Knex; definition: SubgraphDefinition<any>; jobs: ReturnType<typeof deferredJobTrigger> }[] = [];
  const servers: RunningServer[] = [];
  const clients: ServiceClient[] = [];
  const subgraphs: RunningSupergraph['subgraphs'] = {};
  const metrics = options.metrics ?? createMetrics(config, KNOWN_OPERATIONS);
  let metricsServer: MetricsServer | undefined;
  try {
    for (const name of names) {
      const services = createServiceClient(config, name, directory);
      clients.push(services);
      const db = databases.dbs[name];
      // The runner starts with the event runtime, after every server: requests reach it through this trigger.
      const jobs = deferredJobTrigger();
      const definition = subgraphModules[name].create({ config, db, services, events, jobs });
      if (definition.events) {
        // The runner's counters (dead letters above all) beside the subgraph's own, at its signed GET /stats.
        const own = definition.stats;
        definition.stats = () => ({
          ...own?.(),
          jobs: eventRuntime?.jobs(name)?.stats() ?? null,
          events: eventRuntime?.consumerStats(name) ? { ...eventRuntime.consumerStats(name) } : null,
        });
      }
      definitions.push({ name, db, definition, jobs });
      watchDbPool(metrics, name, db);
      if (definition.events) watchEventTables(metrics, name, db, { outbox: Boolean(definition.events.relayOutbox) });
      definition.metrics?.(metrics);
      const server = await startSubgraphServer(definition, { config, db, metrics }, {
        host: config.host,
        port: options.ephemeralPorts ? 0 : config.ports[name],
      });
      servers.push(server);
      started[name] = server.url;
      subgraphs[name] = { url: server.url, db };
    }
    let router: RunningRouter | undefined;
    if (options.router ?? names.length === SUBGRAPH_NAMES.length) {
      router = await startRouter({
        config,
        host: config.host,
        port: options.ephemeralPorts ? 0 : config.ports.router,
        subgraphUrls: started,
        events,
        metrics,
      });
      servers.push(router);
    }
    // After every subgraph exists: all consumer groups of this process are registered before any relay runs.
    eventRuntime = startEventRuntimes(
      events,
      config,
      definitions.map(({ name, db, definition }) => ({ name, db, events: definition.events })),
    );
    const runtime = eventRuntime;
    for (const { name, jobs } of definitions) jobs.bind(runtime.jobs(name));
    watchStreams(metrics, events);
    if (!options.metrics) {
      // The process's main port: the router's when it runs here, else its (first) subgraph's.
      metricsServer = await serveMetrics(metrics, config, router ? config.ports.router : config.ports[names[0]], { ephemeral: options.ephemeralPorts });
    }
    const served = metricsServer;
    return {
      routerUrl: router?.url,
      router,
      subgraphs,
      databases,
      events,
      metrics,
      metricsUrl: served?.url,
      async stop() {
        await served?.close();
        // Background event work first, router next (it calls the subgraphs), then subgraphs, clients, bus, databases.
        await runtime.stop();
        for (const server of [...servers].reverse()) await server.close();
        await Promise.all(clients.map((client) => client.close()));
        await closeEvents();
        if (ownsDatabases) await databases.close();
      },
    };
  } catch (error) {
    await metricsServer?.close().catch(() => undefined);
    await eventRuntime?.stop().catch(() => undefined);
    for (const server of servers.reverse()) await server.close().catch(() => undefined);
    await closeEvents().catch(() => undefined);
    if (ownsDatabases) await databases.close().catch(() => undefined);
    throw error;
  }
}
