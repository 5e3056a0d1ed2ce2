/** `npm run compose`: writes schema/supergraph.graphql from supergraph.yaml, and schema/api.graphql (what clients see); prints errors and fails on a bad composition. */
import fs from 'node:fs';
import path from 'node:path';
import { apiSchemaSdl, composeSupergraph, CompositionError } from '../platform/composition';

const root = path.resolve(__dirname, '..');
const out = path.join(root, 'schema', 'supergraph.graphql');
try {
  const sdl = composeSupergraph(path.join(root, 'supergraph.yaml'));
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, sdl);
  fs.writeFileSync(path.join(root, 'schema', 'api.graphql'), apiSchemaSdl(sdl));
  console.log(`Composed ${path.relative(root, out)} (${sdl.split('\n').length} lines) and schema/api.graphql`);
} catch (error) {
  console.error(error instanceof CompositionError ? error.message : error);
  process.exit(1);
}
