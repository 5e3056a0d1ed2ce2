/**
 * `npm run persisted-manifests` (also the tail of `npm run codegen`): writes, for each client app with operations,
 * `<app>/persisted-query-manifest.json` from the ids codegen wrote (docs/persisted-operations.md). A release
 * registers that file with the router (`npm run register-manifest -- <app> <version>`).
 */
import fs from 'node:fs';
import path from 'node:path';
import { clientApps } from '../codegen';
import { manifestTextOf } from './lib/persisted-manifest';

const root = path.resolve(__dirname, '..');
for (const app of clientApps) {
  const target = path.join(root, app, 'persisted-query-manifest.json');
  fs.writeFileSync(target, manifestTextOf(path.join(root, app)));
  console.log(`wrote ${path.relative(root, target)}`);
}
