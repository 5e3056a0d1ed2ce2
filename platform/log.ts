/**
 * The process's logger (pino): one JSON object per line on stdout in production, pino-pretty's readable lines in
 * development (pino-pretty is a devDependency, loaded only then and only if installed). Every line written while a
 * request is served carries its `requestId` (platform/request-context.ts) and, when tracing is on, its `traceId` and
 * `spanId`, so one client request can be followed through the router, the subgraphs and their service calls.
 *
 * `log` and `logger(bindings)` are facades over the current root: `configureLogging` may replace it (level, format,
 * destination — tests hand it a stream to read the lines back) after modules have taken their loggers.
 */
import { createRequire } from 'node:module';
import { context, trace } from '@opentelemetry/api';
import pino, { type DestinationStream, type Level, type LevelWithSilent, type Logger } from 'pino';
import { currentRequest } from './request-context';

export const LOG_LEVELS: readonly LevelWithSilent[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export interface LogOptions {
  level: LevelWithSilent;
  /** pino-pretty's readable lines instead of JSON (never in production: see config.ts). */
  pretty: boolean;
  /** Where lines go; default stdout. */
  destination?: DestinationStream;
}

/**
 * Fields that must never reach a log line, wherever someone puts them: a mistake in a new log call must not ship a
 * token to the log store. The access line names its fields one by one and never carries these anyway.
 */
const REDACTED = ['password', 'newPassword', 'token', 'accessToken', 'refreshToken', 'authorization', 'cookie', 'secret', 'signature', 'smsCode'];
const REDACT_PATHS = [...REDACTED, ...REDACTED.map((key) => `*.${key}`), 'headers.authorization', 'headers.cookie', 'headers["x-shop-identity"]'];

function mixin(): Record<string, unknown> {
  const request = currentRequest();
  const span = trace.getSpan(context.active())?.spanContext();
  const fields: Record<string, unknown> = {};
  if (request) fields.requestId = request.requestId;
  // Only real spans (an SDK is running): the API's non-recording placeholder has an all-zero trace id.
  if (span && trace.isSpanContextValid(span)) {
    fields.traceId = span.traceId;
    fields.spanId = span.spanId;
  }
  return fields;
}

function prettyStream(destination?: DestinationStream): DestinationStream | undefined {
  try {
    // Resolved at run time, never bundled or required in production (a devDependency, absent after `npm ci --omit=dev`).
    const pretty = createRequire(__filename)('pino-pretty') as (options: Record<string, unknown>) => DestinationStream;
    return pretty({
      sync: true,
      colorize: !destination && process.stdout.isTTY,
      translateTime: 'SYS:HH:MM:ss.l',
      ignore: 'pid,hostname',
      messageKey: 'msg',
      ...(destination ? { destination } : {}),
    });
  } catch {
    return undefined;
  }
}

function build(options: LogOptions): Logger {
  const stream = (options.pretty && prettyStream(options.destination)) || options.destination || pino.destination({ dest: 1, sync: true });
  return pino(
    {
      level: options.level,
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      // Level names, not numbers: what an operator greps for.
      formatters: { level: (label) => ({ level: label }) },
      messageKey: 'msg',
      mixin,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      serializers: { err: pino.stdSerializers.err, error: pino.stdSerializers.err },
    },
    stream,
  );
}

// Until an entry point configures it: info and up, JSON on stdout.
let root: Logger = build({ level: 'info', pretty: false });
let generation = 0;
let explicit = false;

/**
 * Sets the process's logger. `launch` (app/launcher.ts) calls it with the Config unless the entry point or a test
 * already did (`explicit` = true, e.g. with a destination stream to read the lines back).
 */
export function configureLogging(options: LogOptions, settings: { explicit?: boolean } = {}): void {
  root = build(options);
  generation += 1;
  explicit = settings.explicit ?? true;
}

/** Configures from Config unless someone configured explicitly already (a test capturing the lines). */
export function configureLoggingOnce(options: LogOptions): void {
  if (!explicit) configureLogging(options, { explicit: false });
}

type LogMethod = Logger['info'];

/** A logger that always writes through the current root, with `bindings` on every line (e.g. `{ service: 'user' }`). */
export interface Log {
  fatal: LogMethod;
  error: LogMethod;
  warn: LogMethod;
  info: LogMethod;
  debug: LogMethod;
  trace: LogMethod;
  isLevelEnabled(level: Level): boolean;
  child(bindings: Record<string, unknown>): Log;
}

export function logger(bindings?: Record<string, unknown>): Log {
  let cached: Logger | undefined;
  let seen = -1;
  const target = () => {
    if (seen !== generation) {
      cached = bindings ? root.child(bindings) : root;
      seen = generation;
    }
    return cached!;
  };
  const method =
    (level: Level): LogMethod =>
    (...args: Parameters<LogMethod>) =>
      (target()[level] as (...a: unknown[]) => void)(...args);
  return {
    fatal: method('fatal'),
    error: method('error'),
    warn: method('warn'),
    info: method('info'),
    debug: method('debug'),
    trace: method('trace'),
    isLevelEnabled: (level) => target().isLevelEnabled(level),
    child: (more) => logger({ ...bindings, ...more }),
  };
}

/** The process's logger without bindings. */
export const log: Log = logger();

/**
 * Start-up lines for whoever started the process (addresses, "Ready in … ms."): plain text on a developer's terminal,
 * and in production one JSON log line each, like everything else an operator's log pipeline reads. Printed at any
 * LOG_LEVEL but `silent`: they say where the service listens.
 */
export function announce(line: string, production: boolean): void {
  if (!production) return void process.stdout.write(`${line}\n`);
  const level = root.level as LevelWithSilent;
  if (level === 'silent') return;
  (root.isLevelEnabled('info') ? root : root.child({}, { level: 'info' })).info(line.trim());
}
