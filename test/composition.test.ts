/** The committed supergraph and generated resolver types must match their sources. */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { apiSchemaSdl, composeSupergraph, CompositionError } from '../platform/composition';

const root = path.resolve(__dirname, '..');

describe('composition', () => {
  it('committed schema/supergraph.graphql is what supergraph.yaml composes to (run `npm run compose`)', () => {
    const committed = fs.readFileSync(path.join(root, 'schema/supergraph.graphql'), 'utf8');
    expect(composeSupergraph(path.join(root, 'supergraph.yaml'))).toBe(committed);
  });

  it('committed schema/api.graphql is the API schema clients see: no internal fields, no federation machinery', () => {
    const supergraph = fs.readFileSync(path.join(root, 'schema/supergraph.graphql'), 'utf8');
    const committed = fs.readFileSync(path.join(root, 'schema/api.graphql'), 'utf8');
    expect(apiSchemaSdl(supergraph)).toBe(committed);
    expect(committed).not.toMatch(/join__|@inaccessible|_entities|_service/);
    // Service-to-service fields stay out of what client documents are validated against.
    expect(supergraph).toMatch(/@inaccessible/);
  });

  it('fails readably on a broken composition', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'compose-'));
    fs.writeFileSync(path.join(dir, 'a.graphql'), 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])\ntype Query { a: Thing }\ntype Thing @key(fields: "id") { id: ID! size: Int }');
    fs.writeFileSync(path.join(dir, 'b.graphql'), 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])\ntype Query { b: Thing }\ntype Thing @key(fields: "id") { id: ID! size: String }');
    fs.writeFileSync(
      path.join(dir, 'supergraph.yaml'),
      'subgraphs:\n  a:\n    routing_url: http://a\n    schema:\n      file: ./a.graphql\n  b:\n    routing_url: http://b\n    schema:\n      file: ./b.graphql\n',
    );
    expect(() => composeSupergraph(path.join(dir, 'supergraph.yaml'))).toThrow(CompositionError);
    expect(() => composeSupergraph(path.join(dir, 'supergraph.yaml'))).toThrow(/Thing\.size/);
  });
});

describe('codegen', () => {
  it('committed resolver types are what `npm run codegen` generates', () => {
    const files = fs.readdirSync(path.join(root, 'subgraphs')).filter((name) =>
      fs.existsSync(path.join(root, 'subgraphs', name, 'generated/resolvers-types.ts')),
    );
    const before = new Map(files.map((name) => [name, fs.readFileSync(path.join(root, 'subgraphs', name, 'generated/resolvers-types.ts'), 'utf8')]));
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'codegen-'));
    // Generate into a scratch copy of the config's targets, so a stale tree is reported, not silently fixed.
    execFileSync(process.execPath, [require.resolve('tsx/cli'), path.join(root, 'scripts/codegen-check.ts'), out], { cwd: root, stdio: 'pipe' });
    for (const name of files) {
      const generated = fs.readFileSync(path.join(out, name, 'resolvers-types.ts'), 'utf8');
      expect({ subgraph: name, generated }).toEqual({ subgraph: name, generated: before.get(name) });
    }
  }, 120_000);
});
