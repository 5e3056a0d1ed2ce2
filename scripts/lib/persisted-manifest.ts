/**
 * Apollo's persisted-query manifest (https://www.apollographql.com/docs/graphos/routing/security/persisted-queries)
 * built from what the client preset writes (`<app>/src/gql/persisted-documents.json`: `{ "<sha256 hex>": body }`,
 * or `"sha256:<hex>"` keys). The id is always recomputed from the body: the router looks operations up by the
 * sha256 a client sends as `extensions.persistedQuery.sha256Hash`, so a manifest whose ids were not the bodies' hashes
 * would refuse its own client.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Kind, parse, type OperationDefinitionNode } from 'graphql';

export interface ManifestOperation {
  id: string;
  name: string;
  type: 'query' | 'mutation' | 'subscription';
  body: string;
}

export interface PersistedQueryManifest {
  format: 'apollo-persisted-query-manifest';
  version: 1;
  operations: ManifestOperation[];
}

export const sha256Hex = (text: string) => crypto.createHash('sha256').update(text).digest('hex');

/** One manifest entry per document; each document must hold exactly one named operation (what a client sends). */
export function manifestFromDocuments(documents: Record<string, string>): PersistedQueryManifest {
  const operations = Object.values(documents).map((body): ManifestOperation => {
    const definitions = parse(body).definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
    if (definitions.length !== 1 || !definitions[0].name) throw new Error(`a persisted document must hold exactly one named operation:\n${body}`);
    return { id: sha256Hex(body), name: definitions[0].name.value, type: definitions[0].operation, body };
  });
  // Stable order: the file is committed and checked for staleness.
  operations.sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
  return { format: 'apollo-persisted-query-manifest', version: 1, operations };
}

export const manifestText = (manifest: PersistedQueryManifest) => `${JSON.stringify(manifest, null, 2)}\n`;

/** Reads `<appDir>/<gqlDir>/persisted-documents.json` and answers the manifest's text. */
export function manifestTextOf(appDir: string, gqlDir = 'src/gql'): string {
  const documents = JSON.parse(fs.readFileSync(path.join(appDir, gqlDir, 'persisted-documents.json'), 'utf8')) as Record<string, string>;
  return manifestText(manifestFromDocuments(documents));
}

/** Checks a parsed file is a manifest of the expected shape (the register CLI and the open subgraph read them). */
export function isManifest(value: unknown): value is PersistedQueryManifest {
  const m = value as PersistedQueryManifest;
  return (
    !!m &&
    m.format === 'apollo-persisted-query-manifest' &&
    m.version === 1 &&
    Array.isArray(m.operations) &&
    m.operations.every((op) => op && typeof op.id === 'string' && typeof op.name === 'string' && typeof op.body === 'string' && typeof op.type === 'string')
  );
}
