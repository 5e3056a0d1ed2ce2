/**
 * One service (the router or a subgraph) as a real process, started through the same entry points
 * `npm run start:router` / `npm run start:subgraph -- <name>` use (node with the package's service flags and tsx's
 * loader; not through npm, so signals reach the service itself). Output captured (bounded), start-up awaited on the
 * service's own "<name>  http://…" and "Ready in" lines, and every child SIGKILLed when this process exits. From the
 * TypeScript sources through tsx by default, or from dist/ (`runtime: 'compiled'`).
 * Shared by the fault harness (test/support/faults/shop.ts, which puts a FaultProxy in front of each service) and
 * the local cluster (scripts/cluster/, which puts nginx in front of two instances of each).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { SUBGRAPH_NAMES, type SubgraphName } from '../../platform/config';

export type ServiceName = SubgraphName | 'router';

const root = path.resolve(__dirname, '..', '..');
const packageJson = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
/** The node flags `npm run start:*` runs services with (package.json config.serviceNodeFlags). */
export const SERVICE_NODE_FLAGS: string[] = String(packageJson.config?.serviceNodeFlags ?? '').split(/\s+/).filter(Boolean);

const ENTRY: Record<ServiceName, string[]> = {
  router: ['router/main.ts'],
  ...(Object.fromEntries(SUBGRAPH_NAMES.map((name) => [name, ['scripts/start-subgraph.ts', name]])) as Record<SubgraphName, string[]>),
};

/**
 * How a service runs: `tsx` (the TypeScript sources, as in development: what the fault tests exercise, always
 * current) or `compiled` (`node dist/...`, what `npm run start:router` / `start:subgraph` run in production; the
 * caller makes sure dist/ is fresh, e.g. scripts/build.ts `distStatus` + `build`). A compiled start costs a fraction
 * of a tsx one's CPU (no transpiling): what lets sixteen of them start on two busy cores.
 */
export type ServiceRuntime = 'tsx' | 'compiled';

function entryArgs(name: ServiceName, runtime: ServiceRuntime): string[] {
  const [script, ...args] = ENTRY[name];
  if (runtime === 'compiled') return [path.join('dist', script.replace(/\.ts$/, '.js')), ...args];
  return ['--import', 'tsx', script, ...args];
}

/** Every started child of this process, so nothing outlives it even if a caller forgets to stop it. */
const children = new Set<ChildProcess>();
process.once('exit', () => children.forEach((child) => child.kill('SIGKILL')));

async function until(condition: () => unknown, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export class ServiceProcess {
  private child: ChildProcess | null = null;
  private log = '';
  /** Environment of the last start (restart reuses it). */
  private env: NodeJS.ProcessEnv = {};
  /** Where the running process listens (from its start-up line); null when it is not running. */
  address: { host: string; port: number } | null = null;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }> = Promise.resolve({ code: null, signal: null });
  /** Hears everything the process prints, as it comes (e.g. to pass it on to a terminal). */
  echo?: (text: string) => void;

  /**
   * `label`: how logs and errors name this process (e.g. "product#2"); `onAddress` hears where it listens once it is
   * ready, and null when it exits.
   */
  constructor(
    readonly name: ServiceName,
    private readonly onAddress: (address: { host: string; port: number } | null) => void = () => undefined,
    readonly label: string = name,
    readonly runtime: ServiceRuntime = 'tsx',
  ) {}

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
    if (this.running) throw new Error(`${this.label} is already running`);
    this.env = env;
    this.log = '';
    const child = spawn(process.execPath, [...SERVICE_NODE_FLAGS, ...entryArgs(this.name, this.runtime)], {
      cwd: root,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    children.add(child);
    const onData = (chunk: Buffer) => {
      // Bounded: a chatty service must not grow its parent without limit.
      this.log = (this.log + chunk.toString()).slice(-200_000);
      this.echo?.(chunk.toString());
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    this.exited = new Promise((resolve) =>
      child.once('close', (code, signal) => {
        children.delete(child);
        if (this.child === child) {
          this.address = null;
          this.onAddress(null);
        }
        resolve({ code, signal });
      }),
    );
    // Plain lines in development, JSON lines in production ({"msg":"product    http://…"}, platform/log.ts announce).
    const pattern = new RegExp(`(?:^|\\n)(?:\\{[^\\n]*?"msg":")?${this.name}\\s+(http://[^\\s"]+)[\\s\\S]*Ready in`);
    let url: string | undefined;
    await until(
      () => {
        url = this.log.match(pattern)?.[1];
        return url || child.exitCode !== null || child.signalCode !== null;
      },
      timeoutMs,
      `${this.label} to start`,
    ).catch((error: Error) => {
      throw new Error(`${error.message}; it printed:\n${this.log}`);
    });
    if (!url) throw new Error(`${this.label} exited during start-up:\n${this.log}`);
    const address = new URL(url);
    this.address = { host: address.hostname, port: Number(address.port) };
    this.onAddress(this.address);
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

  /** SIGTERM (a clean stop), SIGKILL after `graceMs`; resolves once it is gone. */
  async stop(graceMs = 10_000): Promise<void> {
    if (!this.running) return;
    const child = this.child!;
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.kill('SIGCONT');
    child.kill('SIGTERM');
    await this.exited;
    clearTimeout(timer);
  }

  /** SIGSTOP: frozen (connections are still accepted by the kernel, nothing is answered, timers do not fire). */
  pause(): void {
    if (!this.child?.kill('SIGSTOP')) throw new Error(`${this.label} is not running`);
  }

  /** SIGCONT after `pause`. */
  resume(): void {
    if (!this.child?.kill('SIGCONT')) throw new Error(`${this.label} is not running`);
  }
}
