/**
 * The process's log lines, read back by a test: the logger (platform/log.ts) is given a destination stream that keeps
 * them, JSON, at `level` — nothing goes to stdout. Call before starting what logs.
 */
import { configureLogging } from '../../platform/log';
import type { LevelWithSilent } from 'pino';

export interface CapturedLogs {
  /** Every line as written (JSON text). */
  raw: string[];
  /** Every line, parsed. */
  lines(): Record<string, any>[];
  clear(): void;
}

export function captureLogs(level: LevelWithSilent = 'info'): CapturedLogs {
  const raw: string[] = [];
  configureLogging({ level, pretty: false, destination: { write: (line: string) => void raw.push(line) } });
  return {
    raw,
    lines: () => raw.map((line) => JSON.parse(line) as Record<string, any>),
    clear: () => void raw.splice(0),
  };
}
