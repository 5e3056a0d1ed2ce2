/**
 * `npm run cluster`: the shop as it runs in production, on one machine — two routers and two instances of each
 * subgraph (one process each, NODE_ENV=production, per-service keys) on real PostgreSQL and Redis, behind nginx as
 * the load balancer (scripts/cluster/). Runs until Ctrl-C (or SIGTERM), then stops every instance and nginx.
 *
 *   DATABASE_URL, REDIS_URL   required (platform/config.ts)
 *   --port <base>             clients on <base> (default 4400); the layout of the other ports: scripts/cluster/cluster.ts
 *   --create-database         a database of the run's own on DATABASE_URL's server, migrated and seeded with the demo
 *                             data; dropped with its roles at the end (unless --keep-database)
 *   --keep-database           keep the created database
 *   --quiet                   no instance output (only nginx's address and failures)
 * Without --create-database, DATABASE_URL's database is migrated (as `npm run migrate`) and used as it is.
 */
import crypto from 'node:crypto';
import { loadConfig } from '../platform/config';
import { Cluster, portsFrom } from './cluster/cluster';
import { Nginx, NGINX_INSTALL_HINT } from './cluster/nginx';
import { createShopDatabase, prepareShopDatabase, type ShopDatabase } from './lib/shop-database';

const USAGE = 'Usage: npm run cluster [-- --port <base>] [--create-database [--keep-database]] [--quiet]';

function parseArgs(args: string[]) {
  const options = { port: 4400, createDatabase: false, keepDatabase: false, quiet: false };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--port') {
      const port = Number(args[++i]);
      if (!Number.isInteger(port) || port < 1024 || port > 65_000) throw new Error(`--port needs a port between 1024 and 65000\n${USAGE}`);
      options.port = port;
    } else if (arg === '--create-database') options.createDatabase = true;
    else if (arg === '--keep-database') options.keepDatabase = true;
    else if (arg === '--quiet') options.quiet = true;
    else throw new Error(`unknown argument "${arg}"\n${USAGE}`);
  }
  return options;
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  if (!Nginx.installed()) throw new Error(NGINX_INSTALL_HINT);
  const config = loadConfig();
  if (!config.databaseUrl || !config.redisUrl) {
    throw new Error('the cluster runs on real PostgreSQL and Redis: set DATABASE_URL and REDIS_URL (instances behind a balancer share them)');
  }
  const started = Date.now();
  let database: ShopDatabase | undefined;
  let databaseUrl = config.databaseUrl;
  if (options.createDatabase) {
    database = await createShopDatabase(config.databaseUrl, `shop_cluster_${Date.now().toString(36)}`, { seed: true });
    databaseUrl = database.url;
    console.log(`database   ${database.name} (created, migrated, demo data${options.keepDatabase ? ', kept at the end' : ', dropped at the end'})`);
  } else {
    await prepareShopDatabase(databaseUrl);
    console.log(`database   ${new URL(databaseUrl).pathname.slice(1)} (migrated)`);
  }
  const ports = portsFrom(options.port);
  const cluster = new Cluster({
    databaseUrl,
    redisUrl: config.redisUrl,
    ports,
    namespace: database?.name ?? `shop_cluster_${crypto.randomBytes(4).toString('hex')}`,
    onOutput: options.quiet
      ? undefined
      : (label, text) => process.stdout.write(text.replace(/\n$/, '').split('\n').map((line) => `${label.padEnd(11)}| ${line}\n`).join('')),
  });
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    console.log('stopping every instance and nginx …');
    await cluster.stop();
    if (database && !options.keepDatabase) await database.drop();
    process.exit(code);
  };
  process.on('SIGINT', () => void stop(130));
  process.on('SIGTERM', () => void stop(143));
  try {
    await cluster.start();
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    await stop(1);
    return;
  }
  console.log(`
nginx      ${cluster.url}   (clients: HTTP and graphql-ws subscriptions, to routers on ${ports.instances.router.join(', ')})
${Object.entries(ports.balancers)
  .map(([name, port]) => `${name.padEnd(10)} http://127.0.0.1:${port}/graphql → ${ports.instances[name as keyof typeof ports.instances].join(', ')}`)
  .join('\n')}
nginx      config, logs: ${cluster.nginx.configFile.replace(/nginx\.conf$/, '')}
Ready in ${Date.now() - started} ms: 2 routers and 2 instances of each subgraph. Ctrl-C stops them all.`);
}

main().catch((error: unknown) => {
  console.error(`cluster: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
