/**
 * `npm start`: the whole supergraph in one process — six subgraphs and the router. Without DATABASE_URL it runs
 * on the embedded PGlite under .data/ and seeds demo data on first start (not in production).
 */
import { config } from '../platform/config';
import { launch } from '../platform/launcher';

async function main() {
  const cfg = config();
  const started = Date.now();
  const supergraph = await launch({ config: cfg });
  const mode = supergraph.databases.embedded.length
    ? `embedded PostgreSQL (PGlite, one per subgraph, data in ${cfg.dataDir})`
    : `PostgreSQL at ${new URL(cfg.databaseUrl!).host}`;
  console.log(`database   ${mode}`);
  console.log(`events     ${cfg.redisUrl ? `Redis at ${new URL(cfg.redisUrl).host}` : 'in-process (no REDIS_URL)'}`);
  for (const [name, subgraph] of Object.entries(supergraph.subgraphs)) console.log(`${name.padEnd(10)} ${subgraph.url}`);
  console.log(`router     ${supergraph.routerUrl}`);
  if (!cfg.isProduction) console.log(`admin      login "admin" / ADMIN_PASSWORD (development default: ${cfg.adminPassword === 'admin12345' ? 'admin12345' : 'as set'})`);
  if (cfg.explorerEnabled) console.log(`\nReady in ${Date.now() - started} ms. Open the explorer: ${supergraph.routerUrl}`);
  else console.log(`\nReady in ${Date.now() - started} ms.`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping…`);
    await supergraph.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((error) => {
  console.error('Failed to start:', error instanceof Error ? error.message : error);
  process.exit(1);
});
