/**
 * Runs codegen.ts into another folder so a test can compare with the committed files (test/composition.test.ts):
 * - each subgraph's resolver types into `<out>/<subgraph>/resolvers-types.ts`;
 * - each client app's typed documents into `<out>/<appKey>/src/gql/` and its persisted-query manifest into
 *   `<out>/<appKey>/persisted-query-manifest.json` (appKey = the app folder with `/` as `__`). Codegen validates every
 *   client document against schema/api.graphql: a document that no longer validates fails this script.
 * Usage: `tsx scripts/codegen-check.ts <out>` (every subgraph and codegen.ts's client apps), or
 * `tsx scripts/codegen-check.ts <out> --apps <dir>,<dir>` (those app folders only: a test's fixture app).
 */
import fs from 'node:fs';
import path from 'node:path';
import { generate } from '@graphql-codegen/cli';
import codegenConfig, { clientApps, clientOutput } from '../codegen';
import { manifestTextOf } from './lib/persisted-manifest';

export const appKey = (app: string) => app.replace(/^\/+/, '').replace(/\//g, '__');

async function main() {
  const outDir = path.resolve(process.argv[2]);
  const appsFlag = process.argv.indexOf('--apps');
  const apps = appsFlag > 0 ? process.argv[appsFlag + 1].split(',').filter(Boolean) : clientApps;
  const root = path.resolve(__dirname, '..');
  const subgraphOutputs = Object.entries(codegenConfig.generates)
    .filter(([target]) => appsFlag < 0 && target.startsWith('subgraphs/'))
    .map(([target, output]) => [path.join(outDir, target.split('/')[1], 'resolvers-types.ts'), output] as const);
  const appOutputs = apps.map((app) => [path.join(outDir, appKey(app), 'src/gql/'), clientOutput(app)] as const);
  await generate({ ...codegenConfig, generates: Object.fromEntries([...subgraphOutputs, ...appOutputs]), cwd: root }, true);
  for (const app of apps) {
    const dir = path.join(outDir, appKey(app));
    fs.writeFileSync(path.join(dir, 'persisted-query-manifest.json'), manifestTextOf(dir));
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
