/**
 * Process lifecycle shared by the entry points (router, one subgraph, migrations): a readable message and a
 * non-zero exit when startup fails (e.g. production without its secrets), a clean stop on SIGTERM/SIGINT.
 */
import net from 'node:net';
import type { Config } from './config';
import { logger } from './log';

const log = logger({ component: 'process' });

/**
 * How long a stop may take in all before the process exits 1 anyway: the drain delay, the in-flight grace, and 5 s for
 * job runners, consumers and pools (docs/operations.md; Kubernetes' terminationGracePeriodSeconds must exceed it).
 */
export function shutdownDeadlineMs(config: Pick<Config, 'lifecycle'>): number {
  return config.lifecycle.shutdownDelayMs + config.lifecycle.shutdownGraceMs + 5000;
}

/**
 * Prints why `what` cannot start and exits with status 1. A plain line on stderr, not a log record: it is read by a
 * person at a terminal or in `kubectl logs` (a missing secret, a bad argument of a command-line tool), often before
 * the logger is configured, and a JSON record with a stack trace would bury the one sentence that matters.
 */
export function startupFailure(what: string, error: unknown): never {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`Cannot start the ${what}: ${message}\n`);
  process.exit(1);
}

/**
 * On SIGTERM or SIGINT runs `stop` (close servers, pools) and exits 0; exits 1 if it fails or takes longer than
 * `graceMs`. A repeated signal starts another attempt, and the first to finish exits: Apollo Server (outside
 * NODE_ENV=test, unless `stopOnTerminationSignals: false`) stops itself on the same signals and re-sends the signal
 * when done, and an ApolloServer.stop() that overlapped its own can wait forever (Apollo Server 5.5 never releases
 * concurrent stop() callers), so the later attempt is the one that completes.
 */
export function onShutdownSignals(what: string, stop: () => Promise<void>, graceMs = 15_000): void {
  let stopping = false;
  const handle = (signal: NodeJS.Signals) => {
    if (!stopping) {
      stopping = true;
      log.info({ signal }, `${signal}: stopping the ${what}…`);
      setTimeout(() => {
        log.error(`The ${what} did not stop within ${graceMs} ms; exiting`);
        process.exit(1);
      }, graceMs).unref();
    }
    stop().then(
      () => process.exit(0),
      (error: unknown) => {
        log.error({ err: error }, `Stopping the ${what} failed: ${error instanceof Error ? error.message : String(error)}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', handle);
  process.on('SIGINT', handle);
}

/**
 * Fails when something (e.g. `npm start`) already listens on host:port — checked before opening embedded database
 * files that the other process may hold. Port 0 is always free.
 */
export async function assertPortFree(host: string, port: number, hint: string): Promise<void> {
  if (port === 0) return;
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'EADDRINUSE' ? new Error(`${host}:${port} is in use (is \`npm start\` running?); ${hint}`) : error),
    );
    server.listen(port, host, () => server.close(() => resolve()));
  });
}
