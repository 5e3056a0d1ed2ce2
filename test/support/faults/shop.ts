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
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Knex } from 'knex';
import { SUBGRAPH_NAMES, type SubgraphName } from '../../../platform/config';
import { createSubgraphKnex } from '../../../platform/db';
import { checkInvariants, formatReport, type CheckOptions, type InvariantReport } from '../../../audit/invariants';
import type { AuditDatabases } from '../../../audit/invariants/types';
import { createShopDatabase, type ShopDatabase } from '../../../scripts/lib/shop-database';
import { ServiceProcess, type ServiceName } from '../../../scripts/lib/service-process';
import { FaultProxy } from './proxy';
import { RedisChild } from './redis';

export type { ServiceName };

/** A service of the shop behind its FaultProxy: callers use the proxy's address, which follows the process. */
export class Service extends ServiceProcess {
  constructor(
    name: ServiceName,
    readonly proxy: FaultProxy,
  ) {
    super(name, (address) => proxy.retarget(address));
  }

  /** The address callers use (through the proxy). */
  get url(): string {
    return `${this.proxy.url}/graphql`;
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
  private shopDatabase?: ShopDatabase;

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
    this.shopDatabase = await createShopDatabase(adminUrl, this.database, { seed: true });
    this.databaseUrl = this.shopDatabase.url;
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
    if (this.shopDatabase && !process.env.KEEP_TEST_DATABASE) await this.shopDatabase.drop();
  }
}
