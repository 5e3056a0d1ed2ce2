/**
 * Observing each HTTP request of a service (router or subgraph), wrapped around its request listener:
 * - the request id: the caller's `x-request-id` when acceptable (request-context.ts), else a new one; sent back on
 *   every response and kept in the request's store, so every log line and service call made for it carries it;
 * - a SERVER span continuing the caller's `traceparent` (tracing.ts), when tracing is on;
 * - one access line when the response ends: request id, operation name and hash, client name and version, user id,
 *   status, duration. Named fields only: never headers, variables or bodies (tokens, passwords, signatures).
 * The GraphQL details come from `requestContextPlugin`, an Apollo Server plugin that fills the store.
 */
import type http from 'node:http';
import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { logger } from './log';
import { currentRequest, REQUEST_ID_HEADER, requestIdOf, runWithRequest, type RequestStore } from './request-context';
import { incomingContext, otelContext, otelTrace, SpanKind, SpanStatusCode, tracerFor, tracingEnabled } from './tracing';

type Listener = (req: http.IncomingMessage, res: http.ServerResponse) => void;

/** Probes and scrapes, every few seconds from every instance: at debug level, not in the access log. */
const QUIET_PATHS = new Set(['/health', '/livez', '/readyz', '/metrics']);
const MAX_CLIENT_FIELD = 64;

/** A client-chosen header value as it may appear in a log line: one line, bounded. */
function clientField(value: string | string[] | undefined): string | undefined {
  if (typeof value !== 'string' || value.length === 0) return undefined;
  return value.replace(/[\u0000-\u001f\u007f]/g, '').slice(0, MAX_CLIENT_FIELD);
}

/** The path alone: a GET operation's query string holds its variables. */
function pathOf(url: string | undefined): string {
  const path = (url ?? '/').split('?', 1)[0]!;
  return path.length > 256 ? `${path.slice(0, 256)}…` : path;
}

export function observeRequests(service: string, listener: Listener): Listener {
  const access = logger({ service });
  return (req, res) => {
    const started = process.hrtime.bigint();
    const store: RequestStore = { service, requestId: requestIdOf(req.headers[REQUEST_ID_HEADER]) };
    res.setHeader(REQUEST_ID_HEADER, store.requestId);
    const path = pathOf(req.url);
    const span = tracingEnabled()
      ? tracerFor(service).startSpan(
          `${req.method} ${path}`,
          { kind: SpanKind.SERVER, attributes: { 'http.request.method': req.method, 'url.path': path, 'shop.request_id': store.requestId } },
          incomingContext(req.headers),
        )
      : undefined;

    res.once('close', () => {
      const durationMs = Number((process.hrtime.bigint() - started) / 1000n) / 1000;
      const status = res.statusCode;
      const completed = res.writableFinished;
      if (span) {
        span.setAttribute('http.response.status_code', status);
        if (store.operationName) span.setAttribute('graphql.operation.name', store.operationName);
        if (store.operationType) span.setAttribute('graphql.operation.type', store.operationType);
        if (status >= 500 || !completed) span.setStatus({ code: SpanStatusCode.ERROR });
        span.end();
      }
      const quiet = QUIET_PATHS.has(path);
      const level = status >= 500 ? 'error' : quiet ? 'debug' : 'info';
      if (!access.isLevelEnabled(level)) return;
      const line: Record<string, unknown> = {
        requestId: store.requestId,
        method: req.method,
        path,
        status,
        durationMs,
        operationName: store.operationName,
        operationType: store.operationType,
        operationHash: store.operationHash,
        clientName: clientField(req.headers['apollographql-client-name']),
        clientVersion: clientField(req.headers['apollographql-client-version']),
        userId: store.userId,
        caller: store.caller,
        errors: store.errorCodes,
      };
      if (!completed) line.aborted = true;
      if (span) {
        line.traceId = span.spanContext().traceId;
        line.spanId = span.spanContext().spanId;
      }
      access[level](line, 'request');
    });

    const run = () => listener(req, res);
    if (!span) return runWithRequest(store, run);
    runWithRequest(store, () => otelContext.with(otelTrace.setSpan(otelContext.active(), span), run));
  };
}

const MAX_ERROR_CODES = 5;

/** Fills the request's store with what Apollo Server learns: operation, user, calling service, error codes. */
export const requestContextPlugin: ApolloServerPlugin<BaseContext> = {
  async requestDidStart({ contextValue, request }) {
    const store = currentRequest();
    if (!store) return;
    const identity = (contextValue as { identity?: { userId?: string; service?: string } }).identity;
    if (identity?.userId) store.userId = identity.userId;
    if (identity?.service) store.caller = identity.service;
    if (typeof request.operationName === 'string') store.operationName = request.operationName;
    return {
      async didResolveOperation(requestContext) {
        store.operationName = requestContext.operationName ?? store.operationName;
        store.operationType = requestContext.operation?.operation;
        store.operationHash = requestContext.queryHash;
      },
      async willSendResponse({ response }) {
        const errors = response.body.kind === 'single' ? response.body.singleResult.errors : undefined;
        if (errors?.length) store.errorCodes = errors.slice(0, MAX_ERROR_CODES).map((e) => String(e.extensions?.code ?? 'UNKNOWN'));
      },
    };
  },
};
