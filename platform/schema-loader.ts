/** Reads a subgraph's `schema.graphql` and builds its federated schema (no server involved). */
import fs from 'node:fs';
import path from 'node:path';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import { checkInternalCallers, guardInternalFields, type InternalCallers } from './internal-callers';
import { parse, type DocumentNode, type GraphQLSchema } from 'graphql';

export function subgraphTypeDefs(dir: string): DocumentNode {
  return parse(fs.readFileSync(path.join(dir, 'schema.graphql'), 'utf8'));
}

/**
 * `internalCallers`: who may call each `@inaccessible` field (internal-callers.ts); the build fails unless it lists
 * exactly those fields, and every listed field refuses other callers.
 */
export function buildFederatedSchema(dir: string, resolvers: object, internalCallers: InternalCallers): GraphQLSchema {
  const typeDefs = subgraphTypeDefs(dir);
  checkInternalCallers(path.basename(dir), typeDefs, internalCallers);
  return guardInternalFields(buildSubgraphSchema({ typeDefs, resolvers: resolvers as GraphQLResolverMap<unknown> }), internalCallers);
}
