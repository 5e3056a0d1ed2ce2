/**
 * The open platform's gateway: `POST /open/v1/{method}` (docs/open-platform.md). Checks run in the seed's order
 * (§3.1.2): parameters → signature → replay → session → grant → minute limit → daily limit; then the method's
 * registered operation runs through the supergraph (this router's own Apollo Server and gateway, with its limits) as
 * the app acting for the session's merchant with the session's scopes, isolated per subgraph and per method
 * (isolation.ts). Each refusal has its own code and HTTP status (protocol.ts); every answer is
 * `{ "data": …, "error": { "code", "message" } | null }` with X-RateLimit-* headers once the app is known, and every
 * call, admitted or not, hands exactly one record to the call logs (call-events.ts), never awaited.
 */
import crypto from 'node:crypto';
import type http from 'node:http';
import type { ApolloServer } from '@apollo/server';
import { BulkheadRejectedError } from 'cockatiel';
import type { Config } from '../../platform/config';
import { maskPersonalJson, maskPersonalText } from '../../platform/personal-data';
import { clientAddress } from '../client-address';
import type { RouterContext } from '../gateway';
import { createOpenCallRecorder } from './call-events';
import type { EventBus } from '../../platform/events/bus';
import { systemClock, type OpenClock } from './clock';
import { BreakerOpen, Isolation } from './isolation';
import { checkParameters } from './parameters';
import { GRAPHQL_CODE_STATUS, HEADERS, OPEN_PATH_PREFIX, OpenRefusal, SIGN_METHOD, stringToSign, type OpenErrorCode } from './protocol';
import { NonceStore } from './replay';
import { Quotas, type QuotaState } from './quotas';
import { OpenRedis } from './redis';
import { OpenRegistryCache, type GatewayApp, type Snapshot } from './registry';
import { logger } from '../../platform/log';

const openLog = logger({ component: 'open' });

const METHOD_PATTERN = /^[a-z][a-z0-9_]{0,30}(\.[a-z][a-z0-9_]{0,30}){1,3}$/;
const APP_KEY = /^[A-Za-z0-9_-]{1,64}$/;
const TIMESTAMP = /^\d{1,12}$/;
const NONCE = /^[A-Za-z0-9_-]{8,64}$/;
const SESSION = /^[\x21-\x7e]{1,128}$/;
const SIGNATURE = /^[0-9a-f]{64}$/;
const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;
/** Keys whose values never reach a call record. */
const SECRET_KEYS = /secret|password|passwd|token|sign|credential/i;

export interface OpenGatewayStats {
  calls: number;
  admitted: number;
  refused: Partial<Record<string, number>>;
}

export interface OpenGateway {
  handle(req: http.IncomingMessage, res: http.ServerResponse): void;
  stats(): Record<string, unknown>;
  registry: OpenRegistryCache;
  close(): Promise<void>;
}

export const isOpenPath = (url: string | undefined) => Boolean(url?.startsWith(OPEN_PATH_PREFIX));

function readBody(req: http.IncomingMessage, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > maxBytes) {
      req.resume();
      return reject(new OpenRefusal('BODY_TOO_LARGE', `The body must be at most ${maxBytes} bytes`));
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        req.removeAllListeners('data');
        req.resume();
        reject(new OpenRefusal('BODY_TOO_LARGE', `The body must be at most ${maxBytes} bytes`));
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/**
 * The body for the call record: JSON with secret-looking values replaced and personal data masked
 * (platform/personal-data.ts, docs/open-call-logs.md "What a record keeps"), truncated. Done here, before the record
 * leaves the router, so neither the log line nor the stream nor the table ever holds the unmasked text.
 */
export function redactedRequest(raw: Buffer, maxChars: number): string {
  let text = raw.toString('utf8');
  try {
    const parsed: unknown = JSON.parse(text);
    text = JSON.stringify(maskPersonalJson(parsed), (key, value) => (key && SECRET_KEYS.test(key) ? '***' : value));
  } catch {
    // Not JSON (it was refused anyway): the text, masked.
    text = maskPersonalText(text);
  }
  return text.length > maxChars ? `${text.slice(0, maxChars)}…` : text;
}

function header(req: http.IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function quotaHeaders(state: QuotaState): Record<string, string> {
  return {
    'X-RateLimit-Limit-Minute': String(state.minute.limit),
    'X-RateLimit-Remaining-Minute': String(state.minute.remaining),
    'X-RateLimit-Limit-Day': String(state.day.limit),
    'X-RateLimit-Remaining-Day': String(state.day.remaining),
  };
}

export function createOpenGateway(options: {
  config: Config;
  server: ApolloServer<RouterContext>;
  openUrl: () => string;
  gatewayId: () => string;
  /** The router's event bus: call records travel on it to the open subgraph's call logs (call-events.ts). */
  events: Pick<EventBus, 'publish'>;
  clock?: OpenClock;
}): OpenGateway {
  const { config, server } = options;
  const clock = options.clock ?? systemClock(config.open.clockOffsetMs);
  const redis = config.redisUrl ? new OpenRedis(config) : undefined;
  const recorder = createOpenCallRecorder({ bus: options.events, redis });
  const registry = new OpenRegistryCache(config, options.openUrl);
  const nonces = new NonceStore(redis, config.open.nonceTtlSeconds);
  const quotas = new Quotas(config, redis);
  const isolation = new Isolation(config);
  const counts: OpenGatewayStats = { calls: 0, admitted: 0, refused: {} };
  const isFailure = (response: { errors?: readonly { extensions?: Record<string, unknown> }[] | null }) =>
    Boolean(response.errors?.some((error) => error.extensions?.code === 'INTERNAL_SERVER_ERROR'));

  async function serve(req: http.IncomingMessage, call: CallState): Promise<{ status: number; body: unknown; headers: Record<string, string> }> {
    // ── Parameters ──
    if (req.method !== 'POST') throw new OpenRefusal('METHOD_NOT_ALLOWED', 'Open API calls are POST requests', { Allow: 'POST' });
    const path = (req.url ?? '').split('?')[0];
    const method = path.slice(OPEN_PATH_PREFIX.length);
    if (!METHOD_PATTERN.test(method)) throw new OpenRefusal('UNKNOWN_METHOD', 'The path must be /open/v1/{method}, e.g. /open/v1/order.query');
    call.method = method;
    const raw = await readBody(req, config.open.maxBodyBytes);
    call.raw = raw;
    const system: Record<keyof typeof HEADERS, string> = {} as never;
    for (const [name, headerName] of Object.entries(HEADERS) as [keyof typeof HEADERS, string][]) {
      const value = header(req, headerName);
      if (value === undefined || value === '') throw new OpenRefusal('MISSING_PARAMETER', `The ${headerName} header is required`);
      system[name] = value;
    }
    if (!APP_KEY.test(system.appKey)) throw new OpenRefusal('INVALID_PARAMETER', 'X-App-Key is malformed');
    call.appKey = system.appKey;
    if (!TIMESTAMP.test(system.timestamp)) throw new OpenRefusal('INVALID_PARAMETER', 'X-Timestamp must be unix seconds');
    if (!NONCE.test(system.nonce)) throw new OpenRefusal('INVALID_PARAMETER', 'X-Nonce must be 8..64 letters, digits, - or _');
    if (!SESSION.test(system.session)) throw new OpenRefusal('INVALID_PARAMETER', 'X-Session is malformed');
    if (system.signMethod.toLowerCase() !== SIGN_METHOD) throw new OpenRefusal('INVALID_PARAMETER', `X-Sign-Method must be ${SIGN_METHOD}`);
    if (!SIGNATURE.test(system.sign)) throw new OpenRefusal('INVALID_PARAMETER', 'X-Sign must be 64 lowercase hex digits');
    let body: unknown = {};
    if (raw.length) {
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch {
        throw new OpenRefusal('INVALID_PARAMETER', 'The body must be a JSON object of the business parameters');
      }
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new OpenRefusal('INVALID_PARAMETER', 'The body must be a JSON object of the business parameters');
    let snapshot: Snapshot;
    try {
      snapshot = await registry.registry();
    } catch {
      throw new OpenRefusal('REGISTRY_UNAVAILABLE', 'The open platform is briefly unavailable; try again', { 'Retry-After': '1' });
    }
    if (!snapshot.apis.has(method) || !snapshot.apps.has(system.appKey)) {
      snapshot = await registry.registry(snapshot).catch(() => snapshot!);
    }
    const api = snapshot.apis.get(method);
    if (!api) throw new OpenRefusal('UNKNOWN_METHOD', `No open API ${method}`);
    if (!api.enabled) throw new OpenRefusal('API_DISABLED', `The open API ${method} is disabled`);
    if (!api.parameters) throw new OpenRefusal('API_DEFINITION_INVALID', `The open API ${method} is misconfigured; the platform has been told`);
    const parameters = checkParameters(api, body);
    if (!parameters.ok) throw new OpenRefusal('INVALID_PARAMETER', parameters.message);

    // ── Signature ──
    const app = snapshot.apps.get(system.appKey);
    if (!app) throw new OpenRefusal('INVALID_APP_KEY', 'Unknown app key');
    call.app = app;
    if (!app.enabled) throw new OpenRefusal('APP_DISABLED', 'This app is disabled');
    const now = clock.now();
    if (Math.abs(Math.floor(now / 1000) - Number(system.timestamp)) > config.open.timestampSkewSeconds) {
      throw new OpenRefusal('TIMESTAMP_OUT_OF_RANGE', `X-Timestamp must be within ${config.open.timestampSkewSeconds} s of the platform's clock (now ${Math.floor(now / 1000)})`);
    }
    const signed = stringToSign({ path, appKey: system.appKey, timestamp: system.timestamp, nonce: system.nonce, session: system.session, body: raw });
    const given = Buffer.from(system.sign, 'hex');
    // Every valid secret is tried, each compared in constant time.
    const verified = app.secrets
      .filter((secret) => secret.validUntil === null || secret.validUntil > now)
      .map((secret) => crypto.timingSafeEqual(crypto.createHmac('sha256', secret.secret).update(signed).digest(), given))
      .includes(true);
    if (!verified) throw new OpenRefusal('INVALID_SIGNATURE', 'The signature does not match (see docs/open-platform.md, "Signing")');

    // ── Replay ──
    if (!(await nonces.firstUse(app.appKey, system.nonce))) throw new OpenRefusal('NONCE_REPLAYED', 'This nonce was already used; every call needs a new one');

    // ── Session ──
    let session;
    try {
      session = await registry.session(system.session);
    } catch {
      throw new OpenRefusal('REGISTRY_UNAVAILABLE', 'The open platform is briefly unavailable; try again', { 'Retry-After': '1' });
    }
    if (!session || session.expiresAt <= now) throw new OpenRefusal('INVALID_SESSION', 'The session does not exist, was revoked or has expired');
    if (session.appKey !== app.appKey) throw new OpenRefusal('SESSION_APP_MISMATCH', 'The session belongs to another app');
    call.merchant = session.merchant;

    // ── Grant ──
    if (!app.grantedMethods.has(method)) throw new OpenRefusal('METHOD_NOT_GRANTED', `This app may not call ${method}`);

    // ── Limits ──
    const admission = await quotas.admit(app, api.cost, now);
    call.quota = admission;
    if (!admission.admitted) {
      const code: OpenErrorCode = admission.refusedBy === 'minute' ? 'MINUTE_LIMIT_EXCEEDED' : 'DAILY_LIMIT_EXCEEDED';
      throw new OpenRefusal(code, `The app's ${admission.refusedBy === 'minute' ? 'per-minute' : 'daily'} call limit is reached`, { 'Retry-After': String(admission.retryAfterSeconds) });
    }

    // ── Run ──
    let breakerOpen: BreakerOpen | undefined;
    const contextValue: RouterContext = {
      identity: { userId: session.merchant, scopes: session.scopes, app: app.appKey, clientIp: call.clientAddress },
      requestId: call.requestId,
      open: {
        fetch: (subgraph, run) =>
          isolation.guard(subgraph, run, isFailure).catch((error: unknown) => {
            if (error instanceof BreakerOpen) breakerOpen ??= error;
            throw error;
          }),
      },
    };
    let response;
    try {
      response = await isolation.limited(method, api.maxConcurrency, () => server.executeOperation({ query: api.document, variables: parameters.value }, { contextValue }));
    } catch (error) {
      if (error instanceof BulkheadRejectedError) throw new OpenRefusal('API_BUSY', `Too many ${method} calls are running; try again shortly`, { 'Retry-After': '1' });
      throw error;
    }
    if (breakerOpen) {
      throw new OpenRefusal('SERVICE_UNAVAILABLE', breakerOpen.message, { 'Retry-After': String(Math.ceil(config.open.breakerHalfOpenMs / 1000)) });
    }
    const result = response.body.kind === 'single' ? response.body.singleResult : { data: null, errors: [{ message: 'Incremental delivery is not supported', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] };
    const data = result.data ?? null;
    const first = result.errors?.[0];
    if (!first) return { status: 200, body: { data, error: null }, headers: {} };
    const graphqlCode = String(first.extensions?.code ?? 'INTERNAL_SERVER_ERROR');
    if (graphqlCode === 'GRAPHQL_VALIDATION_FAILED' || graphqlCode === 'GRAPHQL_PARSE_FAILED') {
      openLog.error({ method }, `open platform: the document of ${method} does not validate against the supergraph: ${first.message}`);
      throw new OpenRefusal('API_DEFINITION_INVALID', `The open API ${method} is misconfigured; the platform has been told`);
    }
    const status = GRAPHQL_CODE_STATUS[graphqlCode];
    if (status) return { status, body: { data, error: { code: graphqlCode, message: first.message } }, headers: {} };
    throw new OpenRefusal('SERVICE_ERROR', 'The service behind this API failed; try again later');
  }

  interface CallState {
    requestId: string;
    clientAddress: string;
    appKey: string | null;
    app?: GatewayApp;
    merchant: string | null;
    method: string | null;
    raw?: Buffer;
    quota?: QuotaState;
  }

  function handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const started = process.hrtime.bigint();
    const receivedAt = new Date(clock.now());
    const given = header(req, 'x-request-id');
    const call: CallState = {
      requestId: given && REQUEST_ID.test(given) ? given : crypto.randomUUID(),
      clientAddress: clientAddress(req, config.trustProxyHops) ?? '',
      appKey: null,
      merchant: null,
      method: null,
    };
    counts.calls++;
    void (async () => {
      let status = 500;
      let body: unknown;
      let headers: Record<string, string> = {};
      let errorCode: string | null = 'SERVICE_ERROR';
      try {
        ({ status, body, headers } = await serve(req, call));
        counts.admitted++;
        errorCode = (body as { error: { code: string } | null }).error?.code ?? null;
      } catch (error) {
        const refusal = error instanceof OpenRefusal ? error : new OpenRefusal('SERVICE_ERROR', 'The service behind this API failed; try again later');
        if (!(error instanceof OpenRefusal)) openLog.error({ err: error, method: call.method }, 'open platform: unexpected error');
        status = refusal.status;
        body = { data: null, error: { code: refusal.code, message: refusal.message } };
        headers = refusal.extraHeaders;
        errorCode = refusal.code;
        counts.refused[refusal.code] = (counts.refused[refusal.code] ?? 0) + 1;
      }
      try {
        // The limits' headers on every answer to a known app (refused before the limits: their state, counting nothing).
        if (call.app && !call.quota) call.quota = await quotas.peek(call.app, clock.now()).catch(() => undefined);
        const payload = JSON.stringify(body);
        if (!res.headersSent) {
          res.writeHead(status, {
            'content-type': 'application/json; charset=utf-8',
            'content-length': Buffer.byteLength(payload),
            'x-request-id': call.requestId,
            'cache-control': 'no-store',
            ...(call.quota ? quotaHeaders(call.quota) : {}),
            ...headers,
          });
          res.end(payload);
        }
      } catch (error) {
        openLog.error({ err: error }, 'open platform: writing the answer failed');
        res.destroy();
      }
      // Exactly once per call, after the answer, never awaited (call-events.ts).
      recorder.emit({
        requestId: call.requestId,
        appKey: call.appKey,
        gateway: options.gatewayId(),
        merchant: call.merchant,
        clientAddress: call.clientAddress,
        method: call.method,
        responseTimeMs: Number((process.hrtime.bigint() - started) / 1_000_000n),
        request: call.raw ? redactedRequest(call.raw, config.open.logRequestMaxChars) : '',
        errorCode,
        httpStatus: status,
        receivedAt,
      });
    })();
  }

  return {
    handle,
    registry,
    stats: () => ({ ...counts, callRecordsDropped: recorder.dropped, nonceDegraded: nonces.degraded, quotaDegraded: quotas.degraded, breakers: isolation.stats, registryInvalidations: registry.invalidations }),
    async close() {
      await registry.close();
      await recorder.flush();
      await redis?.close();
    },
  };
}
