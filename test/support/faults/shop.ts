/**
 * The fault harness: the whole shop as separate processes — the router and each subgraph started through the same
 * entry points `npm run start:router` / `npm run start:subgraph -- <name>` use (node with the package's service
 * flags and tsx's loader; not through npm, so signals reach the service itself) — on real PostgreSQL (a database of
 * the shop's own, provisioned, migrated and seeded like production, dropped at the end) and Redis (the run's, in a
 * namespace of the shop's own, or a throwaway redis-server child the test may kill).
 *
 * Every service listens on an ephemeral port behind a FaultProxy on another ephemeral port; every caller (router,
 * other subgraphs, the test) uses the proxy's address, so a service can be delayed or blackholed, killed and
 * restarted on a new port without its callers noticing anything but the fault. A test can:
 *   shop.service('product').kill()      SIGKILL, and wait for the exit
 *   shop.service('product').pause()     SIGSTOP (the kernel still accepts connections; nothing is answered)
 *   shop.service('product').resume()    SIGCONT
 *   shop.service('product').restart()   start it again (same env unless overridden)
 *   shop.service('product').proxy.delay(3000) / .blackhole() / .pass()
 *   shop.redis?.kill() / .start()
 * and ends with `await shop.expectInvariants()` (audit/invariants over the shop's database).
 * `shop.stop()` SIGKILLs every process (SIGCONT first), closes the proxies, drops the database and its roles.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import knexFactory, { type Knex } from 'knex';
import { loadConfig, SUBGRAPH_NAMES, type SubgraphName } from '../../../platform/config';
import { createSubgraphKnex, subgraphRoleName } from '../../../platform/db';
import { openDatabases } from '../../../app/databases';
import { subgraphModules } from '../../../subgraphs';
import { checkInvariants, formatReport, type CheckOptions, type InvariantReport } from '../../../audit/invariants';
import type { AuditDatabases } from '../../../audit/invariants/types';
import { FaultProxy } from './proxy';
import { RedisChild } from './redis';
import { until } from './util';

export type ServiceName = SubgraphName | 'router';

const root = path.resolve(__dirname, '..', '..', '..');
const packageJson = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
/** The node flags `npm run start:*` runs services with (package.json config.serviceNodeFlags). */
const SERVICE_NODE_FLAGS: string[] = String(packageJson.config?.serviceNodeFlags ?? '').split(/\s+/).filter(Boolean);

const ENTRY: Record<ServiceName, string[]> = {
  router: ['router/main.ts'],
  ...(Object.fromEntries(SUBGRAPH_NAMES.map((name) => [name, ['scripts/start-subgraph.ts', name]])) as Record<SubgraphName, string[]>),
};

/** Every started child of this test process, so nothing outlives it even if a test forgets `stop()`. */
const children = new Set<ChildProcess>();
process.once('exit', () => children.forEach((child) => child.kill('SIGKILL')));

export class Service {
  private child: ChildProcess | null = null;
  private log = '';
  /** Environment of the last start (restart reuses it). */
  private env: NodeJS.ProcessEnv = {};
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }> = Promise.resolve({ code: null, signal: null });

  constructor(
    readonly name: ServiceName,
    readonly proxy: FaultProxy,
  ) {}

  /** The address callers use (through the proxy). */
  get url(): string {
    return `${this.proxy.url}/graphql`;
  }
  get pid(): number | undefined {
    return this.child?.pid;
  }
  get running(): boolean {
    return this.child !== null && this.child.exitCode === null && this.child.signalCode === null;
  }
  output(): string {
    return this.log;
  }

  async start(env: NodeJS.ProcessEnv, timeoutMs = 240_000): Promise<void> {
    if (this.running) throw new Error(`${this.name} is already running`);
    this.env = env;
    this.log = '';
    const child = spawn(process.execPath, [...SERVICE_NODE_FLAGS, '--import', 'tsx', ...ENTRY[this.name]], {
      cwd: root,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    children.add(child);
    const onData = (chunk: Buffer) => {
      // Bounded: a chatty service must not grow the test process without limit.
      this.log = (this.log + chunk.toString()).slice(-200_000);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    this.exited = new Promise((resolve) =>
      child.once('close', (code, signal) => {
        children.delete(child);
        if (this.child === child) this.proxy.retarget(null);
        resolve({ code, signal });
      }),
    );
    const pattern = new RegExp(`(?:^|\\n)${this.name}\\s+(http://\\S+)[\\s\\S]*Ready in`);
    let url: string | undefined;
    await until(
      () => {
        url = this.log.match(pattern)?.[1];
        return url || child.exitCode !== null || child.signalCode !== null;
      },
      { timeoutMs, what: `${this.name} to start` },
    ).catch((error: Error) => {
      throw new Error(`${error.message}; it printed:\n${this.log}`);
    });
    if (!url) throw new Error(`${this.name} exited during start-up:\n${this.log}`);
    const address = new URL(url);
    this.proxy.retarget({ host: address.hostname, port: Number(address.port) });
  }

  /** Starts it again after a kill (same environment, plus `env`). */
  async restart(env: Record<string, string | undefined> = {}): Promise<void> {
    await this.start({ ...this.env, ...env });
  }

  /** SIGKILL: the process dies mid-whatever; resolves once it is gone. */
  async kill(): Promise<void> {
    if (!this.running) return;
    this.child!.kill('SIGCONT');
    this.child!.kill('SIGKILL');
    await this.exited;
  }

  /** SIGSTOP: frozen (connections are still accepted by the kernel, nothing is answered, timers do not fire). */
  pause(): void {
    if (!this.child?.kill('SIGSTOP')) throw new Error(`${this.name} is not running`);
  }

  /** SIGCONT after `pause`. */
  resume(): void {
    if (!this.child?.kill('SIGCONT')) throw new Error(`${this.name} is not running`);
  }
}

export interface ShopOptions {
  /** Part of the database name, for whoever looks at the server while a test runs. */
  label: string;
  /** The services to start (default: every subgraph and the router). */
  services?: readonly ServiceName[];
  /** Environment for every service (after the harness's own). */
  env?: Record<string, string>;
  /** Environment for one service (after `env`). */
  serviceEnv?: Partial<Record<ServiceName, Record<string, string>>>;
  /** 'own': a redis-server child of this shop (killable); default the run's REDIS_URL. */
  redis?: 'shared' | 'own';
}

/** Every per-address throttle opened wide: every test client is 127.0.0.1 (as in test/support/harness.ts). */
const WIDE_THROTTLES = { LOGIN_MAX_FAILURES_PER_IP: '1000000', REGISTER_MAX_PER_IP: '1000000', WECHAT_LOGIN_MAX_PER_IP: '1000000', REFRESH_MAX_PER_IP: '1000000' };

export class Shop {
  readonly services = new Map<ServiceName, Service>();
  /** Knex per subgraph on the shop's database as the server's admin user (assertions; the checker reads through them read-only). */
  dbs = {} as Record<SubgraphName, Knex>;
  redis?: RedisChild;
  dataDir = '';
  databaseUrl = '';
  private database = '';

  private constructor(private readonly options: ShopOptions) {}

  static async start(options: ShopOptions): Promise<Shop> {
    const shop = new Shop(options);
    try {
      await shop.boot();
    } catch (error) {
      await shop.stop();
      throw error;
    }
    return shop;
  }

  service(name: ServiceName): Service {
    const service = this.services.get(name);
    if (!service) throw new Error(`${name} is not part of this shop`);
    return service;
  }

  /** The router's GraphQL endpoint (through its proxy). */
  get routerUrl(): string {
    return this.service('router').url;
  }

  private async boot() {
    const adminUrl = process.env.SHOP_TEST_ADMIN_URL;
    if (!adminUrl || !process.env.REDIS_URL) throw new Error('the fault harness needs real PostgreSQL and Redis (DATABASE_URL and REDIS_URL)');
    // A database of this shop's own: faults leave state behind (that is what the checker looks for) and must not
    // meet another test's.
    // SHOP_FAULTS_DB_PREFIX (CI) lets a cleanup find whatever a crashed run left behind, roles included
    // (`<database>_<subgraph>`). 63 bytes is PostgreSQL's limit, and the role names add up to 8.
    const prefix = process.env.SHOP_FAULTS_DB_PREFIX || 'shop_faults';
    this.database = `${prefix}_${this.options.label.replace(/\W+/g, '_')}_${Date.now().toString(36)}`.slice(0, 54);
    const server = knexFactory({ client: 'pg', connection: adminUrl, pool: { min: 0, max: 1 } });
    try {
      await server.raw('CREATE DATABASE ??', [this.database]);
    } finally {
      await server.destroy();
    }
    const url = new URL(adminUrl);
    url.pathname = `/${this.database}`;
    this.databaseUrl = url.toString();
    // Roles, migrations and demo data once, here (as `npm run migrate` and a first start would).
    const config = loadConfig({ ...process.env, NODE_ENV: 'test', DATABASE_URL: this.databaseUrl, DB_POOL_MAX: '2' });
    const opened = await openDatabases(config, SUBGRAPH_NAMES, { separateRoles: true });
    try {
      for (const name of SUBGRAPH_NAMES) await subgraphModules[name].seedDemo?.(opened.dbs[name], config);
    } finally {
      await opened.close();
    }
    for (const name of SUBGRAPH_NAMES) this.dbs[name] = createSubgraphKnex(this.databaseUrl, name, 3);

    if (this.options.redis === 'own') this.redis = await new RedisChild().start();
    this.dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'shop-faults-'));

    const names = this.options.services ?? [...SUBGRAPH_NAMES, 'router'];
    for (const name of names) this.services.set(name, new Service(name, await new FaultProxy(name).listen()));
    const urls: Record<string, string> = {};
    for (const [name, service] of this.services) if (name !== 'router') urls[`${name.toUpperCase()}_URL`] = service.url;
    const base: NodeJS.ProcessEnv = {
      ...process.env,
      NODE_ENV: 'test',
      ...WIDE_THROTTLES,
      DATABASE_URL: this.databaseUrl,
      DB_SEPARATE_ROLES: 'true',
      DB_POOL_MAX: '4',
      REDIS_URL: this.redis?.url ?? process.env.REDIS_URL,
      EVENTS_NAMESPACE: this.database,
      EVENTS_CLAIM_IDLE_MS: '2000',
      EVENTS_JOB_POLL_INTERVAL_MS: '200',
      DATA_DIR: this.dataDir,
      // The explorer's bundle is built on first start (15 s and more): nothing here needs it.
      EXPLORER: 'false',
      ROUTER_PORT: '0',
      ...Object.fromEntries(SUBGRAPH_NAMES.map((name) => [`${name.toUpperCase()}_PORT`, '0'])),
      ...Object.fromEntries(SUBGRAPH_NAMES.map((name) => [`${name.toUpperCase()}_DATABASE_URL`, undefined])),
      ...urls,
      ...(this.services.has('router') ? { PAYMENT_PUBLIC_URL: this.services.get('router')!.proxy.url } : {}),
      ...this.options.env,
    };
    await Promise.all(
      [...this.services.values()].map((service) => service.start({ ...base, ...this.options.serviceEnv?.[service.name] })),
    );
  }

  /** The checker over the shop's database (read-only). Tests that waited for recovery pass `graceSeconds: 0`. */
  async checkInvariants(options: CheckOptions = {}): Promise<InvariantReport> {
    const dbs: AuditDatabases = { product: this.dbs.product, promote: this.dbs.promote, order: this.dbs.order, payment: this.dbs.payment, review: this.dbs.review, user: this.dbs.user };
    return checkInvariants(dbs, { graceSeconds: 0, ...options });
  }

  /** Fails with the checker's report unless every invariant holds. */
  async expectInvariants(options: CheckOptions = {}): Promise<void> {
    const report = await this.checkInvariants(options);
    if (!report.ok) throw new Error(`invariants violated:\n${formatReport(report)}`);
  }

  /** Everything every service printed, for a failing test's message. */
  logs(): string {
    return [...this.services.values()].map((s) => `----- ${s.name}\n${s.output().slice(-5000)}`).join('\n');
  }

  async stop(): Promise<void> {
    await Promise.all([...this.services.values()].map((service) => service.kill()));
    await Promise.all([...this.services.values()].map((service) => service.proxy.close()));
    await this.redis?.kill();
    await Promise.all(Object.values(this.dbs).map((db) => db.destroy()));
    if (this.dataDir) fs.rmSync(this.dataDir, { recursive: true, force: true });
    if (this.database && !process.env.KEEP_TEST_DATABASE) {
      const server = knexFactory({ client: 'pg', connection: process.env.SHOP_TEST_ADMIN_URL!, pool: { min: 0, max: 1 } });
      try {
        await server.raw('DROP DATABASE IF EXISTS ?? WITH (FORCE)', [this.database]);
        for (const name of SUBGRAPH_NAMES) await server.raw('DROP ROLE IF EXISTS ??', [subgraphRoleName(this.databaseUrl, name)]);
      } finally {
        await server.destroy();
      }
    }
  }
}
