/**
 * The comparison router of `npm run bench`: stock @apollo/gateway behind stock Apollo Server, nothing else — no
 * dedup, no caching, no limits, no timeouts, the gateway's default fetcher. The one addition is what the subgraphs
 * demand of every caller: the identity header, signed exactly as our router's data source signs it (docs/security.md),
 * from the same Bearer token. Without it every subgraph answers 401.
 *
 *   node --import tsx bench/stock-gateway.ts   (ROUTER_PORT, <NAME>_URL, JWT_SECRET, INTERNAL_SECRET)
 */
import fs from 'node:fs';
import { ApolloGateway, RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { loadConfig, type SubgraphName } from '../platform/config';
import { IDENTITY_HEADER, signIdentity, type Identity } from '../platform/identity';
import { identityFromRequest } from '../router/auth';

interface Context {
  identity: Identity;
}

async function main() {
  const config = loadConfig();
  class SignedDataSource extends RemoteGraphQLDataSource<Context> {
    constructor(url: string, private readonly subgraph: string) {
      super({ url });
    }
    override willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<Context>) {
      const identity = { ...(context?.identity ?? { scopes: [] }), audience: this.subgraph };
      request.http?.headers.set(IDENTITY_HEADER, signIdentity(identity, config.serviceKeys));
    }
  }
  const gateway = new ApolloGateway({
    supergraphSdl: fs.readFileSync(config.supergraphPath, 'utf8'),
    buildService: ({ name, url }) => new SignedDataSource(config.subgraphUrls[name as SubgraphName] ?? url ?? '', name),
  });
  const server = new ApolloServer<Context>({ gateway });
  const { url } = await startStandaloneServer(server, {
    listen: { host: config.host, port: config.ports.router },
    context: async ({ req }) => ({ identity: identityFromRequest(req, config) }),
  });
  console.log(`stock gateway ${url}`);
  const stop = () => void server.stop().then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
