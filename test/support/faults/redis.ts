/**
 * A throwaway redis-server of the test's own, as a child process on a free port, for tests that kill Redis (the
 * shared Redis on 6379 is never touched). No persistence: a restart starts empty, as a crashed cache node would.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { freePort, until } from './util';

export class RedisChild {
  private child: ChildProcess | null = null;
  private output = '';
  port = 0;

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.child !== null && this.child.exitCode === null && this.child.signalCode === null;
  }

  async start(): Promise<this> {
    if (this.running) return this;
    this.port ||= await freePort();
    this.output = '';
    const child = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'yes'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    child.stdout!.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    await until(() => /Ready to accept connections/.test(this.output) || !this.running, { timeoutMs: 10_000, what: 'redis-server to start' });
    if (!this.running) throw new Error(`redis-server exited:\n${this.output}`);
    return this;
  }

  /** SIGKILL, and wait until it is gone. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    const exited = new Promise((resolve) => child.once('close', resolve));
    child.kill('SIGKILL');
    await exited;
  }
}
