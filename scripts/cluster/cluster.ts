/**
 * The shop as a production cluster on one machine: two routers and two instances of every subgraph, one process
 * each (scripts/lib/service-process.ts, as the fault harness and `npm run bench` start them), NODE_ENV=production
 * with per-service keys, on real PostgreSQL and Redis, behind nginx (scripts/cluster/nginx.ts):
 *
 *   clients → nginx :front → router#1 | router#2
 *   routers → nginx :<subgraph> → <subgraph>#1 | <subgraph>#2   (each router's <NAME>_URL points at nginx)
 *
 * Subgraphs call each other through nginx too (the same <NAME>_URL). Every instance listens on a fixed port on
 * 127.0.0.1, so nginx's configuration is written once and an instance restarted after a crash is found again.
 * Used by `npm run cluster` (scripts/cluster.ts) and the cluster test (test/cluster/).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SUBGRAPH_NAMES, type SubgraphName } from '../../platform/config';
import { SERVICE_NAMES } from '../../platform/service-keys';
import { build, distStatus, PROJECT_DIR } from '../build';
import { ServiceProcess, type ServiceName, type ServiceRuntime } from '../lib/service-process';
import { Nginx, type Upstream } from './nginx';

export const CLUSTER_SERVICES: readonly ServiceName[] = ['router', ...SUBGRAPH_NAMES];

export interface ClusterPorts {
  /** nginx's port for clients (→ routers). */
  front: number;
  /** nginx's port per subgraph (→ its instances). */
  balancers: Record<SubgraphName, number>;
  /** Each service's instances' ports. */
  instances: Record<ServiceName, number[]>;
}

/**
 * Ports from one base, as `npm run cluster -- --port <base>` lays them out: clients on base, the subgraphs'
 * balancers on base+1.. (SUBGRAPH_NAMES order), router instances on base+20.., subgraph instances on base+30.. (two
 * consecutive ports each).
 */
export function portsFrom(base: number, instances = 2): ClusterPorts {
  const range = (start: number) => Array.from({ length: instances }, (_, i) => start + i);
  return {
    front: base,
    balancers: Object.fromEntries(SUBGRAPH_NAMES.map((name, i) => [name, base + 1 + i])) as Record<SubgraphName, number>,
    instances: {
      router: range(base + 20),
      ...(Object.fromEntries(SUBGRAPH_NAMES.map((name, i) => [name, range(base + 30 + i * instances)])) as Record<SubgraphName, number[]>),
    },
  };
}

export interface ClusterOptions {
  /** The database every instance shares (provisioned and migrated already: scripts/lib/shop-database.ts). */
  databaseUrl: string;
  redisUrl: string;
  ports: ClusterPorts;
  /** Redis key prefix of this cluster's events, caches and limits (EVENTS_NAMESPACE). */
  namespace: string;
  /** JWT_SECRET; default a random one per run (tokens then last as long as the cluster). */
  jwtSecret?: string;
  /** SERVICE_KEY_<NAME> for every service; default random per run. */
  serviceKeys?: Record<string, string>;
  /** Environment for every instance, after the cluster's own. */
  env?: Record<string, string>;
  /** Connections in each instance's PostgreSQL pool (DB_POOL_MAX): 14 subgraph processes share one server. */
  dbPoolMax?: number;
  /** Hears each instance's output as it comes (e.g. to print it prefixed with the label); default memory only. */
  onOutput?: (label: string, text: string) => void;
  /**
   * `compiled` (default): every instance runs `node dist/...` as production does, dist/ built first when stale;
   * `tsx`: the TypeScript sources (a start then costs several times the CPU).
   */
  runtime?: ServiceRuntime;
  /** How long one instance may take to start (default 240 s: sixteen starts share the machine's cores). */
  startTimeoutMs?: number;
}

export class Cluster {
  readonly instances = new Map<ServiceName, ServiceProcess[]>();
  readonly nginx: Nginx;
  readonly jwtSecret: string;
  readonly serviceKeys: Record<string, string>;
  private readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shop-cluster-'));

  constructor(private readonly options: ClusterOptions) {
    this.jwtSecret = options.jwtSecret ?? `cluster-jwt-${crypto.randomBytes(32).toString('base64url')}`;
    // Production requires each service's own key (docs/security.md, "Service keys"); as `npm run bench` does, every
    // process gets all of them (a caller's key is what a callee verifies its signature with).
    this.serviceKeys =
      options.serviceKeys ??
      Object.fromEntries(SERVICE_NAMES.map((name) => [`SERVICE_KEY_${name.toUpperCase()}`, `cluster:${crypto.randomBytes(32).toString('base64url')}`]));
    const { ports } = options;
    const upstreams: Upstream[] = [
      { name: 'router', listen: ports.front, servers: ports.instances.router, readTimeoutSeconds: 3600, websocket: true },
      ...SUBGRAPH_NAMES.map((name) => ({ name, listen: ports.balancers[name], servers: ports.instances[name], readTimeoutSeconds: 60 })),
    ];
    this.nginx = new Nginx({ dir: path.join(this.dir, 'nginx'), upstreams });
    for (const name of CLUSTER_SERVICES) {
      this.instances.set(
        name,
        ports.instances[name].map((_, i) => {
          const instance = new ServiceProcess(name, undefined, `${name}#${i + 1}`, options.runtime ?? 'compiled');
          if (options.onOutput) instance.echo = (text) => options.onOutput!(instance.label, text);
          return instance;
        }),
      );
    }
  }

  /** Clients' GraphQL endpoint (nginx). */
  get url(): string {
    return `http://127.0.0.1:${this.options.ports.front}/graphql`;
  }

  /** A subgraph's endpoint through nginx (what the routers use). */
  subgraphUrl(name: SubgraphName): string {
    return `http://127.0.0.1:${this.options.ports.balancers[name]}/graphql`;
  }

  /** Instance `index` (0-based) of a service. */
  instance(name: ServiceName, index: number): ServiceProcess {
    const instance = this.instances.get(name)?.[index];
    if (!instance) throw new Error(`${name} has no instance ${index}`);
    return instance;
  }

  /** The environment of one instance. */
  private envOf(name: ServiceName, index: number): NodeJS.ProcessEnv {
    const { ports } = this.options;
    const port = ports.instances[name][index];
    return {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      DATABASE_URL: this.options.databaseUrl,
      DB_SEPARATE_ROLES: 'true',
      DB_POOL_MAX: String(this.options.dbPoolMax ?? 4),
      REDIS_URL: this.options.redisUrl,
      EVENTS_NAMESPACE: this.options.namespace,
      JWT_SECRET: this.jwtSecret,
      ...this.serviceKeys,
      // Each instance's own files (the payment sandbox's, the explorer's bundle): never shared between processes.
      DATA_DIR: path.join(this.dir, 'data', `${name}-${index + 1}`),
      // Every subgraph, for the routers and for each other, through its balancer.
      ...Object.fromEntries(SUBGRAPH_NAMES.map((subgraph) => [`${subgraph.toUpperCase()}_URL`, this.subgraphUrl(subgraph)])),
      // Providers' notifications reach a router through the front door.
      PAYMENT_PUBLIC_URL: `http://127.0.0.1:${ports.front}`,
      // The routers see every client through one proxy (nginx appends to X-Forwarded-For); a subgraph sees only
      // nginx, whose connections are its routers' and peers': no per-address cap between our own processes.
      ...(name === 'router' ? { TRUST_PROXY_HOPS: '1' } : { MAX_CONNECTIONS_PER_ADDRESS: '0' }),
      [`${name.toUpperCase()}_PORT`]: String(port),
      ...this.options.env,
    };
  }

  /**
   * nginx first (it answers 502 until an instance is up), then the instances, as many at a time as the machine has
   * cores (`startConcurrency`): a start is seconds of CPU (loading and compiling the service), and sixteen at once on
   * two cores starve each other past any sane timeout. The first instance of every service comes before any second
   * one, so the cluster can answer as early as possible. Resolves when all are ready.
   */
  async start(startConcurrency = Math.max(2, os.cpus().length)): Promise<void> {
    if ((this.options.runtime ?? 'compiled') === 'compiled') {
      const status = distStatus(PROJECT_DIR, path.join(PROJECT_DIR, 'dist'));
      if (!status.fresh) {
        this.options.onOutput?.('build', `building dist/ (${status.reason})…\n`);
        await build({ projectDir: PROJECT_DIR, log: (line) => this.options.onOutput?.('build', `${line}\n`) });
      }
    }
    await this.nginx.start();
    const queue: (() => Promise<void>)[] = [];
    const rounds = Math.max(...[...this.instances.values()].map((instances) => instances.length));
    for (let index = 0; index < rounds; index++) {
      for (const [name, instances] of this.instances) {
        const instance = instances[index];
        if (!instance) continue;
        queue.push(() => {
          const env = this.envOf(name, index);
          fs.mkdirSync(env.DATA_DIR!, { recursive: true });
          return instance.start(env, this.options.startTimeoutMs);
        });
      }
    }
    const failures: string[] = [];
    const worker = async () => {
      for (let next = queue.shift(); next; next = queue.shift()) {
        await next().catch((error: Error) => void failures.push(error.message.slice(0, 3000)));
      }
    };
    await Promise.all(Array.from({ length: startConcurrency }, worker));
    if (failures.length) throw new Error(`${failures.length} instance(s) did not start:\n${failures.join('\n')}`);
  }

  /** Starts an instance again (after `kill()`), with the environment it had. */
  async restart(name: ServiceName, index: number, timeoutMs?: number): Promise<void> {
    await this.instance(name, index).start(this.envOf(name, index), timeoutMs);
  }

  /** The warning and error lines every instance printed (JSON log lines: production), labelled, for a diagnosis. */
  problems(): string[] {
    const lines: string[] = [];
    for (const instances of this.instances.values()) {
      for (const instance of instances) {
        for (const line of instance.output().split('\n')) if (/"level":"(warn|error|fatal)"/.test(line)) lines.push(`${instance.label} ${line}`);
      }
    }
    return lines;
  }

  /** The last lines each instance printed, for a failing test's message. */
  logs(lines = 20): string {
    const parts: string[] = [];
    for (const instances of this.instances.values()) {
      for (const instance of instances) parts.push(`----- ${instance.label}\n${instance.output().split('\n').slice(-lines).join('\n')}`);
    }
    return `${parts.join('\n')}\n----- nginx error.log\n${this.nginx.errorLog().split('\n').slice(-lines).join('\n')}`;
  }

  /** SIGTERM to every instance (SIGKILL after `graceMs`), nginx last; removes the temp directory. */
  async stop(graceMs = 10_000): Promise<void> {
    await Promise.all([...this.instances.values()].flat().map((instance) => instance.stop(graceMs)));
    await this.nginx.stop();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
