/**
 * Serves one subgraph over HTTP: Apollo Server 5 on /graphql straight from Node's http server (graphql-http.ts),
 * express 5 for the rest: GET /health, GET /stats, whatever extra routes the subgraph mounts (e.g. payment provider
 * callbacks) and the JSON 404.
 * Identity comes only from a verified `x-shop-identity` header signed for this subgraph (see identity.ts); /graphql
 * refuses callers without one (identity-gate.ts).
 */
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import express from 'express';
import type { GraphQLSchema } from 'graphql';
import type { Knex } from 'knex';
import type { Config, SubgraphName } from './config';
import type { BaseContext } from './context';
import type { EventBus } from './events/bus';
import type { JobTrigger } from './events/jobs';
import type { SubgraphEvents } from './events/runtime';
import { makeFormatError } from './errors';
import { graphqlHttpHandler, isGraphQLPath, signedCaller } from './graphql-http';
import { installErrorHandlers, operationResolutionPlugin } from './http-errors';
import { identityGate, type IdentityGateOptions } from './identity-gate';
import type { ServiceClient } from './service-client';
import { requireServiceKeys } from './service-keys';
import { requestMetricsPlugin, type Metrics } from './metrics';

/** What a subgraph needs to run: built by the launcher, handed to the subgraph's factory. */
export interface SubgraphDeps {
  config: Config;
  db: Knex;
  services: ServiceClient;
  /** The process's event bus (one per process): client pub/sub, and what the declared `events` run on. */
  events: EventBus;
  /**
   * This subgraph's job runner, to run an obligation right after scheduling it (`runNow(kind, key)`): a request that
   * wants it done before answering. Until the runner has started, runNow does nothing (the job waits for a poll).
   */
  jobs: JobTrigger;
}

/** A subgraph ready to serve: its schema, how to build a per-request context, optional extra routes. */
export interface SubgraphDefinition<TContext extends BaseContext = BaseContext> {
  name: SubgraphName;
  schema: GraphQLSchema;
  createContext(base: BaseContext): TContext;
  /**
   * Extra public routes (e.g. payment provider callbacks POST /notify/*, which providers call without our header).
   * Mounted outside the identity gate, which guards only /graphql: such a route must authenticate its own callers
   * (e.g. verify the provider's signature) and must not expose GraphQL.
   */
  mountRoutes?(app: express.Express): void;
  /** Event consumers, outbox relay and job handlers, started by the launcher (platform/events/runtime.ts). */
  events?: SubgraphEvents;
  /**
   * Counters an operator or the bench may read (e.g. product's cache hit rates), served as JSON at GET /stats behind
   * the same identity gate as /graphql: a caller must sign with its own service key for this subgraph.
   */
  stats?(): Record<string, unknown>;
  /** Reports this subgraph's own parts to the process's metrics (e.g. product's catalog cache hits and misses). */
  metrics?(metrics: Metrics): void;
  /** Apollo Server plugins of this subgraph (e.g. product's Cache-Control on public answers). */
  plugins?: ApolloServerPlugin<TContext>[];
  /** Background work (timers, consumers) to stop on shutdown. */
  stop?(): Promise<void>;
}

export interface RunningServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function startSubgraphServer(
  definition: SubgraphDefinition,
  deps: Pick<SubgraphDeps, 'config' | 'db'> & { metrics?: Metrics },
  listen: { host: string; port: number },
): Promise<RunningServer> {
  // Production: this subgraph's own signing key and its callers' verification keys, before anything listens.
  requireServiceKeys(deps.config.serviceKeys, definition.name, deps.config.isProduction);
  const app = express();
  // The request listener is added once Apollo Server has started (below); the drain plugin needs the server first.
  const httpServer = http.createServer();
  const server = new ApolloServer<BaseContext>({
    schema: definition.schema,
    formatError: makeFormatError({ isProduction: deps.config.isProduction }),
    includeStacktraceInErrorResponses: false,
    introspection: !deps.config.isProduction,
    // The entry point owns shutdown (platform/process.ts); Apollo's own signal handling races it.
    stopOnTerminationSignals: false,
    // Cache control is on by default and hooks every resolved field (willResolveField wraps each resolver), for
    // hints no schema of ours gives: ~2% of a product list's CPU for nothing (docs/performance.md).
    plugins: [
      ...(deps.metrics ? [requestMetricsPlugin<BaseContext>(deps.metrics, definition.name)] : []),
      ApolloServerPluginDrainHttpServer({ httpServer }),
      ApolloServerPluginInlineTraceDisabled(),
      ApolloServerPluginCacheControlDisabled(),
      operationResolutionPlugin,
      ...((definition.plugins ?? []) as ApolloServerPlugin<BaseContext>[]),
    ],
  });
  await server.start();

  app.get('/health', async (_req, res) => {
    try {
      await deps.db.raw('select 1');
      res.json({ status: 'ok', subgraph: definition.name });
    } catch {
      res.status(503).json({ status: 'unavailable', subgraph: definition.name });
    }
  });
  // Public routes first, outside the identity gate (see SubgraphDefinition.mountRoutes).
  definition.mountRoutes?.(app);
  const identity: IdentityGateOptions = {
    audience: definition.name,
    keys: deps.config.serviceKeys,
    maxAgeSeconds: deps.config.identityMaxAgeSeconds,
  };
  const { stats } = definition;
  if (stats) app.get('/stats', identityGate(identity), (_req, res) => void res.json(stats()));
  installErrorHandlers(app);

  const graphql = graphqlHttpHandler({
    server,
    maxBodyBytes: deps.config.maxRequestBodyBytes,
    caller: signedCaller(identity),
    context: (req, verified) =>
      definition.createContext({
        identity: verified,
        config: deps.config,
        requestId: String(req.headers['x-request-id'] ?? crypto.randomUUID()),
      }),
    onRefused: deps.metrics && ((refusal) => deps.metrics!.countRefusedRequest(definition.name, refusal.status, undefined)),
  });
  httpServer.on('request', (req, res) => (isGraphQLPath(req.url) ? graphql(req, res) : app(req, res)));

  await new Promise<void>((resolve) => httpServer.listen(listen.port, listen.host, resolve));
  const { port } = httpServer.address() as AddressInfo;
  return {
    url: `http://${listen.host}:${port}/graphql`,
    port,
    async close() {
      await server.stop();
      await definition.stop?.();
    },
  };
}
