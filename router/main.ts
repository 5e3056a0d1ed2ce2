/**
 * `npm run start:router`: the router alone (production: any number of instances behind a load balancer).
 * Serves SUPERGRAPH_PATH (default schema/supergraph.graphql); each subgraph is reached at `<NAME>_URL`, else at
 * the routing_url composed into the supergraph.
 */
import fs from 'node:fs';
import v8 from 'node:v8';
import { loadConfig, type Config, type SubgraphName } from '../platform/config';
import { onShutdownSignals, startupFailure } from '../platform/process';
import { supergraphSubgraphs } from './health';
import { startRouter } from './server';
import { createMetrics, serveMetrics } from '../platform/metrics';
import { KNOWN_OPERATIONS } from './known-operations';

/**
 * How far V8 lets the old generation grow past what survived the last full GC before collecting again: 1.5×. V8's
 * own factor goes up to 4× while the process looks idle, as right after start-up: under the bench the first full GC
 * then came only at ~175 MB of old space (for ~60 MB live), and that first cycle was the router's peak RSS (~320 MB).
 * V8 reads the flag whenever it sets a new limit, so setting it here, before start-up allocates, is enough.
 */
const HEAP_GROWING_PERCENT = 50;

async function main(config: Config) {
  v8.setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
  const started = Date.now();
  const metrics = createMetrics(config, KNOWN_OPERATIONS);
  const router = await startRouter({ config, host: config.host, port: config.ports.router, metrics });
  const metricsServer = await serveMetrics(metrics, config, config.ports.router);
  onShutdownSignals('router', async () => {
    await metricsServer?.close();
    await router.close();
  });

  const sdl = fs.readFileSync(config.supergraphPath, 'utf8');
  console.log(`supergraph ${config.supergraphPath}`);
  for (const { name, url } of supergraphSubgraphs(sdl)) {
    const override = config.subgraphUrls[name as SubgraphName];
    console.log(`${name.padEnd(10)} ${override ?? url}${override ? ` (${name.toUpperCase()}_URL)` : ''}`);
  }
  console.log(`router     ${router.url}`);
  if (metricsServer) console.log(`metrics    ${metricsServer.url}`);
  // Which provider callbacks reach payment through this router (router/notify-proxy.ts).
  console.log(`notify     /notify/wechat, /notify/alipay (payment), /notify/kuaidi100 (order)${config.payment.sandbox ? ' and the payment SANDBOX cashier (/notify/sandbox/...)' : ''}`);
  if (router.explorer) {
    // Build (if needed) before announcing the explorer, so the first visit does not wait.
    await router.explorer.prepare();
    console.log(`explorer   ${new URL('/explorer', router.url)}`);
  }
  console.log(`Ready in ${Date.now() - started} ms.`);
}

let config: Config;
try {
  config = loadConfig();
} catch (error) {
  startupFailure('router', error);
}
main(config!).catch((error: unknown) => startupFailure('router', error));
