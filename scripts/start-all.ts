/**
 * `npm start`: the whole supergraph in one process — every subgraph and the router. Without DATABASE_URL each
 * subgraph runs on its own embedded PGlite under .data/ and demo data is seeded on first start (not in production).
 */
import { DEV_ADMIN_PASSWORD, loadConfig, type Config } from '../platform/config';
import { launch } from '../app/launcher';
import { announce, configureLogging } from '../platform/log';
import { onShutdownSignals, shutdownDeadlineMs, startupFailure } from '../platform/process';

async function main(config: Config) {
  const started = Date.now();
  const supergraph = await launch({ config });
  onShutdownSignals('supergraph', () => supergraph.stop(), shutdownDeadlineMs(config));
  const mode = supergraph.databases.embedded.length
    ? `embedded PostgreSQL (PGlite, one per subgraph, data in ${config.dataDir})`
    : `PostgreSQL at ${new URL(config.databaseUrl!).host}`;
  announce(`database   ${mode}`, config.isProduction);
  announce(`redis      ${config.redisUrl ? new URL(config.redisUrl).host : 'none (in-process rate limits)'}`, config.isProduction);
  for (const [name, subgraph] of Object.entries(supergraph.subgraphs)) announce(`${name.padEnd(10)} ${subgraph.url}`, config.isProduction);
  announce(`router     ${supergraph.routerUrl}`, config.isProduction);
  if (supergraph.metricsUrl) announce(`metrics    ${supergraph.metricsUrl} (every service; not for the public)`, config.isProduction);
  if (!config.isProduction) {
    const password = config.adminPassword === DEV_ADMIN_PASSWORD ? `${DEV_ADMIN_PASSWORD} (development default)` : 'ADMIN_PASSWORD as set';
    announce(`staff      login account "admin", password ${password}`, config.isProduction);
  }
  if (supergraph.router?.explorer) {
    // Build the explorer bundle now (first start only) so the first visit does not wait.
    await supergraph.router.explorer.prepare();
    announce(`\nReady in ${Date.now() - started} ms. Open the explorer: ${supergraph.routerUrl}`, config.isProduction);
  } else {
    announce(`\nReady in ${Date.now() - started} ms.`, config.isProduction);
  }
}

let config: Config;
try {
  config = loadConfig();
  configureLogging(config.log);
} catch (error) {
  startupFailure('supergraph', error);
}
main(config!).catch((error: unknown) => startupFailure('supergraph', error));
