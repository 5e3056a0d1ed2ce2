/**
 * Entry points run as real processes (`node --import tsx`, as the npm scripts run them), for tests of start-up and
 * shutdown: output captured, and every child killed when the test file ends. Not through the `tsx` CLI: it relays
 * SIGTERM to a child node process and SIGKILLs it when the child does not acknowledge within 30 ms, which a busy
 * machine misses (exit 143 instead of a clean stop).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { SERVICE_NAMES } from '../../platform/service-keys';

const root = path.resolve(__dirname, '..', '..');

export interface Run {
  child: ChildProcess;
  output(): string;
  /** Resolves with the first match of `pattern` in the output; rejects if the process exits first. */
  waitFor(pattern: RegExp): Promise<RegExpMatchArray>;
  exited: Promise<number | null>;
}

const running = new Set<ChildProcess>();
// A failed assertion must not leave a server behind.
afterAll(() => running.forEach((child) => child.kill('SIGKILL')));

/** `compiled`: run JavaScript as production does (`node dist/...`), without tsx's loader. */
export function run(args: string[], env: Record<string, string | undefined>, options: { compiled?: boolean } = {}): Run {
  const child = spawn(process.execPath, options.compiled ? args : ['--import', 'tsx', ...args], { cwd: root, env: env as NodeJS.ProcessEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  child.on('close', () => running.delete(child));
  let output = '';
  const listeners = new Set<() => void>();
  const onData = (chunk: Buffer) => {
    output += chunk.toString();
    listeners.forEach((listener) => listener());
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return {
    child,
    output: () => output,
    exited,
    waitFor: (pattern) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const match = output.match(pattern);
          if (match) {
            listeners.delete(check);
            resolve(match);
          }
        };
        listeners.add(check);
        check();
        void exited.then((code) => reject(new Error(`exited (${code}) before printing ${pattern}:\n${output}`)));
      }),
  };
}

/** Only what a bare machine has: no secrets, no database URLs from the test run. */
export const bareEnv = (extra: Record<string, string>) => ({ PATH: process.env.PATH, HOME: process.env.HOME, ...extra });
/** Production needs each service's own key (SERVICE_KEY_<NAME>, platform/service-keys.ts): at least 32 characters. */
export const SERVICE_KEYS: Record<string, string> = Object.fromEntries(
  SERVICE_NAMES.map((name) => [`SERVICE_KEY_${name.toUpperCase()}`, `k1:production-test-key-of-${name}-0123456789`]),
);
export const SECRETS = { JWT_SECRET: 'production-test-jwt-secret', INTERNAL_SECRET: 'production-test-internal-secret', ...SERVICE_KEYS };

