/**
 * Composition of the supergraph from `supergraph.yaml` (rover's config format) with @apollo/composition,
 * so no rover binary is needed. Used by `npm run compose` and by the staleness test.
 */
import fs from 'node:fs';
import path from 'node:path';
import { composeServices } from '@apollo/composition';
import { Supergraph } from '@apollo/federation-internals';
import { lexicographicSortSchema, parse, printSchema } from 'graphql';
import YAML from 'yaml';

interface SupergraphYaml {
  subgraphs: Record<string, { routing_url: string; schema: { file: string } }>;
}

export class CompositionError extends Error {}

export function composeSupergraph(configPath: string): string {
  const dir = path.dirname(configPath);
  const config = YAML.parse(fs.readFileSync(configPath, 'utf8')) as SupergraphYaml;
  const services = Object.entries(config.subgraphs).map(([name, subgraph]) => ({
    name,
    url: subgraph.routing_url,
    typeDefs: parse(fs.readFileSync(path.resolve(dir, subgraph.schema.file), 'utf8')),
  }));
  const result = composeServices(services);
  if (result.errors) {
    const lines = result.errors.map((error) => `  - ${error.extensions?.code ?? 'ERROR'}: ${error.message}`);
    throw new CompositionError(`Composition failed with ${result.errors.length} error(s):\n${lines.join('\n')}`);
  }
  return result.supergraphSdl.endsWith('\n') ? result.supergraphSdl : `${result.supergraphSdl}\n`;
}

/**
 * The schema clients see (the supergraph's API schema: no join directives, no @inaccessible fields), printed in a
 * stable order. Client documents are typed and validated against it (codegen.ts), never against the supergraph SDL,
 * which still holds the internal service-to-service fields.
 */
export function apiSchemaSdl(supergraphSdl: string): string {
  const apiSchema = Supergraph.build(supergraphSdl).apiSchema().toGraphQLJSSchema();
  return `${printSchema(lexicographicSortSchema(apiSchema))}\n`;
}
