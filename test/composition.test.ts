/** The committed supergraph, generated resolver types and client apps' typed documents and manifests must match their sources. */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { apiSchemaSdl, composeSupergraph, CompositionError } from '../platform/composition';
import { clientApps } from '../codegen';

const root = path.resolve(__dirname, '..');
const checkScript = path.join(root, 'scripts/codegen-check.ts');
const runCheck = (args: string[]) => execFileSync(process.execPath, [require.resolve('tsx/cli'), checkScript, ...args], { cwd: root, stdio: 'pipe' });
const appKey = (app: string) => app.replace(/^\/+/, '').replace(/\//g, '__');

/** Files under `dir` (relative paths), recursively. */
function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true, recursive: true }).filter((e) => e.isFile()).map((e) => path.relative(dir, path.join(e.parentPath, e.name))).sort();
}

/**
 * What is stale in a client app (`appDir`) against a fresh generation of it (`generatedDir`): each file of
 * `src/gql/` and the persisted-query manifest, missing, extra or different.
 */
function staleClientFiles(appDir: string, generatedDir: string): string[] {
  const stale: string[] = [];
  const generated = filesUnder(path.join(generatedDir, 'src/gql'));
  const committed = filesUnder(path.join(appDir, 'src/gql'));
  for (const file of new Set([...generated, ...committed])) {
    const a = path.join(appDir, 'src/gql', file);
    const b = path.join(generatedDir, 'src/gql', file);
    if (!fs.existsSync(a) || !fs.existsSync(b) || fs.readFileSync(a, 'utf8') !== fs.readFileSync(b, 'utf8')) stale.push(`src/gql/${file}`);
  }
  const manifest = 'persisted-query-manifest.json';
  const committedManifest = path.join(appDir, manifest);
  if (!fs.existsSync(committedManifest) || fs.readFileSync(committedManifest, 'utf8') !== fs.readFileSync(path.join(generatedDir, manifest), 'utf8')) stale.push(manifest);
  return stale;
}

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
    // Generate into a scratch copy of the config's targets, so a stale tree is reported, not silently fixed. Client
    // apps' documents are generated too: one that no longer validates against schema/api.graphql fails here.
    runCheck([out]);
    for (const name of files) {
      const generated = fs.readFileSync(path.join(out, name, 'resolvers-types.ts'), 'utf8');
      expect({ subgraph: name, generated }).toEqual({ subgraph: name, generated: before.get(name) });
    }
    // Every client app's typed documents and persisted-query manifest (npm run codegen && npm run persisted-manifests).
    for (const app of clientApps) expect({ app, stale: staleClientFiles(path.join(root, app), path.join(out, appKey(app))) }).toEqual({ app, stale: [] });
  }, 120_000);

  it('the client check catches a stale app, a stale manifest and a document that no longer validates (fixture app)', () => {
    const app = fs.mkdtempSync(path.join(os.tmpdir(), 'client-app-'));
    fs.mkdirSync(path.join(app, 'operations'));
    const operation = (fields: string) => `query ProductTitle($id: ID!) {\n  product(id: $id) {\n    ${fields}\n  }\n}\n`;
    fs.writeFileSync(path.join(app, 'operations/product.graphql'), operation('id title'));
    // The fixture's "committed" output: a generation copied into the app, as `npm run codegen` would leave it.
    const first = fs.mkdtempSync(path.join(os.tmpdir(), 'codegen-client-'));
    runCheck([first, '--apps', app]);
    fs.cpSync(path.join(first, appKey(app)), app, { recursive: true });
    const manifest = JSON.parse(fs.readFileSync(path.join(app, 'persisted-query-manifest.json'), 'utf8'));
    expect(manifest).toMatchObject({ format: 'apollo-persisted-query-manifest', version: 1, operations: [{ name: 'ProductTitle', type: 'query' }] });
    expect(manifest.operations[0].id).toMatch(/^[0-9a-f]{64}$/);
    expect(staleClientFiles(app, path.join(first, appKey(app)))).toEqual([]);

    // An edited operation: the committed typed documents and manifest are stale.
    fs.writeFileSync(path.join(app, 'operations/product.graphql'), operation('id title minPrice'));
    const second = fs.mkdtempSync(path.join(os.tmpdir(), 'codegen-client-'));
    runCheck([second, '--apps', app]);
    expect(staleClientFiles(app, path.join(second, appKey(app)))).toEqual(expect.arrayContaining(['src/gql/graphql.ts', 'src/gql/persisted-documents.json', 'persisted-query-manifest.json']));
    // Only the manifest left behind (someone ran codegen but not persisted-manifests): still stale.
    fs.cpSync(path.join(second, appKey(app), 'src'), path.join(app, 'src'), { recursive: true });
    expect(staleClientFiles(app, path.join(second, appKey(app)))).toEqual(['persisted-query-manifest.json']);

    // A field the API schema does not have: the check itself fails, naming the document.
    fs.writeFileSync(path.join(app, 'operations/product.graphql'), operation('id noSuchField'));
    const third = fs.mkdtempSync(path.join(os.tmpdir(), 'codegen-client-'));
    expect(() => runCheck([third, '--apps', app])).toThrow(/Cannot query field "noSuchField" on type "Product"/);
  }, 120_000);
});
