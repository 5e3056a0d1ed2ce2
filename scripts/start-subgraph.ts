/**
 * `npm run start:subgraph -- <name>`: one subgraph alone on its port (`<NAME>_PORT`), e.g. one instance of many
 * behind a load balancer. Opens (provisions, migrates) its own database; seeds demo data only outside production.
 * Other subgraphs it calls are found at `<NAME>_URL`, else on their default ports.
 */
import { loadConfig, SUBGRAPH_NAMES, type Config, type SubgraphName } from '../platform/config';
import { launch } from '../app/launcher';
import { assertPortFree, onShutdownSignals, startupFailure } from '../platform/process';

const USAGE = `Usage: npm run start:subgraph -- <name>   (one of: ${SUBGRAPH_NAMES.join(', ')})`;

function parseName(args: string[]): SubgraphName {
  if (args.length !== 1) throw new Error(`expected one subgraph name, got ${args.length ? args.join(' ') : 'none'}\n${USAGE}`);
  const name = args[0];
  if (!(SUBGRAPH_NAMES as readonly string[]).includes(name)) throw new Error(`unknown subgraph "${name}"\n${USAGE}`);
  return name as SubgraphName;
}

function usesEmbeddedDatabase(config: Config, name: SubgraphName): boolean {
  return !config.databaseUrl && !config.subgraphDatabaseUrls[name];
}

async function main() {
  let name: SubgraphName;
  let config: Config;
  try {
    name = parseName(process.argv.slice(2));
    config = loadConfig();
    if (usesEmbeddedDatabase(config, name)) {
      // Instances behind a load balancer must share one database; an embedded one is per process.
      if (config.isProduction) {
        throw new Error(`NODE_ENV=production needs a database: set DATABASE_URL or ${name.toUpperCase()}_DATABASE_URL`);
      }
      // The embedded files (.data/pglite/<name>) are `npm start`'s too: never open them from two processes.
      await assertPortFree(config.host, config.ports[name], `set ${name.toUpperCase()}_PORT to another port`);
    }
  } catch (error) {
    startupFailure('subgraph', error);
  }
  const started = Date.now();
  const running = await launch({ config, subgraphs: [name], router: false });
  onShutdownSignals(`${name} subgraph`, () => running.stop());
  const database = running.databases.embedded.length
    ? `embedded PostgreSQL (PGlite, data in ${config.dataDir})`
    : `PostgreSQL at ${new URL(config.subgraphDatabaseUrls[name] ?? config.databaseUrl!).host}`;
  console.log(`database   ${database}`);
  console.log(`${name.padEnd(10)} ${running.subgraphs[name]!.url}`);
  if (running.metricsUrl) console.log(`metrics    ${running.metricsUrl}`);
  console.log(`Ready in ${Date.now() - started} ms.`);
}

main().catch((error: unknown) => startupFailure('subgraph', error));
