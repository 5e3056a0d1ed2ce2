/**
 * A TCP proxy in front of one service, for fault tests: every caller reaches the service through it, so a test can
 * make the service slow or unreachable without touching it.
 * - `pass()`: bytes go through as they come.
 * - `delay(ms)`: bytes from callers reach the service `ms` later (answers come back as they are sent). A caller that
 *   gives up meanwhile (timeout, retry) closes its side, but what it sent still lands at the service when its time
 *   comes, and the service's connection is kept until it answers (at most `lingerMs`): exactly a request that
 *   "timed out at the caller and landed later at the callee".
 * - `blackhole()`: connections are accepted and bytes from callers are dropped (never delivered): the caller waits
 *   for its own timeout, the service never hears of it.
 * With `match`, only chunks whose text matches are delayed or dropped (one operation rather than every call; a
 * request's headers and body may come as separate chunks, and a late body makes the whole request late). The mode
 * applies to bytes as they arrive; bytes already scheduled keep their time, and order within a connection is kept. The upstream address can change (`retarget`) when the service restarts on another port.
 */
import net from 'node:net';

/** `match`: only bytes whose text matches are delayed / dropped (e.g. /reserveStock/: one operation, not every call). */
export type ProxyMode = { kind: 'pass' } | { kind: 'delay'; ms: number; match?: RegExp } | { kind: 'blackhole'; match?: RegExp };

export class FaultProxy {
  private server = net.createServer((client) => this.accept(client));
  private target: { host: string; port: number } | null = null;
  private mode: ProxyMode = { kind: 'pass' };
  private sockets = new Set<net.Socket>();
  private timers = new Set<NodeJS.Timeout>();
  /** Connections accepted so far, and bytes from callers delivered to the service. */
  readonly stats = { connections: 0, deliveredBytes: 0, droppedBytes: 0, delayedChunks: 0, delayedDelivered: 0 };
  port = 0;

  constructor(
    readonly name: string,
    private readonly lingerMs = 60_000,
  ) {}

  async listen(): Promise<this> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', () => resolve());
    });
    this.port = (this.server.address() as net.AddressInfo).port;
    return this;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  retarget(target: { host: string; port: number } | null): void {
    this.target = target;
  }

  pass(): void {
    this.mode = { kind: 'pass' };
  }
  delay(ms: number, match?: RegExp): void {
    this.mode = { kind: 'delay', ms, match };
  }
  blackhole(match?: RegExp): void {
    this.mode = { kind: 'blackhole', match };
  }

  private track(socket: net.Socket) {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => socket.destroy());
  }

  private later(ms: number, fn: () => void) {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      fn();
    }, ms);
    this.timers.add(timer);
  }

  private accept(client: net.Socket) {
    this.stats.connections++;
    this.track(client);
    const target = this.target;
    if (!target) {
      // The service is not running (killed, restarting): as a closed port would, refuse.
      client.destroy();
      return;
    }
    const upstream = net.connect(target.port, target.host);
    this.track(upstream);
    let clientGone = false;
    let pending = 0;
    let nextAt = 0;
    const lingerOrEnd = () => {
      // The caller left: keep the service's side open until it answers (or lingerMs), as the network would.
      if (!clientGone || pending > 0) return;
      this.later(this.lingerMs, () => upstream.destroy());
    };
    upstream.on('data', (chunk) => {
      if (!client.destroyed) client.write(chunk);
      else if (pending === 0) upstream.destroy();
    });
    upstream.on('close', () => client.destroy());
    client.on('data', (chunk) => {
      const mode = this.mode;
      const hit = mode.kind !== 'pass' && (!mode.match || mode.match.test(chunk.toString('latin1')));
      if (hit && mode.kind === 'blackhole') {
        this.stats.droppedBytes += chunk.length;
        return;
      }
      if (hit) this.stats.delayedChunks++;
      const at = Math.max(nextAt, Date.now() + (hit && mode.kind === 'delay' ? mode.ms : 0));
      nextAt = at;
      pending++;
      const deliver = () => {
        pending--;
        if (hit) this.stats.delayedDelivered++;
        this.stats.deliveredBytes += chunk.length;
        if (!upstream.destroyed) upstream.write(chunk);
        lingerOrEnd();
      };
      if (at <= Date.now() && pending === 1) deliver();
      else this.later(at - Date.now(), deliver);
    });
    client.on('close', () => {
      clientGone = true;
      lingerOrEnd();
    });
  }

  /** Drops every connection (the service keeps running). */
  dropConnections(): void {
    for (const socket of this.sockets) socket.destroy();
  }

  async close(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.dropConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
