/**
 * The router: the one public endpoint. Apollo Server 5 + @apollo/gateway on one HTTP server: POST /graphql for
 * operations straight from Node's http server (platform/graphql-http.ts); express 5 for the rest: GET /graphql
 * (queries over GET, and the explorer for browsers), GET /health for each subgraph's reachability, and (EXPLORER, on
 * outside production) the self-hosted explorer at GET /explorer.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginCacheControl } from '@apollo/server/plugin/cacheControl';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';
import { GraphQLError } from 'graphql';
import type { Config, SubgraphName } from '../platform/config';
import { makeFormatError } from '../platform/errors';
import { graphqlHttpHandler, isGraphQLPath } from '../platform/graphql-http';
import { graphqlRequestGuard, installErrorHandlers, operationResolutionPlugin, refusals, type Refusal } from '../platform/http-errors';
import { jsonTextNestsDeeperThan } from '../platform/json-depth';
import { identityGate } from '../platform/identity-gate';
import type { RunningServer } from '../platform/subgraph-server';
import { identityFromRequest } from './auth';
import { createExplorer, type Explorer, type ExplorerOptions } from './explorer';
import { webAppRoutes } from './web-apps';
import { InFlightDedup, type DedupStats } from './dedup';
import { boundedFetchers, createGateway, urlResolver, type RouterContext } from './gateway';
import type { PassThroughStats } from './pass-through';
import { subgraphHealth } from './health';
import { retryAfterPlugin } from './retry-after';
import { operationLimitsPlugin, tagTokenLimit } from './limits';
import { inputHygienePlugin, tagValidationAborted } from './input-hygiene';
import { capConnectionsPerAddress, httpServerOptions, type ConnectionCapStats } from './connection-limits';
import { createResponseCache, type ResponseCacheStats } from './response-cache';
import { createSafelist } from './safelist';
import { createEventBus, type EventBus } from '../platform/events/bus';
import { attachSubscriptions } from './subscriptions';
import { notifyProxy } from './notify-proxy';
import { requireServiceKeys } from '../platform/service-keys';
import { requestMetricsPlugin, type Metrics } from '../platform/metrics';
import { measuredFetchers, watchRouterParts } from './metrics';
import { createSessionRevocations } from '../platform/session-revocation';
import { createOpenGateway, isOpenPath } from './open/gateway';
import { createHealth, isProbePath, Readiness, redisCheck, refuseClosing, ReadinessError } from '../platform/health';
import { configureLoggingOnce, log } from '../platform/log';
import { observeRequests, requestContextPlugin } from '../platform/observe';
import { currentRequestId, requestIdOf } from '../platform/request-context';

const routerLog = log.child({ service: 'router' });

export interface RouterOptions {
  config: Config;
  host: string;
  port: number;
  /** Subgraph URL overrides, e.g. the ephemeral ports of an in-process supergraph. */
  subgraphUrls?: Partial<Record<SubgraphName, string>>;
  /** Where the explorer bundle lives and how to build it (tests); used only when `config.explorerEnabled`. */
  explorer?: ExplorerOptions;
  /** The process's event bus (subscriptions listen on it); otherwise the router creates its own and closes it. */
  events?: EventBus;
  /** The process's draining state (`npm start` shares one among its servers); otherwise the router's own. */
  readiness?: Readiness;
  /** The process's metrics (platform/metrics.ts), served by whoever started the router; none when absent. */
  metrics?: Metrics;
}

export interface RunningRouter extends RunningServer {
  /** The explorer, when enabled: `prepare()` builds its bundle if missing or stale (otherwise done on first visit). */
  explorer?: Explorer;
  /** Counts of the in-flight deduplication (router/dedup.ts), when ROUTER_DEDUP is on. */
  dedupStats?: DedupStats;
  /** Counts of the response cache (router/response-cache.ts), when ROUTER_RESPONSE_CACHE is on. */
  responseCacheStats?: ResponseCacheStats;
  /** Operations passed through to one subgraph or planned (router/pass-through.ts), when ROUTER_PASS_THROUGH is on. */
  passThroughStats?: PassThroughStats;
  /** Connections refused by the per-address cap (router/connection-limits.ts). */
  connectionCapStats: ConnectionCapStats;
}

/**
 * GraphQLErrors here are raised on purpose (a subgraph timed out) or relayed from a subgraph, which logs its own
 * stack: one line is enough. Anything else is a router bug: log it whole.
 */
function logUnexpectedError(error: unknown) {
  const deliberate = error instanceof GraphQLError && (!error.originalError || error.originalError instanceof GraphQLError);
  if (deliberate) routerLog.error(error.message);
  else routerLog.error({ err: error }, 'unexpected error');
}

/**
 * The token limit is enforced by graphql-js's parser, and its overlapping-fields check has a budget of its own; their
 * refusals are relabelled like the other limits.
 */
function withTokenLimit(format: ReturnType<typeof makeFormatError>, config: Config): ReturnType<typeof makeFormatError> {
  const tag = tagTokenLimit(config.operationLimits.maxTokens);
  const aborted = tagValidationAborted(config.operationLimits.maxFields);
  return (formatted, error) => format(aborted(tag(formatted)), error);
}

/**
 * GET /graphql carries its variables and extensions as JSON in the query string, and its operationName: held to the
 * same bounds as a POST body (platform/graphql-http.ts).
 */
function queryStringGuard(config: Config): express.RequestHandler {
  const refuse = (res: express.Response, { status, body }: Refusal) => void res.status(status).type('application/json').send(JSON.stringify(body));
  return (req, res, next) => {
    for (const name of ['variables', 'extensions']) {
      const value = req.query[name];
      if (typeof value === 'string' && jsonTextNestsDeeperThan(value, config.maxJsonDepth)) return refuse(res, refusals.tooDeep(config.maxJsonDepth));
    }
    const name = req.query.operationName;
    if (typeof name === 'string' && name.length > config.maxOperationNameLength) {
      return refuse(res, refusals.operationNameTooLong(config.maxOperationNameLength, name.length));
    }
    next();
  };
}

export async function startRouter(options: RouterOptions): Promise<RunningRouter> {
  const { config } = options;
  // Production: the router's own signing key, configured (never derived); refused before anything listens.
  requireServiceKeys(config.serviceKeys, 'router', config.isProduction);
  // LOG_LEVEL / LOG_FORMAT, unless the entry point or a test configured the logger already.
  configureLoggingOnce(config.log);
  const app = express();
  app.disable('x-powered-by');
  // The request listener is added once everything is set up (below); the drain plugin and subscriptions need it first.
  const httpServer = http.createServer(httpServerOptions(config.http));
  const connectionCap = capConnectionsPerAddress(httpServer, config.http);
  const { metrics } = options;
  const fetchers = metrics ? measuredFetchers(boundedFetchers(config), metrics) : boundedFetchers(config);
  const resolveUrl = urlResolver(config, options.subgraphUrls);
  const dedup = config.routerDedup ? new InFlightDedup() : undefined;
  const { gateway, passThrough, costDirectives } = createGateway(config, resolveUrl, fetchers, dedup);
  const responseCache = config.routerResponseCache.enabled ? createResponseCache(config) : undefined;
  // Persisted operations and the per-client safelist (docs/persisted-operations.md).
  const safelist = createSafelist({ config, metrics, openUrl: () => resolveUrl('open', `http://${config.host}:${config.ports.open}/graphql`) });
  // Sessions ended by the user subgraph (logout, refresh-token reuse), followed in memory: their tokens are refused.
  const revocations = createSessionRevocations(config, { read: true });

  const server = new ApolloServer<RouterContext>({
    gateway,
    formatError: withTokenLimit(makeFormatError({ isProduction: config.isProduction, log: logUnexpectedError }), config),
    // Counted while parsing: a huge document is refused before its syntax tree exists (docs/limits.md).
    parseOptions: { maxTokens: config.operationLimits.maxTokens },
    includeStacktraceInErrorResponses: false,
    introspection: !config.isProduction || config.explorerEnabled,
    // Whoever started the router decides when to stop it (entry points handle SIGTERM/SIGINT).
    stopOnTerminationSignals: false,
    plugins: [
      ...(metrics ? [requestMetricsPlugin<RouterContext>(metrics, 'router', { countRefusals: true })] : []),
      safelist.plugin,
      // In-flight requests finish within SHUTDOWN_GRACE_MS once the router closes; then their sockets are cut.
      ApolloServerPluginDrainHttpServer({ httpServer, stopGracePeriodMillis: config.lifecycle.shutdownGraceMs }),
      // The default landing page loads Apollo Sandbox from a CDN; the router serves its own explorer instead.
      ApolloServerPluginLandingPageDisabled(),
      // Operation, user and error codes into the request's access line (platform/observe.ts).
      requestContextPlugin,
      retryAfterPlugin(),
      // Before operation resolution, whose message names an unknown operationName.
      inputHygienePlugin({ maxOperationNameLength: config.maxOperationNameLength, maxFields: config.operationLimits.maxFields }),
      operationResolutionPlugin,
      operationLimitsPlugin(config.operationLimits, config.maxPageSize, costDirectives),
      // Folds the subgraphs' Cache-Control into each operation's cache policy (what the response cache keeps); no
      // header from it: a browser or CDN keeping an answer would not see the catalog's invalidation. GET answers get a
      // short one from the safelist (router/safelist/cache-headers.ts, docs/persisted-operations.md).
      ApolloServerPluginCacheControl({ calculateHttpHeaders: false }),
      ...(responseCache ? [responseCache.plugin] : []),
    ],
  });
  // Subscriptions (graphql-ws, same server and path): attached before start, when the gateway announces its schema.
  const bus = options.events ?? createEventBus(config);
  const subscriptions = attachSubscriptions({ httpServer, path: '/graphql', config, server, gateway, bus, revocations, safelist });
  await server.start();
  if (metrics) watchRouterParts(metrics, { dedup: dedup?.stats, responseCache: responseCache?.stats, connectionCap, subscriptions });

  // Counters for operators and the bench (docs/catalog-cache.md), for callers that sign with the router's key for
  // the audience `router`, as subgraphs' /stats: the router is public, its counters are not for everyone.
  const statsGate = identityGate({ audience: 'router', keys: config.serviceKeys, maxAgeSeconds: config.identityMaxAgeSeconds });
  app.get('/stats', statsGate, (_req, res) => {
    res.json({
      responseCache: responseCache ? { enabled: true, ...responseCache.stats, entries: responseCache.entries() } : { enabled: false },
      passThrough: passThrough ? { enabled: true, ...passThrough } : { enabled: false },
    });
  });
  // The open platform's signed endpoint (router/open/gateway.ts): registered operations only, never free-form GraphQL.
  // Without OPEN_SECRET_KEY (production only) no app secret opens: every call answers REGISTRY_UNAVAILABLE.
  if (!config.open.secretKey) routerLog.warn('OPEN_SECRET_KEY is not set: the open platform (/open/v1) refuses every call');
  let listeningPort = options.port;
  const open = createOpenGateway({
    config,
    server,
    openUrl: () => resolveUrl('open', `http://${config.host}:${config.ports.open}/graphql`),
    gatewayId: () => `${config.host}:${listeningPort}#${process.pid}`,
    events: bus,
  });
  app.get('/open/stats', statsGate, (_req, res) => void res.json(open.stats()));
  // GET /livez, GET /readyz (platform/health.ts). Subgraphs are not checked here: one subgraph down must not take
  // every router out of the balancer (GET /health reports them).
  const readiness = options.readiness ?? new Readiness(config.lifecycle.shutdownDelayMs);
  const redisProbe = config.redisUrl ? redisCheck(config.redisUrl, config.lifecycle.readinessTimeoutMs) : undefined;
  createHealth({
    service: 'router',
    readiness,
    checks: [
      {
        name: 'supergraph',
        run: async () => {
          // The gateway composed its schema from SUPERGRAPH_PATH (server.start() above).
          if (!gateway.schema) throw new ReadinessError('not loaded');
        },
      },
      ...(redisProbe ? [redisProbe] : []),
    ],
    timeoutMs: config.lifecycle.readinessTimeoutMs,
  }).mount(app);
  app.get('/health', async (_req, res) => {
    const report = await subgraphHealth(config, resolveUrl, fetchers);
    res.status(report.status === 'ok' ? 200 : 503).json(report);
  });
  // The bundle is built on the first visit, not here: routers started by tests never pay for it.
  const explorer = config.explorerEnabled ? createExplorer({ endpoint: '/graphql', ...options.explorer }) : undefined;
  if (explorer) app.use(explorer.routes);
  // The storefront at /shop and the staff's operations console at /console (router/web-apps.ts).
  app.use(webAppRoutes());
  // Provider callbacks, known paths only: forwarded as they are to payment (and carrier pushes to order): router/notify-proxy.ts.
  const notify = notifyProxy(config, (service) => new URL(resolveUrl(service, `http://${config.host}:${config.ports[service]}/graphql`)).origin);
  app.use('/notify', notify.router);
  app.use(
    '/graphql',
    ...graphqlRequestGuard({ maxBodyBytes: config.maxRequestBodyBytes }),
    queryStringGuard(config),
    expressMiddleware(server, {
      context: async ({ req }) => ({
        identity: identityFromRequest(req, config, revocations),
        requestId: currentRequestId() ?? requestIdOf(req.headers['x-request-id']),
      }),
    }),
  );
  installErrorHandlers(app, { log: logUnexpectedError });

  // Every operation a client sends is a POST: served without express's machinery, with the same answers. GET
  // /graphql stays with express above, where the explorer may answer a browser before Apollo Server does.
  const graphql = graphqlHttpHandler({
    server,
    maxBodyBytes: config.maxRequestBodyBytes,
    maxJsonDepth: config.maxJsonDepth,
    maxOperationNameLength: config.maxOperationNameLength,
    // No gate: anonymous callers are welcome; a bad Authorization header is refused by the context (401).
    caller: () => undefined,
    context: (req) => ({
      identity: identityFromRequest(req, config, revocations),
      requestId: currentRequestId() ?? requestIdOf(req.headers['x-request-id']),
    }),
    log: logUnexpectedError,
    onRefused: metrics && ((refusal) => metrics.countRefusedRequest('router', refusal.status, refusal.body.errors, { countRefusals: true })),
  });
  let closing = false;
  // Every request: its x-request-id, a span when tracing is on, and one access line (platform/observe.ts).
  httpServer.on(
    'request',
    observeRequests('router', (req, res) => {
      if (closing && !isProbePath(req.url)) return refuseClosing(res);
      return req.method === 'POST' && isGraphQLPath(req.url) ? graphql(req, res) : isOpenPath(req.url) ? open.handle(req, res) : app(req, res);
    }),
  );

  await new Promise<void>((resolve) => httpServer.listen(options.port, options.host, resolve));
  const { port } = httpServer.address() as AddressInfo;
  listeningPort = port;
  return {
    url: `http://${options.host}:${port}/graphql`,
    port,
    explorer,
    dedupStats: dedup?.stats,
    passThroughStats: passThrough,
    responseCacheStats: responseCache?.stats,
    connectionCapStats: connectionCap,
    async close() {
      // Balancers first see /readyz 503 (SHUTDOWN_DELAY_MS); then new requests are refused (503) and subscription
      // sockets closed with 1012 (clients reconnect, through the balancer, to another router).
      await readiness.drain();
      closing = true;
      // Sockets first: the HTTP drain does not see upgraded connections.
      await subscriptions.close();
      // The listener closes; in-flight requests finish within SHUTDOWN_GRACE_MS.
      await server.stop();
      await redisProbe?.close();
      if (!options.events) await bus.close();
      await fetchers.close();
      await notify.close();
      await responseCache?.close();
      await revocations.close();
      await open.close();
      await safelist.close();
    },
  };
}
