/**
 * HTTP-level errors as GraphQL-shaped JSON, for the router and every subgraph server: whatever goes wrong before
 * Apollo Server sees an operation (wrong method or content type, malformed or oversized JSON, a batch, an unknown
 * route, a bug in a route) answers `{"errors":[{"message","extensions":{"code"}}]}` with a 4xx/5xx status —
 * never express's HTML page, never a stack trace, in any mode. Also the Apollo plugin that turns an operation
 * that cannot be chosen (unknown or missing `operationName`) into a 400 instead of the 500 the gateway gives.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import express from 'express';
import type { ErrorCode } from './errors';
import { shopError } from './errors';
import { log } from './log';

export interface ErrorBody {
  errors: { message: string; extensions: { code: string; [key: string]: unknown } }[];
}

export function errorBody(code: ErrorCode, message: string, extra: Record<string, unknown> = {}): ErrorBody {
  return { errors: [{ message, extensions: { code, ...extra } }] };
}

/** A request answered before Apollo Server sees it: the status, the body and any header that goes with them. */
export interface Refusal {
  status: number;
  body: ErrorBody;
  headers?: Record<string, string>;
}

/**
 * The answers of the guard in front of /graphql, shared by the express guard (the router's GET /graphql) and the
 * plain HTTP handler (graphql-http.ts: a subgraph's /graphql, the router's POSTs) so that both say the same thing.
 */
export const refusals = {
  methodNotAllowed: (method: string): Refusal => ({
    status: 405,
    // OPTIONS stays possible for CORS preflights handled elsewhere; nothing here answers it.
    headers: { allow: 'GET, POST' },
    body: errorBody('BAD_USER_INPUT', `${method} is not supported: send operations with POST (or GET for queries)`, { reason: 'METHOD_NOT_ALLOWED' }),
  }),
  notJson: (): Refusal => ({
    status: 415,
    body: errorBody('BAD_USER_INPUT', 'Send operations as Content-Type: application/json', { reason: 'UNSUPPORTED_MEDIA_TYPE' }),
  }),
  unsupportedEncoding: (): Refusal => ({
    status: 415,
    body: errorBody('BAD_USER_INPUT', 'Unsupported content encoding or charset', { reason: 'UNSUPPORTED_MEDIA_TYPE' }),
  }),
  tooLarge: (limit: number): Refusal => ({
    status: 413,
    body: errorBody('BAD_USER_INPUT', `The request body is larger than ${limit} bytes`, { limit: 'bodySize', max: limit }),
  }),
  tooDeep: (max: number): Refusal => ({
    status: 400,
    body: errorBody('BAD_USER_INPUT', `The request body nests arrays and objects more than ${max} levels deep`, { limit: 'jsonDepth', max }),
  }),
  operationNameTooLong: (max: number, found: number): Refusal => ({
    status: 400,
    body: errorBody('BAD_USER_INPUT', `Operation refused: operationName is ${found} characters long, at most ${max}`, { limit: 'operationName', max, found }),
  }),
  malformedJson: (): Refusal => ({
    status: 400,
    body: errorBody('BAD_USER_INPUT', 'The request body is not valid JSON', { reason: 'MALFORMED_JSON' }),
  }),
  incompleteBody: (): Refusal => ({
    status: 400,
    body: errorBody('BAD_USER_INPUT', 'The request body was incomplete', { reason: 'INCOMPLETE_BODY' }),
  }),
  batch: (): Refusal => ({
    status: 400,
    body: errorBody('BAD_USER_INPUT', 'Batched requests are not supported: send one operation per request', { limit: 'batch' }),
  }),
  /** Another 4xx raised on purpose (by express, a route, a body stream): its status, a generic message. */
  refused: (status: number): Refusal => ({ status, body: errorBody('BAD_USER_INPUT', 'The request was refused') }),
  internal: (): Refusal => ({ status: 500, body: errorBody('INTERNAL_SERVER_ERROR', 'Internal server error') }),
};

function send(res: express.Response, { status, body, headers }: Refusal) {
  // A handler may fail after it started answering; then there is nothing left to say.
  if (res.headersSent) return;
  if (headers) res.set(headers);
  res.status(status).type('application/json').send(JSON.stringify(body));
}

/**
 * What POST/GET /graphql accepts, in front of Apollo: GET and POST only (405 otherwise), POST as application/json
 * (415 otherwise), a body of at most `maxBodyBytes` (413), valid JSON (400), one operation per request (400 for a
 * JSON array: batching is off, so one request cannot carry unbounded work).
 */
export function graphqlRequestGuard(options: { maxBodyBytes: number }): express.RequestHandler[] {
  const allowMethods: express.RequestHandler = (req, res, next) => {
    if (req.method === 'GET' || req.method === 'POST') return next();
    send(res, refusals.methodNotAllowed(req.method));
  };
  const requireJson: express.RequestHandler = (req, res, next) => {
    if (req.method !== 'POST' || req.is('application/json')) return next();
    send(res, refusals.notJson());
  };
  const refuseBatches: express.RequestHandler = (req, res, next) => {
    if (!Array.isArray(req.body)) return next();
    send(res, refusals.batch());
  };
  return [allowMethods, requireJson, express.json({ limit: options.maxBodyBytes }), refuseBatches];
}

/**
 * What to answer for an error passed to express's `next(error)` or thrown by the plain handler: body-parser's error
 * types and other deliberate 4xx as what they are; undefined for anything unexpected (a 500, logged).
 */
export function refusalOfError(error: { type?: string; status?: number; limit?: number }): Refusal | undefined {
  switch (error.type) {
    case 'entity.parse.failed':
      return refusals.malformedJson();
    case 'entity.too.large':
      return refusals.tooLarge(error.limit ?? 0);
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return refusals.unsupportedEncoding();
    case 'request.aborted':
    case 'request.size.invalid':
      return refusals.incompleteBody();
    default:
      // Other 4xx raised on purpose by express or a route keep their status; the message stays generic.
      if (error.status && error.status >= 400 && error.status < 500) return refusals.refused(error.status);
      return undefined;
  }
}

/** Unexpected errors answered 500: one error line with the stack (and the request id, platform/log.ts). */
export const logUnexpectedHttpError = (error: unknown) => log.error({ err: error }, 'unexpected HTTP error');

/**
 * Mount last: a JSON 404 for unknown routes and a JSON error handler for everything passed to `next(error)`.
 * Unexpected errors are logged whole and answered with a bare INTERNAL_SERVER_ERROR.
 */
export function installErrorHandlers(app: express.Express, options: { log?: (error: unknown) => void } = {}) {
  app.use((req, res) => {
    send(res, { status: 404, body: errorBody('NOT_FOUND', `Nothing at ${req.method} ${req.path}`) });
  });
  const handler: express.ErrorRequestHandler = (error, _req, res, _next) => {
    const known = refusalOfError(error ?? {});
    if (known) return send(res, known);
    (options.log ?? logUnexpectedHttpError)(error);
    send(res, refusals.internal());
  };
  app.use(handler);
}

/**
 * graphql-js picks the operation to run from `operationName`; when none fits (an unknown name, or several
 * operations and no name) that is the client's mistake: answer 400 BAD_USER_INPUT before execution.
 */
export const operationResolutionPlugin: ApolloServerPlugin<any> = {
  async requestDidStart() {
    return {
      async didResolveOperation({ operation, request, document }) {
        if (operation) return;
        const operations = document.definitions.filter((d) => d.kind === 'OperationDefinition').length;
        const message = request.operationName
          ? `Unknown operation named "${request.operationName}"`
          : `The document has ${operations} operations: name the one to run in operationName`;
        throw shopError('BAD_USER_INPUT', message, { reason: 'OPERATION_RESOLUTION', http: { status: 400 } });
      },
    };
  },
};
