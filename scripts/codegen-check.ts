/** Runs codegen.ts into another folder (argv[2]/<subgraph>/resolvers-types.ts) so a test can compare with the committed files. */
import path from 'node:path';
import { generate } from '@graphql-codegen/cli';
import codegenConfig from '../codegen';

async function main() {
  const outDir = path.resolve(process.argv[2]);
  const generates = Object.fromEntries(
    // Subgraph resolver types only; client apps' typed documents are checked on their own.
    Object.entries(codegenConfig.generates).filter(([target]) => target.startsWith('subgraphs/')).map(([target, output]) => {
      const subgraph = target.split('/')[1];
      return [path.join(outDir, subgraph, 'resolvers-types.ts'), output];
    }),
  );
  await generate({ ...codegenConfig, generates, cwd: path.resolve(__dirname, '..') }, true);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
