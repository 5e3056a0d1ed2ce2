/**
 * The third router of `npm run bench`: Hive Gateway (`@graphql-hive/gateway`, pinned in bench/hive/package.json and
 * installed apart from the main install: `npm --prefix bench/hive ci`) on the committed supergraph, with its defaults —
 * in-flight dedup of identical subgraph queries (@graphql-tools/executor-http, on by default), no cache, no limits.
 * The one addition, as in bench/stock-gateway.ts, is what the subgraphs demand of every caller: the identity header,
 * signed per subgraph (`aud`) exactly as our router's data source signs it (docs/security.md), from the identity of
 * the same `Authorization: Bearer` token, verified by our own `identityFromRequest` (router/auth.ts) once per request.
 *
 *   node --import tsx bench/hive/gateway.ts   (ROUTER_PORT, <NAME>_URL, JWT_SECRET, INTERNAL_SECRET)
 */
import fs from 'node:fs';
import http from 'node:http';
import { createGatewayRuntime, type GatewayPlugin } from '@graphql-hive/gateway';
// Hive's own graphql (bench/hive/node_modules): an error it must recognise as a GraphQLError has to be from its copy.
import { GraphQLError } from 'graphql';
import { loadConfig, SUBGRAPH_NAMES } from '../../platform/config';
import { IDENTITY_HEADER, signIdentity, type Identity } from '../../platform/identity';
import { identityFromRequest } from '../../router/auth';

interface Context {
  /** The Node request, from the http server (Hive's server context). */
  req: http.IncomingMessage;
  identity: Identity;
}

async function main() {
  const config = loadConfig();

  /** Verifies the Bearer token once per client request and keeps the identity in the context. */
  const identityPlugin: GatewayPlugin<Context> = {
    onContextBuilding({ context, extendContext }) {
      try {
        extendContext({ identity: identityFromRequest(context.req!, config) });
      } catch (error) {
        // router/auth throws the root install's GraphQLError; hand Hive the same error from its own graphql.
        const { message, extensions } = error as GraphQLError;
        throw new GraphQLError(message, { extensions });
      }
    },
  };

  const gateway = createGatewayRuntime<Context>({
    supergraph: fs.readFileSync(config.supergraphPath, 'utf8'),
    transportEntries: Object.fromEntries(
      SUBGRAPH_NAMES.flatMap((name) => (config.subgraphUrls[name] ? [[name, { location: config.subgraphUrls[name] }]] : [])),
    ),
    // Per subgraph request: the identity header signed for that subgraph (Hive sets it in its onSubgraphExecute/onFetch).
    propagateHeaders: {
      fromClientToSubgraphs: ({ context, subgraphName }) => ({
        [IDENTITY_HEADER]: signIdentity({ ...(context.identity ?? { scopes: [] }), audience: subgraphName }, config.serviceKeys),
      }),
    },
    plugins: () => [identityPlugin],
  });

  const server = http.createServer(gateway);
  await new Promise<void>((resolve) => server.listen(config.ports.router, config.host, resolve));
  console.log(`hive gateway http://${config.host}:${config.ports.router}${gateway.graphqlEndpoint}`);
  const stop = () => {
    server.close();
    void Promise.resolve(gateway.dispose()).then(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
