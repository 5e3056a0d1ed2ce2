/**
 * The router: the one public endpoint. express 5 + Apollo Server 5 + @apollo/gateway on one HTTP server,
 * POST /graphql for operations, GET /health for each subgraph's reachability.
 */
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';
import type { Config, SubgraphName } from '../platform/config';
import { makeFormatError } from '../platform/errors';
import type { RunningServer } from '../platform/subgraph-server';
import { identityFromRequest } from './auth';
import { boundedFetcher, createGateway, urlResolver, type RouterContext } from './gateway';
import { subgraphHealth } from './health';

export interface RouterOptions {
  config: Config;
  host: string;
  port: number;
  /** Subgraph URL overrides, e.g. the ephemeral ports of an in-process supergraph. */
  subgraphUrls?: Partial<Record<SubgraphName, string>>;
}

export async function startRouter(options: RouterOptions): Promise<RunningServer> {
  const { config } = options;
  const app = express();
  const httpServer = http.createServer(app);
  const { fetcher, close: closeFetcher } = boundedFetcher(config);
  const resolveUrl = urlResolver(config, options.subgraphUrls);
  const gateway = createGateway(config, resolveUrl, fetcher);

  const server = new ApolloServer<RouterContext>({
    gateway,
    formatError: makeFormatError({ isProduction: config.isProduction }),
    includeStacktraceInErrorResponses: false,
    introspection: !config.isProduction || config.explorerEnabled,
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      // The default landing page loads Apollo Sandbox from a CDN; the router serves its own explorer instead.
      ApolloServerPluginLandingPageDisabled(),
    ],
  });
  await server.start();

  app.get('/health', async (_req, res) => {
    const report = await subgraphHealth(config, resolveUrl, fetcher);
    res.status(report.status === 'ok' ? 200 : 503).json(report);
  });
  app.use(
    '/graphql',
    express.json({ limit: '1mb' }),
    expressMiddleware(server, {
      context: async ({ req }) => ({
        identity: identityFromRequest(req.headers, config),
        requestId: String(req.headers['x-request-id'] ?? crypto.randomUUID()),
      }),
    }),
  );

  await new Promise<void>((resolve) => httpServer.listen(options.port, options.host, resolve));
  const { port } = httpServer.address() as AddressInfo;
  return {
    url: `http://${options.host}:${port}/graphql`,
    port,
    async close() {
      await server.stop();
      await closeFetcher();
    },
  };
}
