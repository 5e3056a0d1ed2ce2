/**
 * Where this process's code lives: the TypeScript sources (tsx, jest) or the compiled JavaScript under dist/
 * (`npm run build`, scripts/build.ts). dist/ mirrors the source tree and carries every file read at run time (each
 * subgraph's schema.graphql, the composed supergraph, the explorer bundle), so code finds them next to itself either
 * way; local state (.data) and relative paths given in the environment stay relative to the project folder.
 */
import path from 'node:path';

/** True when running the compiled output (`node dist/...`), false under tsx or ts-jest. */
export const runsCompiled = path.extname(__filename) === '.js';

/** The tree holding the code and its run-time files: the repository, or its dist/ folder. */
export const codeDir = path.resolve(__dirname, '..');

/** The project folder (package.json's): dist/ is always built directly inside it. */
export const projectDir = runsCompiled ? path.resolve(codeDir, '..') : codeDir;
