/** Reads a subgraph's `schema.graphql` and builds its federated schema (no server involved). */
import fs from 'node:fs';
import path from 'node:path';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import { parse, type DocumentNode, type GraphQLSchema } from 'graphql';

export function subgraphTypeDefs(dir: string): DocumentNode {
  return parse(fs.readFileSync(path.join(dir, 'schema.graphql'), 'utf8'));
}

export function buildFederatedSchema(dir: string, resolvers: object): GraphQLSchema {
  return buildSubgraphSchema({ typeDefs: subgraphTypeDefs(dir), resolvers: resolvers as GraphQLResolverMap<unknown> });
}
