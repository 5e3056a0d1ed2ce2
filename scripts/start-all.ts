/**
 * `npm start`: the whole supergraph in one process — every subgraph and the router. Without DATABASE_URL each
 * subgraph runs on its own embedded PGlite under .data/ and demo data is seeded on first start (not in production).
 */
import { DEV_ADMIN_PASSWORD, loadConfig, type Config } from '../platform/config';
import { launch } from '../app/launcher';
import { onShutdownSignals, startupFailure } from '../platform/process';

async function main(config: Config) {
  const started = Date.now();
  const supergraph = await launch({ config });
  onShutdownSignals('supergraph', () => supergraph.stop());
  const mode = supergraph.databases.embedded.length
    ? `embedded PostgreSQL (PGlite, one per subgraph, data in ${config.dataDir})`
    : `PostgreSQL at ${new URL(config.databaseUrl!).host}`;
  console.log(`database   ${mode}`);
  console.log(`redis      ${config.redisUrl ? new URL(config.redisUrl).host : 'none (in-process rate limits)'}`);
  for (const [name, subgraph] of Object.entries(supergraph.subgraphs)) console.log(`${name.padEnd(10)} ${subgraph.url}`);
  console.log(`router     ${supergraph.routerUrl}`);
  if (supergraph.metricsUrl) console.log(`metrics    ${supergraph.metricsUrl} (every service; not for the public)`);
  if (!config.isProduction) {
    const password = config.adminPassword === DEV_ADMIN_PASSWORD ? `${DEV_ADMIN_PASSWORD} (development default)` : 'ADMIN_PASSWORD as set';
    console.log(`staff      login account "admin", password ${password}`);
  }
  if (supergraph.router?.explorer) {
    // Build the explorer bundle now (first start only) so the first visit does not wait.
    await supergraph.router.explorer.prepare();
    console.log(`\nReady in ${Date.now() - started} ms. Open the explorer: ${supergraph.routerUrl}`);
  } else {
    console.log(`\nReady in ${Date.now() - started} ms.`);
  }
}

let config: Config;
try {
  config = loadConfig();
} catch (error) {
  startupFailure('supergraph', error);
}
main(config!).catch((error: unknown) => startupFailure('supergraph', error));
